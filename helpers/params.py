"""Check notebook parameters up front: one clear message naming the parameter, in milliseconds."""

from pathlib import Path

from .errors import ParameterError
from .tasks import get_task

MODEL_MAX_POSITIONS = 512  # BERT-family checkpoints; the tokenizer's own limit is checked too


def check_positive_int(name: str, value, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ParameterError(name, value, "must be a positive integer"
                             + (f" of at most {maximum}" if maximum else ""))
    if maximum is not None and value > maximum:
        raise ParameterError(name, value, f"must be a positive integer of at most {maximum}")
    return value


def check_source(source) -> str:
    if not isinstance(source, str) or not source.strip():
        raise ParameterError("source", source, "pass 'auto', 'hub', 'sample' or a local folder")
    if source not in ("auto", "hub", "sample") and not Path(source).expanduser().is_dir():
        raise ParameterError("source", source, "is neither 'auto', 'hub', 'sample' nor an existing folder")
    return source


def check_checkpoint(checkpoint) -> str:
    if not isinstance(checkpoint, str) or not checkpoint.strip() or " " in checkpoint.strip():
        raise ParameterError("checkpoint", checkpoint, "a model id such as 'bert-base-uncased'")
    return checkpoint.strip()


def check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ParameterError("seed", seed, "must be a non-negative integer")
    return seed


CHECKS = {
    "task": lambda v: get_task(v).name,
    "source": check_source,
    "checkpoint": check_checkpoint,
    "max_length": lambda v: check_positive_int("max_length", v, MODEL_MAX_POSITIONS),
    "batch_size": lambda v: check_positive_int("batch_size", v, 4096),
    "sample_size": lambda v: check_positive_int("sample_size", v),
    "bench_rows": lambda v: check_positive_int("bench_rows", v, 1_000_000),
    "memory_rows": lambda v: check_positive_int("memory_rows", v, 1_000_000),
    "num_proc": lambda v: check_positive_int("num_proc", v, 64),
    "steps": lambda v: check_positive_int("steps", v),
    "seed": check_seed,
    "learning_rate": lambda v: _check_learning_rate(v),
}


def _check_learning_rate(value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
        raise ParameterError("learning_rate", value, "must be a number between 0 and 1, such as 5e-5")
    return float(value)


def check_parameters(**params) -> dict:
    """Each known parameter checked and normalised; unknown names pass through untouched."""
    return {name: CHECKS[name](value) if name in CHECKS else value for name, value in params.items()}


def check_max_length(max_length: int, tokenizer) -> int:
    """max_length may not exceed what the tokenizer (and its model) can take."""
    limit = min(int(getattr(tokenizer, "model_max_length", MODEL_MAX_POSITIONS)), MODEL_MAX_POSITIONS)
    return check_positive_int("max_length", max_length, limit)


def check_sample_size(sample_size: int, split) -> int:
    """A sample cannot be larger than the split it is drawn from."""
    check_positive_int("sample_size", sample_size)
    if sample_size > split.num_rows:
        raise ParameterError("sample_size", sample_size,
                             f"must be at most {split.num_rows}, the number of rows in the split")
    return sample_size
