"""Figures the notebooks share, sized for a laptop screen and small when stored.

One colour scheme (PALETTE) for every figure here and every view in `helpers.views`: padding is
grey, real tokens blue (segment A) and orange (segment B), special tokens dark, measured time green.

Figures are drawn inside `figure_style()`, a `plt.rc_context`: importing helpers or drawing a
figure changes none of matplotlib's global settings. Each function returns its figure already
closed: the notebook displays it once, as the cell's value, instead of once by the inline backend
and once more as the returned object. matplotlib is imported on first use, not at import.
"""

import io
from contextlib import contextmanager

import numpy as np

from . import padding
from .views import (
    CLASS_NAMES,
    OUTSIDE,
    PAD,
    SEGMENT_A,
    SEGMENT_B,
    SPECIAL,
    batch_classes,
    epoch_classes,
    waste,
)

PALETTE = {
    "segment_a": "#4c78a8",  # blue: real tokens, first sentence (token_type_ids 0)
    "segment_b": "#f58518",  # orange: second sentence (token_type_ids 1)
    "special": "#3b3b3b",  # near-black: [CLS], [SEP] and the other special tokens
    "padding": "#d4d4d4",  # light grey: padding (attention_mask 0), positions computed for nothing
    "measured": "#54a24b",  # green: measured time
    "edge": "#7f7f7f",  # mid grey: outlines, reference lines
}
SERIES = (PALETTE["segment_a"], PALETTE["segment_b"], PALETTE["measured"], "#b279a2", "#9d755d")
FIGSIZE = (8, 3.2)  # inches; at 80 dpi 640 px wide, inside a laptop-width JupyterLab
DPI = 80
STYLE = {
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "figure.facecolor": "white",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 9,
}


@contextmanager
def figure_style():
    """The project's figure settings, for the figures made inside the block only."""
    import matplotlib.pyplot as plt
    from cycler import cycler

    with plt.rc_context({**STYLE, "axes.prop_cycle": cycler(color=SERIES)}):
        yield plt


def plot_length_distribution(lengths_by_split: dict[str, list[int]], max_length: int = 128):
    """Histogram of tokenized pair lengths per split, with max_length marked."""
    with figure_style() as plt:
        fig, ax = plt.subplots(figsize=FIGSIZE)
        top = max(max(v) for v in lengths_by_split.values())
        bins = range(0, max(top, max_length) + 5, 4)
        for split, lengths in lengths_by_split.items():
            share = [1 / len(lengths)] * len(lengths)  # each split's bars add up to 1
            ax.hist(lengths, bins=bins, weights=share, alpha=0.55, label=f"{split} ({len(lengths)})")
        ax.axvline(max_length, color="black", linestyle="--", linewidth=1)
        ax.text(max_length, ax.get_ylim()[1] * 0.9, f" max_length={max_length}", fontsize=9)
        ax.set(
            xlabel="tokens per pair (with [CLS] and [SEP]), in bins of 4",
            ylabel="share of pairs",
            title="How long are the pairs?",
        )
        ax.legend(frameon=False)
        fig.tight_layout()
        plt.close(fig)
    return fig


def plot_padding_waste(stats: dict):
    """The padding-waste histogram: share of padding in each batch, one panel per strategy
    (`stats` from helpers.padding_stats)."""
    with figure_style() as plt:
        fig, axes = plt.subplots(1, len(stats), figsize=(FIGSIZE[0], 2.6), sharey=True, squeeze=False)
        axes = axes[0]
        for ax, (name, s) in zip(axes, stats.items()):
            ax.hist(
                [w * 100 for w in s.batch_waste],
                bins=range(0, 101, 5),
                color=PALETTE["padding"],
                edgecolor=PALETTE["edge"],
                linewidth=0.6,
            )
            ax.set_title(f"{name}\n{s.waste:.0%} padding", fontsize=9)
            ax.set_xlabel("% padding in batch", fontsize=8)
            ax.tick_params(labelsize=8)
        axes[0].set_ylabel("batches")
        axes[0].yaxis.get_major_locator().set_params(integer=True)  # a count of batches: whole numbers
        fig.tight_layout()
        plt.close(fig)
    return fig


def plot_cost(rows: list[dict]):
    """Positions computed beside measured time, per strategy (rows from the benchmark)."""
    names = [r["strategy"] for r in rows]
    with figure_style() as plt:
        fig, (left, right) = plt.subplots(1, 2, figsize=FIGSIZE)
        left.barh(
            names, [r["positions"] / 1e3 for r in rows], color=PALETTE["padding"], label="computed (grey: padding)"
        )
        left.barh(names, [r["real_tokens"] / 1e3 for r in rows], color=PALETTE["segment_a"], label="real tokens")
        left.set(xlabel="thousand token positions", title="Tokens computed")
        left.legend(frameon=False, fontsize=8, loc="lower right")
        left.invert_yaxis()
        right.barh(names, [r["seconds"] for r in rows], color=PALETTE["measured"])
        right.set(xlabel="seconds (forward, backward, AdamW)", title="Measured time")
        right.set_yticks(range(len(names)), [""] * len(names))
        right.invert_yaxis()
        fig.tight_layout()
        plt.close(fig)
    return fig


