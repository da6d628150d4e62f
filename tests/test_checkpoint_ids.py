"""Checkpoint ids are checked with huggingface_hub's own rule before any cache look-up; a local model
folder is served as `from_pretrained` serves it; a name's source line is shown once per process."""

import shutil

import pytest
from commands import python
from transformers import AutoTokenizer

import helpers
from helpers.errors import ParameterError
from helpers.offline import sources

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("bad", ["a/b/c", "../../etc", "bért-base"])
def test_invalid_hub_id_is_one_line_naming_checkpoint(bad, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # where '../../etc' is no folder
    with pytest.raises(ParameterError) as caught:
        helpers.locate(bad, "auto")
    message = str(caught.value)
    assert message.startswith(f"checkpoint={bad!r}: is neither a local model folder nor a valid Hub id")
    assert "\n" not in message and caught.value.__cause__ is None


def test_local_model_folder_is_served_as_from_pretrained_does(tmp_path, monkeypatch, capsys):
    standin = sources.standin_folder("bert-base-uncased")
    monkeypatch.chdir(tmp_path)
    shutil.copytree(standin, tmp_path / "my-model")
    target = helpers.locate("my-model", "sample")
    assert target == str((tmp_path / "my-model").resolve())
    assert capsys.readouterr().out.splitlines() == [
        f"Source of {target}: local model folder {sources.short_path(tmp_path / 'my-model')} [asked for]"
    ]
    tokenizer = AutoTokenizer.from_pretrained(target)
    assert tokenizer("a b")["input_ids"][0] == tokenizer.cls_token_id


def test_folder_without_model_files_is_one_line(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "config.json").write_text("{}")
    with pytest.raises(ParameterError, match=r"is a folder without config\.json or tokenizer files"):
        helpers.locate(str(tmp_path / "empty"), "sample")
    with pytest.raises(ParameterError, match=r"is a folder without tokenizer files \("):
        helpers.locate(str(tmp_path / "half"), "sample")


def test_source_line_once_per_name_again_when_answer_differs(capsys, tmp_path):
    first = helpers.locate("bert-base-uncased", "sample")
    again = helpers.locate("bert-base-uncased", "sample")
    assert first == again
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Source of bert-base-uncased: ")
    helpers.locate("nyu-mll/glue", "sample")
    assert len(capsys.readouterr().out.splitlines()) == 1
    bundle = tmp_path / "bundle"
    (bundle / "bert-base-uncased").mkdir(parents=True)
    (bundle / "bert-base-uncased" / "config.json").write_text("{}")
    helpers.locate("bert-base-uncased", str(bundle))  # a different answer is said again
    assert capsys.readouterr().out.splitlines()[0].startswith("Source of bert-base-uncased: local folder ")


@pytest.mark.parametrize("endpoint", ["http://[::1", "http://localhost:99999", "huggingface.co"])
def test_malformed_hf_endpoint_is_one_line(endpoint, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", endpoint)
    with pytest.raises(ParameterError, match=r"^HF_ENDPOINT="):
        helpers.locate("bert-base-uncased", "sample")
    with pytest.raises(ParameterError, match=r"^HF_ENDPOINT="):
        sources.check_source("auto")


def test_command_line_refuses_malformed_endpoint_before_importing_the_hub(tmp_path):
    import os

    env = {**os.environ, "HF_ENDPOINT": "http://[::1"}
    done = python("-m", "helpers", "run", "01", "--out", str(tmp_path / "o"), cwd=tmp_path, env=env, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "HF_ENDPOINT='http://[::1'" in done.stderr + done.stdout
