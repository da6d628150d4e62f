"""What padding costs: positions computed versus real tokens, under each batching strategy.

Batches are formed the way the libraries form them: random batches from a seeded
permutation (a shuffled DataLoader), length-grouped batches from transformers' own
`LengthGroupedSampler` (what `group_by_length` uses in the Trainer). Only the arithmetic of
widths is written here; it mirrors what `DataCollatorWithPadding` does to each batch.
"""

from dataclasses import dataclass, field

import torch
from transformers.trainer_pt_utils import LengthGroupedSampler

from .errors import ParameterError
from .params import check_positive_int

STRATEGIES = {
    "fixed": "pad every example to max_length",
    "longest_overall": "pad every example to the longest in the dataset",
    "dynamic": "pad each random batch to its longest example",
    "dynamic_multiple_of_8": "dynamic, rounded up to a multiple of 8",
    "length_grouped": "dynamic, batches of similar lengths (LengthGroupedSampler)",
}


@dataclass
class PaddingStats:
    strategy: str
    positions: int  # token positions the model computes: sum of batch_size x width
    real_tokens: int  # positions holding a real token (attention_mask == 1)
    batch_widths: list[int] = field(repr=False)
    batch_waste: list[float] = field(repr=False)  # share of padding in each batch

    @property
    def waste(self) -> float:
        return 1 - self.real_tokens / self.positions

    @property
    def distinct_shapes(self) -> int:
        return len(set(self.batch_widths))

    def as_row(self) -> dict:
        return {"strategy": self.strategy, "positions": self.positions, "real_tokens": self.real_tokens,
                "waste": round(self.waste, 4), "batches": len(self.batch_widths),
                "distinct_shapes": self.distinct_shapes}


def batch_order(lengths: list[int], batch_size: int, strategy: str, seed: int = 0) -> list[list[int]]:
    """Indices of the examples in each batch, as one epoch of a DataLoader would draw them."""
    generator = torch.Generator().manual_seed(seed)
    if strategy == "length_grouped":
        order = list(LengthGroupedSampler(batch_size, lengths=list(lengths), generator=generator))
    elif strategy in ("dynamic", "dynamic_multiple_of_8"):
        order = torch.randperm(len(lengths), generator=generator).tolist()
    else:  # fixed widths: the order does not change the cost
        order = list(range(len(lengths)))
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


def batch_width(batch_lengths: list[int], strategy: str, max_length: int, longest: int,
                multiple: int = 8) -> int:
    """How wide the padded batch is: what DataCollatorWithPadding (or padding="max_length") gives."""
    if strategy == "fixed":
        return max_length
    if strategy == "longest_overall":
        return longest
    width = max(batch_lengths)
    if strategy == "dynamic_multiple_of_8":
        width = -(-width // multiple) * multiple
    return width


def padding_stats(lengths, batch_size: int = 16, max_length: int = 128, seed: int = 0,
                  strategies=tuple(STRATEGIES)) -> dict[str, PaddingStats]:
    """Positions, real tokens, waste and batch shapes of one epoch under each strategy.

    `lengths` are tokenized lengths before truncation; every strategy truncates at max_length.
    """
    check_positive_int("batch_size", batch_size)
    check_positive_int("max_length", max_length)
    unknown = [s for s in strategies if s not in STRATEGIES]
    if unknown:
        raise ParameterError("strategies", unknown, f"choose from {', '.join(STRATEGIES)}")
    lengths = list(lengths)
    if not lengths or any(isinstance(n, bool) or not isinstance(n, int) or n < 1 for n in lengths):
        raise ParameterError("lengths", lengths[:8], "must be one or more token counts, each a positive integer")
    lengths = [min(n, max_length) for n in lengths]
    longest = max(lengths)
    result = {}
    for strategy in strategies:
        widths, waste, positions = [], [], 0
        for batch in batch_order(lengths, batch_size, strategy, seed):
            batch_lengths = [lengths[i] for i in batch]
            width = batch_width(batch_lengths, strategy, max_length, longest)
            widths.append(width)
            waste.append(1 - sum(batch_lengths) / (width * len(batch)))
            positions += width * len(batch)
        result[strategy] = PaddingStats(strategy, positions, sum(lengths), widths, waste)
    return result


def stats_table(stats: dict[str, PaddingStats]):
    """A pandas DataFrame, one row per strategy, for display."""
    import pandas as pd

    frame = pd.DataFrame([s.as_row() for s in stats.values()]).set_index("strategy")
    frame["waste"] = (frame["waste"] * 100).round(1).astype(str) + "%"
    return frame
