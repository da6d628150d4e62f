"""Notebook 7 the way JupyterLab runs it, again and again (issue 22): its processes are forked from
the kernel, and JupyterLab's "Run All" once hung there. nbval runs it cell by cell on every test
run; this sends every cell at once, as Run All does, three times, in a learner's environment (no
thread settings of the tests). About two minutes: `pytest -m slow`."""

import os

import pytest
from kernel_runs import run_once

from helpers.running.runner import list_notebooks

pytestmark = [pytest.mark.slow, pytest.mark.notebooks]


def test_notebook_7_run_all_three_times_in_a_jupyter_kernel():
    (notebook,) = list_notebooks(["07"])
    learner = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "OMP_WAIT_POLICY")}
    results = [run_once(notebook, cell_timeout=240, run_all=True, env=learner) for _ in range(3)]
    assert [r["outcome"] for r in results] == ["ok"] * 3, results
