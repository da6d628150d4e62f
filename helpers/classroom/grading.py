"""An nbgrader course made from the notebooks: `python -m helpers nbgrader --out COURSE_DIR [NN ...]`.

It writes `nbgrader_config.py` and `source/<stem>/<stem>.ipynb` for each notebook: the layout that
nbgrader's own commands read (`nbgrader generate_assignment <stem>`, `autograde`,
`generate_feedback`, `export`). Each notebook is the stored one, outputs cleared, where

- an answer cell (tagged `solution`) becomes an nbgrader solution cell: its stub, then the worked
  solution between `### BEGIN SOLUTION` and `### END SOLUTION`, which generate_assignment replaces
  by `raise NotImplementedError()`. The stub stays above: an answer left alone, or one that
  raises, still leaves the answer `...`, so the cells below run and its check says so;
- a self-check (`exercises.check`) becomes an autograded cell worth a point (`exercises.grade`
  raises with the hint unless the answer is correct); a quiz's check, a cell worth a point a
  question (`exercises.grade_quiz`: the number right is nbgrader's partial credit);
- every other cell is locked (read-only), and the line that points at a hidden worked answer is
  gone (nothing is hidden here).
"""

import argparse
import ast
import re
import shutil
import sys
from pathlib import Path

from ..errors import ParameterError
from ..exercises import get_quiz
from ..running.cli import add_notebook_options, add_out_options
from .student import EXERCISE_KEY, is_solution, student_copy, without_reveal

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"  # nbgrader's ClearSolutions delimiters, for Python
SCHEMA_VERSION = 3  # nbgrader 0.9's cell metadata (nbgrader.nbgraderformat.SCHEMA_VERSION)
CONFIG_FILE = "nbgrader_config.py"
SOURCE_DIR = "source"
COURSE_ID = "processing-the-data"
CELL_TIMEOUT = 120  # seconds a cell may run when autograding (nbgrader 0.9.6 allows 30 by default)
GRADED = {"check": "grade", "check_quiz": "grade_quiz"}  # a self-check -> its autograded twin
CONFIG = """\
# nbgrader's settings for this course, written by `python -m helpers nbgrader`.
c = get_config()  # noqa: F821 (nbgrader defines it)
c.CourseDirectory.course_id = {course_id!r}
# Seconds a cell may run when autograding: a student's cell that never returns is interrupted then,
# scores no points, and the cells below it still run. (Execute is nbgrader's ExecutePreprocessor.)
c.Execute.timeout = {timeout}
"""


def _nbgrader(grade_id: str, *, solution=False, grade=False, locked=False, points=None) -> dict:
    meta = {
        "grade": grade,
        "grade_id": re.sub(r"[^A-Za-z0-9_-]", "-", grade_id),
        "locked": locked,
        "schema_version": SCHEMA_VERSION,
        "solution": solution,
    }
    if points is not None:
        meta["points"] = points
    return meta


def check_call(source: str, functions=tuple(GRADED)) -> tuple[str, str] | None:
    """(function, exercise or quiz) of a cell's self-check, `exercises.check("labels", ...)` (or of
    another of the `functions` of helpers.exercises)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython syntax (a magic): no self-check in it
        return None
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in functions
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "exercises"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            return node.func.attr, node.args[0].value
    return None


def _graded(cell, function: str, name: str) -> dict:
    """The self-check cell made autograded, in place; its nbgrader metadata."""
    cell.source = re.sub(rf"\bexercises\.{function}\(", f"exercises.{GRADED[function]}(", cell.source)
    if function == "check_quiz":
        return _nbgrader(f"check-quiz-{name}", grade=True, locked=True, points=len(get_quiz(name)))
    return _nbgrader(f"check-{name}", grade=True, locked=True, points=1)


def nbgrader_notebook(notebook, name: str = "notebook"):
    """The notebook as nbgrader's source of an assignment (see the module's docstring)."""
    copied = student_copy(notebook, name)  # each answer's stub, and every output cleared
    cells = []
    worked_cells = [c for c in notebook.cells if c.cell_type != "markdown" or without_reveal(c.source)]
    for worked, cell in zip(worked_cells, copied.cells):  # student_copy dropped the same markdown cells
        call = check_call(cell.source) if cell.cell_type == "code" else None
        if is_solution(worked):
            cell.source = f"{cell.source}\n{BEGIN}\n{worked.source}\n{END}"
            meta = _nbgrader(cell.metadata[EXERCISE_KEY]["name"], solution=True)
        elif call:
            meta = _graded(cell, *call)
        else:
            meta = _nbgrader(f"cell-{len(cells)}", locked=True)
        cell.metadata["nbgrader"] = meta
        cells.append(cell)
    copied.cells = cells
    return copied


def points(notebook) -> float:
    """The points of a notebook's autograded cells."""
    return sum(
        c.metadata.get("nbgrader", {}).get("points", 0)
        for c in notebook.cells
        if c.metadata.get("nbgrader", {}).get("grade")
    )


