"""helpers.classroom.grading: the nbgrader course. Statically, for all seven notebooks: each answer a
solution cell with nbgrader's delimiters around the worked solution, each self-check and quiz an
autograded cell, the points, the rest locked, nothing of a solution left once nbgrader's ClearSolutions
has run. Then nbgrader itself, on notebook 1: generate_assignment, three students, autograde,
generate_feedback, export: full marks, zero and the partial score, exactly."""

import copy
import csv
import html
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
from commands import said

from helpers import exercises
from helpers.classroom import grading
from helpers.classroom.student import EXERCISE_KEY, find_solution, is_solution, solution_cells
from helpers.running.cli import main
from helpers.running.runner import list_notebooks

NOTEBOOKS = list_notebooks()
NBGRADER_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"  # what generate_assignment puts in
ASSIGNMENT = "01_loading_mrpc"


def _read(path):
    return nbformat.read(str(path), as_version=4)


def _nbgrader(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def _released(notebook):
    """The notebook as generate_assignment gives it to students: nbgrader's own ClearSolutions and ClearOutput."""
    from nbgrader.preprocessors import ClearOutput, ClearSolutions

    released = copy.deepcopy(notebook)
    for preprocessor in (ClearSolutions(), ClearOutput()):
        released, _ = preprocessor.preprocess(released, {})
    return released


def _solution_only_lines(stored) -> list[str]:
    """Lines of the worked solutions that appear nowhere else in the notebook (questions, checks, stubs)."""
    rest = "\n".join(
        [c.source for c in stored.cells if not is_solution(c)]
        + [c.metadata[EXERCISE_KEY]["stub"] for c in solution_cells(stored)]
    )
    lines = {line.strip() for c in solution_cells(stored) for line in c.source.splitlines()}
    return sorted(line for line in lines if line and line not in rest)


def _text(notebook) -> str:
    return "\n".join(cell.source for cell in notebook.cells)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_export_makes_answers_solutions_and_checks_autograded(notebook):
    from nbgrader.nbgraderformat import SCHEMA_VERSION, MetadataValidator

    stored = _read(notebook)
    exported = grading.nbgrader_notebook(stored, notebook.stem)
    MetadataValidator().validate_nb(exported)  # nbgrader's own schema check: ids unique, points present
    meta = [_nbgrader(c) for c in exported.cells]
    assert all(m["schema_version"] == SCHEMA_VERSION for m in meta)
    solutions = [c for c in exported.cells if _nbgrader(c)["solution"]]
    assert len(solutions) == len(solution_cells(stored)) >= 2
    for cell in solutions:
        exercise = cell.metadata[EXERCISE_KEY]
        worked = find_solution(stored, exercise["name"]).source
        assert cell.source == f"{exercise['stub']}\n### BEGIN SOLUTION\n{worked}\n### END SOLUTION"
        assert _nbgrader(cell)["grade_id"] == exercise["name"] and "jupyter" not in cell.metadata
    checks = [grading.check_call(c.source) for c in stored.cells if c.cell_type == "code"]
    checks = [call for call in checks if call]
    graded = [c for c in exported.cells if _nbgrader(c)["grade"]]
    assert [grading.check_call(c.source, ("grade", "grade_quiz")) for c in graded] == [
        ({"check": "grade", "check_quiz": "grade_quiz"}[function], name) for function, name in checks
    ]
    assert all(_nbgrader(c)["locked"] and "exercises.check" not in c.source for c in graded)
    nn = notebook.stem[:2]
    exercise_count = sum(e.notebook == nn for e in exercises.EXERCISES.values())
    assert [_nbgrader(c)["points"] for c in graded] == [1] * exercise_count + [len(exercises.QUIZZES[nn])]
    assert grading.points(exported) == exercise_count + 3
    others = [m for m in meta if not m["solution"] and not m["grade"]]
    assert all(m["locked"] for m in others) and len(others) + len(solutions) + len(graded) == len(exported.cells)
    assert all(c.outputs == [] and c.execution_count is None for c in exported.cells if c.cell_type == "code")

    released = _released(exported)
    text = _text(released)
    assert text.count(NBGRADER_STUB) == len(solutions) and "SOLUTION" not in text
    leaks = [line for line in _solution_only_lines(stored) if line in text]
    assert not leaks and "quiz_key" not in text and exercises.REVEAL_LINE not in text
    assert len(_solution_only_lines(stored)) >= 3  # the check above looks at real lines


def test_the_command_writes_a_course_and_refuses_bad_input(tmp_path, capsys):
    out = tmp_path / "course"
    printed = said(capsys, "nbgrader", "01", "03", "--out", str(out)).splitlines()
    assert printed[0] == "01_loading_mrpc: 3 answer cell(s), 3 autograded cell(s), 5 points"
    assert printed[1] == "03_batched_map: 4 answer cell(s), 4 autograded cell(s), 6 points"
    assert printed[2].startswith("nbgrader course in ") and "generate_assignment 01_loading_mrpc" in printed[2]
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == [
        "nbgrader_config.py",
        "source/01_loading_mrpc/01_loading_mrpc.ipynb",
        "source/03_batched_map/03_batched_map.ipynb",
    ]
    from nbgrader.preprocessors import Execute
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(out)).load_config()  # as nbgrader reads it
    assert config.CourseDirectory.course_id == "processing-the-data" and Execute(config=config).timeout == 120

    new = str(tmp_path / "new")
    for args, message in [
        (["--out", str(out)], "error: out="),
        (["--out", new, "--course-id", "my course"], "error: course-id='my course'"),
        (["09", "--out", new], "error: notebook='09'"),
    ]:
        error = said(capsys, "nbgrader", *args, code=2)
        assert error.count("\n") == 1 and error.startswith(message), error
    assert not (tmp_path / "new").exists()

    (out / "gradebook.db").write_text("nbgrader's")  # what nbgrader wrote there is never touched
    kept = (out / "source/03_batched_map/03_batched_map.ipynb").stat().st_mtime_ns
    assert main(["nbgrader", "01", "--out", str(out), "--overwrite", "--course-id", "class-2"]) == 0
    assert "course_id = 'class-2'" in (out / "nbgrader_config.py").read_text()
    assert (out / "gradebook.db").read_text() == "nbgrader's"
    assert (out / "source/03_batched_map/03_batched_map.ipynb").stat().st_mtime_ns == kept


