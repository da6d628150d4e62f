"""python -m helpers run: bad input is one clear message, fast, before anything is written."""

import json
import subprocess
import sys
import time

import pytest

import helpers
from helpers.runner import check_run_parameters, list_notebooks, run_notebooks


def test_notebooks_are_chosen_by_number_or_name():
    assert [nb.stem for nb in list_notebooks(["04", "01_loading_mrpc"])] == ["04_dynamic_padding", "01_loading_mrpc"]
    with pytest.raises(helpers.ParameterError, match="notebook='09'"):
        list_notebooks(["09"])


def test_parameters_go_only_to_the_notebooks_that_declare_them():
    plan = check_run_parameters(list_notebooks(["01", "04"]), {"batch_size": 4, "task": "mrpc"})
    assert [sorted(p) for p in plan.values()] == [["task"], ["batch_size", "task"]]


@pytest.mark.parametrize("parameters, message", [
    ({"batch_sise": 4}, r"batch_sise=4: no chosen notebook has a parameter 'batch_sise'; they have: .*batch_size"),
    ({"task": "mrcp"}, r"task='mrcp': choose one of GLUE's pair tasks"),
    ({"max_length": 0}, r"max_length=0: must be a positive integer"),
    ({"max_length": 1024}, r"max_length=1024: must be a positive integer of at most 512"),
    ({"max_length": "long"}, r"max_length='long': must be a positive integer"),
    ({"batch_size": -2}, r"batch_size=-2: must be a positive integer"),
    ({"batch_size": 2.5}, r"batch_size=2.5: must be a positive integer"),
    ({"source": "/nonexistent/folder"}, r"source='/nonexistent/folder': is neither 'auto', 'hub', 'sample' nor an existing folder"),
    ({"learning_rate": 5}, r"learning_rate=5: must be a number between 0 and 1"),
])
def test_bad_parameters_fail_before_anything_is_written(tmp_path, parameters, message):
    out = tmp_path / "out"
    with pytest.raises(helpers.ParameterError, match=message):
        run_notebooks(list_notebooks(), parameters, out)
    assert not out.exists()


def test_a_failing_notebook_is_named_with_its_cell(tmp_path):
    rows = run_notebooks(list_notebooks(["01"]), {"sample_size": 100_000}, tmp_path, echo=lambda *a, **k: None)
    assert rows[0]["status"] == "failed"
    assert rows[0]["error"].startswith("ParameterError: sample_size=100000: must be at most 208")
    assert isinstance(rows[0]["failed_cell"], int)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary[0]["status"] == "failed"


def test_cli_typo_is_one_line_exit_2_and_fast(tmp_path):
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "helpers", "run", "04", "-p", "batch_sise", "4", "--out",
                           str(tmp_path / "out")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: batch_sise=4: no chosen notebook has a parameter 'batch_sise'; they have: batch_size, "
        "checkpoint, max_length, seed, source, task"]
    assert "Traceback" not in done.stdout + done.stderr
    assert not (tmp_path / "out").exists()
    assert time.perf_counter() - started < 60
