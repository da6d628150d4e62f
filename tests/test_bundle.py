"""The classroom bundle: built offline from the sample and the stand-ins, then served with no network."""

import json

import pytest

import helpers
from helpers.bundle import build_bundle
from helpers.runner import list_notebooks, run_notebooks

COURSE_PAIR_IDS = [101, 2023, 2003, 1996, 2034, 6251, 1012, 102, 2023, 2003, 1996, 2117, 2028, 1012, 102]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("classroom") / "bundle"
    build_bundle(["mrpc"], ["bert-base-uncased", "distilbert-base-uncased"], out, source="auto")
    return out


def test_bundle_layout_and_manifest(bundle):
    assert sorted(p.name for p in (bundle / "mrpc").iterdir()) == [
        "test-00000-of-00001.parquet", "train-00000-of-00001.parquet", "validation-00000-of-00001.parquet"]
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert manifest["tasks"]["mrpc"]["rows"] == {"train": 208, "validation": 23, "test": 98}
    assert manifest["models"]["bert-base-uncased"]["from"].startswith("offline stand-in for bert-base-uncased")
    for checkpoint in ("bert-base-uncased", "distilbert-base-uncased"):
        assert (bundle / "models" / checkpoint / "model.safetensors").is_file()


def test_bundle_serves_data_tokenizers_and_models(bundle, capsys):
    raw = helpers.load_glue("mrpc", source=str(bundle))
    assert raw["train"].features == helpers.load_glue("mrpc", source="sample")["train"].features
    distilbert = helpers.load_tokenizer("distilbert-base-uncased", source=str(bundle))
    assert distilbert("This is the first sentence.", "This is the second one.")["input_ids"] == COURSE_PAIR_IDS
    assert "token_type_ids" not in distilbert.model_input_names
    model, info = helpers.load_model("bert-base-uncased", num_labels=3, source=str(bundle), output_loading_info=True)
    assert info["missing_keys"] == ["classifier.bias", "classifier.weight"]  # the encoder is pretrained
    assert "bundled from offline stand-in" in capsys.readouterr().out


def test_notebooks_run_from_the_bundle(bundle, tmp_path):
    rows = run_notebooks(list_notebooks(["02", "05"]), {"source": str(bundle), "memory_rows": 1000}, tmp_path,
                         echo=lambda *a, **k: None)
    assert [r["status"] for r in rows] == ["ok", "ok"], rows
    assert rows[0]["figures"]["example_pair_ids"] == COURSE_PAIR_IDS
    assert rows[0]["data_source"] == "local folder [asked for]"
    assert "bundled from offline stand-in" in rows[1]["tokenizer"]


def test_bundle_refuses_a_used_folder_and_leaves_nothing_on_failure(bundle, tmp_path):
    with pytest.raises(helpers.ParameterError, match="out=.*already exists and is not empty"):
        build_bundle(["mrpc"], ["bert-base-uncased"], bundle)
    with pytest.raises(helpers.ParameterError, match="task='qqp'.*not available offline"):
        build_bundle(["qqp"], ["bert-base-uncased"], tmp_path / "new")
    assert list(tmp_path.iterdir()) == []
