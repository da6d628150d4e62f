"""The classroom bundle: a Hub-shaped mirror built offline from the sample and the stand-ins, whose
manifest says so, served with no network."""

import json
import os

import pytest
from commands import said
from datasets import load_dataset
from transformers import AutoModelForSequenceClassification, AutoTokenizer

import helpers
from helpers.classroom.bundle import build_bundle
from helpers.course import COURSE_FIGURES
from helpers.offline.sources import SAMPLE_REPO, SAMPLE_WHAT
from helpers.offline.standins import STANDINS


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("classroom") / "bundle"
    build_bundle(["mrpc"], ["bert-base-uncased", "distilbert-base-uncased"], out, source="auto")
    return out


def test_bundle_layout_and_manifest(bundle):
    assert sorted(p.name for p in (bundle / "nyu-mll" / "glue" / "mrpc").iterdir()) == [
        "test-00000-of-00001.parquet",
        "train-00000-of-00001.parquet",
        "validation-00000-of-00001.parquet",
    ]
    assert (bundle / "nyu-mll" / "glue" / "README.md").is_file()
    manifest = json.loads((bundle / "manifest.json").read_text())
    mrpc = manifest["datasets"]["nyu-mll/glue"]["mrpc"]
    assert mrpc == {"rows": {"train": 208, "validation": 23, "test": 98}, "from": SAMPLE_WHAT}
    for checkpoint in ("bert-base-uncased", "distilbert-base-uncased"):
        assert manifest["models"][checkpoint]["from"] == STANDINS[checkpoint].describe()
        folder = bundle / checkpoint
        assert sorted(p.name for p in folder.iterdir()) == [
            "config.json",
            "model.safetensors",
            "tokenizer.json",
            "tokenizer_config.json",
            "vocab.txt",
        ]
        assert not (folder / "model.safetensors").is_symlink()  # the bundle stands alone


def test_names_map_into_the_bundle_and_say_what_they_are(bundle, capsys):
    target = helpers.locate("nyu-mll/glue", bundle)
    raw = load_dataset(target, "mrpc")
    assert raw["train"].features == load_dataset(str(SAMPLE_REPO), "mrpc")["train"].features
    tokenizer = AutoTokenizer.from_pretrained(helpers.locate("distilbert-base-uncased", bundle))
    assert (
        tokenizer("This is the first sentence.", "This is the second one.")["input_ids"]
        == COURSE_FIGURES["example_pair_ids"].value
    )
    model, info = AutoModelForSequenceClassification.from_pretrained(
        helpers.locate("bert-base-uncased", bundle), num_labels=3, output_loading_info=True
    )
    assert sorted(info["missing_keys"]) == ["classifier.bias", "classifier.weight"]  # the encoder is pretrained
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Source of nyu-mll/glue: classroom bundle ")
    assert lines[0].endswith(f": mrpc from {SAMPLE_WHAT} [asked for]")
    assert "offline stand-in (tokenizer:" in lines[1] and "model: a small DistilBERT" in lines[1]


@pytest.mark.notebooks
def test_a_class_can_read_the_bundle(bundle):
    """Made as mkdir makes folders (the umask decides), not tempfile.mkdtemp's owner-only 700."""
    umask = os.umask(0)
    os.umask(umask)
    for folder in (bundle, bundle / "nyu-mll" / "glue", bundle / "bert-base-uncased"):
        assert folder.stat().st_mode & 0o777 == 0o777 & ~umask, folder
    assert (bundle / "manifest.json").stat().st_mode & 0o044  # a file the group and others can read
    assert not [p for p in bundle.parent.iterdir() if p.name.startswith(".")]  # no staging folder left


def test_bundle_refuses_a_used_folder_and_leaves_nothing_on_failure(bundle, tmp_path, capsys):
    with pytest.raises(helpers.ParameterError, match="out=.*already exists and is not empty; choose a new folder$"):
        build_bundle(["mrpc"], ["bert-base-uncased"], bundle)  # bundle has no --overwrite: none suggested
    assert "overwrite" not in said(capsys, "bundle", "--out", str(bundle), code=2)
    with pytest.raises(helpers.ParameterError, match="task='qqp': is not in the embedded sample"):
        build_bundle(["qqp"], ["bert-base-uncased"], tmp_path / "new")
    with pytest.raises(helpers.ParameterError, match="checkpoint='gpt2': is neither reachable"):
        build_bundle(["mrpc"], ["gpt2"], tmp_path / "new")
    assert list(tmp_path.iterdir()) == []
