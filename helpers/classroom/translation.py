"""The notebooks in another language, built from the English ones: one translation catalogue per
notebook (`notebooks/<language>/catalogue/NN_name.json`, keyed by cell id) holds each markdown cell's
translation and the SHA-1 of the English source it translates. Code cells stay the English ones, so
rebuilding carries every code change across; a catalogue is *stale* when an English cell changed
after it was translated, and incomplete when a markdown cell has no translation.

Called by the tests (tests/test_translation.py) and by whoever builds the translated notebooks.
"""

import copy
import hashlib
import json
from pathlib import Path

from ..errors import ParameterError
from ..running.runner import NOTEBOOK_DIR

LANGUAGES = ("ko",)


def source_sha1(source) -> str:
    """The SHA-1 of a cell's source as stored (a list of lines is joined), in UTF-8."""
    text = "".join(source) if isinstance(source, list) else source
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def catalogue_path(notebook: Path, language: str) -> Path:
    if language not in LANGUAGES:
        raise ParameterError("language", language, f"choose one of {', '.join(LANGUAGES)}")
    return NOTEBOOK_DIR / language / "catalogue" / f"{notebook.stem}.json"


def read_catalogue(notebook: Path, language: str) -> dict[str, dict]:
    path = catalogue_path(notebook, language)
    if not path.is_file():
        raise ParameterError("notebook", notebook.stem, f"has no {language} catalogue ({path.name})")
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def catalogue_problems(notebook: Path, language: str) -> list[str]:
    """What keeps the catalogue from translating the notebook as it is now, one line each."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    entries, problems = read_catalogue(notebook, language), []
    markdown = {cell["id"]: cell for cell in cells if cell["cell_type"] == "markdown"}
    for cell_id, cell in markdown.items():
        entry = entries.get(cell_id)
        if entry is None:
            problems.append(f"markdown cell {cell_id} has no translation")
        elif entry["source_sha1"] != source_sha1(cell["source"]):
            problems.append(f"markdown cell {cell_id} changed after it was translated (stale)")
    problems += [
        f"the catalogue translates cell {cell_id}, which is not a markdown cell of the notebook"
        for cell_id in entries
        if cell_id not in markdown
    ]
    return problems


def translated_notebook(notebook: Path, language: str) -> dict:
    """The notebook with its markdown cells in `language`: every other cell, and every cell's
    metadata (collapsed headings, hidden answers, tags), as in the English notebook."""
    problems = catalogue_problems(notebook, language)
    if problems:
        raise ParameterError("notebook", notebook.stem, f"cannot be built in {language}: {problems[0]}")
    built = copy.deepcopy(json.loads(notebook.read_text(encoding="utf-8")))
    entries = read_catalogue(notebook, language)
    for cell in built["cells"]:
        if cell["cell_type"] == "markdown":
            cell["source"] = entries[cell["id"]][language]
    return built
