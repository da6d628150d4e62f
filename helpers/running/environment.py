"""The environment variables this project sets, in one place: what stored outputs are made with,
the caches made absolute for kernels, GPUs hidden for CPU training, and the one way any of them is
set for a while (`scoped_env`). The Hub's decision and timeouts, which a kernel reads back, are
`hub`'s (DECISION_ENV, the HF_HUB_*_TIMEOUT bounds, `set_offline_mode`).
"""

import os
from contextlib import contextmanager

# What stored outputs are made with and checked against. Nothing here changes what a notebook
# shows: each notebook decides that itself, as a learner's kernel runs it. Offline (no network
# here, and the reason printed in the source line must not depend on the machine's network),
# one thread per kernel (two kernels share two cores in the tests) that sleeps rather than spins
# while it waits. HF_HOME, a fresh cache, is added by the caller.
STORED_RUN_ENV = {"HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1", "OMP_WAIT_POLICY": "PASSIVE"}

# The Hugging Face cache folders a user may set; a relative one is the user's folder's, not the
# notebooks' (the kernels' working folder), so kernels get it absolute.
CACHE_ENV = (
    "HF_HOME",
    "HF_HUB_CACHE",
    "HUGGINGFACE_HUB_CACHE",
    "HF_DATASETS_CACHE",
    "HF_XET_CACHE",
    "HF_ASSETS_CACHE",
    "TRANSFORMERS_CACHE",
    "XDG_CACHE_HOME",
)


def absolute_cache_env() -> dict[str, str]:
    """Each cache variable that is set, made absolute against this process's working folder."""
    return {name: os.path.abspath(os.path.expanduser(os.environ[name])) for name in CACHE_ENV if os.environ.get(name)}


def hide_gpus() -> str | None:
    """Training on the CPU of a machine with GPUs: hide them from this process. Accelerate's
    `wait_for_everyone` (behind `main_process_first` too) calls `torch.distributed.barrier` with
    the process's local rank as device id, and torch then places the barrier on that GPU: with
    fewer GPUs than processes, "CUDA error: invalid device ordinal" (accelerate 1.15, seen with
    torch 2.11 on a one-GPU machine). Without visible GPUs the barrier stays on the CPU. It must
    run before CUDA is first asked about, and changes nothing on a machine without GPUs.
    Returns the setting it replaced (None: there was none)."""
    before = os.environ.get("CUDA_VISIBLE_DEVICES")
    os.environ["CUDA_VISIBLE_DEVICES"] = ""
    return before


@contextmanager
def scoped_env(values: dict[str, str]):
    """Set environment variables for the duration of a block, then restore the caller's."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
