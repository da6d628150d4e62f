"""Say things once, visibly, and keep the figures a run computed for its summary.

`record(key, value)` keeps a figure the notebook computed, silently: in a kernel it is an output
JupyterLab does not draw (a JSON bundle of its own type, RECORD_MIME), with the value in the
output's metadata, where `python -m helpers run`, the tests and the canary read it back from the
executed notebook. What a learner reads is the cell's own output; the figure rides along unseen.
With a `label`, the figure is also shown as one line (`label: value`): the data source line and
the comparisons with the course's figures are written for the learner.
"""

import json
import os
import warnings
from contextlib import contextmanager
from pathlib import Path

from .language import say

RECORD_KEY = "helpers_record"  # output metadata: {key: value}
RECORD_MIME = "application/vnd.course-companion.record+json"  # a type no front end draws


def record(key: str, value, label: str | None = None, note: str = "") -> None:
    """Keep `value` under `key` for the run's summary; show `label: value` (and a note) only when
    a label is given. Without one nothing appears: the figure is in an output JupyterLab does not
    draw (an output with no mime type it can render is an empty widget in JupyterLab 4)."""
    value = plain(value)
    if label is None:
        _keep({RECORD_KEY: {key: value}})
    else:
        show_line(f"{label}: {value}" + (f"   {note}" if note else ""), {RECORD_KEY: {key: value}})


def _keep(metadata: dict) -> None:
    """An invisible output carrying metadata, in IPython; nothing elsewhere (a script has no outputs)."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return
    if get_ipython() is not None:
        display({RECORD_MIME: metadata[RECORD_KEY]}, raw=True, metadata=metadata)


def show_line(text: str, metadata: dict) -> None:
    """One line of output that keeps `metadata` in the notebook (a plain print outside IPython)."""
    try:
        from IPython import get_ipython
        from IPython.display import display

        if get_ipython() is not None:
            display({"text/plain": text}, raw=True, metadata=metadata)
            return
    except ImportError:
        pass
    print(text)


def plain(value):
    """The value as plain JSON types: ints, floats, strings, lists, dicts (tensors and arrays too)."""
    return json.loads(json.dumps(value, default=_plain))


def _plain(obj):
    if hasattr(obj, "tolist"):
        return obj.tolist()
    if hasattr(obj, "item"):
        return obj.item()
    return str(obj)


def read_records(notebook, stable_only: bool = False) -> dict:
    """Every recorded value of an executed notebook (nbformat node or path); with stable_only, only
    those that do not vary between runs (not in cells tagged nbval-ignore-output: timings, memory).

    A key recorded twice keeps its first value: the data source and tokenizer a notebook loads
    first are the ones its parameters chose; later loads are comparisons.
    """
    found = {}
    for values in output_metadata(notebook, RECORD_KEY, stable_only):
        for key, value in values.items():
            found.setdefault(key, value)
    return found


def output_metadata(notebook, key: str, stable_only: bool = False):
    """Each output's metadata[key] in an executed notebook (nbformat node or path), in order; with
    stable_only, not from cells tagged nbval-ignore-output."""
    if isinstance(notebook, (str, Path)):
        notebook = json.loads(Path(notebook).read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if stable_only and "nbval-ignore-output" in cell.get("metadata", {}).get("tags", []):
            continue
        for output in cell.get("outputs", []):
            if key in output.get("metadata", {}):
                yield output["metadata"][key]


def short_path(path) -> str:
    """A path as a learner can share it: $HF_HOME/..., ~/..., or relative to the current folder."""
    path = str(path)
    hf_home = os.environ.get("HF_HOME") or os.path.expanduser("~/.cache/huggingface")
    for prefix, name in [(hf_home, "$HF_HOME"), (os.path.expanduser("~"), "~")]:
        prefix = prefix.rstrip("/")
        if path == prefix or path.startswith(prefix + "/"):
            return name + path[len(prefix) :]
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative


@contextmanager
def quiet_libraries():
    """No progress bars from datasets or transformers inside the block (a check that works
    quietly); whatever the caller had is restored afterwards."""
    import datasets
    from transformers.utils import logging

    data_bars, model_bars = datasets.is_progress_bar_enabled(), logging.is_progress_bar_enabled()
    datasets.disable_progress_bars()
    logging.disable_progress_bar()
    try:
        yield
    finally:
        with warnings.catch_warnings():  # "cannot enable": an environment variable keeps them off
            warnings.simplefilter("ignore")
            if data_bars:
                datasets.enable_progress_bars()
            if model_bars:
                logging.enable_progress_bar()


class LoadReport:
    """The LOAD REPORT transformers logged inside `load_report()`, its local folders shortened."""

    def __init__(self):
        import io

        self.stream = io.StringIO()

    @property
    def text(self) -> str:
        import re

        text = re.sub(r"\x1b\[[0-9;]*m", "", self.stream.getvalue())  # the bold the terminal would show
        text = re.sub(r"(from: )(\S+)", lambda m: m.group(1) + short_path(m.group(2)), text)
        return _sort_table_rows(text.replace("[transformers] ", "")).rstrip()

    def __str__(self) -> str:
        return self.text or say("report.no_load_report")


def _sort_table_rows(text: str) -> str:
    """The report's table rows (`key | status |`) sorted by status, then key: transformers lists
    them in an order that changes from one run to the next."""
    lines = text.splitlines()
    rows = [i for i, line in enumerate(lines) if line.count("|") >= 2 and not line.startswith("Key ")]
    ordered = sorted((lines[i] for i in rows), key=lambda line: (line.split("|")[1].strip(), line))
    for i, line in zip(rows, ordered):
        lines[i] = line
    return "\n".join(lines)


@contextmanager
def load_report():
    """Catch what transformers reports while a checkpoint loads (its LOAD REPORT table), to print
    it where a notebook explains it: `with helpers.load_report() as report: model = ...`, then
    `print(report)`. Local folders in it are shortened (`$HF_HOME/...`), so no machine path shows."""
    import logging

    from transformers.utils import logging as hf_logging

    report, verbosity = LoadReport(), hf_logging.get_verbosity()
    handler = logging.StreamHandler(report.stream)
    hf_logging.disable_default_handler()  # caught here instead of printed to stderr
    hf_logging.add_handler(handler)
    hf_logging.set_verbosity_warning()
    try:
        yield report
    finally:
        hf_logging.set_verbosity(verbosity)
        hf_logging.remove_handler(handler)
        hf_logging.enable_default_handler()
