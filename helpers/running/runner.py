"""Run the notebooks unattended with papermill: everything checked first, then progress, a summary,
clear failures. Executed notebooks go to an output folder, never over the stored ones."""

import ast
import json
import logging
import os
import time
from pathlib import Path

from ..errors import ParameterError
from ..offline.hub import NETWORK_RECORD, HubStatus, decision_env, hub_status
from ..offline.sources import KEYWORDS
from ..report import read_records, short_path
from .environment import absolute_cache_env, scoped_env
from .outdir import check_out_dir, claimed, default_out_dir, scratch_name, write_atomically
from .params import check_parameters, check_timeout

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent.parent / "notebooks"
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"

SOURCE_PREFIX = "source:"
SUMMARY_FILE = "summary.json"
SUMMARY_SCRATCH = scratch_name(SUMMARY_FILE)


class RunRows(list):
    """The summary rows of a run; `folder` is where the run wrote them."""

    def __init__(self, folder: Path):
        super().__init__()
        self.folder = folder


class Interrupted(Exception):
    """Ctrl-C during a run; the summary of what was done is written."""

    def __init__(self, done: int, total: int):
        super().__init__(f"interrupted; {done} of {total} notebooks done")


def notebook_folder(language: str = "en") -> Path:
    """The stored notebooks in `language`: notebooks/ in English, notebooks/<language>/ for the
    translations built from them (helpers.classroom.translation)."""
    from ..language import LANGUAGES

    if language not in LANGUAGES:
        raise ParameterError("--lang", language, f"choose one of {', '.join(LANGUAGES)}")
    return NOTEBOOK_DIR if language == "en" else NOTEBOOK_DIR / language


def chosen_notebooks(args) -> list[Path]:
    """The notebooks a command's arguments name (`notebooks`, `--lang`: cli.add_notebook_options)."""
    return list_notebooks(args.notebooks, notebook_folder(args.lang))


def notebook_dir(folder: Path = NOTEBOOK_DIR) -> Path:
    if not any(folder.glob(NOTEBOOK_GLOB)):
        raise ParameterError(
            "notebooks",
            str(folder),
            "holds no numbered notebooks: the runner runs the "
            "notebooks of a clone of the project, installed with `pip install -e .`",
        )
    return folder


def list_notebooks(names=None, folder: Path = NOTEBOOK_DIR) -> list[Path]:
    """The numbered notebooks, or those named (by number, stem or file name), in order."""
    every = sorted(notebook_dir(folder).glob(NOTEBOOK_GLOB))
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


def notebook_check(notebook: Path, parameters: dict) -> dict:
    """The arguments of the notebook's own `helpers.check_parameters(...)` call, with these
    parameter values: the runner checks exactly what the notebook will check, before it starts."""
    import nbformat

    for cell in nbformat.read(str(notebook), as_version=4).cells:
        if cell.cell_type != "code" or "check_parameters(" not in cell.source:
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "check_parameters":
                return {
                    kw.arg: parameters[kw.value.id] if isinstance(kw.value, ast.Name) else ast.literal_eval(kw.value)
                    for kw in node.keywords
                }
    return {}


def check_run(notebooks: list[Path], parameters: dict) -> dict[Path, dict]:
    """Which parameters go to which notebook, each notebook's checks passed with its defaults and
    these values; a name no chosen notebook declares is an error (a typo)."""
    declared = {nb: notebook_parameters(nb) for nb in notebooks}
    known = sorted({name for params in declared.values() for name in params})
    for name in parameters:
        if name not in known:
            raise ParameterError(
                name, parameters[name], f"no chosen notebook has a parameter {name!r}; they have: {', '.join(known)}"
            )
    plan = {}
    for notebook, params in declared.items():
        given = {k: v for k, v in parameters.items() if k in params}
        defaults = {name: ast.literal_eval(p["default"]) for name, p in params.items()}
        if isinstance(defaults.get("source"), str) and defaults["source"] not in KEYWORDS:
            # a folder the notebook itself names (a student copy's bundle) is its folder's, as in its kernel
            defaults["source"] = os.path.join(notebook.parent, os.path.expanduser(defaults["source"]))
        effective = defaults | given
        checked = check_parameters(**notebook_check(notebook, effective))
        plan[notebook] = {k: checked.get(k, v) for k, v in given.items()}  # e.g. a folder made absolute
    return plan


