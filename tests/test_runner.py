"""python -m helpers run: everything checked first (one line, exit 2, nothing written), relative paths
resolved against the caller's folder, an honest summary written last, Ctrl-C handled."""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from commands import python

import helpers
from helpers.language import message
from helpers.running.cli import main
from helpers.running.runner import _last_started_cell, check_run, list_notebooks, notebook_folder, summary_table

ROOT = Path(__file__).resolve().parent.parent
QUIET = {"echo": lambda *a, **k: None}


def _cli(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_notebooks_are_chosen_by_number_or_name():
    assert [nb.stem for nb in list_notebooks(["04", "01_loading_mrpc"])] == ["04_dynamic_padding", "01_loading_mrpc"]
    with pytest.raises(helpers.ParameterError, match="notebook='09'"):
        list_notebooks(["09"])


def test_no_notebooks_is_an_error_not_an_empty_run(tmp_path):
    """After a non-editable install the package has no notebooks beside it: say so, run nothing."""
    with pytest.raises(helpers.ParameterError, match="holds no numbered notebooks.*pip install -e"):
        list_notebooks(folder=tmp_path)


def test_parameters_go_only_to_the_notebooks_that_declare_them():
    plan = check_run(list_notebooks(["01", "04"]), {"batch_size": 4, "task": "mrpc"})
    assert [sorted(p) for p in plan.values()] == [["task"], ["batch_size", "task"]]


def test_each_notebook_is_checked_with_its_own_defaults(tmp_path, task_folder):
    """01's default sample_size (100) against a 23-row training split, before any notebook runs."""
    folder, _ = task_folder("mrpc")
    small = tmp_path / "small"
    small.mkdir()
    (folder / "validation-00000-of-00001.parquet").rename(small / "train-00000-of-00001.parquet")
    (folder / "test-00000-of-00001.parquet").rename(small / "validation-00000-of-00001.parquet")  # needed too
    with pytest.raises(helpers.ParameterError, match="sample_size=100: must be at most 23"):
        check_run(list_notebooks(["01"]), {"source": str(small)})
    with pytest.raises(helpers.ParameterError, match="device='tpu': choose 'auto', 'cpu' or 'cuda'"):
        check_run(list_notebooks(), {"device": "tpu"})
    with pytest.raises(helpers.ParameterError, match="task='sst2': is a single-sentence task"):
        check_run(list_notebooks(["02"]), {"task": "sst2", "source": "sample"})
    with pytest.raises(helpers.ParameterError, match="num_processes=1: an integer from 2 to 64"):
        check_run(list_notebooks(["07"]), {"num_processes": 1})


def test_a_bundle_without_its_models_fails_up_front(tmp_path):
    """The notebooks' default checkpoints are checked even when -p checkpoint is not given."""
    from helpers.classroom.bundle import build_bundle

    bundle = tmp_path / "bundle"
    build_bundle(["mrpc"], ["distilbert-base-uncased"], bundle, source="sample")
    with pytest.raises(
        helpers.ParameterError,
        match=r"checkpoint='bert-base-uncased': is not in .*, which holds: "
        r"distilbert-base-uncased",
    ):
        check_run(list_notebooks(["02"]), {"source": str(bundle)})


def test_the_up_front_check_is_quiet(capfd, tmp_path, monkeypatch, task_folder):
    """With a learner's settings (progress bars on) and a cold cache, the check prints nothing and
    builds nothing: the stand-ins are named, and built by the first notebook that loads one."""
    import importlib

    from huggingface_hub import constants

    data_bars = importlib.import_module("datasets.utils.tqdm")
    folder, _ = task_folder("mrpc")
    monkeypatch.delenv("TQDM_DISABLE", raising=False)  # a learner has none
    monkeypatch.setattr(data_bars, "HF_DATASETS_DISABLE_PROGRESS_BARS", None)
    monkeypatch.setattr(data_bars, "_hf_datasets_progress_bars_disabled", False)
    monkeypatch.setattr(constants, "HF_HOME", str(tmp_path / "cold"))
    check_run(list_notebooks(), {"source": str(folder)})
    assert not list((tmp_path / "cold").glob("course-companion/standins-*/*"))  # checking builds no model
    assert capfd.readouterr() == ("", "")
    assert not data_bars.are_progress_bars_disabled()  # the learner's setting is back


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ["-p", "batch_sise", "4"],
            "batch_sise=4: no chosen notebook has a parameter 'batch_sise'; they have: "
            "batch_size, checkpoint, language, max_length, seed, source, task",
        ),
        (["-f", "missing.yml"], "-f='missing.yml': cannot be read (No such file or directory)"),
        (["-f", "{bad}"], "-f='{bad}': is not valid YAML"),
        (["-f", "{list}"], "-f='{list}': must be a YAML mapping of parameter names to values"),
        (["-f", "{scalar}"], "-f='{scalar}': must be a YAML mapping"),
        (["-y", "[1,2]"], "-y='[1,2]': must be a YAML mapping"),
        (["-y", "hello"], "-y='hello': must be a YAML mapping"),
        (["-y", "a: [1"], "-y='a: [1': is not valid YAML"),
        (["-p", "language", "fr"], "language='fr': choose one of en, ko"),
        (["--lang", "fr"], "--lang='fr': choose one of en, ko"),
        (["--timeout", "0"], "timeout=0: must be a positive integer"),
        (["--timeout", "-5"], "timeout=-5: must be a positive integer"),
        (["--out", "{file}"], "out='{file}': is an existing file; choose a folder"),
        (
            ["--out", "{used}"],
            "out='{used}': already exists and is not empty; choose a new folder, or pass --overwrite",
        ),
    ],
)
def test_bad_command_lines_are_one_line_and_write_nothing(capsys, tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    files = {"bad": "a: [1", "list": "- 1\n- 2\n", "scalar": "hello\n", "file": "", "used": None}
    for name, text in files.items():
        if text is None:
            (tmp_path / name).mkdir()
            (tmp_path / name / "old.ipynb").write_text("{}")
        else:
            (tmp_path / name).write_text(text)
    argv = [a.format(**{name: name for name in files}) for a in argv]
    before = sorted(p.name for p in tmp_path.rglob("*"))
    code, out, err = _cli(capsys, "run", "04", *argv)
    assert code == 2
    assert err.startswith(f"error: {message.format(**{name: name for name in files})}")
    assert len(err.splitlines()) == 1 and "Traceback" not in out + err
    assert "Running" not in out  # nothing announced before the checks passed
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_out_on_a_read_only_file_system_for_run_bundle_and_bench(capsys, read_only_dir):
    for argv in (
        ["run", "01", "--out", str(read_only_dir / "out")],
        ["bundle", "--out", str(read_only_dir / "out")],
        ["bench", "--source", "sample", "--steps", "1", "--out", str(read_only_dir / "out")],
    ):
        started = time.perf_counter()
        code, out, err = _cli(capsys, *argv)
        assert code == 2 and re.fullmatch(
            r"error: out='.*': cannot be written \(.*\); choose a folder you can write\n", err
        ), (argv, err)
        assert time.perf_counter() - started < 10  # bench refuses before it measures anything


@pytest.mark.notebooks
def test_overwrite_replaces_only_what_the_run_writes(capsys, tmp_path, monkeypatch):
    """Issue 22, item 2 as written: student copies, then a run into their folder with --overwrite
    replaces notebook 1's copy and writes its summary; the six other copies and a teacher's file
    stay byte for byte. Item 12 on the way: a relative HF_HOME is the user's folder's, not notebooks/."""
    monkeypatch.chdir(tmp_path)
    assert main(["student", "--out", "class/"]) == 0
    Path("class/notes.txt").write_text("the teacher's")
    others = {p: p.read_bytes() for p in Path("class").iterdir() if not p.name.startswith("01_")}
    assert len(others) == 7
    # huggingface_hub and datasets read HF_HOME once, at import: imported now, this process keeps the
    # suite's cache (a relative one would follow the tests' later working folders); the kernels get "cache"
    import datasets  # noqa: F401
    import huggingface_hub  # noqa: F401

    monkeypatch.setenv("HF_HOME", "cache")
    code, out, err = _cli(capsys, "run", "01", "-p", "sample_size", "5", "--out", "class/", "--overwrite")
    assert code == 0, out + err
    assert {p: p.read_bytes() for p in others} == others
    assert sorted(os.listdir("class")) == sorted([p.name for p in others] + ["01_loading_mrpc.ipynb", "summary.json"])
    executed = json.loads(Path("class/01_loading_mrpc.ipynb").read_text())
    assert executed["metadata"]["papermill"]["parameters"] == {"sample_size": 5}  # the run's, not the copy
    (row,) = json.loads(Path("class/summary.json").read_text())
    assert (row["notebook"], row["status"], row["parameters"]) == ("01_loading_mrpc", "ok", {"sample_size": 5})
    assert Path("cache/datasets").is_dir()  # the kernel's cache, where the user meant it
    assert not (ROOT / "notebooks" / "cache").exists()


def _tiny_notebook(path: Path, *cells: str) -> Path:
    import nbformat

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, str(path))
    return path


