"""helpers.offline.sources: `locate` gives the libraries' own loaders an id or a Hub-shaped folder, says which
and why, and refuses what it cannot serve with one line naming the parameter."""

import json
import os
import shutil
import time
from pathlib import Path

import datasets
import pytest
from datasets import load_dataset
from transformers import AutoTokenizer

import helpers
from helpers.course import COURSE_FIGURES, REAL_MRPC
from helpers.offline import sources

MRPC = helpers.get_task("mrpc")


def test_auto_offline_serves_the_sample_fast_and_says_why(capsys):
    started = time.perf_counter()
    target = helpers.locate("nyu-mll/glue", "auto")
    raw = load_dataset(target, "mrpc")
    assert time.perf_counter() - started < 15  # the libraries' own retries take about 24 s
    assert Path(target) == sources.SAMPLE_REPO
    assert {s: p.num_rows for s, p in raw.items()} == {"train": 208, "validation": 23, "test": 98}
    assert capsys.readouterr().out.splitlines() == [
        f"Source of nyu-mll/glue: {sources.SAMPLE_WHAT} [the Hub is unavailable: HF_HUB_OFFLINE=1 is set]"
    ]


def test_a_path_object_is_a_source(tmp_path, task_folder):
    folder, rows = task_folder("mrpc")
    raw = load_dataset(helpers.locate("nyu-mll/glue", folder), "mrpc")  # pathlib.Path, not str
    assert {s: p.num_rows for s, p in raw.items()} == rows


@pytest.mark.parametrize(
    "source, parameter, message",
    [
        (123, "source", "pass 'auto', 'hub', 'sample', or a local folder"),
        ("", "source", "pass 'auto'"),
        ("/no/such/folder", "source", "is neither 'auto', 'hub', 'sample' nor an existing folder"),
        ("hub", "source", "nyu-mll/glue is neither reachable (HF_HUB_OFFLINE=1 is set) nor in the local cache"),
    ],
)
def test_sources_that_cannot_serve_are_one_clear_error(source, parameter, message):
    with pytest.raises(helpers.ParameterError) as error:
        helpers.locate("nyu-mll/glue", source)
    assert error.value.parameter == parameter and message in str(error.value)


def test_the_courses_old_id_is_named():
    with pytest.raises(helpers.ParameterError, match="'glue' id no longer resolves; use 'nyu-mll/glue'"):
        helpers.locate("glue", "auto")


def test_a_missing_folder_for_a_checkpoint_is_an_error_not_a_stand_in(tmp_path):
    with pytest.raises(helpers.ParameterError, match="source=.*is neither 'auto', 'hub', 'sample' nor an existing"):
        helpers.locate("bert-base-uncased", str(tmp_path / "missing"))


def test_checkpoints_offline(capsys):
    assert Path(helpers.locate("bert-base-uncased", "auto")).name == "bert-base-uncased"
    assert "offline stand-in (tokenizer:" in capsys.readouterr().out
    with pytest.raises(
        helpers.ParameterError,
        match=r"checkpoint='roberta-base': is neither reachable .*"
        r"stand-ins exist for: bert-base-uncased, distilbert-base",
    ):
        helpers.locate("roberta-base", "auto")
    with pytest.raises(helpers.ParameterError, match="checkpoint='roberta-base': has no offline stand-in"):
        helpers.locate("roberta-base", "sample")
    with pytest.raises(helpers.ParameterError, match="checkpoint='bert-base-uncased': is neither reachable"):
        helpers.locate("bert-base-uncased", "hub")  # asked for the Hub: never a stand-in


def test_the_local_cache_is_used_offline(monkeypatch, tmp_path):
    """A dataset config in `datasets`' cache is served by the id itself, so load_dataset reads the cache."""
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", str(tmp_path))
    assert sources.cached_configs() == []
    (tmp_path / "nyu-mll___glue" / "rte" / "0.0.0" / "abc123").mkdir(parents=True)
    found = helpers.resolve("nyu-mll/glue", "hub")
    assert found.target == "nyu-mll/glue" and found.what == "the local Hugging Face cache (rte)"
    with pytest.raises(
        helpers.ParameterError,
        match=r"task='mrpc': is not in the local cache of nyu-mll/glue "
        r"\(it holds rte\)",
    ):
        sources.check_task_source("mrpc", "auto")


@pytest.mark.parametrize("layout", ["flat", "task_folder", "hub_shaped"])
def test_local_folder_layouts(tmp_path, sample, layout):
    if layout == "flat":
        for f in (sources.SAMPLE_REPO / "mrpc").glob("*.parquet"):
            shutil.copy(f, tmp_path)
    elif layout == "task_folder":
        shutil.copytree(sources.SAMPLE_REPO / "mrpc", tmp_path / "mrpc")
    else:
        shutil.copytree(sources.SAMPLE_REPO, tmp_path / "glue")
        tmp_path = tmp_path / "glue"
    raw = load_dataset(helpers.locate("nyu-mll/glue", tmp_path), "mrpc")
    assert {k: v.num_rows for k, v in raw.items()} == {k: v.num_rows for k, v in sample.items()}
    assert raw["train"].features == MRPC.features()
    assert raw["train"][5] == sample["train"][5]


def test_two_hub_shaped_folders_with_one_name_do_not_share_a_cache(tmp_path, sample):
    """`datasets` names a local folder's cache after the folder and its card; the card's counts keep
    a second folder called 'glue' from being served the first one's rows."""
    small = tmp_path / "a" / "glue"
    (small / "mrpc").mkdir(parents=True)
    for split, part in sample.items():
        part.select(range(5)).to_parquet(str(small / "mrpc" / f"{split}-00000-of-00001.parquet"))
    sources.write_dataset_card(small)
    first = load_dataset(str(sources.SAMPLE_REPO), "mrpc")
    second = load_dataset(str(small), "mrpc")
    assert first["train"].num_rows == 208 and second["train"].num_rows == 5


