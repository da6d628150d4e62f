"""Measurement plumbing for the notebooks' timing and memory cells: the cells say what they
measure, these functions say how (best of several runs, peak Python memory, resident memory)."""

import gc
import os
import time
from pathlib import Path
from typing import NamedTuple


def best_seconds(work, repeat: int = 3) -> float:
    """Best of `repeat` runs: the run least disturbed by whatever else the machine is doing."""
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        runs.append(time.perf_counter() - started)
    return min(runs)


def peak_python_mb(work) -> float:
    """The peak of memory allocated by Python objects while `work` runs (tracemalloc), in MB."""
    import tracemalloc

    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


class Memory(NamedTuple):
    private_mb: float  # the process's own pages
    mapped_mb: float  # pages of mapped files: page cache the operating system can drop at any time


def process_memory() -> Memory:
    """Resident memory of this process, split into private and file-backed pages (Linux)."""
    import psutil

    gc.collect()
    info = psutil.Process().memory_info()
    shared = getattr(info, "shared", 0)  # Linux reports file-backed pages separately
    return Memory((info.rss - shared) / 2**20, shared / 2**20)


def repeat_rows(split, rows: int):
    """`rows` rows of a split, the split repeated as often as needed (no copy: Arrow slices)."""
    import datasets

    copies = rows // split.num_rows + 1
    return datasets.concatenate_datasets([split] * copies).select(range(rows))


def write_arrow(split, rows: int, folder) -> str:
    """An Arrow file on disk holding `rows` rows made from a split's rows; its path."""
    path = str(Path(folder) / "rows.arrow")
    repeat_rows(split, rows).flatten_indices(cache_file_name=path)
    return path


def file_mb(path) -> float:
    return os.path.getsize(path) / 2**20


def cores() -> int:
    """CPU cores this process may use (a container or taskset can allow fewer than the machine has)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
