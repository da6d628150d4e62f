"""Run a notebook the way JupyterLab does, many times: a kernel started by jupyter_client in the
notebook's folder, its code cells sent one by one (or all at once, as "Run All"), each with a time
limit. Notebook 7 forks that kernel (`notebook_launcher`), and a forked process hangs for good when
it computes on several threads after the kernel has (GNU OpenMP's pool is copied without its
threads; issue 22). Used by tests/test_kernel_runs.py, and by hand:

    python tests/kernel_runs.py notebooks/07_multiple_processes.ipynb --runs 10
    OMP_NUM_THREADS=2 python tests/kernel_runs.py notebooks/07_multiple_processes.ipynb --twice --undo threads

`--twice` runs every cell twice in one kernel, as a learner who runs them all again; `--undo threads`
undoes the notebook's first fix (one thread per process, set before torch loads and before every
fork), `--undo look-ups` its second (tests/launch_races.py), `--before-fix` both.
A run that hangs says where each forked process waits (with gdb, when the machine has it).
"""

import argparse
import os
import queue
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
from jupyter_client.manager import start_new_kernel

# The notebook's two fixes, each a set of (fixed, undone) edits to its code cells: --undo NAME.
FIXES = {
    # one thread per process, set before torch loads and before every fork
    "threads": {'os.environ["OMP_NUM_THREADS"] = "1"': "pass", "torch.set_num_threads(1)": "pass"},
    # each forked process waits for the others to be forked before its first connection
    "look-ups": {"once_all_forked(function)": "function"},
}


def code_cells(path: Path, undo: tuple[str, ...] = ()) -> list[str]:
    """The notebook's code cells, with the fixes named in `undo` undone."""
    cells = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    for name in undo:
        for fixed, undone in FIXES[name].items():
            assert any(fixed in source for source in cells), f"{path.name} no longer has {fixed!r}"
            cells = [source.replace(fixed, undone) for source in cells]
    return cells


def run_once(
    path: Path,
    cell_timeout: float = 240,
    undo: tuple[str, ...] = (),
    run_all: bool = False,
    env: dict | None = None,
    twice: bool = False,
) -> dict:
    """One kernel (with `env`, else this process's environment), every code cell in turn:
    {"outcome": "ok" | "error" | "hung", "cell", "seconds"}; a hung run adds "waiting": where each
    forked process waits. `cell` counts the code cells sent (the second pass goes on from the first).
    run_all: send every cell at once, as JupyterLab's "Run All" does (the kernel queues them), rather
    than each after the one before has finished. twice: every cell, then every cell again."""
    started = time.monotonic()
    env = dict(os.environ) if env is None else env  # jupyter_client reads the dict it is given
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(path.parent), env=env)
    try:
        cells = code_cells(path, undo) * (2 if twice else 1)
        sent = [client.execute(source) for source in cells] if run_all else []
        for number, source in enumerate(cells):
            msg_id = sent[number] if run_all else client.execute(source)
            reply = _reply(client, msg_id, time.monotonic() + cell_timeout)
            seconds = round(time.monotonic() - started)
            if reply is None:
                waiting = _waiting(psutil.Process(manager.provisioner.pid))
                return {"outcome": "hung", "cell": number, "seconds": seconds, "waiting": waiting}
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


def where_they_wait(processes: list[psutil.Process], depth: int = 1) -> list[list[str]]:
    """The innermost `depth` native functions of each process, as gdb's backtrace names them
    ([] without gdb). A frame reads "#0  0x… in name (…)", or "#0  name (…) at file" with debug info."""
    gdb, stacks = shutil.which("gdb"), []
    for process in processes if gdb else []:
        trace = subprocess.run(
            [gdb, "-p", str(process.pid), "-batch", "-ex", f"bt {depth}"], capture_output=True, text=True, timeout=60
        ).stdout
        frames = [
            line.split(" in ", 1)[-1] if " in " in line else line.split(None, 1)[-1]
            for line in trace.splitlines()
            if line.startswith("#")
        ]
        stacks.append([frame.split(" (")[0][:80] for frame in frames])
    return stacks


def _waiting(kernel: psutil.Process) -> list[str]:
    """Where each process forked from the kernel waits: its innermost native function."""
    return [stack[0] for stack in where_they_wait(kernel.children(recursive=True)) if stack]


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
    parser.add_argument("--undo", action="append", choices=FIXES, default=[], help="undo one of the fixes")
    parser.add_argument("--before-fix", action="store_true", help="undo both fixes")
    parser.add_argument("--run-all", action="store_true", help="send every cell at once, as JupyterLab's Run All")
    parser.add_argument("--twice", action="store_true", help="every cell twice in one kernel")
    args = parser.parse_args(argv)
    results = []
    for run in range(1, args.runs + 1):
        undo = tuple(FIXES) if args.before_fix else tuple(args.undo)
        results.append(run_once(args.notebook, args.cell_timeout, undo, args.run_all, twice=args.twice))
        print(run, results[-1], flush=True)
    passed = sum(r["outcome"] == "ok" for r in results)
    how = "as before the fixes" if args.before_fix else f"undone: {', '.join(args.undo)}" if args.undo else "as stored"
    how += ", run all" if args.run_all else ", cell by cell"
    how += ", twice in one kernel" if args.twice else ""
    how += f", OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}"
    print(f"{passed} of {len(results)} runs passed ({how})")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
