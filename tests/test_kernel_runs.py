"""Notebook 7 the way JupyterLab runs it (issue 22): its processes are forked from the kernel, and a
forked process that computes on several threads after the kernel has waits forever at GNU OpenMP's
barrier. A learner meets it by running the cells a second time in one kernel (the speed comparison
runs the kernel on every core) on a machine where the processes get several threads each: four
cores, or OMP_NUM_THREADS set, as here. Every cell is sent at once, as "Run All" does, twice in one
kernel; the same run with the threads fix undone must hang there, or this test could not see the hang.
About a minute each: `pytest -m slow`."""

import os
import shutil

import pytest
from kernel_runs import code_cells, run_once

from helpers.running.runner import list_notebooks

pytestmark = [pytest.mark.slow, pytest.mark.notebooks]
(NOTEBOOK,) = list_notebooks(["07"])
# A learner's environment (none of the tests' thread settings), who set two threads per process.
LEARNER = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"} | {"OMP_NUM_THREADS": "2"}


def test_notebook_7_run_all_twice_in_one_kernel():
    result = run_once(NOTEBOOK, cell_timeout=240, run_all=True, twice=True, env=LEARNER)
    assert result["outcome"] == "ok", result


def test_without_the_fix_the_second_run_hangs_at_the_openmp_barrier():
    cells = code_cells(NOTEBOOK)
    first_training = next(number for number, source in enumerate(cells) if source.startswith("launch(one_step)"))
    result = run_once(NOTEBOOK, cell_timeout=45, undo=("threads",), run_all=True, twice=True, env=LEARNER)
    assert (result["outcome"], result["cell"]) == ("hung", len(cells) + first_training), result
    if shutil.which("gdb"):
        assert result["waiting"] == ["gomp_team_barrier_wait_end"] * 2, result
