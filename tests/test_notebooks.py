"""The notebooks as products: the course's code in the cells, clean stored outputs, papermill runs with
other parameters and tasks, and the course's figures on the real MRPC.

nbval itself (pytest's --nbval) re-runs every stored notebook and compares its outputs cell by cell.
"""

import json
import re

import nbformat
import pytest

import helpers
from helpers.classroom.reading import noise
from helpers.course import COURSE_FIGURES, REAL_MRPC
from helpers.running.runner import list_notebooks, notebook_parameters, run_notebooks

NOTEBOOKS = list_notebooks()
# The course's own lines (today's spelling), which a learner can copy out of the cells.
COURSE_CODE = {
    "01": [
        "from torch.optim import AdamW",
        "model = AutoModelForSequenceClassification.from_pretrained(helpers.locate(checkpoint, source))",
        'batch = tokenizer(sequences, padding=True, truncation=True, return_tensors="pt")',
        'batch["labels"] = torch.tensor([1, 1])',
        "optimizer = AdamW(model.parameters())",
        "loss = model(**batch).loss\nloss.backward()\noptimizer.step()",
        'raw_datasets = load_dataset(helpers.locate("nyu-mll/glue", source), task)',
        "raw_train_dataset[0]",
        "raw_train_dataset.features",
    ],
    "02": [
        "tokenizer = AutoTokenizer.from_pretrained(helpers.locate(checkpoint, source))",
        "tokenized_sentences_1 = tokenizer(list(train[first]))",
        'inputs = tokenizer("This is the first sentence.", "This is the second one.")',
        'tokenizer.convert_ids_to_tokens(inputs["input_ids"])',
        "tokenized_dataset = tokenizer(list(train[first]), list(train[second]), padding=True,",
    ],
    "03": [
        "def tokenize_function(example):\n    return tokenizer(example[first], example[second], truncation=True)",
        "tokenized_datasets = raw_datasets.map(tokenize_function, batched=True)",
    ],
    "04": [
        "data_collator = DataCollatorWithPadding(tokenizer=tokenizer)",
        'samples = {k: v for k, v in samples.items() if k not in ["idx", first, second]}',
        '[len(x) for x in samples["input_ids"]]',
        "batch = data_collator(samples)",
        "{k: v.shape for k, v in batch.items()}",
    ],
    "05": [
        "from torch.optim import AdamW",
        "batch = DataCollatorWithPadding(tokenizer)(features)",
        "loss = model(**batch).loss\nloss.backward()\noptimizer.step()",
    ],
}


LOADERS = ("load_dataset(", "AutoTokenizer.from_pretrained(", "AutoModelForSequenceClassification.from_pretrained(")


def _code(notebook) -> str:
    return "\n".join(c.source for c in nbformat.read(str(notebook), as_version=4).cells if c.cell_type == "code")


