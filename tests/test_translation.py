"""helpers.classroom.translation: each notebook's Korean catalogue translates every markdown cell of
the notebook as it is now (none missing, none stale, none for a cell that is gone), the built
notebook keeps the English code and every cell's metadata, and the stored Korean notebooks
(notebooks/ko/) are what a build gives today."""

import json
import re

import pytest

import helpers
from helpers.classroom import translation
from helpers.classroom.student import is_solution
from helpers.running.runner import list_notebooks, notebook_folder

NOTEBOOKS = list_notebooks()
HANGUL = re.compile(r"[\uac00-\ud7a3]")
REVEAL_KO = '*풀이는 아래 숨겨진 셀에 있습니다. 먼저 직접 풀어 본 다음, 그 셀의 "⋯"를 클릭해 펼쳐 보세요.*'


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_korean_catalogue_is_complete_and_current(notebook):
    assert translation.catalogue_problems(notebook, "ko") == []


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_built_notebook_is_korean_prose_around_the_english_code(notebook):
    english = json.loads(notebook.read_text(encoding="utf-8"))
    korean = translation.translated_notebook(notebook, "ko")
    assert len(korean["cells"]) == len(english["cells"])
    for before, after in zip(english["cells"], korean["cells"]):
        assert after["metadata"] == before["metadata"] and after["id"] == before["id"]
        if "parameters" in before["metadata"].get("tags", []):  # the one change in code: the language
            english_line, korean_line = (translation.LANGUAGE_LINE.format(lang) for lang in ("en", "ko"))
            english = "".join(before["source"])
            assert english_line in english and after["source"] == english.replace(english_line, korean_line)
        elif before["cell_type"] == "code":
            assert after == before  # the code, its outputs and its metadata: the English notebook's
        else:
            assert HANGUL.search(after["source"]), after["id"]
            for url in re.findall(r"https?://[^\s)>\]]+", "".join(before["source"])):  # every link kept
                assert url in after["source"] or url.replace("/llm-course/", "/llm-course/ko/") in after["source"]
    cells = korean["cells"]
    for number, cell in enumerate(cells):  # the line above each hidden answer says how to reveal it
        if is_solution(cell) and cell["metadata"].get("jupyter", {}).get("source_hidden"):
            above = next(c for c in reversed(cells[:number]) if c["cell_type"] == "markdown")
            assert above["source"].rstrip().endswith(REVEAL_KO), above["id"]
    assert helpers.COURSE_URL.replace("/llm-course/", "/llm-course/ko/") in cells[0]["source"]


def test_a_changed_missing_or_unknown_cell_is_named(tmp_path, monkeypatch):
    notebook = NOTEBOOKS[0]
    english = json.loads(notebook.read_text(encoding="utf-8"))
    markdown = [c for c in english["cells"] if c["cell_type"] == "markdown"]
    markdown[0]["source"] = "".join(markdown[0]["source"]) + " (edited)"
    english["cells"].remove(markdown[1])
    english["cells"].append({"cell_type": "markdown", "id": "new-cell", "metadata": {}, "source": "New."})
    edited = tmp_path / notebook.name
    edited.write_text(json.dumps(english), encoding="utf-8")
    problems = translation.catalogue_problems(edited, "ko")
    assert problems == [
        f"markdown cell {markdown[0]['id']} changed after it was translated (stale)",
        "markdown cell new-cell has no translation",
        f"the catalogue translates cell {markdown[1]['id']}, which is not a markdown cell of the notebook",
    ]
    with pytest.raises(helpers.ParameterError, match="cannot be built in ko: markdown cell .* \\(stale\\)"):
        translation.translated_notebook(edited, "ko")
    with pytest.raises(helpers.ParameterError, match="language='fr': choose one of ko"):
        translation.catalogue_path(notebook, "fr")


def _cells(notebook: dict) -> list[tuple]:
    return [(c["id"], c["cell_type"], "".join(c["source"]), c["metadata"]) for c in notebook["cells"]]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_stored_korean_notebook_is_current(notebook):
    """Stale when the English notebook or its catalogue changed after the Korean one was built and run."""
    stored = notebook_folder("ko") / notebook.name
    rebuild = f"rebuild it: python -m helpers refresh --lang ko {notebook.stem[:2]}"
    assert stored.is_file(), f"notebooks/ko/{notebook.name} is missing; {rebuild}"
    built = translation.translated_notebook(notebook, "ko")
    assert _cells(json.loads(stored.read_text(encoding="utf-8"))) == _cells(built), f"stale; {rebuild}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_korean_notebook_prints_the_helpers_lines_in_korean(notebook):
    """Its stored run: every self-check line and source line in Korean, none in English."""
    from helpers.language import message

    cells = json.loads((notebook_folder("ko") / notebook.name).read_text(encoding="utf-8"))["cells"]
    outputs = [output for cell in cells if cell["cell_type"] == "code" for output in cell["outputs"]]
    shown = "\n".join("".join(o.get("text") or o.get("data", {}).get("text/plain", "")) for o in outputs)
    english = re.findall(r"^\S.*: (?:correct|not yet|not answered yet)$|Source of ", shown, flags=re.M)
    korean = re.findall(rf"^\S.*: {message('status.correct', 'ko')}$", shown, flags=re.M)
    assert not english and korean and "의 출처: " in shown, english
