"""helpers.running.params: every bad value is one message naming the parameter and what is allowed."""

import pytest
from commands import said

import helpers
from helpers.running.params import check_cache_writable, check_out_dir, check_parameters, check_sample_size


@pytest.mark.parametrize(
    "parameters, message",
    [
        ({"task": "mrcp"}, r"task='mrcp': choose one of GLUE's tasks"),
        ({"max_length": 0}, r"max_length=0: must be a positive integer"),
        ({"max_length": 1}, r"max_length=1: must be from 28 to 512: notebook 2 keeps a whole first sentence"),
        ({"max_length": 27}, r"max_length=27: must be from 28 to 512"),
        ({"max_length": 1024}, r"max_length=1024: must be a positive integer of at most 512"),
        ({"max_length": "long"}, r"max_length='long': must be a positive integer"),
        ({"batch_size": -2}, r"batch_size=-2: must be a positive integer"),
        ({"batch_size": 2.5}, r"batch_size=2.5: must be a positive integer"),
        ({"batch_size": True}, r"batch_size=True: must be a positive integer"),
        ({"learning_rate": 5}, r"learning_rate=5: must be a number between 0 and 1"),
        ({"memory_rows": 0}, r"memory_rows=0: must be a positive integer"),
        ({"bench_rows": "4k"}, r"bench_rows='4k': must be a positive integer"),
        ({"steps": -1}, r"steps=-1: must be a positive integer"),
        ({"steps": 10_001}, r"steps=10001: must be a positive integer of at most 10000"),
        ({"num_processes": 1}, r"num_processes=1: an integer from 2 to 64: this notebook is about several processes"),
        ({"num_processes": 65}, r"num_processes=65: an integer from 2 to 64"),
        ({"seed": -1}, r"seed=-1: must be an integer from 0 to 4294967295 \(2\*\*32 - 1, the largest seed numpy"),
        ({"seed": 2**32}, r"seed=4294967296: must be an integer from 0 to 4294967295"),
        ({"device": "tpu"}, r"device='tpu': choose 'auto', 'cpu' or 'cuda'"),
        ({"checkpoint": "bert base"}, r"checkpoint='bert base': a Hub id such as"),
        ({"compare_checkpoint": ""}, r"compare_checkpoint='': a Hub id such as"),
        ({"source": "/nonexistent/folder"}, r"source='/nonexistent/folder': is neither 'auto', 'hub', 'sample' nor"),
        (
            {"source": "data/" + "x" * 256},
            r"source='data/x{55}\.\.\.\(261 characters\)': has a name of 256 bytes; "
            r"file systems allow at most 255 bytes a name",
        ),
        ({"source": "\udcff"}, r"source='\\udcff': is not valid UTF-8 \(byte 0xff at position 0\)"),
        (
            {"source": "sample", "task": "qnli"},
            r"task='qnli': is not in the embedded sample, which holds MRPC only; "
            r"where the Hub is reachable, run `python -m helpers bundle --tasks qnli",
        ),
        (
            {"source": "auto", "task": "rte"},
            r"task='rte': is not in the embedded sample, which holds MRPC only "
            r"\(the Hub is unavailable: HF_HUB_OFFLINE=1 is set\)",
        ),
        (
            {"source": "sample", "task": "mrpc", "sample_size": 1000},
            r"sample_size=1000: must be at most 208, the number of rows in the split",
        ),
        ({"source": "auto", "checkpoint": "roberta-base"}, r"checkpoint='roberta-base': is neither reachable"),
        ({"source": "sample", "compare_checkpoint": "gpt2"}, r"compare_checkpoint='gpt2': has no offline stand-in"),
        ({"task": "sst2", "need_pair": True}, r"task='sst2': is a single-sentence task"),
    ],
)
def test_bad_values_are_named(parameters, message):  # the largest allowed values pass (below)
    with pytest.raises(helpers.ParameterError, match=message):
        check_parameters(**parameters)


