"""helpers.classroom.student: copies of the notebooks for a class. Each solution replaced by its stub, every output
and execution count cleared, nothing else changed; a student copy runs top to bottom under papermill
and each self-check says "not answered yet"; bad input is one line and writes nothing."""

import nbformat
import pytest
from commands import said

import helpers
from helpers import exercises
from helpers.classroom import student
from helpers.exercises import REVEAL_LINE, reveal_line
from helpers.running.cli import main
from helpers.running.runner import list_notebooks, notebook_folder, notebook_parameters, run_notebooks

NOTEBOOKS = list_notebooks()


def _read(path):
    return nbformat.read(str(path), as_version=4)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_student_copy_swaps_solutions_for_stubs_and_changes_nothing_else(notebook):
    """Each answer becomes its stub, shown; the lines pointing at hidden answers go (a cell that held
    only that line goes with it); every output is cleared; nothing else changes."""
    stored = _read(notebook)
    copied = student.student_copy(stored, notebook.stem)
    kept = [c for c in stored.cells if c.cell_type != "markdown" or student.without_reveal(c.source)]
    assert copied.metadata == stored.metadata and len(copied.cells) == len(kept)
    assert REVEAL_LINE not in nbformat.writes(copied)
    for before, after in zip(kept, copied.cells):
        assert after.cell_type == before.cell_type
        if before.cell_type != "code":
            assert after.source == student.without_reveal(before.source) and after.metadata == before.metadata
            continue
        assert after.outputs == [] and after.execution_count is None
        if student.is_solution(before):
            assert after.source == before.metadata[student.EXERCISE_KEY]["stub"] != before.source
            assert "jupyter" in before.metadata and "jupyter" not in after.metadata  # hidden answer, shown stub
            assert {k: v for k, v in before.metadata.items() if k != "jupyter"} == after.metadata
        else:
            assert after.source == before.source and after.metadata == before.metadata
    assert stored.cells[-1] == _read(notebook).cells[-1]  # the stored notebook itself is untouched


def test_no_solution_is_left_in_a_copy():
    nb = _read(next(p for p in NOTEBOOKS if p.stem.startswith("03")))
    text = nbformat.writes(student.student_copy(nb))
    for cell in student.solution_cells(nb):
        assert cell.source not in text
    assert "quiz_key" not in text and "text_columns = helpers.get_task(task_name)" not in text
    assert ": correct" in nbformat.writes(nb) and ": correct" not in text  # the stored checks' outputs are gone


def test_a_solution_is_swapped_for_its_stub():
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("question"),
            nbformat.v4.new_code_cell(
                "answer = (1, 0)",
                metadata={"tags": ["solution"], "exercise": {"name": "labels", "stub": "answer = ..."}},
            ),
            nbformat.v4.new_code_cell('exercises.check("labels", answer)'),
        ]
    )
    copied = student.student_copy(nb)
    assert [c.source for c in copied.cells] == ["question", "answer = ...", 'exercises.check("labels", answer)']
    assert copied.cells[1].metadata == nb.cells[1].metadata  # nothing else changes
    assert student.find_solution(nb, "labels") is nb.cells[1]
    unfolded = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["solution"]})])
    with pytest.raises(helpers.ParameterError, match="cell 0 is a solution without a stub"):
        student.student_copy(unfolded, "99_made_up")


def test_the_command_writes_copies_and_refuses_bad_out(tmp_path, capsys):
    out = tmp_path / "class"
    printed = said(capsys, "student", "01", "03", "--out", str(out)).splitlines()
    assert sorted(p.name for p in out.iterdir()) == ["01_loading_mrpc.ipynb", "03_batched_map.ipynb"]
    answers = len(student.solution_cells(_read(out / "03_batched_map.ipynb")))
    assert printed[1] == f"03_batched_map.ipynb: {answers} answer cell(s) for the student" and answers >= 4
    assert printed[-1].startswith("2 student copies in ")

    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder")
    for bad, message in [(str(out), "already exists and is not empty"), (str(a_file), "is an existing file")]:
        assert main(["student", "--out", bad]) == 2
        error = capsys.readouterr().err
        assert error.count("\n") == 1 and error.startswith("error: out=") and message in error
    assert main(["student", "09", "--out", str(tmp_path / "new")]) == 2
    assert "error: notebook='09': choose from 01_loading_mrpc" in capsys.readouterr().err
    assert not (tmp_path / "new").exists() and a_file.read_text() == "not a folder"
    (out / "notes.txt").write_text("the teacher's")
    kept = (out / "03_batched_map.ipynb").stat().st_mtime_ns
    assert main(["student", "01", "--out", str(out), "--overwrite"]) == 0  # replaces its one copy, nothing else
    assert sorted(p.name for p in out.iterdir()) == ["01_loading_mrpc.ipynb", "03_batched_map.ipynb", "notes.txt"]
    assert (out / "03_batched_map.ipynb").stat().st_mtime_ns == kept
    assert (out / "notes.txt").read_text() == "the teacher's"


