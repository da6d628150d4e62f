"""Check notebook parameters up front: one clear message naming the parameter, in seconds.

Each notebook's second cell calls `check_parameters(...)` with its parameters; the runner calls
the same function, with each notebook's own arguments, before the first notebook starts.
"""

import numbers
import re
import tempfile
from pathlib import Path

from ..errors import ParameterError
from ..language import check_language
from ..tasks import get_task
from .outdir import check_out_dir, check_path_text  # noqa: F401  (check_out_dir: the one --out rule)

MODEL_MAX_POSITIONS = 512  # BERT-family checkpoints; the tokenizer's own limit is checked too
# The shortest max_length every notebook runs with: notebook 2 truncates only the second sentence
# of its first pair (truncation="only_second"), so the first sentence (24 tokens on the embedded
# sample, 23 on MRPC) and [CLS] [SEP] [SEP] must fit, with a token of the second: 24 + 3 + 1.
MIN_MAX_LENGTH = 28
MAX_SEED = 2**32 - 1  # numpy's and torch's seeding overflows above it
MAX_STEPS = 10_000  # bench pads every step's batch up front; longer training: use epochs


def is_int(value) -> bool:
    """A whole number (numpy's included), and not a bool: True is an int to Python, not a count."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_int(name: str, value, low: int, high: int | None, allowed: str) -> int:
    """The one check every whole-number parameter goes through: an int from low to high (no upper
    bound when high is None), else a ParameterError naming the parameter, the value and `allowed`."""
    if not is_int(value) or value < low or (high is not None and value > high):
        raise ParameterError(name, value, allowed)
    return value


def check_positive_int(name: str, value, maximum: int | None = None) -> int:
    return check_int(
        name, value, 1, maximum, "must be a positive integer" + (f" of at most {maximum}" if maximum else "")
    )


def check_num_processes(value) -> int:
    """Notebook 7 is about several processes: at least 2."""
    return check_int("num_processes", value, 2, 64, "an integer from 2 to 64: this notebook is about several processes")


def check_seed(seed) -> int:
    return check_int(
        "seed",
        seed,
        0,
        MAX_SEED,
        f"must be an integer from 0 to {MAX_SEED} (2**32 - 1, the largest seed numpy and torch accept)",
    )


def check_max_length(max_length, tokenizer=None) -> int:
    """From MIN_MAX_LENGTH to what the model takes (512), and to the tokenizer's own limit if given."""
    limit = MODEL_MAX_POSITIONS
    if tokenizer is not None:
        limit = min(int(getattr(tokenizer, "model_max_length", limit)), limit)
    check_positive_int("max_length", max_length, limit)
    if max_length < MIN_MAX_LENGTH:
        raise ParameterError(
            "max_length",
            max_length,
            f"must be from {MIN_MAX_LENGTH} to {limit}: notebook 2 "
            "keeps a whole first sentence (24 tokens on the sample) with [CLS] [SEP] [SEP] "
            "and a token of the second",
        )
    return max_length


def check_learning_rate(value) -> float:
    if not is_number(value) or not 0 < value < 1:
        raise ParameterError("learning_rate", value, "must be a number between 0 and 1, such as 5e-5")
    return float(value)


def check_device(device) -> str:
    """'auto', 'cpu', 'cuda' or 'cuda:N'; a GPU only where there is one."""
    if not isinstance(device, str) or not re.fullmatch(r"auto|cpu|cuda(:\d+)?", device):
        raise ParameterError("device", device, "choose 'auto', 'cpu' or 'cuda'")
    if device.startswith("cuda"):
        import torch

        if not torch.cuda.is_available():
            raise ParameterError("device", device, "no CUDA device is available here; use 'auto' or 'cpu'")
    return device


def _checked_source(value) -> str:
    from ..offline.sources import check_source

    if isinstance(value, (str, Path)):  # a folder's name: UTF-8, no name too long for a file system
        check_path_text("source", value)
    return check_source(value)


def _checked_name(value) -> str:
    from ..offline.sources import check_name

    return check_name(value)


CHECKS = {
    "task": lambda v: get_task(v).name,
    "source": _checked_source,
    "max_length": check_max_length,
    "batch_size": lambda v: check_positive_int("batch_size", v, 4096),
    "sample_size": lambda v: check_positive_int("sample_size", v),
    "bench_rows": lambda v: check_positive_int("bench_rows", v, 1_000_000),
    "memory_rows": lambda v: check_positive_int("memory_rows", v, 1_000_000),
    "num_proc": lambda v: check_positive_int("num_proc", v, 64),
    "num_processes": check_num_processes,
    "steps": lambda v: check_positive_int("steps", v, MAX_STEPS),
    "seed": check_seed,
    "learning_rate": check_learning_rate,
    "device": check_device,
    "language": check_language,
}


def check_parameters(*, need_pair: bool = False, need_labels: bool = False, **params) -> dict:
    """Each parameter checked and normalised (a source folder made absolute), then what they ask
    for together: that the source serves the task in its schema, that each checkpoint can be had
    from the source, that a sample fits its split, that the cache can be written. Unknown names
    pass through untouched. need_pair / need_labels: this notebook needs sentence pairs / labels.
    """
    checked = {}
    for name, value in params.items():
        if name.endswith("checkpoint"):
            checked[name] = _renamed(name, _checked_name, value)
        else:
            checked[name] = CHECKS[name](value) if name in CHECKS else value
    if "task" in checked:
        get_task(checked["task"], need_labels=need_labels, need_pair=need_pair)
    if "source" in checked:
        from ..offline.sources import check_task_source, resolve, train_rows

        source = checked["source"]
        check_cache_writable()
        if "task" in checked:
            check_task_source(checked["task"], source)
            if "sample_size" in checked:
                check_sample_size(checked["sample_size"], train_rows(checked["task"], source))
        for name in [n for n in checked if n.endswith("checkpoint")]:
            _renamed(name, resolve, checked[name], source, False)  # named, not built: a check builds nothing
    return checked


def _renamed(name: str, check, *args):
    """Run a check that names its parameter 'checkpoint' as the parameter it was called for."""
    try:
        return check(*args)
    except ParameterError as error:
        if error.parameter == "checkpoint" and name != "checkpoint":
            raise ParameterError(name, error.value, error.allowed) from None
        raise


def check_cache_writable() -> None:
    """The libraries cache data, models and this project's stand-ins under HF_HOME."""
    import datasets.config
    from huggingface_hub import constants

    for folder in dict.fromkeys([Path(constants.HF_HOME), Path(datasets.config.HF_DATASETS_CACHE)]):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            tempfile.TemporaryFile(dir=folder).close()
        except OSError:
            raise ParameterError(
                "HF_HOME",
                str(folder),
                "is not writable, and the libraries cache data and "
                "models there: set HF_HOME to a folder you can write (for example "
                "`export HF_HOME=~/hf-cache`) before starting Python",
            ) from None


def check_sample_size(sample_size: int, rows) -> int:
    """A sample cannot be larger than the split it is drawn from (a split, or its number of rows)."""
    check_positive_int("sample_size", sample_size)
    rows = rows if isinstance(rows, int) else rows.num_rows
    if sample_size > rows:
        raise ParameterError("sample_size", sample_size, f"must be at most {rows}, the number of rows in the split")
    return sample_size


def check_timeout(seconds) -> int:
    return check_positive_int("timeout", seconds)