def run_writes(notebooks: list[Path], html: bool = False) -> list[str]:
    """What `run` writes into its folder, the one list --overwrite may replace: the chosen notebooks'
    executed copies (and HTML copies), and summary.json."""
    names = [nb.name for nb in notebooks] + ([nb.with_suffix(".html").name for nb in notebooks] if html else [])
    return names + [SUMMARY_FILE, SUMMARY_SCRATCH]


def run_notebooks(
    notebooks: list[Path],
    parameters: dict,
    out_dir: Path | None,
    html: bool = False,
    timeout: int = 900,
    overwrite: bool = False,
    echo=print,
    runs_dir: Path = Path("runs"),
) -> RunRows:
    """Execute each notebook into out_dir (None: a new runs/<timestamp>); one summary row per notebook.

    Everything is checked before anything is written: parameters, sources, the output folder.
    Relative paths are resolved against the caller's folder, not the notebooks'. A notebook that
    fails, times out or loses its kernel is recorded as failed and the next one runs.
    """
    check_timeout(timeout)
    writes = run_writes(notebooks, html)
    unique = out_dir is None
    out_dir = check_out_dir(
        default_out_dir(runs_dir) if unique else out_dir, overwrite=overwrite, writes=writes, only_name=unique
    )
    from ..report import quiet_libraries

    with quiet_libraries():
        plan = check_run(notebooks, parameters)
    # The kernels get the hub decision and its reason, and the caches where the user meant them.
    env = {
        "HF_HUB_OFFLINE": os.environ.get("HF_HUB_OFFLINE", "0"),
        **decision_env(hub_status()),
        **absolute_cache_env(),
    }
    with claimed(out_dir, overwrite=overwrite, writes=writes, unique=unique) as out_dir:
        echo(f"Running {len(notebooks)} notebook(s) into {short_path(out_dir)}")
        rows = RunRows(out_dir)
        try:
            for number, notebook in enumerate(notebooks, 1):
                echo(f"[{number}/{len(notebooks)}] {notebook.stem} ...", end=" ", flush=True)
                row = {"notebook": notebook.stem, "parameters": plan[notebook], "status": "incomplete"}
                rows.append(row)
                _run_and_say(notebook, out_dir, row, env, timeout, html, echo)
        except KeyboardInterrupt:
            echo("")
            _write_summary(rows, out_dir)
            raise Interrupted(sum(r["status"] != "incomplete" for r in rows), len(notebooks)) from None
        _write_summary(rows, out_dir)
    return rows


def _run_and_say(notebook: Path, out_dir: Path, row: dict, env: dict, timeout: int, html: bool, echo) -> None:
    """Run one notebook with the kernels' environment, say how it went; a Hub that failed in its
    kernel makes the next kernels start offline (`env` is updated)."""
    with scoped_env(env):
        _run_one(notebook, out_dir / notebook.name, row, timeout, html)
    echo(f"{row['status']} ({row['seconds']} s)")
    if row["status"] != "ok":
        echo(f"    {_failure(row)}")
    if row.get(NETWORK_RECORD):
        env.update(decision_env(HubStatus(False, row[NETWORK_RECORD])))


def _run_one(notebook: Path, target: Path, row: dict, timeout: int, html: bool) -> None:
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    started = time.perf_counter()
    papermill_log = logging.getLogger("papermill")  # its "Kernel died ..." lines: the row says it, once
    level = papermill_log.level
    papermill_log.setLevel(logging.CRITICAL)
    try:
        papermill.execute_notebook(
            str(notebook),
            str(target),
            parameters=row["parameters"],
            cwd=str(notebook.parent),
            progress_bar=False,
            log_output=False,
            execution_timeout=timeout,
            shutdown_kernel="immediate",
            # ipykernel 7 warns on every start that its local TCP is unencrypted
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
        )
        row["status"] = "ok"
    except papermill.PapermillExecutionError as error:
        row.update(status="failed", failed_cell=error.exec_count, error=f"{error.ename}: {error.evalue}")
    except CellTimeoutError:
        row.update(status="failed", failed_cell=_last_started_cell(target), error=f"timed out after {timeout} s")
    except DeadKernelError:
        row.update(status="failed", failed_cell=_last_started_cell(target), error="the kernel died")
    except Exception as error:  # noqa: BLE001  (the kernel could not start, ...: the next notebook still runs)
        row.update(
            status="failed",
            failed_cell=_last_started_cell(target),
            error=f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}",
        )
    finally:
        papermill_log.setLevel(level)
        row["seconds"] = round(time.perf_counter() - started, 1)
    if target.exists():
        records = read_records(target)
        row["sources"] = {k[len(SOURCE_PREFIX) :]: records.pop(k) for k in list(records) if k.startswith(SOURCE_PREFIX)}
        if NETWORK_RECORD in records:  # what the Hub did after the check, in one line
            row[NETWORK_RECORD] = records.pop(NETWORK_RECORD)
        row["figures"] = records
        if html:
            _export_html(target)


