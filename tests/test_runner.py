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
    ({"memory_rows": 0}, r"memory_rows=0: must be a positive integer"),
    ({"bench_rows": "4k"}, r"bench_rows='4k': must be a positive integer"),
    ({"steps": -1}, r"steps=-1: must be a positive integer"),
    # what is well formed but cannot be served: found by the runner's preflight, before any notebook
    ({"sample_size": 100_000}, r"sample_size=100000: must be at most 208, the number of rows in the split"),
    ({"checkpoint": "roberta-base"}, r"checkpoint='roberta-base': could not be loaded .*stand-ins exist for: "
                                     r"bert-base-uncased, distilbert-base-uncased"),
    ({"task": "qnli"}, r"task='qnli': is not available offline .*python -m helpers bundle --tasks qnli"),
])
def test_bad_parameters_fail_before_anything_is_written(tmp_path, parameters, message):
    out = tmp_path / "out"
    with pytest.raises(helpers.ParameterError, match=message):
        run_notebooks(list_notebooks(), parameters, out)
    assert not out.exists()


@pytest.mark.parametrize("damage, message", [
    ("empty", "holds no mrpc data"),
    ("corrupt", "could not be read as mrpc data"),
    ("other_schema", r"is not in the mrpc schema: split 'train' has columns \['question1'"),
])
def test_bad_local_folders_fail_before_any_notebook_runs(tmp_path, damage, message):
    import datasets

    folder = tmp_path / "data"
    folder.mkdir()
    if damage == "corrupt":
        (folder / "train-00000-of-00001.parquet").write_bytes(b"PAR1 truncated")
    elif damage == "other_schema":
        datasets.Dataset.from_dict({"question1": ["a?"], "question2": ["b?"], "label": [0], "idx": [0]}).to_parquet(
            str(folder / "train-00000-of-00001.parquet"))
    with pytest.raises(helpers.ParameterError, match=message):
        run_notebooks(list_notebooks(["01"]), {"source": str(folder)}, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_cli_yaml_parameters_summary_and_html(tmp_path):
    (tmp_path / "params.yml").write_text("batch_size: 4\nmax_length: 64\n")
    done = subprocess.run([sys.executable, "-m", "helpers", "run", "04", "-f", str(tmp_path / "params.yml"),
                           "-p", "seed", "3", "--html", "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "[1/1] 04_dynamic_padding ... ok" in done.stdout
    assert "1 passed, 0 failed" in done.stdout
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary[0]["parameters"] == {"batch_size": 4, "max_length": 64, "seed": 3}
    assert summary[0]["figures"]["padding_waste"]["fixed"] > 0
    assert (tmp_path / "out" / "04_dynamic_padding.html").stat().st_size > 50_000


def test_papermill_help_lists_each_parameter_with_a_type_and_description():
    done = subprocess.run([sys.executable, "-m", "papermill", "--help-notebook",
                           str(list_notebooks(["04"])[0])], capture_output=True, text=True, timeout=120)
    lines = done.stdout.splitlines()
    for name, kind in [("source", "str"), ("task", "str"), ("checkpoint", "str"), ("max_length", "int"),
                       ("batch_size", "int"), ("seed", "int")]:
        at = next(i for i, line in enumerate(lines) if line.startswith(f"  {name}: "))
        assert f"{name}: {kind} (default" in lines[at]
        description = lines[at].split(")", 1)[1].strip() or lines[at + 1].strip()
        assert len(description) > 10, (name, description)


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