def test_the_bounds_themselves_pass():
    assert check_parameters(seed=2**32 - 1, steps=10_000, max_length=28) == {
        "seed": 2**32 - 1,
        "steps": 10_000,
        "max_length": 28,
    }


def test_the_shortest_max_length_is_the_shortest_notebook_2_runs_with(sample, bert_tokenizer):
    """Notebook 2 truncates only the second sentence of its first pair: the first sentence and the
    three special tokens must fit, with a token of the second. One less and the tokenizer raises."""
    from helpers.running.params import MIN_MAX_LENGTH

    first, long_second = sample["train"][0]["sentence1"], " ".join(sample["train"][:8]["sentence2"])
    encoding = bert_tokenizer(first, long_second, truncation="only_second", max_length=MIN_MAX_LENGTH)
    assert encoding.sequence_ids().count(1) == 1 and len(encoding["input_ids"]) == MIN_MAX_LENGTH
    with pytest.raises(Exception, match="Sequence to truncate too short"):
        bert_tokenizer(first, long_second, truncation="only_second", max_length=MIN_MAX_LENGTH - 1)


def test_good_values_are_normalised(task_folder, monkeypatch):
    folder, _ = task_folder("mrpc")
    monkeypatch.chdir(folder.parent)
    checked = check_parameters(
        source=folder.name, task="MRPC", checkpoint=" bert-base-uncased ", batch_size=8, unknown_name="kept"
    )
    assert checked == {
        "source": str(folder),
        "task": "mrpc",
        "checkpoint": "bert-base-uncased",
        "batch_size": 8,
        "unknown_name": "kept",
    }  # a relative folder is made absolute, once, here


def test_a_read_only_hf_home_says_what_to_set(read_only_dir, monkeypatch):
    import datasets.config
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HOME", str(read_only_dir))
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", str(read_only_dir / "datasets"))
    with pytest.raises(helpers.ParameterError, match=r"HF_HOME=.*is not writable.*set HF_HOME to a folder"):
        check_cache_writable()


def test_a_read_only_file_system_is_refused(read_only_dir):
    with pytest.raises(helpers.ParameterError, match=r"out=.*: cannot be written \(.*\); choose a folder you can"):
        check_out_dir(read_only_dir / "out")
    assert list(read_only_dir.iterdir()) == []


def test_out_folders(tmp_path):
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(helpers.ParameterError, match="is an existing file; choose a folder"):
        check_out_dir(tmp_path / "file.txt")
    with pytest.raises(helpers.ParameterError, match="already exists and is not empty.*--overwrite"):
        check_out_dir(tmp_path)
    assert check_out_dir(tmp_path, overwrite=True) == tmp_path
    assert check_out_dir(tmp_path / "new" / "deeper") == tmp_path / "new" / "deeper"
    assert not (tmp_path / "new").exists()  # checking creates nothing


def test_sample_size_against_a_split():
    assert check_sample_size(5, 10) == 5
    with pytest.raises(helpers.ParameterError, match="sample_size=11: must be at most 10"):
        check_sample_size(11, 10)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["bench", "--seed", str(2**32)], "seed=4294967296: must be an integer from 0 to 4294967295"),
        (["bench", "--steps", "10001"], "steps=10001: must be a positive integer of at most 10000"),
        (["bench", "--max-length", "1"], "max_length=1: must be from 28 to 512"),
        (["train", "--seed", str(2**32)], "seed=4294967296: must be an integer from 0 to 4294967295"),
        (["train", "--steps", "100000"], "steps=100000: must be a positive integer of at most 10000"),
        (["train", "--max-length", "5"], "max_length=5: must be from 28 to 512"),
    ],
)
def test_bench_and_train_options_have_the_same_bounds(capsys, tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    err = said(capsys, *argv, "--source", "sample", code=2)
    assert err.startswith(f"error: {message}") and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []  # not even the default runs/... folder