def test_the_course_notebooks_exist_in_order():
    assert [nb.stem for nb in NOTEBOOKS][:6] == [
        "01_loading_mrpc",
        "02_pair_tokenization",
        "03_batched_map",
        "04_dynamic_padding",
        "05_adamw_step",
        "06_padding_lab",
    ]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_cells_call_the_libraries_themselves(notebook):
    code = _code(notebook)
    for line in COURSE_CODE.get(notebook.stem[:2], []):
        assert line in code, f"{notebook.stem} lacks the course's line {line!r}"
    assert not re.search(r"helpers\.load_(?!report\()\w+\(", code), "a helper hides a library call"
    lines = code.splitlines() + [""]
    for number, line in enumerate(lines[:-1]):  # every load names its source through locate
        if any(call in line for call in LOADERS) and not line.lstrip().startswith(("from ", "import ")):
            assert "helpers.locate(" in line + lines[number + 1], (notebook.stem, line)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_notebook_is_clean(notebook):
    text = notebook.read_text(encoding="utf-8")
    nb = nbformat.reads(text, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    assert "parameters" in code[0].metadata.get("tags", [])
    outputs = [o for c in code for o in c.outputs]
    assert outputs and not [o for o in outputs if o.output_type == "error"]
    assert not [o for o in outputs if o.get("name") == "stderr"], "progress bars or warnings were stored"
    assert not re.search(r"/(work|root|home/\w+|tmp)/|site-packages", text), "a machine path is stored"
    assert len(text) < 1_000_000
    assert set(nb.metadata) <= {"kernelspec", "language_info", "widgets"}  # widgets: their saved state
    assert not any("sys.path" in c.source for c in code)
    assert helpers.COURSE_URL in nb.cells[0].source  # each notebook links its course page


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_are_documented_and_shared(notebook):
    params = notebook_parameters(notebook)
    assert {"source", "task"} <= set(params)
    shared = {"source": '"auto"', "task": '"mrpc"', "checkpoint": '"bert-base-uncased"', "max_length": "128"}
    for name, param in params.items():
        assert param["help"], f"{name} has no one-line description"
        if name in shared:
            assert param["default"] == shared[name]


def _run(tmp_path, names, **parameters):
    """A plain papermill run (the runner sets no display settings): it must pass and show no more
    stderr outputs and progress widgets than the stored copy does."""
    rows = run_notebooks(list_notebooks(names), parameters, tmp_path / "out", echo=lambda *a, **k: None)
    failed = [r for r in rows if r["status"] != "ok"]
    assert not failed, failed
    for notebook in list_notebooks(names):
        live, stored = noise(tmp_path / "out" / notebook.name), noise(notebook)
        assert all(live[kind] <= stored[kind] for kind in live), (notebook.stem, live, stored)
    return {row["notebook"][:2]: row for row in rows}


@pytest.mark.slow  # other parameters stay in the default run with QQP below
@pytest.mark.notebooks
def test_dynamic_padding_with_other_parameters(tmp_path):
    figures = _run(tmp_path, ["04"], batch_size=4, max_length=48, seed=7)["04"]["figures"]
    lengths = figures["first8_lengths"]
    assert len(lengths) == 8 and max(lengths) <= 48  # truncated at the new max_length
    assert figures["collated_shape"] == [8, max(lengths)]
    waste = figures["padding_waste"]
    assert waste["fixed"] > waste["dynamic"] > waste["length_grouped"]
    nb = json.loads((tmp_path / "out" / "04_dynamic_padding.ipynb").read_text())
    injected = [c["source"] for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    assert "max_length = 48" in "".join(injected[0])


@pytest.mark.notebooks
def test_distilbert_first_on_qqp_question_pairs(tmp_path, task_folder):
    """Notebook 2 with another checkpoint first and another task's columns, in one run."""
    qqp, _ = task_folder("qqp")
    row = _run(
        tmp_path,
        ["02"],
        task="qqp",
        source=str(qqp),
        checkpoint="distilbert-base-uncased",
        compare_checkpoint="bert-base-uncased",
        memory_rows=500,
    )["02"]
    assert row["figures"]["example_pair_ids"] == COURSE_FIGURES["example_pair_ids"].value
    assert row["sources"]["distilbert-base-uncased"].startswith("offline stand-in (tokenizer:")
    assert row["sources"]["nyu-mll/glue"].startswith("local folder ")
    cells = json.loads((tmp_path / "out" / "02_pair_tokenization.ipynb").read_text())["cells"]
    shown = json.dumps([cell.get("outputs", []) for cell in cells])
    assert "question1" in shown and "sentence1" not in shown  # QQP's columns, all the way through


@pytest.mark.slow  # three more tasks (about 30 s with AX below): `pytest -m slow`, as CI runs it
@pytest.mark.notebooks
def test_mnli_and_stsb_run_with_their_own_splits_and_labels(tmp_path, task_folder):
    mnli, _ = task_folder("mnli")
    rows = _run(tmp_path / "mnli", ["01"], task="mnli", source=str(mnli))
    assert set(rows["01"]["figures"]["rows"]) == set(helpers.get_task("mnli").splits)
    assert set(rows["01"]["figures"]["train_label_counts"]) == set(helpers.get_task("mnli").label_names)
    stsb, _ = task_folder("stsb")
    loss = _run(tmp_path / "stsb", ["05"], task="stsb", source=str(stsb))["05"]["figures"]["loss"]
    assert loss["after"] < loss["before"]  # mean squared error on scores, one step on the same batch


@pytest.mark.slow
@pytest.mark.notebooks
def test_ax_is_test_only_and_cannot_train(tmp_path, task_folder):
    ax, _ = task_folder("ax")
    assert _run(tmp_path / "ax", ["01"], task="ax", source=str(ax))["01"]["figures"]["rows"] == {"test": 208}
    with pytest.raises(helpers.ParameterError, match="task='ax': has no labels to train on"):
        run_notebooks(list_notebooks(["01", "05"]), {"task": "ax", "source": str(ax)}, tmp_path / "no")
    assert not (tmp_path / "no").exists()  # refused before notebook 1 ran


@pytest.mark.notebooks
def test_notebooks_reproduce_the_course_on_real_mrpc(tmp_path, real_mrpc):
    rows = _run(tmp_path, ["01", "04"], source=str(real_mrpc))
    assert rows["01"]["figures"]["rows"] == COURSE_FIGURES["rows"].value
    assert rows["01"]["figures"]["first_row"] == COURSE_FIGURES["first_row"].value
    figures = rows["04"]["figures"]
    assert figures["first8_lengths"] == COURSE_FIGURES["first8_lengths"].value
    assert figures["collated_shape"] == COURSE_FIGURES["collated_shape"].value
    assert figures["padding_waste"]["fixed"] == pytest.approx(REAL_MRPC["fixed_128_waste"], abs=0.001)
    assert rows["01"]["sources"]["nyu-mll/glue"].startswith("local folder ")
    assert "the source folder holds data only" in rows["04"]["sources"]["bert-base-uncased"]
