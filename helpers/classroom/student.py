"""Student copies of the notebooks, for a class: `python -m helpers student --out DIR`.

In the stored notebooks each exercise's answer cell holds its worked solution. Such a cell is
tagged `solution` and carries its stub in its metadata:

    {"tags": ["solution"], "exercise": {"name": "labels", "stub": "labels_answer = ...  # ..."}}

A student copy replaces each solution cell's source by its stub and clears every cell's outputs
and execution count; nothing else changes (the questions, the self-check cells, the quizzes, the
cells' metadata). Run top to bottom, a student copy does not fail, and every self-check says
"not answered yet" until the student writes an answer.

With `--source FOLDER` (a classroom bundle, or any data folder), each copy's `source` parameter
defaults to that folder, written relative to the copies' folder: hand out the copies and the
bundle side by side, as they were made, and the copies find it wherever the two are put (Jupyter
starts a notebook's kernel in the notebook's folder; `run` checks a default against it too).

To add an exercise, tag its answer cell `solution` and give it the stub in its metadata (JupyterLab's
property inspector edits cell metadata).
"""

import argparse
import copy
import json
import os
import re
from pathlib import Path

from ..errors import ParameterError
from ..exercises import reveal_line
from ..language import LANGUAGES
from ..running.cli import add_notebook_options, add_out_options

SOLUTION_TAG = "solution"
EXERCISE_KEY = "exercise"  # a solution cell's metadata: {"name": ..., "stub": ...}


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def is_solution(cell) -> bool:
    return cell.get("cell_type") == "code" and SOLUTION_TAG in _tags(cell)


def solution_cells(notebook) -> list:
    """The notebook's solution cells, in order."""
    return [cell for cell in notebook.cells if is_solution(cell)]


def find_solution(notebook, exercise: str):
    """The solution cell of one exercise, by its name in the cell's metadata."""
    found = [c for c in solution_cells(notebook) if c.metadata.get(EXERCISE_KEY, {}).get("name") == exercise]
    if len(found) != 1:
        raise ParameterError("exercise", exercise, f"has {len(found)} solution cells in this notebook, not one")
    return found[0]


def without_reveal(text: str) -> str:
    """A markdown cell's text without the closing line that points at a hidden worked answer."""
    lines = text.splitlines()
    reveal_lines = {"", *(reveal_line(language) for language in LANGUAGES)}  # in any language
    while lines and lines[-1].strip() in reveal_lines:
        lines.pop()
    return "\n".join(lines)


def student_copy(notebook, name: str = "notebook"):
    """A copy with each solution replaced by its stub, shown (not hidden as the worked answers are),
    the lines pointing at hidden answers gone (a cell that held only that line is dropped), every
    output and execution count cleared."""
    copied = copy.deepcopy(notebook)
    for cell in copied.cells:
        if cell.cell_type == "markdown":
            cell.source = without_reveal(cell.source)
    copied.cells = [cell for cell in copied.cells if cell.cell_type != "markdown" or cell.source]
    for number, cell in enumerate(copied.cells):
        if cell.cell_type != "code":
            continue
        if is_solution(cell):
            stub = cell.metadata.get(EXERCISE_KEY, {}).get("stub")
            if not isinstance(stub, str):
                raise ParameterError(
                    "notebook",
                    name,
                    f"cell {number} is a solution without a stub in its metadata ({EXERCISE_KEY}.stub)",
                )
            cell.source = stub
            cell.metadata.pop("jupyter", None)  # the stub is for the student to see and fill in
        cell.outputs = []
        cell.execution_count = None
    return copied


SOURCE_LINE = re.compile(r"^source: str = .*$", re.M)  # the parameters cell's line, in every notebook


def with_source(notebook, relative: str):
    """The copy's `source` parameter set to a folder given relative to the copy's own folder."""
    cell = next(c for c in notebook.cells if "parameters" in c.metadata.get("tags", []))
    line = f"source: str = {json.dumps(relative)}  # the class's data, beside these copies (student --source)"
    cell.source, found = SOURCE_LINE.subn(lambda _: line, cell.source, count=1)
    if not found:
        raise ParameterError("source", relative, "cannot be set: the notebook's parameters cell has no source line")
    return notebook


def write_student_copies(notebooks: list[Path], out, overwrite: bool = False, source=None) -> list[Path]:
    """Write a student copy of each notebook into `out`, its `source` the folder `source` if given
    (relative to `out`); every copy is made before anything is written, so a bad notebook or source
    leaves the folder untouched."""
    import nbformat

    from ..offline.sources import KEYWORDS, check_source
    from ..running.outdir import check_out_dir, claimed

    writes = [nb.name for nb in notebooks]  # --overwrite replaces these copies, nothing else
    folder = check_out_dir(out, overwrite=overwrite, writes=writes)
    if source is not None:
        source = check_source(source)
        if source in KEYWORDS:
            raise ParameterError(
                "source", source, "must be a folder (a classroom bundle): the copies already default to 'auto'"
            )
    copies = {nb.name: student_copy(nbformat.read(str(nb), as_version=4), nb.stem) for nb in notebooks}
    if source is not None:
        relative = os.path.relpath(source, folder.resolve())
        copies = {name: with_source(notebook, relative) for name, notebook in copies.items()}
    written = []
    with claimed(folder, overwrite=overwrite, writes=writes):
        for name, notebook in copies.items():
            nbformat.write(notebook, str(folder / name))
            written.append(folder / name)
    return written


def add_parser(sub) -> argparse.ArgumentParser:
    """The `student` command, on the command line's subparsers."""
    parser = sub.add_parser(
        "student", help="write copies of the notebooks for a class: solutions replaced by their stubs, outputs cleared"
    )
    add_notebook_options(parser)
    add_out_options(parser, "a new or empty folder for the copies", "the copies this command writes", required=True)
    parser.add_argument(
        "--source",
        help="a data folder (a classroom bundle) the copies use by default, written "
        "relative to --out: hand out the copies and the folder side by side",
    )
    parser.set_defaults(func=cmd_student)
    return parser


def cmd_student(args) -> int:
    import nbformat

    from ..report import short_path
    from ..running.runner import chosen_notebooks

    written = write_student_copies(chosen_notebooks(args), args.out, overwrite=args.overwrite, source=args.source)
    for path in written:
        answers = len(solution_cells(nbformat.read(str(path), as_version=4)))
        print(f"{path.name}: {answers} answer cell(s) for the student")
    folder = short_path(written[0].parent) if written else args.out
    print(
        f"{len(written)} student copies in {folder}: solutions replaced by their stubs, outputs cleared; "
        "each self-check says 'not answered yet' until the student answers"
    )
    if args.source is not None:
        print(f"their data: {args.source}, found at the same place beside the copies (hand out both folders)")
    return 0