def test_a_korean_course_from_the_korean_notebooks(tmp_path, capsys):
    """`nbgrader --lang ko`: the assignment is notebooks/ko's, its prose in Korean, graded the same way."""
    out = tmp_path / "course"
    printed = said(capsys, "nbgrader", "01", "--lang", "ko", "--out", str(out)).splitlines()
    assert printed[0] == "01_loading_mrpc: 3 answer cell(s), 3 autograded cell(s), 5 points"
    source = _read(out / "source/01_loading_mrpc/01_loading_mrpc.ipynb")
    text = "\n".join(cell.source for cell in source.cells)
    assert "데이터셋" in text and 'language: str = "ko"' in text and exercises.reveal_line("ko") not in text
    assert sum(bool(c.metadata.get("nbgrader", {}).get("grade")) for c in source.cells) == 3


def test_the_key_prints_worked_answers_and_quiz_letters(capsys):
    printed = said(capsys, "key", "01")
    stored = _read(NOTEBOOKS[0])
    for name in ("labels", "longest"):
        assert f"exercise {name}: {exercises.EXERCISES[name].question}" in printed
        assert all(line in printed for line in find_solution(stored, name).source.splitlines())
    key = exercises.quiz_key("01")
    assert f"quiz 01: 1 {key[1]}, 2 {key[2]}, 3 {key[3]}" in printed
    for number, question in exercises.QUIZZES["01"].items():
        choice, why = question.choices[key[number]]
        assert f"     {key[number]} (right): {choice} -- {why}" in printed
        assert printed.count(f"  {number}. {question.prompt}") == 1
        for letter, (text, reason) in question.choices.items():
            assert letter == key[number] or f"     {letter}: {text} -- {reason}" in printed  # why it is wrong
    assert printed.count(" -- ") == 12
    printed = said(capsys, "key", "01", "--lang", "ko")  # the Korean notebook's answers, the quiz in Korean
    for number, question in exercises.QUIZZES["01"].items():
        prompt, choices = question.said("ko")
        assert f"  {number}. {prompt}" in printed and f"{key[number]} (right): {choices[key[number]][0]}" in printed
    assert [line for line in said(capsys, "key").splitlines() if line.startswith("=== ")] == [
        f"=== {nb.stem}" for nb in NOTEBOOKS
    ]
    assert said(capsys, "key", "09", code=2).startswith("error: notebook='09': choose from 01_loading_mrpc")


# ---- nbgrader itself ----------------------------------------------------------------------------

ANSWER_TIMEOUT = 5  # seconds an answer cell may run in this test (each takes under 1 s); other cells: the export's