__all__ = [
    "PALETTE",
    "FIGSIZE",
    "figure_style",
    "plot_length_distribution",
    "plot_padding_waste",
    "plot_cost",
    "CLASS_COLOURS",
    "draw_classes",
    "batch_title",
    "plot_batches",
    "plot_batch",
    "plot_epochs",
    "png_bytes",
]


# ---------------------------------------------------------------------------------------------
# Pictures of batches: the classes of helpers.views, one coloured cell per position

CLASS_COLOURS = {
    PAD: PALETTE["padding"],
    SEGMENT_A: PALETTE["segment_a"],
    SEGMENT_B: PALETTE["segment_b"],
    SPECIAL: PALETTE["special"],
}


def _legend_below(fig, plt, height: float) -> None:
    """Lay the axes out above a strip `height` high (a share of the figure) that holds the legend; close the figure."""
    fig.tight_layout(rect=(0, height, 1, 1))
    _legend(fig)
    plt.close(fig)


def _legend(fig, classes=(SEGMENT_A, SEGMENT_B, SPECIAL, PAD)):
    from matplotlib.patches import Patch

    what = {SEGMENT_A: " (token_type_ids 0)", SEGMENT_B: " (1)", PAD: " (attention_mask 0)"}
    labels = {c: CLASS_NAMES[c] + what.get(c, "") for c in classes}
    fig.legend(
        handles=[Patch(color=CLASS_COLOURS[c], label=labels[c]) for c in classes],
        loc="lower center",
        ncol=len(classes),
        frameon=False,
        fontsize=8,
        handlelength=1.2,
    )


def draw_classes(ax, classes: np.ndarray, title: str = "", width: int | None = None, boundaries=()):
    """Draw a class array on ax: rows are examples, columns positions, one colour per class."""
    from matplotlib.colors import ListedColormap

    colours = [CLASS_COLOURS[c] for c in (PAD, SEGMENT_A, SEGMENT_B, SPECIAL)]
    cmap = ListedColormap(colours).with_extremes(bad="white")  # OUTSIDE: not computed, drawn white
    ax.imshow(
        np.ma.masked_equal(classes, OUTSIDE), cmap=cmap, vmin=-0.5, vmax=3.5, aspect="auto", interpolation="nearest"
    )
    ax.set_xlim(-0.5, (width or classes.shape[1]) - 0.5)
    for row in boundaries:
        ax.axhline(row - 0.5, color="white", linewidth=0.8)
    ax.set_title(title, fontsize=9)
    ax.tick_params(labelsize=8)
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)


def batch_title(classes: np.ndarray, name: str = "") -> str:
    rows, width = classes.shape
    return f"{name + ': ' if name else ''}{rows} × {width}, {waste(classes):.0%} padding"


def plot_batches(batches: dict, special=(), width: int | None = None):
    """Padded batches, one above the other on the same scale of positions: rows are examples,
    colours segment A, segment B, special tokens and padding; each title gives the batch's waste.

    batches: {name: batch} (tensors or lists with input_ids, attention_mask, token_type_ids), or
    {name: class array}.
    """
    grids = {name: b if isinstance(b, np.ndarray) else batch_classes(b, special) for name, b in batches.items()}
    width = width or max(g.shape[1] for g in grids.values())
    with figure_style() as plt:
        fig, axes = plt.subplots(
            len(grids), 1, figsize=(FIGSIZE[0], 0.5 + 1.05 * len(grids)), squeeze=False, sharex=True
        )
        for ax, (name, grid) in zip(axes[:, 0], grids.items()):
            draw_classes(ax, grid, batch_title(grid, name), width)
            ax.set_ylabel("example", fontsize=8)
        axes[-1, 0].set_xlabel("position", fontsize=8)
        _legend_below(fig, plt, 0.1)
    return fig


def plot_batch(batch, special=(), title: str = "", width: int | None = None):
    """One padded batch as a picture (see plot_batches)."""
    return plot_batches({title: batch}, special, width)


def plot_epochs(rows: list, batch_size: int, max_length: int, seed: int = 0, strategies=tuple(padding.STRATEGIES)):
    """One epoch's batches under each strategy, side by side: every example of the split is a row,
    in the order the epoch draws them, padded to its batch's width (white lines between batches
    when there are few enough to see). rows: example_classes of the split."""
    batches = -(-len(rows) // batch_size)
    with figure_style() as plt:
        fig, axes = plt.subplots(1, len(strategies), figsize=(FIGSIZE[0], 3.6), sharey=True, squeeze=False)
        for ax, name in zip(axes[0], strategies):
            grid = epoch_classes(rows, name, batch_size, max_length, seed)
            boundaries = range(batch_size, len(rows), batch_size) if batches <= 40 else ()
            draw_classes(ax, grid, f"{name}\n{waste(grid):.0%} padding", max(max_length, grid.shape[1]), boundaries)
            ax.set_xlabel("position", fontsize=8)
        axes[0, 0].set_ylabel(f"example, in epoch order ({len(rows):,})", fontsize=8)
        _legend_below(fig, plt, 0.07)
    return fig


def png_bytes(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