@pytest.mark.notebooks
def test_copies_handed_out_beside_a_bundle_run_from_it_and_every_check_waits(tmp_path, monkeypatch):
    """`student --source BUNDLE`: the copies and the bundle, moved together to another place, run
    from there (started from yet another folder), take their data from the bundle, say so, and each
    self-check waits for an answer."""
    import shutil

    from helpers.classroom.bundle import build_bundle

    made = tmp_path / "teacher"
    build_bundle(["mrpc"], ["bert-base-uncased"], made / "bundle", source="sample")
    assert main(["student", "01", "--out", str(made / "class"), "--source", str(made / "bundle")]) == 0
    handed_out = tmp_path / "student-laptop"
    shutil.move(made, handed_out)
    (copy,) = (handed_out / "class").iterdir()
    assert notebook_parameters(copy)["source"]["default"] == '"../bundle"'  # relative: the two travel together
    monkeypatch.chdir(tmp_path)
    rows = run_notebooks([copy], {}, tmp_path / "ran", echo=lambda *a, **k: None)
    assert [(r["notebook"], r["status"]) for r in rows] == [("01_loading_mrpc", "ok")], rows
    assert set(rows[0]["sources"]) == {"nyu-mll/glue", "bert-base-uncased"}
    for text in rows[0]["sources"].values():
        assert text.startswith("classroom bundle") and "student-laptop/bundle" in text, text
    checks = exercises.read_checks(tmp_path / "ran" / copy.name)
    expected = {name for name, e in exercises.EXERCISES.items() if e.notebook == "01"}
    expected |= {f"quiz 01.{number}" for number in exercises.QUIZZES["01"]}
    assert set(checks) == expected and set(checks.values()) == {exercises.NOT_ANSWERED}


def test_student_source_must_be_a_folder(tmp_path, capsys):
    for bad, message in [
        ("sample", "must be a folder (a classroom bundle)"),
        (str(tmp_path / "missing"), "is neither 'auto', 'hub', 'sample' nor an existing folder"),
    ]:
        assert main(["student", "01", "--out", str(tmp_path / "class"), "--source", bad]) == 2
        error = capsys.readouterr().err
        assert error.count("\n") == 1 and error.startswith("error: source=") and message in error
    assert not (tmp_path / "class").exists()


def test_korean_copies_and_a_language_we_do_not_have(tmp_path, capsys):
    """`student --lang ko`: copies of notebooks/ko, their prose in Korean, the Korean reveal line gone
    with the answers, the language parameter "ko"; `--lang fr` is one line, exit 2, nothing written."""
    out = tmp_path / "반"  # a Korean folder name, as a Korean teacher may well choose
    assert main(["student", "01", "--lang", "ko", "--out", str(out)]) == 0
    copy, korean = _read(out / "01_loading_mrpc.ipynb"), _read(notebook_folder("ko") / "01_loading_mrpc.ipynb")
    text, stored = ("\n".join(cell.source for cell in nb.cells) for nb in (copy, korean))
    assert reveal_line("ko") in stored and reveal_line("ko") not in text
    assert len(student.solution_cells(copy)) == len(student.solution_cells(korean)) == 3
    assert 'language: str = "ko"' in text and "데이터셋" in text
    assert not any(cell.get("outputs") for cell in copy.cells if cell.cell_type == "code")
    capsys.readouterr()
    assert main(["student", "--lang", "fr", "--out", str(tmp_path / "fr")]) == 2
    assert capsys.readouterr().err == "error: --lang='fr': choose one of en, ko\n"
    assert not (tmp_path / "fr").exists()
