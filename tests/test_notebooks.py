"""The notebooks as products: clean stored outputs, papermill runs with other parameters, real MRPC.

nbval itself (see pyproject's addopts) re-runs every stored notebook and compares its outputs.
"""

import json
import re

import nbformat
import pytest

import helpers
from helpers.runner import list_notebooks, notebook_parameters, run_notebooks

NOTEBOOKS = list_notebooks()
COURSE_PAIR_IDS = [101, 2023, 2003, 1996, 2034, 6251, 1012, 102, 2023, 2003, 1996, 2117, 2028, 1012, 102]


def test_the_course_notebooks_exist_in_order():
    stems = [nb.stem for nb in NOTEBOOKS]
    assert stems[:5] == ["01_loading_mrpc", "02_pair_tokenization", "03_batched_map",
                         "04_dynamic_padding", "05_adamw_step"]


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
    assert set(nb.metadata) <= {"kernelspec", "language_info"}
    assert not any("sys.path" in c.source for c in code)


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
    rows = run_notebooks(list_notebooks(names), parameters, tmp_path, echo=lambda *a, **k: None)
    failed = [r for r in rows if r["status"] != "ok"]
    assert not failed, failed
    return {row["notebook"]: row for row in rows}


def test_dynamic_padding_with_other_parameters(tmp_path):
    row = _run(tmp_path, ["04"], batch_size=4, max_length=48, seed=7)["04_dynamic_padding"]
    figures = row["figures"]
    lengths = figures["first8_lengths"]
    assert len(lengths) == 8 and max(lengths) <= 48  # truncated at the new max_length
    assert figures["collated_shape"] == [8, max(lengths)]
    waste = figures["padding_waste"]
    assert waste["fixed"] > waste["dynamic"] > waste["length_grouped"]
    nb = json.loads((tmp_path / "04_dynamic_padding.ipynb").read_text())
    injected = [c["source"] for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    assert "max_length = 48" in "".join(injected[0])


def test_distilbert_tokenization(tmp_path):
    row = _run(tmp_path, ["02"], checkpoint="distilbert-base-uncased", memory_rows=1000)["02_pair_tokenization"]
    assert row["figures"]["example_pair_ids"] == COURSE_PAIR_IDS
    assert row["tokenizer"].startswith("offline stand-in for distilbert-base-uncased")


def test_notebooks_reproduce_the_course_on_real_mrpc(tmp_path, real_mrpc):
    rows = _run(tmp_path, ["01", "02", "04"], source=str(real_mrpc), memory_rows=1000)
    assert rows["01_loading_mrpc"]["figures"]["rows"] == {"train": 3668, "validation": 408, "test": 1725}
    assert rows["01_loading_mrpc"]["figures"]["first_row"] == {"idx": 0, "label": 1}
    assert rows["02_pair_tokenization"]["figures"]["example_pair_ids"] == COURSE_PAIR_IDS
    figures = rows["04_dynamic_padding"]["figures"]
    assert figures["first8_lengths"] == [50, 59, 47, 67, 59, 50, 62, 32]
    assert figures["collated_shape"] == [8, 67]
    assert figures["padding_waste"]["fixed"] == pytest.approx(0.584, abs=0.001)
    assert rows["01_loading_mrpc"]["data_source"] == "local folder [asked for]"
    assert "the source folder holds data only" in rows["02_pair_tokenization"]["tokenizer"]