def _last_started_cell(target: Path) -> int | None:
    """The execution count of the cell the kernel was running, from the copy papermill saved as
    each cell started (None if it never got that far)."""
    import nbformat

    try:
        cells = nbformat.read(str(target), as_version=4).cells
    except (OSError, ValueError):
        return None
    started = [c for c in cells if c.cell_type == "code" and c.metadata.get("papermill", {}).get("start_time")]
    if not started:
        return None
    if started[-1].get("execution_count") is None:  # it died before the kernel acknowledged the cell
        counts = [c.execution_count for c in started[:-1] if c.get("execution_count")]
        return counts[-1] + 1 if counts else 1
    return started[-1].execution_count


def _failure(row: dict) -> str:
    where = f"cell [{row['failed_cell']}]" if row.get("failed_cell") is not None else "before its first cell"
    seen = f" [{row[NETWORK_RECORD]}]" if row.get(NETWORK_RECORD) else ""
    return f"{where}: {row['error']}{seen}"


def _write_summary(rows: list[dict], out_dir: Path) -> None:
    """summary.json, written last and atomically: a reader never sees half of it."""
    write_atomically(out_dir / SUMMARY_FILE, json.dumps(rows, indent=1))


def _export_html(notebook: Path) -> None:
    import nbformat
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter().from_notebook_node(nbformat.read(str(notebook), as_version=4))
    notebook.with_suffix(".html").write_text(body, encoding="utf-8")


def summary_table(rows: list[dict]) -> str:
    """The summary as aligned plain text; sources said once when every notebook used the same."""
    sources = [json.dumps(r.get("sources", {}), sort_keys=True) for r in rows]
    shared = len(set(sources)) == 1 and rows and rows[0].get("sources")
    lines = []
    if shared:
        lines += ["Sources, the same for every notebook:"]
        lines += [f"  {name}: {text}" for name, text in rows[0]["sources"].items()] + [""]
    heading = "key figures" if shared else "sources / key figures"
    lines.append(f"{'notebook':<24} {'status':<10} {'seconds':>7}  {heading}")
    for row in rows:
        lines.append(f"{row['notebook']:<24} {row['status']:<10} {row.get('seconds', '-'):>7}")
        details = [] if shared else [f"{n}: {t}" for n, t in row.get("sources", {}).items()]
        details += [f"{key}: {_short(json.dumps(value))}" for key, value in row.get("figures", {}).items()]
        if row["status"] == "failed":
            details.append(f"FAILED {'in ' if row.get('failed_cell') is not None else ''}{_failure(row)}")
        lines += [f"{'':<4}{text}" for text in details]
    return "\n".join(lines)


def _short(text: str, width: int = 90) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def store_outputs(notebooks: list[Path], executed_dir: Path) -> None:
    """Copy executed notebooks over the stored ones, without papermill's run metadata. The widget
    state nbclient saved (progress bars, the padding explorer's controls) stays: JupyterLab draws
    the widgets from it when the notebook is opened."""
    import nbformat

    for notebook in notebooks:
        executed = nbformat.read(str(executed_dir / notebook.name), as_version=4)
        executed.metadata.pop("papermill", None)
        for cell in executed.cells:
            cell.metadata.pop("papermill", None)
            cell.metadata.pop("execution", None)
        nbformat.write(executed, str(notebook))
