"""How long a notebook takes to read, for the README's timing table and the learner-path tests.

Reading time = words of prose / 180 + non-blank lines of code / 10, in minutes. The *core* is every
cell a learner sees when the notebook opens in JupyterLab: cells under a heading stored collapsed
(`jp-MarkdownHeadingCollapsed`) are *deeper*, and so are code cells whose source is stored hidden
(the worked answers, `jupyter.source_hidden`).
"""

import json
import re
from pathlib import Path

WORDS_PER_MINUTE = 180
CODE_LINES_PER_MINUTE = 10
COLLAPSED = "jp-MarkdownHeadingCollapsed"


def heading_level(cell) -> int | None:
    """The level of a markdown cell's first heading line (1 for '#'), None for other cells."""
    if cell["cell_type"] != "markdown":
        return None
    match = re.match(r"(#{1,6})\s", "".join(cell["source"]).lstrip())
    return len(match.group(1)) if match else None


def deeper_cells(cells) -> list[bool]:
    """For each cell: is it hidden when the notebook opens (under a collapsed heading, or a hidden answer)?"""
    hidden, collapsed_at = [], None
    for cell in cells:
        level = heading_level(cell)
        if level is not None and collapsed_at is not None and level <= collapsed_at:
            collapsed_at = None  # a heading of the same or a higher level ends the collapsed section
        if collapsed_at is None and level is not None and cell.get("metadata", {}).get(COLLAPSED):
            collapsed_at = level
            hidden.append(False)  # the heading itself stays visible
            continue
        answer = cell["cell_type"] == "code" and cell.get("metadata", {}).get("jupyter", {}).get("source_hidden")
        hidden.append(collapsed_at is not None or bool(answer))
    return hidden


def minutes(cell) -> float:
    text = "".join(cell["source"])
    if cell["cell_type"] == "code":
        return sum(1 for line in text.splitlines() if line.strip()) / CODE_LINES_PER_MINUTE
    prose = re.sub(r"```.*?```", lambda m: m.group(0), text, flags=re.S)
    return len(re.findall(r"\S+", prose)) / WORDS_PER_MINUTE


def reading_minutes(notebook) -> dict[str, float]:
    """{"core": minutes, "deeper": minutes} of a notebook (a path or its JSON)."""
    if isinstance(notebook, (str, Path)):
        notebook = json.loads(Path(notebook).read_text(encoding="utf-8"))
    cells = notebook["cells"]
    totals = {"core": 0.0, "deeper": 0.0}
    for cell, deeper in zip(cells, deeper_cells(cells)):
        totals["deeper" if deeper else "core"] += minutes(cell)
    return {part: round(value, 1) for part, value in totals.items()}


# tqdm's text beside its widget: "Map:  40%|####  | 83/208 [00:00<00:00, ...]" (or, with no total,
# "Map: 83 examples [00:00, ...]"): a percentage bar or an elapsed time in brackets.
_PROGRESS_BAR = re.compile(r"%\||\[\d+:\d\d")


def noise(notebook) -> dict[str, int]:
    """What a learner sees that the notebook did not write itself: stderr outputs (warnings, reports)
    and progress-bar widgets, counted over a notebook's outputs (a path, its JSON, or a list of cells
    as JupyterLab's model gives them)."""
    if isinstance(notebook, (str, Path)):
        notebook = json.loads(Path(notebook).read_text(encoding="utf-8"))
    cells = notebook["cells"] if isinstance(notebook, dict) else notebook
    outputs = [o for c in cells if c.get("cell_type", "code") == "code" for o in c.get("outputs", [])]
    widgets = [
        o
        for o in outputs
        if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
        and _PROGRESS_BAR.search("".join(o["data"].get("text/plain", "")))
    ]
    return {"stderr": sum(o.get("name") == "stderr" for o in outputs), "progress widgets": len(widgets)}
