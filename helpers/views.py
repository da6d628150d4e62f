"""What the model receives, position by position: every position of a tokenized input is one of
four classes, read from the tokenizer's own outputs:

- padding (`attention_mask` 0),
- segment A (`token_type_ids` 0) and segment B (`token_type_ids` 1),
- a special token (`[CLS]`, `[SEP]`: an id in `tokenizer.all_special_ids`).

`token_classes` / `batch_classes` compute those classes as a numpy array; `helpers.plots` draws
exactly that array (`plot_batches`, `plot_epochs`), `helpers.chips` shows a pair as coloured token
chips, and `helpers.explorer` lets you move the padding settings and watch both change.
"""

import numpy as np

from .padding import (
    epoch_batches,
    padding_share,
)

PAD, SEGMENT_A, SEGMENT_B, SPECIAL = 0, 1, 2, 3
OUTSIDE = -1  # beyond a batch's width, in a picture of several batches of different widths
CLASS_NAMES = {PAD: "padding", SEGMENT_A: "segment A", SEGMENT_B: "segment B", SPECIAL: "special token"}

# ---------------------------------------------------------------------------------------------
# Classes of positions


def special_ids(tokenizer_or_ids) -> frozenset:
    """The special token ids: a tokenizer's `all_special_ids`, or the ids themselves."""
    return frozenset(getattr(tokenizer_or_ids, "all_special_ids", tokenizer_or_ids) or ())


def token_classes(input_ids, token_type_ids=None, attention_mask=None, special=()) -> np.ndarray:
    """The class of every position (PAD, SEGMENT_A, SEGMENT_B or SPECIAL), same shape as input_ids.

    Padding is where attention_mask is 0; otherwise a special id is SPECIAL, and every other token
    is SEGMENT_A or SEGMENT_B by its token_type_ids (all SEGMENT_A when there are none).
    """
    ids = np.asarray(input_ids)
    types = np.zeros_like(ids) if token_type_ids is None else np.asarray(token_type_ids)
    classes = np.where(types > 0, SEGMENT_B, SEGMENT_A).astype(np.int8)
    classes[np.isin(ids, sorted(special_ids(special)))] = SPECIAL
    if attention_mask is not None:
        classes[np.asarray(attention_mask) == 0] = PAD
    return classes


def batch_classes(batch, special=()) -> np.ndarray:
    """A padded batch (a collator's output, or a tokenizer's with padding) as a rows x width array of
    classes: what `plot_batch` draws, pixel for pixel."""
    return token_classes(batch["input_ids"], batch.get("token_type_ids"), batch.get("attention_mask"), special)


def example_classes(columns, special=()) -> list[np.ndarray]:
    """Unpadded examples (a tokenized Dataset, or a dict of lists) as one class row per example."""
    names = getattr(columns, "column_names", None) or list(columns.keys())
    ids = list(columns["input_ids"])
    types = list(columns["token_type_ids"]) if "token_type_ids" in names else [None] * len(ids)
    special = special_ids(special)
    return [token_classes(i, t, None, special) for i, t in zip(ids, types)]


def truncate_classes(row: np.ndarray, max_length: int) -> np.ndarray:
    """A class row as `truncation=True` ("longest_first") would leave it at max_length: special tokens
    stay; the longer segment is cut first, and two long segments keep about half each."""
    row = np.asarray(row)
    if len(row) <= max_length:
        return row
    where_a, where_b = np.flatnonzero(row == SEGMENT_A), np.flatnonzero(row == SEGMENT_B)
    budget = max(max_length - int((row == SPECIAL).sum()), 0)
    short, long_ = sorted((len(where_a), len(where_b)))
    keep_short = min(short, budget // 2) if short + long_ > budget else short
    keep_long = min(long_, budget - keep_short)
    keep_a, keep_b = (keep_short, keep_long) if len(where_a) <= len(where_b) else (keep_long, keep_short)
    keep = np.ones(len(row), dtype=bool)
    keep[where_a[keep_a:]] = False
    keep[where_b[keep_b:]] = False
    return row[keep]


def waste(classes: np.ndarray) -> float:
    """Share of padding among the positions of a batch (OUTSIDE positions are not computed)."""
    computed = classes != OUTSIDE
    return padding_share(int((classes[computed] != PAD).sum()), int(computed.sum()))


# ---------------------------------------------------------------------------------------------
# Padding of a whole split (padding.epoch_batches and padding_stats), in pictures


def pad_rows(rows: list, width: int) -> np.ndarray:
    """Unpadded class rows as one batch padded to width (rows are cut at width)."""
    out = np.full((len(rows), width), PAD, dtype=np.int8)
    for number, row in enumerate(rows):
        out[number, : min(len(row), width)] = row[:width]
    return out


def epoch_classes(rows: list, strategy, batch_size: int, max_length: int, seed: int = 0) -> np.ndarray:
    """One epoch as one picture: every example (rows in the epoch's order), truncated at max_length
    and padded to its batch's width; OUTSIDE beyond that width."""
    rows = [truncate_classes(r, max_length) for r in rows]
    order, widths = epoch_batches([len(r) for r in rows], strategy, batch_size, max_length, seed)
    out = np.full((len(rows), max(widths)), OUTSIDE, dtype=np.int8)
    for number, width in enumerate(widths):
        chosen = order[number * batch_size : (number + 1) * batch_size]
        out[number * batch_size : number * batch_size + len(chosen), :width] = pad_rows(
            [rows[i] for i in chosen], width
        )
    return out
