"""The project's promises about itself: the README's commands, CI, and the environment files."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _requirements() -> list[str]:
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    return [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]


def test_environment_yml_lists_the_same_packages_as_requirements():
    yml = (ROOT / "environment.yml").read_text()
    pip_section = re.findall(r"^\s+- (\S.*)$", yml.split("- pip:")[1], flags=re.M)
    assert [p.strip() for p in pip_section] == _requirements()
    assert "python=3.11" in yml


def test_torch_is_pinned_so_ci_never_pulls_a_cuda_build():
    assert any(re.fullmatch(r"torch==\d+\.\d+\.\d+", r) for r in _requirements())


def test_readme_opens_with_the_two_commands_and_ci_runs_the_test_one():
    head = (ROOT / "README.md").read_text().splitlines()[:12]
    commands = [line.strip() for line in head if line.strip().startswith("bash setup.sh")]
    assert commands == ["bash setup.sh && .venv/bin/python -m helpers run",
                        "bash setup.sh && .venv/bin/python -m pytest"]
    ci = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line.startswith("bash setup.sh")]
    assert [line.replace(" .venv/bin/ruff check . &&", "") for line in ci] == [commands[1]]  # plus the linter


@pytest.mark.processes
def test_one_notebook_alone_from_another_folder_gives_the_suites_result(tmp_path):
    """pytest loads the root conftest.py for a notebook named alone: offline, a fresh cache, whatever
    the caller's environment (a notebook named alone runs in this process: conftest.py adds no workers)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TQDM", "TRANSFORMERS"))}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", str(ROOT / "notebooks" / "01_loading_mrpc.ipynb")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout[-3000:]
    assert re.search(r"\d+ passed", done.stdout) and "bringing up nodes" not in done.stdout
