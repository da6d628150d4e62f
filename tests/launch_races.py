"""Count the launches whose processes never finish: `notebook_launcher` forks a small function many
times, and a launch still running after 40 s is a hang (its processes are then killed, and where
each one waited is recorded, with gdb when the machine has it). Notebook 7 met one (issue 22): a
process forked while the parent's store thread was looking up an address (c10d's getnameinfo)
inherits glibc's resolver lock held, and waits on it forever at its first connection.
`helpers.training.train.once_all_forked` holds each process back until all are forked. By hand:

    python tests/launch_races.py --launches 100 --processes 4            # as notebook 7 launches
    python tests/launch_races.py --launches 100 --processes 4 --compare  # and without, taking turns

More processes mean more connections while the launcher forks, so more chances of a hang.
"""

import argparse
import json
import os
import threading

os.environ["CUDA_VISIBLE_DEVICES"] = ""  # as notebook 7: every process on the CPU, one thread each
os.environ["OMP_NUM_THREADS"] = "1"

import psutil  # noqa: E402
import torch  # noqa: E402
from accelerate import Accelerator, notebook_launcher  # noqa: E402
from kernel_runs import where_they_wait  # noqa: E402  (this folder: run as a script)

from helpers.training.train import free_port, once_all_forked  # noqa: E402


def meet_and_part():
    """What every function of notebook 7 does first and last: join the group, then leave it."""
    Accelerator(cpu=True)
    torch.distributed.destroy_process_group()


def count(launches: int, processes: int, wrapped: tuple[bool, ...], seconds: float = 40) -> dict:
    """`launches` launches of each way in `wrapped`, taking turns (side by side on the same machine):
    {"unwrapped"/"once_all_forked": hangs, "stacks": where the processes of hung launches waited}."""
    me, hung, stacks = psutil.Process(), {way: 0 for way in wrapped}, []
    for number in range(launches * len(wrapped)):
        way = wrapped[number % len(wrapped)]
        finished = threading.Event()

        def watch(finished=finished, way=way):
            if not finished.wait(seconds):
                hung[way] += 1
                children = me.children(recursive=True)
                stacks.extend(where_they_wait(children, depth=4))
                for child in children:
                    child.kill()  # the launcher then reports the launch failed, and the loop goes on

        threading.Thread(target=watch, daemon=True).start()
        try:
            function = once_all_forked(meet_and_part) if way else meet_and_part
            notebook_launcher(function, num_processes=processes, use_port=free_port())
        except Exception:  # a launch whose processes were killed
            pass
        finished.set()
    names = {True: "once_all_forked", False: "unwrapped"}
    return {
        "launches each": launches,
        "processes": processes,
        "hung": {names[w]: n for w, n in hung.items()},
        "stacks": stacks,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--launches", type=int, default=100)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--compare", action="store_true", help="also launch without once_all_forked, taking turns")
    args = parser.parse_args(argv)
    result = count(args.launches, args.processes, wrapped=(False, True) if args.compare else (True,))
    print(json.dumps(result))
    return 0 if result["hung"]["once_all_forked"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