@pytest.mark.processes
def test_a_dead_kernel_or_a_timeout_is_a_row_and_the_run_goes_on(capsys, tmp_path, monkeypatch):
    """Issue 22, item 6: kill -9 of a kernel, a cell past --timeout: each recorded as the failure of
    its cell, the next notebook still runs, summary.json is written, exit 1, no traceback."""
    import helpers.running.runner

    folder = tmp_path / "notebooks"
    folder.mkdir()
    notebooks = [
        _tiny_notebook(folder / "01_dies.ipynb", "x = 1", "import os\nos.kill(os.getpid(), 9)"),
        _tiny_notebook(folder / "02_sleeps.ipynb", "import time", "time.sleep(120)"),
        _tiny_notebook(folder / "03_fine.ipynb", "print('still run')"),
    ]
    monkeypatch.setattr(helpers.running.runner, "list_notebooks", lambda names, folder=None: notebooks)
    started = time.perf_counter()
    code, out, err = _cli(capsys, "run", "--timeout", "3", "--out", str(tmp_path / "out"))
    assert time.perf_counter() - started < 60
    assert code == 1 and "Traceback" not in out + err and err == ""
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert [(r["notebook"], r["status"], r.get("failed_cell"), r.get("error")) for r in summary] == [
        ("01_dies", "failed", 2, "the kernel died"),
        ("02_sleeps", "failed", 2, "timed out after 3 s"),
        ("03_fine", "ok", None, None),
    ]
    assert "cell [2]: the kernel died" in out and "cell [2]: timed out after 3 s" in out
    assert "2 passed" not in out and "1 passed, 2 failed" in out
    assert sorted(os.listdir(tmp_path / "out")) == ["01_dies.ipynb", "02_sleeps.ipynb", "03_fine.ipynb", "summary.json"]


