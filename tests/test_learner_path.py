"""The learner's path: the course section in 45 minutes, depth one click away, answers hidden until
asked, and what a learner's kernel shows is what is stored.

What a learner's kernel shows is checked where notebooks run: nbval re-runs every stored notebook
in a kernel that has no display settings (this file checks that), and the papermill runs of
tests/test_notebooks.py compare their stderr outputs and progress widgets with the stored copy's.
"""

import os
from pathlib import Path

import nbformat
import pytest

from helpers.classroom.reading import COLLAPSED, deeper_cells, heading_level, noise, reading_minutes
from helpers.classroom.student import is_solution
from helpers.exercises import REVEAL_LINE
from helpers.running.runner import list_notebooks

NOTEBOOKS = list_notebooks()
COURSE_NOTEBOOKS = ("01", "02", "03", "04", "05")  # the course section; 06 and 07 go further
CORE_MINUTES = 45
DEEPER = "## Going further"
# Settings that would change what a notebook shows; no test or stored run may have them.
DISPLAY_SETTINGS = (
    "TQDM_DISABLE",
    "HF_DATASETS_DISABLE_PROGRESS_BARS",
    "HF_HUB_DISABLE_PROGRESS_BARS",
    "TRANSFORMERS_VERBOSITY",
    "PYTHONWARNINGS",
    "HELPERS_STATIC_OUTPUTS",
    "TRANSFORMERS_NO_ADVISORY_WARNINGS",
)


def _read(notebook):
    return nbformat.read(str(notebook), as_version=4)


def test_the_core_of_the_course_notebooks_reads_in_45_minutes():
    minutes = {nb.stem[:2]: reading_minutes(nb) for nb in NOTEBOOKS}
    print({nn: m for nn, m in minutes.items()})
    assert sum(minutes[nn]["core"] for nn in COURSE_NOTEBOOKS) <= CORE_MINUTES, minutes
    assert all(m["deeper"] > 0 for m in minutes.values())  # every notebook keeps its depth


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_depth_waits_under_collapsed_headings(notebook):
    cells = _read(notebook).cells
    going_further = [c for c in cells if c.cell_type == "markdown" and c.source.startswith(DEEPER)]
    assert going_further, "no collapsed section"
    for cell in cells:
        collapsed = bool(cell.metadata.get(COLLAPSED))
        assert collapsed == (cell in going_further), cell.source.splitlines()[0]
        assert heading_level(cell) == 2 if collapsed else True
    hidden = deeper_cells(cells)
    # a collapsed section ends at the next level-2 heading: takeaways, the quiz and its check stay visible
    assert not any(h for c, h in zip(cells, hidden) if "## Key takeaways" in c.source or "## Quiz" in c.source)
    checks = [h for c, h in zip(cells, hidden) if "check_quiz(" in c.source]
    assert checks == [False]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_answers_are_hidden_until_asked(notebook):
    cells = _read(notebook).cells
    solutions = [n for n, c in enumerate(cells) if is_solution(c)]
    assert solutions
    for n in solutions:
        hidden = cells[n].metadata.get("jupyter", {})
        assert hidden.get("source_hidden") and hidden.get("outputs_hidden"), cells[n].source[:60]
        above = cells[n - 1]
        assert above.cell_type == "markdown" and above.source.rstrip().endswith(REVEAL_LINE), above.source[-80:]


def test_notebook_1_opens_with_the_courses_example():
    code = [c for c in _read(NOTEBOOKS[0]).cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    opening = code[1].source  # the first code after the parameters
    for line in (
        "from torch.optim import AdamW",
        'batch["labels"] = torch.tensor([1, 1])',
        "optimizer = AdamW(model.parameters())",
        "loss.backward()\noptimizer.step()",
    ):
        assert line in opening


@pytest.mark.parametrize("notebook", NOTEBOOKS[5:], ids=lambda p: p.stem)
def test_notebooks_beyond_the_section_say_so_first(notebook):
    assert "beyond the course section" in _read(notebook).cells[0].source.replace("\n", " ")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_code_cells_stay_short(notebook):
    lengths = [len(c.source.splitlines()) for c in _read(notebook).cells if c.cell_type == "code"]
    assert max(lengths) <= 30, lengths  # about 25 lines: one screen of a laptop


def test_no_test_kernel_gets_display_settings():
    """Kernels started by nbval and papermill inherit this environment: it must be a learner's."""
    assert not [name for name in DISPLAY_SETTINGS if name in os.environ]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_noise_is_only_what_the_notebook_explains(notebook):
    """Stored stderr outputs: none (a notebook prints a report it explains on stdout); progress
    widgets only where the notebook says what they are (notebook 3's map)."""
    counted = noise(notebook)
    assert counted["stderr"] == 0, counted
    assert (counted["progress widgets"] > 0) == (notebook.stem[:2] == "03"), counted


def _noisy_notebook(path: Path) -> None:
    """Cells whose outputs nbval ignores: a warning on stderr and a bar, neither stored (cells 0 and 2),
    and a bar that is stored (cell 1)."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    ignored = {"tags": ["nbval-ignore-output"]}
    bar = {
        "application/vnd.jupyter.widget-view+json": {"model_id": "x", "version_major": 2, "version_minor": 0},
        "text/plain": "Map:  50%|#####     | 1/2 [00:00<00:00, 9.00 examples/s]",
    }
    cells = [
        new_code_cell("import sys\nprint('a warning', file=sys.stderr)", execution_count=1, metadata=ignored),
        new_code_cell(
            "from tqdm.auto import tqdm\nlist(tqdm(range(2), desc='Map'));",
            execution_count=2,
            metadata=ignored,
            outputs=[new_output("display_data", data=bar)],
        ),
        new_code_cell("list(tqdm(range(2), desc='Map'));", execution_count=3, metadata=ignored),
        new_code_cell("print(1)", execution_count=4, outputs=[new_output("stream", name="stdout", text="1\n")]),
    ]
    kernel = {"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}}
    nbformat.write(new_notebook(cells=cells, metadata=kernel), str(path))


@pytest.mark.processes
def test_nbval_fails_a_cell_that_shows_more_than_its_stored_copy(tmp_path):
    """The check conftest.py adds to nbval: a cell whose outputs nbval ignores still may not show a
    warning or a progress bar that its stored copy does not."""
    import subprocess
    import sys

    _noisy_notebook(tmp_path / "noisy.ipynb")
    plugins = ["-p", "conftest", "-p", "no:xdist", "-p", "no:cacheprovider"]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", *plugins, "--nbval", "--nbval-current-env", "noisy.ipynb"],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert "2 failed, 2 passed" in done.stdout, done.stdout[-2000:]
    shows_more = "a learner's kernel shows more than the stored copy"
    assert f"Cell 0: {shows_more}: {{'stderr': '1 live, 0 stored'}}" in done.stdout
    assert f"Cell 2: {shows_more}: {{'progress widgets': '1 live, 0 stored'}}" in done.stdout


def test_the_readmes_timing_table_is_the_notebooks_reading_time():
    """The README's table of reading times is measured, not typed: it must match the notebooks."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for notebook in NOTEBOOKS:
        minutes = reading_minutes(notebook)
        row = next(
            line for line in readme.splitlines() if line.startswith(f"| `{notebook.stem}` | ") and line.endswith(" s |")
        )
        core, deeper = (cell.strip() for cell in row.split("|")[2:4])
        assert (core, deeper) == (f"{minutes['core']:.0f} min", f"{minutes['deeper']:.0f} min"), row
