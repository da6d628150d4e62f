"""Say things once, visibly: which source was used, and key figures a run records.

`record(key, value)` shows `key: value` in the notebook and stores the value in the
output's metadata, where `python -m helpers run` and the tests read it back from the
executed notebook: values are computed by the notebook, never typed into it.
"""

import json
import os
from pathlib import Path

RECORD_KEY = "helpers_record"


def record(key: str, value, label: str | None = None) -> None:
    value = json.loads(json.dumps(value, default=_plain))  # plain JSON: ints, floats, lists, dicts
    text = f"{label or key}: {value}"
    try:
        from IPython import get_ipython
        from IPython.display import display

        if get_ipython() is not None:
            display({"text/plain": text}, raw=True, metadata={RECORD_KEY: {key: value}})
            return
    except ImportError:
        pass
    print(text)


def _plain(obj):
    if hasattr(obj, "tolist"):
        return obj.tolist()
    if hasattr(obj, "item"):
        return obj.item()
    return str(obj)


def read_records(notebook) -> dict:
    """Every recorded value of an executed notebook (nbformat node or path).

    A key recorded twice keeps its first value: the data source and tokenizer a notebook loads
    first are the ones its parameters chose; later loads are comparisons.
    """
    if isinstance(notebook, (str, Path)):
        notebook = json.loads(Path(notebook).read_text(encoding="utf-8"))
    found = {}
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            for key, value in output.get("metadata", {}).get(RECORD_KEY, {}).items():
                found.setdefault(key, value)
    return found


def short_path(path) -> str:
    """A path as a learner can share it: $HF_HOME/..., ~/..., or relative, never a machine's root."""
    path = str(path)
    hf_home = os.environ.get("HF_HOME") or os.path.expanduser("~/.cache/huggingface")
    for prefix, name in [(hf_home, "$HF_HOME"), (os.path.expanduser("~"), "~")]:
        prefix = prefix.rstrip("/")
        if path == prefix or path.startswith(prefix + "/"):
            return name + path[len(prefix):]
    try:
        return os.path.relpath(path)
    except ValueError:
        return path