@pytest.mark.processes
def test_a_hub_that_fails_in_a_kernel_is_said_and_the_next_kernels_start_offline(
    capsys, tmp_path, monkeypatch, hub_then
):
    """Issue 22, item 9: the runner's check found the Hub answering; in the first kernel it then answered
    HTTP 500. That notebook's row says what came back, and the next kernel starts offline (a stand-in,
    with that reason) instead of meeting the same failure."""
    import helpers.running.runner
    from helpers.offline import hub

    endpoint, requests = hub_then("500")
    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.setenv("HF_ENDPOINT", endpoint)
    monkeypatch.setattr(hub, "_status", None)  # the runner decides afresh, against this server
    folder = tmp_path / "notebooks"
    folder.mkdir()
    load = "AutoTokenizer.from_pretrained(helpers.locate('bert-base-uncased', 'auto'))"
    notebooks = [
        _tiny_notebook(folder / f"0{n}_tokenizer.ipynb", "import helpers\nfrom transformers import AutoTokenizer", load)
        for n in (1, 2)
    ]
    monkeypatch.setattr(helpers.running.runner, "list_notebooks", lambda names, folder=None: notebooks)
    started = time.perf_counter()
    code, out, err = _cli(capsys, "run", "--out", str(tmp_path / "out"))
    assert time.perf_counter() - started < 60
    first, second = json.loads((tmp_path / "out" / "summary.json").read_text())
    seen = "127.0.0.1 answered the check, then HTTP 500 to GET /api/models/bert-base-uncased"
    assert (first["status"], first["failed_cell"], first["network"]) == ("failed", 2, seen)
    assert first["error"].startswith("OSError: We couldn't connect to")
    assert f"cell [2]: {first['error']} [{seen}]" in out and code == 1
    assert second["status"] == "ok" and "network" not in second
    assert second["sources"]["bert-base-uncased"].endswith(f"[the Hub is unavailable: {seen}]")
    assert requests == [("GET", "/api/models/bert-base-uncased")]  # asked once, by the first kernel only


