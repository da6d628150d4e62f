"""Padding strategies, in one table, and what each costs: positions computed versus real tokens.

A strategy says how batches are formed (random batches, as a shuffled DataLoader with the same seed
draws them, or length-grouped batches from transformers' `get_length_grouped_indices`, the function
behind `LengthGroupedSampler` and the Trainer's `train_sampling_strategy="group_by_length"`) and how each batch
is padded (by `DataCollatorWithPadding` itself). Everything else (the statistics here, the
benchmark, the notebooks' tables) reads this table.
"""

from dataclasses import dataclass, field, replace

from .errors import ParameterError
from .running.params import check_positive_int, is_int


@dataclass(frozen=True)
class Strategy:
    name: str
    description: str
    grouped: bool = False  # batches of similar lengths (else random batches)
    pad_to: str = "longest"  # "max_length", "longest_overall" (the split's longest) or "longest" (the batch's)
    multiple: int | None = None  # pad_to_multiple_of

    def width(self, batch_lengths: list[int], max_length: int, longest: int) -> int:
        """How wide the padded batch is: what the strategy's collator gives."""
        width = {"max_length": max_length, "longest_overall": longest}.get(self.pad_to, max(batch_lengths))
        return -(-width // self.multiple) * self.multiple if self.multiple else width

    def collator(self, tokenizer, max_length: int, longest: int):
        """The strategy's padding, done by DataCollatorWithPadding. Fixed widths are what
        padding="max_length" (to max_length, or to the split's longest) gives at map time."""
        from transformers import DataCollatorWithPadding

        if self.pad_to == "longest":
            return DataCollatorWithPadding(tokenizer, pad_to_multiple_of=self.multiple)
        return DataCollatorWithPadding(
            tokenizer,
            padding="max_length",
            pad_to_multiple_of=self.multiple,
            max_length=max_length if self.pad_to == "max_length" else longest,
        )

    def order(self, lengths: list[int], batch_size: int, seed: int = 0, megabatch: int | None = None) -> list[int]:
        """The examples' order for one epoch; consecutive slices of batch_size are the batches.

        megabatch: batches per length-sorted megabatch; None lets transformers choose as
        LengthGroupedSampler does (min(n // (4 * batch_size), 50)).
        """
        import torch

        generator = torch.Generator().manual_seed(seed)
        if self.grouped:
            from transformers.trainer_pt_utils import get_length_grouped_indices

            return list(
                get_length_grouped_indices(list(lengths), batch_size, mega_batch_mult=megabatch, generator=generator)
            )
        # What a shuffled DataLoader with this generator draws (it takes a seed for its workers first)
        loader = torch.utils.data.DataLoader(
            range(len(lengths)), batch_size=batch_size, shuffle=True, generator=generator
        )
        return [int(i) for batch in loader for i in batch]


STRATEGIES: dict[str, Strategy] = {
    s.name: s
    for s in [
        # descriptions under 50 characters: pandas cuts longer ones in a notebook's table
        Strategy("fixed", "every pair padded to max_length", pad_to="max_length"),
        Strategy("longest_overall", "every pair padded to the split's longest", pad_to="longest_overall"),
        Strategy("dynamic", "random batches, each padded to its longest"),
        Strategy("dynamic_multiple_of_8", "dynamic, rounded up to a multiple of 8", multiple=8),
        Strategy("length_grouped", "batches of similar lengths, each to its longest", grouped=True),
    ]
}


def get_strategy(strategy, pad_to_multiple_of: int | None = None) -> Strategy:
    """A strategy of the table, by name (or a Strategy itself), rounded up to pad_to_multiple_of if given."""
    if isinstance(strategy, str):
        if strategy not in STRATEGIES:
            raise ParameterError("padding", strategy, f"choose one of {', '.join(STRATEGIES)}")
        strategy = STRATEGIES[strategy]
    if pad_to_multiple_of:
        check_positive_int("pad_to_multiple_of", pad_to_multiple_of)
        strategy = replace(strategy, multiple=pad_to_multiple_of)
    return strategy


def strategy_table():
    """The strategies as a pandas DataFrame, for a notebook to show."""
    import pandas as pd

    return pd.DataFrame([{"strategy": s.name, "what it does": s.description} for s in STRATEGIES.values()]).set_index(
        "strategy"
    )


@dataclass
class PaddingStats:
    strategy: str
    positions: int  # token positions the model computes: sum of batch_size x width
    real_tokens: int  # positions holding a real token (attention_mask == 1)
    batch_widths: list[int] = field(repr=False)
    batch_waste: list[float] = field(repr=False)  # share of padding in each batch

    @property
    def waste(self) -> float:
        return padding_share(self.real_tokens, self.positions)

    @property
    def distinct_shapes(self) -> int:
        return len(set(self.batch_widths))

    def as_row(self) -> dict:
        return {
            "strategy": self.strategy,
            "positions": self.positions,
            "real_tokens": self.real_tokens,
            "waste": round(self.waste, 4),
            "batches": len(self.batch_widths),
            "distinct_shapes": self.distinct_shapes,
        }


def padding_share(real_tokens: int, positions: int) -> float:
    """Padding waste, defined once: the share of the positions a model computes (batch size x width,
    summed over batches) that hold padding rather than a real token."""
    return 1 - real_tokens / positions if positions else 0.0


def check_lengths(lengths) -> list[int]:
    lengths = list(lengths)
    if not lengths or any(not is_int(n) or n < 1 for n in lengths):
        raise ParameterError("lengths", lengths[:8], "must be one or more token counts, each a positive integer")
    return lengths


def epoch_batches(lengths, strategy, batch_size: int, max_length: int, seed: int = 0):
    """(order, widths): one epoch's example order (consecutive slices of batch_size are the batches)
    and each batch's padded width, every length truncated at max_length."""
    strategy = get_strategy(strategy)
    lengths = [min(n, max_length) for n in lengths]
    order = strategy.order(lengths, batch_size, seed)
    longest = max(lengths)
    widths = [
        strategy.width([lengths[i] for i in order[start : start + batch_size]], max_length, longest)
        for start in range(0, len(order), batch_size)
    ]
    return order, widths


def padding_stats(
    lengths, batch_size: int = 16, max_length: int = 128, seed: int = 0, strategies=tuple(STRATEGIES)
) -> dict[str, PaddingStats]:
    """Positions, real tokens, waste and batch shapes of one epoch under each strategy (names of the
    table, or Strategy objects such as `get_strategy("dynamic", 8)`).

    `lengths` are tokenized lengths before truncation; every strategy truncates at max_length.
    """
    check_positive_int("batch_size", batch_size)
    check_positive_int("max_length", max_length)
    unknown = [s for s in strategies if isinstance(s, str) and s not in STRATEGIES]
    if unknown:
        raise ParameterError("strategies", unknown, f"choose from {', '.join(STRATEGIES)}")
    lengths = [min(n, max_length) for n in check_lengths(lengths)]
    result = {}
    for strategy in map(get_strategy, strategies):
        order, widths = epoch_batches(lengths, strategy, batch_size, max_length, seed)
        batches = [order[start : start + batch_size] for start in range(0, len(order), batch_size)]
        real = [sum(lengths[i] for i in batch) for batch in batches]
        positions = [width * len(batch) for width, batch in zip(widths, batches)]
        result[strategy.name] = PaddingStats(
            strategy.name, sum(positions), sum(lengths), widths, [padding_share(r, p) for r, p in zip(real, positions)]
        )
    return result


def stats_table(stats: dict[str, PaddingStats]):
    """A pandas DataFrame, one row per strategy, for display."""
    import pandas as pd

    frame = pd.DataFrame([s.as_row() for s in stats.values()]).set_index("strategy")
    frame["waste"] = (frame["waste"] * 100).round(1).astype(str) + "%"
    return frame
