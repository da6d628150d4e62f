"""helpers.tasks: one table of GLUE's facts; local sources in each task's schema load with it."""

import pytest
from datasets import load_dataset

import helpers


def test_the_table_holds_the_hub_facts():
    assert list(helpers.GLUE_TASKS) == ["mrpc", "qqp", "mnli", "qnli", "rte", "wnli", "stsb", "ax", "sst2", "cola"]
    mnli = helpers.get_task("mnli")
    assert mnli.text_columns == ("premise", "hypothesis")
    assert mnli.label_names == ("entailment", "neutral", "contradiction") and mnli.num_labels == 3
    assert mnli.eval_split == "validation_matched" and "validation_mismatched" in mnli.splits
    assert helpers.get_task("qqp").text_columns == ("question1", "question2")
    assert helpers.get_task("qnli").text_columns == ("question", "sentence")
    stsb = helpers.get_task("stsb")
    assert stsb.is_regression and stsb.num_labels == 1 and stsb.features()["label"].dtype == "float32"
    assert not helpers.get_task("ax").has_labels and helpers.get_task("ax").splits == ("test",)
    sst2 = helpers.get_task("sst2")
    assert sst2.text_columns == ("sentence",) and not sst2.is_pair and sst2.label_names == ("negative", "positive")
    assert helpers.get_task("cola").label_names == ("unacceptable", "acceptable")
    assert helpers.get_task("MRPC").name == "mrpc"


def test_what_a_notebook_needs_is_refused_with_a_reason():
    assert helpers.get_task("stsb", need_labels=True).name == "stsb"
    with pytest.raises(
        helpers.ParameterError,
        match="task='ax': has no labels to train on; choose one of mrpc, qqp, mnli, qnli, rte, wnli, stsb$",
    ):
        helpers.get_task("ax", need_labels=True, need_pair=True)
    with pytest.raises(
        helpers.ParameterError,
        match="task='sst2': is a single-sentence task; this notebook is "
        "about sentence pairs: choose one of mrpc, qqp, mnli",
    ):
        helpers.get_task("sst2", need_pair=True)
    with pytest.raises(helpers.ParameterError, match=r"task='mrcp'.*mrpc, qqp, mnli, qnli, rte, wnli, stsb, ax"):
        helpers.get_task("mrcp")


@pytest.mark.parametrize("task", list(helpers.GLUE_TASKS))
def test_every_task_loads_from_a_local_folder_in_its_schema(task_folder, task):
    folder, rows = task_folder(task)
    info = helpers.check_parameters(source=str(folder), task=task) and helpers.get_task(task)
    raw = load_dataset(helpers.locate("nyu-mll/glue", folder), task)
    assert {split: part.num_rows for split, part in raw.items()} == rows
    assert list(raw) == list(info.splits)
    assert raw[info.train_split].features == info.features()