def test_kernels_get_the_cache_folders_absolute(tmp_path, monkeypatch):
    from helpers.running.environment import absolute_cache_env

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HF_HOME", "cache")
    monkeypatch.setenv("HF_DATASETS_CACHE", "/already/absolute")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    env = absolute_cache_env()
    assert env["HF_HOME"] == str(tmp_path / "cache") and env["HF_DATASETS_CACHE"] == "/already/absolute"
    assert "XDG_CACHE_HOME" not in env


def test_the_summary_says_shared_sources_once():
    rows = [
        {
            "notebook": f"0{i}_x",
            "status": "ok",
            "seconds": 1.0,
            "sources": {"nyu-mll/glue": "the sample"},
            "figures": {"rows": {"train": 208}},
        }
        for i in (1, 2)
    ]
    table = summary_table(rows)
    assert table.count("the sample") == 1 and table.startswith("Sources, the same for every notebook:")
    rows[1]["sources"] = {"nyu-mll/glue": "a folder"}
    assert summary_table(rows).count("the sample") == 1 and "a folder" in summary_table(rows)


def _as_a_terminal_starts_it() -> None:
    """Ctrl-C's default action, as a command typed in a terminal has it: a test run started in the
    background by a non-interactive shell (`... &`) ignores SIGINT, and a child inherits that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.processes
def test_ctrl_c_is_one_line_exit_130_and_an_honest_summary(tmp_path):
    """Ctrl-C reaches the runner and its kernel (the terminal's whole process group). Notebook 4, the
    quickest to run, is done; notebook 3 is interrupted while its kernel runs its cells (not while it
    starts: a Ctrl-C then is the same one line, but this test means the middle of a notebook)."""
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "helpers", "run", "04", "03", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=_as_a_terminal_starts_it,
    )
    try:
        deadline = time.monotonic() + 120
        # the runner's own reading of papermill's saved copy: notebook 3's kernel is on its second code cell
        while (_last_started_cell(out / "03_batched_map.ipynb") or 0) < 2:
            assert time.monotonic() < deadline and process.poll() is None, process.communicate()
            time.sleep(0.2)
        time.sleep(1)  # notebook 3 is busy
        assert process.poll() is None, process.communicate()
        os.killpg(process.pid, signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130, (stdout, stderr)
    assert stderr.strip().splitlines()[-1] == "interrupted; 1 of 2 notebooks done"
    assert "Traceback" not in stderr
    summary = json.loads((out / "summary.json").read_text())
    assert [(r["notebook"], r["status"]) for r in summary] == [
        ("04_dynamic_padding", "ok"),
        ("03_batched_map", "incomplete"),
    ]


def _readme_block(heading: str) -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = text.split(heading, 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip() and not line.startswith("#")]


@pytest.mark.processes
def test_the_readme_classroom_commands_as_written(tmp_path):
    """The README's bundle and run commands, relative paths and all, from a folder other than the
    project's (where `.venv/bin/python` is this environment's Python): relative paths are the
    caller's, not the notebooks' folder."""
    commands = _readme_block("### A classroom bundle")
    assert [c.split()[2:4] for c in commands] == [["helpers", "bundle"], ["helpers", "run"]]
    for command in commands:
        argv = command.replace(".venv/bin/python", sys.executable, 1).split()
        done = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=240)
        assert done.returncode == 0, (command, done.stdout[-2000:], done.stderr[-2000:])
    assert "classroom bundle" in done.stdout and "[1/1] 01_loading_mrpc ... ok" in done.stdout
    assert (tmp_path / commands[0].split("--out ")[1].split()[0] / "manifest.json").is_file()
    (new_run,) = (tmp_path / "runs").iterdir()  # where `run` writes by default: the caller's folder
    summary = json.loads((new_run / "summary.json").read_text())
    assert summary[0]["status"] == "ok"
    assert set(summary[0]["sources"]) == {"nyu-mll/glue", "bert-base-uncased"}  # data, tokenizer and model
    assert all(text.startswith("classroom bundle ") for text in summary[0]["sources"].values()), summary
    assert "mrpc from the embedded sample" in summary[0]["sources"]["nyu-mll/glue"]  # says what it holds


@pytest.mark.processes
def test_a_network_that_never_answers_cannot_hang_a_run(tmp_path, silent_server):
    """A dead proxy: the runner decides within 2 s and every notebook says why, truthfully."""
    env = {k: v for k, v in os.environ.items() if k != "HF_HUB_OFFLINE"} | {"HF_ENDPOINT": silent_server}
    started = time.perf_counter()
    done = python("-m", "helpers", "run", "05", "--out", str(tmp_path / "out"), env=env, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    assert time.perf_counter() - started < 90
    (row,) = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert set(row["sources"]) == {"nyu-mll/glue", "bert-base-uncased"}  # data, tokenizer and model
    for description in row["sources"].values():
        assert description.endswith("[the Hub is unavailable: 127.0.0.1 did not answer within 2 s]"), description


@pytest.mark.notebooks
def test_a_kernel_decides_for_itself_within_2_s(tmp_path, silent_server, monkeypatch):
    """A learner's notebook, run without the runner, with a dead proxy as the Hub endpoint."""
    import papermill

    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.setenv("HF_ENDPOINT", silent_server)
    notebook = list_notebooks(["01"], notebook_folder("ko"))[0]  # the Korean notebook: its lines in Korean
    started = time.perf_counter()
    papermill.execute_notebook(
        str(notebook),
        str(tmp_path / "01.ipynb"),
        parameters={"sample_size": 5},
        cwd=str(notebook.parent),
        progress_bar=False,
        kernel_name="python3",
        shutdown_kernel="immediate",
    )
    assert time.perf_counter() - started < 60
    records = helpers.read_records(tmp_path / "01.ipynb")
    reason = "127.0.0.1 did not answer within 2 s"
    assert records["source:nyu-mll/glue"].endswith(f"[{message('source.hub_unavailable', 'ko', reason=reason)}]")


def test_papermill_help_lists_each_parameter_with_a_type_and_description():
    from helpers.running.runner import notebook_parameters

    for notebook in list_notebooks():
        for name, param in notebook_parameters(notebook).items():
            assert param["inferred_type_name"] in ("str", "int", "float"), (notebook.stem, name)
            assert len(param["help"]) > 10, (notebook.stem, name)


@pytest.mark.processes
def test_cli_typo_is_one_line_exit_2_and_fast(tmp_path):
    started = time.perf_counter()
    done = python("-m", "helpers", "run", "04", "-p", "batch_sise", "4", "--out", str(tmp_path / "out"), timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: batch_sise=4: no chosen notebook has a parameter 'batch_sise'; they have: batch_size, "
        "checkpoint, language, max_length, seed, source, task"
    ]
    assert "Traceback" not in done.stdout + done.stderr
    assert not (tmp_path / "out").exists()
    assert time.perf_counter() - started < 30
