"""Run the notebooks unattended with papermill: parameters, progress, a summary, clear failures."""

import json
import os
import time
from pathlib import Path

from .errors import ParameterError
from .params import check_parameters
from .report import read_records

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"

# Stored outputs, tests and unattended runs show no progress bars or library chatter;
# interactive learners keep them (nothing here is set for a JupyterLab session).
QUIET_ENV = {
    "HF_DATASETS_DISABLE_PROGRESS_BARS": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "TQDM_DISABLE": "1",
    "PYTHONWARNINGS": "ignore:IProgress not found",
}
SOURCE_KEYS = ("data_source", "tokenizer", "model")


def list_notebooks(names=None, folder: Path = NOTEBOOK_DIR) -> list[Path]:
    """The numbered notebooks, or those named (by number, stem or file name), in order."""
    every = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
    if not names:
        return every
    chosen = []
    for name in names:
        match = [nb for nb in every if name in (nb.name, nb.stem, nb.stem[:2], nb.stem[3:])]
        if not match:
            raise ParameterError("notebook", name, f"choose from {', '.join(nb.stem for nb in every)}")
        chosen += [nb for nb in match if nb not in chosen]
    return chosen


def notebook_parameters(notebook: Path) -> dict[str, dict]:
    import papermill

    return {p["name"]: p for p in papermill.inspect_notebook(str(notebook)).values()}


def check_run_parameters(notebooks: list[Path], parameters: dict) -> dict[Path, dict]:
    """Which parameters go to which notebook; a name no chosen notebook has is an error (a typo)."""
    declared = {nb: notebook_parameters(nb) for nb in notebooks}
    known = sorted({name for params in declared.values() for name in params})
    for name in parameters:
        if name not in known:
            raise ParameterError(name, parameters[name],
                                 f"no chosen notebook has a parameter {name!r}; they have: {', '.join(known)}")
    parameters = check_parameters(**parameters)
    _preflight(parameters)
    return {nb: {k: v for k, v in parameters.items() if k in declared[nb]} for nb in notebooks}


def _preflight(parameters: dict) -> None:
    """Serve the data and tokenizer the parameters ask for once, quietly, before any notebook starts:
    an empty, corrupt or wrong-schema folder, a task or checkpoint that cannot be had offline, or a
    sample larger than its split fails here in seconds, with nothing written."""
    if not {"task", "source", "checkpoint", "sample_size"} & set(parameters):
        return
    import contextlib
    import io

    from .data import load_glue
    from .models import load_tokenizer
    from .params import check_sample_size
    from .tasks import get_task

    task, source = parameters.get("task", "mrpc"), parameters.get("source", "auto")
    with contextlib.redirect_stdout(io.StringIO()):
        raw = load_glue(task, source)
        if "sample_size" in parameters:
            check_sample_size(parameters["sample_size"], raw[get_task(task).train_split])
        if "checkpoint" in parameters:
            load_tokenizer(parameters["checkpoint"], source)


def run_notebooks(notebooks: list[Path], parameters: dict, out_dir: Path, html: bool = False,
                  timeout: int = 900, echo=print) -> list[dict]:
    """Execute each notebook into out_dir; returns one summary row per notebook."""
    import papermill

    plan = check_run_parameters(notebooks, parameters)  # before anything is written
    os.environ.update(QUIET_ENV)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for number, notebook in enumerate(notebooks, 1):
        target = out_dir / notebook.name
        echo(f"[{number}/{len(notebooks)}] {notebook.stem} ...", end=" ", flush=True)
        started = time.perf_counter()
        row = {"notebook": notebook.stem, "parameters": plan[notebook]}
        try:
            papermill.execute_notebook(str(notebook), str(target), parameters=plan[notebook],
                                       cwd=str(notebook.parent), progress_bar=False, log_output=False,
                                       execution_timeout=timeout, shutdown_kernel="immediate",
                                       # ipykernel 7 warns on every start that its local TCP is unencrypted
                                       extra_arguments=["--IPKernelApp.log_level=ERROR"])
            row["status"] = "ok"
        except papermill.PapermillExecutionError as error:
            row.update(status="failed", failed_cell=error.exec_count, error=f"{error.ename}: {error.evalue}")
        row["seconds"] = round(time.perf_counter() - started, 1)
        if target.exists():
            records = read_records(target)
            row.update({key: records.pop(key) for key in SOURCE_KEYS if key in records})
            row["figures"] = records
            if html:
                _export_html(target)
        echo(f"{row['status']} ({row['seconds']} s)")
        if row["status"] != "ok":
            echo(f"    cell [{row['failed_cell']}]: {row['error']}")
        rows.append(row)
    (out_dir / "summary.json").write_text(json.dumps(rows, indent=1))
    return rows


def _export_html(notebook: Path) -> None:
    import nbformat
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter().from_notebook_node(nbformat.read(str(notebook), as_version=4))
    notebook.with_suffix(".html").write_text(body, encoding="utf-8")


def summary_table(rows: list[dict]) -> str:
    """The summary as aligned plain text."""
    lines = [f"{'notebook':<22} {'status':<7} {'seconds':>7}  source / checkpoint / key figures"]
    for row in rows:
        lines.append(f"{row['notebook']:<22} {row['status']:<7} {row['seconds']:>7}  "
                     f"{row.get('data_source', '-')}")
        if "tokenizer" in row:
            lines.append(f"{'':<39}{row['tokenizer']}")
        for key, value in row.get("figures", {}).items():
            text = json.dumps(value)
            lines.append(f"{'':<39}{key}: {text if len(text) < 80 else text[:77] + '...'}")
        if row["status"] != "ok":
            lines.append(f"{'':<39}FAILED in cell [{row['failed_cell']}]: {row['error']}")
    return "\n".join(lines)
