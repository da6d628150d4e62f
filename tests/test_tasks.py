"""Every GLUE pair task: one table of facts, local sources in each task's schema, and the notebooks."""

import nbformat
import pytest
from conftest import write_task_folder

import helpers
from helpers.runner import list_notebooks, run_notebooks


def test_the_table_holds_the_hub_facts():
    assert list(helpers.GLUE_TASKS) == ["mrpc", "qqp", "mnli", "qnli", "rte", "wnli", "stsb", "ax"]
    mnli = helpers.get_task("mnli")
    assert mnli.text_columns == ("premise", "hypothesis")
    assert mnli.label_names == ("entailment", "neutral", "contradiction") and mnli.num_labels == 3
    assert mnli.eval_split == "validation_matched" and "validation_mismatched" in mnli.splits
    assert helpers.get_task("qqp").text_columns == ("question1", "question2")
    assert helpers.get_task("qnli").text_columns == ("question", "sentence")
    stsb = helpers.get_task("stsb")
    assert stsb.is_regression and stsb.num_labels == 1
    assert not helpers.get_task("ax").has_labels and helpers.get_task("ax").splits == ("test",)
    assert helpers.get_task("MRPC").name == "mrpc"
    assert helpers.get_task("stsb", need_labels=True).name == "stsb"
    with pytest.raises(helpers.ParameterError, match="task='ax': has no labels to train on; choose one of "
                                                     "mrpc, qqp, mnli, qnli, rte, wnli, stsb$"):
        helpers.get_task("ax", need_labels=True)


@pytest.mark.parametrize("task", list(helpers.GLUE_TASKS))
def test_every_task_loads_from_a_local_folder_in_its_schema(tmp_path, task):
    rows = write_task_folder(tmp_path, task)
    raw = helpers.load_glue(task, source=str(tmp_path))
    info = helpers.get_task(task)
    assert {split: part.num_rows for split, part in raw.items()} == rows
    assert raw[info.train_split].column_names == list(info.columns)
    label = raw[info.train_split].features["label"]
    if info.is_regression:
        assert label.dtype == "float32"
    elif info.has_labels:
        assert label.names == list(info.label_names)


def _run(tmp_path, task, notebooks, **parameters):
    write_task_folder(tmp_path / "data", task)
    rows = run_notebooks(list_notebooks(notebooks), {"task": task, "source": str(tmp_path / "data"), **parameters},
                         tmp_path / "out", echo=lambda *a, **k: None)
    return {row["notebook"][:2]: row for row in rows}


def test_mnli_runs_with_its_own_splits_and_three_labels(tmp_path):
    rows = _run(tmp_path, "mnli", ["01", "05"])
    assert all(r["status"] == "ok" for r in rows.values()), rows
    assert set(rows["01"]["figures"]["rows"]) == set(helpers.get_task("mnli").splits)
    assert set(rows["01"]["figures"]["train_label_counts"]) == {"0", "1", "2"}
    assert rows["05"]["figures"]["tensors_changed"] > 100


def test_stsb_trains_a_regression_head(tmp_path):
    rows = _run(tmp_path, "stsb", ["05"])
    assert rows["05"]["status"] == "ok", rows
    loss = rows["05"]["figures"]["loss"]
    assert loss["after"] < loss["before"]  # mean squared error on scores, one step on the same batch


def test_qqp_tokenizes_question_pairs(tmp_path):
    rows = _run(tmp_path, "qqp", ["02"], memory_rows=1000)
    assert rows["02"]["status"] == "ok", rows
    assert rows["02"]["figures"]["example_pair_ids"][0] == 101


def test_ax_has_no_labels_to_train_and_the_failing_cell_is_named(tmp_path):
    rows = _run(tmp_path, "ax", ["01", "05"])
    assert rows["01"]["status"] == "ok"
    assert rows["01"]["figures"]["rows"] == {"test": 208}
    assert rows["05"]["status"] == "failed"
    assert rows["05"]["error"].startswith("ParameterError: task='ax': has no labels to train on")
    # the cell number is the one the executed notebook shows (papermill's injected cell counts)
    executed = nbformat.read(str(tmp_path / "out" / "05_adamw_step.ipynb"), as_version=4)
    failed = [c for c in executed.cells if c.get("execution_count") == rows["05"]["failed_cell"]]
    assert len(failed) == 1 and "get_task(task, need_labels=True)" in failed[0].source
