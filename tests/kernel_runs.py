"""Run a notebook the way JupyterLab does, many times: a kernel started by jupyter_client in the
notebook's folder, its code cells sent one by one, each with a time limit. Notebook 7 forks that
kernel (`notebook_launcher`); a fork taken while another thread holds a lock can hang the child, and
JupyterLab's run-all once did (issue 22). Used by test_notebooks' slow test, and by hand:

    python tests/kernel_runs.py notebooks/07_multiple_processes.ipynb --runs 10

`--before-fix` runs notebook 7 as it was before the fix (no OMP_NUM_THREADS=1 set before torch
loads, progress bars drawn from the forked processes), to count how often that hung.
"""

import argparse
import os
import queue
import sys
import time
from pathlib import Path

import nbformat
import psutil
from jupyter_client.manager import start_new_kernel

# The lines the fix added, and what they replace to undo it (--before-fix).
FIX = {
    'os.environ.setdefault("OMP_NUM_THREADS", "1")': "pass",
    "no_progress_bar=True": "no_progress_bar=False",
}


def code_cells(path: Path, before_fix: bool = False) -> list[str]:
    cells = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    if before_fix:
        for fixed, undone in FIX.items():
            assert any(fixed in source for source in cells), f"{path.name} no longer has {fixed!r}"
            cells = [source.replace(fixed, undone) for source in cells]
    return cells


def run_once(
    path: Path, cell_timeout: float = 240, before_fix: bool = False, run_all: bool = False, env: dict | None = None
) -> dict:
    """One kernel (with `env`, else this process's environment), every code cell in turn:
    {"outcome": "ok" | "error" | "hung", "cell", "seconds"}.
    run_all: send every cell at once, as JupyterLab's "Run All" does (the kernel queues them), rather
    than each after the one before has finished."""
    started = time.monotonic()
    env = dict(os.environ) if env is None else env  # jupyter_client reads the dict it is given
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(path.parent), env=env)
    try:
        cells = code_cells(path, before_fix)
        sent = [client.execute(source) for source in cells] if run_all else []
        for number, source in enumerate(cells):
            msg_id = sent[number] if run_all else client.execute(source)
            reply = _reply(client, msg_id, time.monotonic() + cell_timeout)
            seconds = round(time.monotonic() - started)
            if reply is None:
                return {"outcome": "hung", "cell": number, "seconds": seconds}
            if reply["content"]["status"] != "ok":
                error = f"{reply['content'].get('ename')}: {reply['content'].get('evalue')}"
                return {"outcome": "error", "cell": number, "error": error, "seconds": seconds}
        return {"outcome": "ok", "cell": None, "seconds": round(time.monotonic() - started)}
    finally:
        client.stop_channels()
        # a hung run leaves forked processes: end them with their kernel
        children = psutil.Process(manager.provisioner.pid).children(recursive=True)
        manager.shutdown_kernel(now=True)
        for child in children:
            if child.is_running():
                child.kill()


def _reply(client, msg_id: str, deadline: float) -> dict | None:
    """The shell reply to one execute request, or None when it has not come by the deadline."""
    while True:
        try:
            reply = client.get_shell_msg(timeout=max(deadline - time.monotonic(), 0.1))
        except queue.Empty:
            return None
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cell-timeout", type=float, default=240)
    parser.add_argument("--before-fix", action="store_true")
    parser.add_argument("--run-all", action="store_true", help="send every cell at once, as JupyterLab's Run All")
    args = parser.parse_args(argv)
    results = []
    for run in range(1, args.runs + 1):
        results.append(run_once(args.notebook, args.cell_timeout, args.before_fix, args.run_all))
        print(run, results[-1], flush=True)
    passed = sum(r["outcome"] == "ok" for r in results)
    how = "as before the fix" if args.before_fix else "as stored"
    how += ", run all" if args.run_all else ", cell by cell"
    print(f"{passed} of {len(results)} runs passed ({how})")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
