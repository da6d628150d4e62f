"""The notebooks in another language, built from the English ones: one translation catalogue per
notebook (`notebooks/<language>/catalogue/NN_name.json`, keyed by cell id) holds each markdown cell's
translation and the SHA-1 of the English source it translates. Code cells stay the English ones, so
rebuilding carries every code change across; a catalogue is *stale* when an English cell changed
after it was translated, and incomplete when a markdown cell has no translation.

The built notebook's parameters cell sets `language` to its language, so the helpers print in it
too. `python -m helpers refresh --lang ko` builds the notebooks into `notebooks/ko/` and stores a
real run's outputs; tests/test_translation.py fails when a stored one is not what a build gives.
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


LANGUAGE_LINE = 'language: str = "{}"'  # the parameters cell's line that picks the helpers' language


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
        elif "parameters" in cell["metadata"].get("tags", []):
            cell["source"] = _set_language(cell["source"], language, notebook)
    return built


def _set_language(source, language: str, notebook: Path) -> str:
    text = "".join(source) if isinstance(source, list) else source
    english = LANGUAGE_LINE.format("en")
    if text.count(english) != 1:
        raise ParameterError("notebook", notebook.stem, f"its parameters cell has no line {english!r}")
    return text.replace(english, LANGUAGE_LINE.format(language))


def without_outputs(notebook: dict) -> dict:
    """The notebook as a build gives it: no outputs, no execution counts, no widget state."""
    bare = copy.deepcopy(notebook)
    bare["metadata"].pop("widgets", None)
    for cell in bare["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return bare


def build_translations(notebooks: list[Path], language: str) -> list[Path]:
    """Write each notebook in `language` into notebooks/<language>/, without outputs: `refresh
    --lang` builds them, then runs them and stores their outputs."""
    import nbformat

    written = []
    for notebook in notebooks:
        target = NOTEBOOK_DIR / language / notebook.name
        nbformat.write(nbformat.from_dict(without_outputs(translated_notebook(notebook, language))), str(target))
        written.append(target)
    return written