def check_course_id(course_id: str) -> str:
    if not isinstance(course_id, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", course_id):
        raise ParameterError(
            "course-id",
            course_id,
            "use letters, digits, '.', '_' and '-', starting with a letter or digit (nbgrader makes it a folder name)",
        )
    return course_id


def write_course(notebooks, out, *, course_id: str = COURSE_ID, overwrite: bool = False) -> dict:
    """Write the course into `out` (helpers.outdir's rule); {assignment: its source notebook}. Every
    notebook is converted before anything is written."""
    import nbformat

    from ..running.outdir import check_out_dir, claimed, write_atomically

    course_id = check_course_id(course_id)
    assignments = {nb.stem: f"{SOURCE_DIR}/{nb.stem}/{nb.name}" for nb in notebooks}
    writes = [CONFIG_FILE, *assignments.values()]  # --overwrite replaces these, nothing else
    folder = check_out_dir(out, overwrite=overwrite, writes=writes)
    texts = {
        path: nbformat.writes(nbgrader_notebook(nbformat.read(str(nb), as_version=4), nb.stem))
        for nb, path in zip(notebooks, assignments.values())
    }
    texts[CONFIG_FILE] = CONFIG.format(course_id=course_id, timeout=CELL_TIMEOUT)
    with claimed(folder, overwrite=overwrite, writes=writes):
        for path, text in texts.items():
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            write_atomically(folder / path, text)
    return {stem: folder / path for stem, path in assignments.items()}


def add_parser(sub) -> argparse.ArgumentParser:
    """The `nbgrader` command, on the command line's subparsers."""
    parser = sub.add_parser(
        "nbgrader",
        help="write an nbgrader course: an assignment per notebook, answers "
        "as solution cells, self-checks and quizzes autograded",
    )
    add_notebook_options(parser)
    add_out_options(
        parser, "a new or empty folder: the course's root", "nbgrader_config.py and the source notebooks", required=True
    )
    parser.add_argument("--course-id", default=COURSE_ID, help=f"nbgrader's course id (default {COURSE_ID})")
    parser.set_defaults(func=cmd_nbgrader)
    return parser


def cmd_nbgrader(args) -> int:
    import nbformat

    from ..report import short_path
    from ..running.runner import chosen_notebooks

    check_course_id(args.course_id)
    written = write_course(chosen_notebooks(args), args.out, course_id=args.course_id, overwrite=args.overwrite)
    for stem, path in written.items():
        notebook = nbformat.read(str(path), as_version=4)
        answers = sum(c.metadata["nbgrader"]["solution"] for c in notebook.cells)
        graded = sum(c.metadata["nbgrader"]["grade"] for c in notebook.cells)
        print(f"{stem}: {answers} answer cell(s), {graded} autograded cell(s), {points(notebook):g} points")
    root = short_path(next(iter(written.values())).parents[2]) if written else args.out
    first = next(iter(written), "NN")
    print(
        f"nbgrader course in {root}: {len(written)} assignment(s) in {SOURCE_DIR}/ and {CONFIG_FILE}. "
        f"In that folder: nbgrader generate_assignment {first}, then autograde, generate_feedback, export"
    )
    if shutil.which("alembic") is None:  # nbgrader runs it by name to make its gradebook, and fails without
        print(
            f"note: first put {short_path(Path(sys.executable).parent)} on PATH (activate this environment): "
            "nbgrader runs its `alembic` by name"
        )
    return 0