def _nbgrader_run(course: Path, *commands: list[str]) -> None:
    """nbgrader commands, as a teacher runs them in the course folder, started together (each waits
    for none of the others). nbgrader runs `alembic` by name when it makes the gradebook: this
    environment's bin folder comes first on PATH."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    logs = [tempfile.TemporaryFile("w+") for _ in commands]  # not pipes: a full one would stall its command
    running = [
        subprocess.Popen(
            [sys.executable, "-m", "nbgrader", *command],
            cwd=course,
            env=env,
            text=True,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for command, log in zip(commands, logs)
    ]
    for process, log in zip(running, logs):
        process.wait(timeout=300)
        log.seek(0)
        assert process.returncode == 0, log.read()[-4000:]
        log.close()


def _answered(released, answers: dict[str, str]):
    """The released notebook with nbgrader's stub of each named answer cell replaced, as a student does."""
    submitted = copy.deepcopy(released)
    for cell in submitted.cells:
        name = _nbgrader(cell).get("grade_id")
        if _nbgrader(cell).get("solution") and name in answers:
            cell.source = cell.source.replace(NBGRADER_STUB, answers[name])
    return submitted


def _submit(course: Path, student: str, notebook) -> None:
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(notebook, str(folder / f"{ASSIGNMENT}.ipynb"))


@pytest.mark.processes
def _submit_three(course: Path, released, stored) -> str:
    """Every answer right; the released stubs untouched; half right, one answer that raises and one
    that never returns. Returns the wrong quiz letter the third student gave."""
    key = exercises.quiz_key("01")
    wrong = next(letter for letter in "abcd" if letter != key[3])
    _submit(
        course,
        "all_right",
        _answered(released, {name: find_solution(stored, name).source for name in ("labels", "longest", "quiz-01")}),
    )
    _submit(course, "untouched", released)
    _submit(
        course,
        "partly",
        _answered(
            released,
            {
                "labels": 'labels_answer = raw_datasets["train"][10**9]["label"]',  # raises IndexError
                "longest": "while True:\n    pass",  # never returns: interrupted after ANSWER_TIMEOUT
                "quiz-01": f"quiz_answers = {{1: {key[1]!r}, 2: {key[2]!r}, 3: {wrong!r}}}",
            },
        ),
    )
    return wrong


@pytest.mark.slow  # about a minute: `pytest -m slow` runs it (CI does, after the test command)
@pytest.mark.processes
def test_nbgrader_grades_three_students_exactly(tmp_path):
    started = time.monotonic()
    course = tmp_path / "course"
    grading.write_course(list_notebooks(["01"]), course)
    with open(course / "nbgrader_config.py", "a") as config:  # answer cells short, the course's cells as exported
        config.write(
            f"c.Execute.timeout_func = lambda cell: {ANSWER_TIMEOUT} "
            "if cell.metadata.get('nbgrader', {}).get('solution') else c.Execute.timeout\n"
        )
    _nbgrader_run(course, ["generate_assignment", ASSIGNMENT])
    released = _read(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    stored = _read(NOTEBOOKS[0])
    assert not [line for line in _solution_only_lines(stored) if line in _text(released)]
    assert "quiz_key" not in _text(released) and "SOLUTION" not in _text(released)

    wrong = _submit_three(course, released, stored)
    _nbgrader_run(course, ["autograde", ASSIGNMENT])
    _nbgrader_run(course, ["generate_feedback", ASSIGNMENT], ["export"])  # both only read the grades

    with open(course / "grades.csv", newline="") as table:
        scores = {row["student_id"]: (float(row["score"]), float(row["max_score"])) for row in csv.DictReader(table)}
    assert scores == {"all_right": (5.0, 5.0), "untouched": (0.0, 5.0), "partly": (2.0, 5.0)}

    def feedback(student):
        return html.unescape((course / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text())

    partly = feedback("partly")
    quiz_hint = exercises.quiz_verdicts("01", {3: wrong})[2].line
    for line in (
        "AssertionError: labels: not answered yet",
        "AssertionError: longest: not answered yet",
        "IndexError",
        quiz_hint,
        "quiz 01.1: correct",
    ):
        assert line in partly, line
    assert "not yet" not in feedback("all_right") and "longest: correct" in feedback("all_right")
    assert feedback("untouched").count("NotImplementedError") >= 3
    for student in ("all_right", "untouched", "partly"):
        autograded = _read(course / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
        assert len(autograded.cells) == len(released.cells)
    print(f"nbgrader round trip: {time.monotonic() - started:.0f} s")