def test_plain_folder_with_mnli_split_names(tmp_path, task_folder):
    """Splits are mapped by name, so MNLI's validation_matched is not merged into another split."""
    folder, rows = task_folder("mnli")
    raw = load_dataset(helpers.locate("nyu-mll/glue", folder), "mnli")
    assert list(raw) == list(helpers.get_task("mnli").splits)
    assert {s: p.num_rows for s, p in raw.items()} == rows


@pytest.mark.parametrize(
    "task, problem",
    [
        (
            "rte",
            "has label ClassLabel(names=['not_equivalent', 'equivalent']), but rte needs "
            "ClassLabel(names=['entailment', 'not_entailment'])",
        ),
        ("wnli", "but wnli needs ClassLabel(names=['not_entailment', 'entailment'])"),
        ("stsb", "but stsb's label is a float score"),
        ("qqp", "has columns ['sentence1', 'sentence2', 'label', 'idx'], but qqp needs ['question1', 'question2'"),
        ("sst2", "but sst2 needs ['sentence', 'label', 'idx']"),
    ],
)
def test_features_are_compared_not_only_column_names(task_folder, task, problem):
    """MRPC files asked for as RTE, WNLI or STS-B have the right column names and the wrong labels."""
    folder, _ = task_folder("mrpc")
    with pytest.raises(helpers.ParameterError) as error:
        sources.check_task_source(task, folder)
    assert f"is not in the {task} schema: " in str(error.value) and problem in str(error.value)


def test_bad_folders(tmp_path):
    with pytest.raises(helpers.ParameterError, match="holds no mrpc data"):
        sources.check_task_source("mrpc", tmp_path)
    (tmp_path / "train-00000-of-00001.parquet").write_bytes(b"PAR1 truncated")
    with pytest.raises(
        helpers.ParameterError,
        match=r"test_bad_folders0': train-00000-of-00001.parquet is not a valid "
        r"parquet file \(ArrowInvalid: Parquet magic bytes not found",
    ):
        sources.check_task_source("mrpc", tmp_path)


def test_an_unreadable_manifest_is_one_line(tmp_path):
    shutil.copytree(sources.SAMPLE_REPO, tmp_path / "nyu-mll" / "glue")
    (tmp_path / "manifest.json").write_text("{not json")
    for check in (
        lambda: sources.check_task_source("mrpc", tmp_path),
        lambda: helpers.locate("bert-base-uncased", tmp_path),
    ):
        with pytest.raises(helpers.ParameterError, match="its manifest.json could not be read"):
            check()


def test_a_data_only_folder_leaves_checkpoints_to_auto(task_folder):
    folder, _ = task_folder("mrpc")
    found = helpers.resolve("bert-base-uncased", folder)
    assert found.why == "the Hub is unavailable: the source folder holds data only; HF_HUB_OFFLINE=1 is set"


def test_views_are_built_once_and_named_by_content(task_folder):
    folder, _ = task_folder("mrpc")
    first = helpers.resolve("nyu-mll/glue", folder).target
    assert helpers.resolve("nyu-mll/glue", folder).target == first
    (folder / "test-00000-of-00001.parquet").unlink()  # the files changed: a new view
    assert helpers.resolve("nyu-mll/glue", folder).target != first


def test_train_rows_from_parquet_footers(task_folder):
    folder, rows = task_folder("qnli")
    assert sources.train_rows("qnli", folder) == rows["train"]
    assert sources.train_rows("mrpc", "sample") == 208


def test_real_corpus_as_a_plain_folder(real_mrpc):
    raw = load_dataset(helpers.locate("nyu-mll/glue", real_mrpc), "mrpc")
    assert {k: v.num_rows for k, v in raw.items()} == COURSE_FIGURES["rows"].value
    assert raw["train"].features == MRPC.features()
    assert {"idx": raw["train"][0]["idx"], "label": raw["train"][0]["label"]} == COURSE_FIGURES["first_row"].value
    assert raw["train"][0]["sentence1"].startswith(REAL_MRPC["first_sentence_start"])
    for task in ("rte", "wnli", "stsb"):  # the cases: right columns, wrong labels
        with pytest.raises(helpers.ParameterError, match=f"is not in the {task} schema"):
            helpers.check_parameters(source=str(real_mrpc), task=task)


def test_locate_output_is_what_the_library_accepts(tmp_path):
    """Delete the wrapper and keep the line: both forms take the same kind of argument."""
    target = helpers.locate("distilbert-base-uncased", "sample")
    assert (Path(target) / "config.json").is_file()
    assert json.loads((Path(target) / "config.json").read_text())["model_type"] == "distilbert"
    tokenizer = AutoTokenizer.from_pretrained(target)
    assert tokenizer("paraphrase")["input_ids"][0] == 101
    assert os.path.isabs(target)


def test_a_source_line_is_said_once_per_name_until_the_answer_changes(capsys, tmp_path):
    for _ in range(3):
        helpers.locate("nyu-mll/glue", "sample")
        helpers.locate("bert-base-uncased", "sample")
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["Source of nyu-mll/glue", "Source of bert-base-uncased"]
    folder = tmp_path / "glue"
    shutil.copytree(sources.SAMPLE_REPO, folder)
    helpers.locate("nyu-mll/glue", folder)  # another answer: said again
    assert capsys.readouterr().out.startswith("Source of nyu-mll/glue: local folder")
