"""What every pytest run gets, however it is started: the whole suite, one test file, or one notebook
(`pytest notebooks/04_dynamic_padding.ipynb`), from the project's folder or any other.

Kernels and processes the tests start inherit these settings: offline, one thread each, and a fresh
Hugging Face cache (a warm one would hide what a cold one shows). Nothing here changes what a
notebook shows: a test kernel is a learner's kernel. They are the same settings `python -m helpers
refresh` stores outputs with.
"""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from helpers.running.environment import STORED_RUN_ENV

ROOT = Path(__file__).resolve().parent
# Set before any Hugging Face library is imported: they read these at import time.
os.environ.update(STORED_RUN_ENV)
os.environ["HF_HOME"] = tempfile.mkdtemp(prefix="hf_home_")
atexit.register(shutil.rmtree, os.environ["HF_HOME"], ignore_errors=True)

SLOW_MARKERS = ("notebooks", "processes", "slow")
# Files of independent tests (each starts its own processes, shares no module fixture): their tests
# are spread over the workers one by one, so that the two workers finish together.
SPREAD = (
    "test_runner.py",
    "test_notebooks.py",
    "test_train.py",
    "test_hub.py",
    "test_project.py",
    "test_student.py",
    "test_grading.py",
    "test_kernel_runs.py",
)
SPREAD_KEY = pytest.StashKey[bool]()


@pytest.hookimpl(optionalhook=True)  # xdist may be absent, or off (-p no:xdist)
def pytest_xdist_make_scheduler(config, log):
    """With the two workers chosen here: a file at a time (its kernel, its module fixtures), except
    the SPREAD files, whose tests go one at a time. (xdist's own loadgroup cannot do it on pytest 9:
    it renames items through `_nodeid`, which pytest 9 no longer reads.)"""
    if not config.stash.get(SPREAD_KEY, False):
        return None
    from xdist.scheduler import LoadScopeScheduling

    class FilesAndSpreadTests(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return nodeid if Path(path).name in SPREAD else path

    return FilesAndSpreadTests(config, log)


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    """Two workers, a file each at a time, unless the caller chose (-n, or -p no:xdist) or named one file."""
    one_file = len(config.args) == 1 and Path(config.args[0].split("::")[0]).is_file()
    if (
        config.pluginmanager.hasplugin("xdist")
        and not hasattr(config, "workerinput")
        and config.option.numprocesses is None
        and not config.option.collectonly
        and not config.option.usepdb
        and not one_file
    ):  # one file runs in one worker anyway
        config.option.numprocesses = 2
        # A notebook's cells stay in one kernel, a file's module fixtures on one worker; the long
        # independent tests of SPREAD files go one by one to whichever worker is free.
        config.option.dist = "loadfile"
        config.option.loadscopereorder = False  # keep the order below, longest first
        config.stash[SPREAD_KEY] = True


def pytest_configure(config):
    if getattr(config.option, "nbval_sanitize_with", "unset") is None:  # found from any folder
        config.option.nbval_sanitize_with = str(ROOT / "tests" / "sanitize.cfg")


# Longest first, so that the two workers finish together: the browser test (one worker, about 100 s),
# the nbgrader round trip, then the notebooks, longest first.
FIRST = (
    "test_browser.py",
    "test_grading.py",
    "test_kernel_runs.py",
    "07_multiple_processes.ipynb",
    "06_padding_lab.ipynb",
    "03_batched_map.ipynb",
)


def _korean_and_not_named(item) -> bool:
    """A Korean notebook (notebooks/ko/) runs the English notebook's code: nbval re-runs all seven
    with `pytest -m slow` (CI runs it), or one when it is named (`pytest notebooks/ko/05_adamw_step.ipynb`,
    as tests/test_project.py does in the default run)."""
    return item.path.parent.name == "ko" and not item.session.isinitpath(item.path)


def _rank(item, slow: bool) -> tuple:
    if item.path.name in FIRST:
        return (0, FIRST.index(item.path.name))
    if item.path.suffix == ".ipynb":
        return (1, 0)
    return ((2 if item.path.name in SPREAD else 3) if slow else 4, 0)


def pytest_collection_modifyitems(items):
    """Notebook cells are `notebooks` tests; whatever is not marked slow is a fast `unit` test.

    Order, for two workers that finish together: FIRST, the other notebooks, the slow tests of the
    SPREAD files (each on its own), the other slow ones, then the fast ones, which fill the gaps.
    """
    rank = {}
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.notebooks)
            if _korean_and_not_named(item):
                item.add_marker(pytest.mark.slow)
        slow = any(item.get_closest_marker(name) for name in SLOW_MARKERS)
        if not slow:
            item.add_marker(pytest.mark.unit)
        rank[item] = _rank(item, slow)
    items.sort(key=rank.__getitem__)  # stable: a file's tests keep their order


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A notebook cell run by nbval shows no more stderr outputs and progress widgets than its stored
    copy, in every cell, even those whose outputs nbval does not compare (nbval-ignore-output):
    the learner's kernel shows what the notebook stores, nothing more."""
    result = yield
    live = getattr(item, "test_outputs", None)
    if live is not None and item.path.suffix == ".ipynb":
        from nbval.plugin import coalesce_streams

        from helpers.classroom.reading import noise

        seen = noise([{"outputs": live}])
        stored = noise([{"outputs": coalesce_streams(list(item.cell.outputs))}])
        more = {kind: f"{seen[kind]} live, {stored[kind]} stored" for kind in seen if seen[kind] > stored[kind]}
        assert not more, f"{item.name}: a learner's kernel shows more than the stored copy: {more}"
    return result
