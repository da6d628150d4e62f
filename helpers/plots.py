"""Figures the notebooks share, sized for a laptop screen and small when stored.

One colour scheme (PALETTE) for every figure here and every view in `helpers.views`: padding is
grey, real tokens blue (segment A) and orange (segment B), special tokens dark, measured time green.

Figures are drawn inside `figure_style()`, a `plt.rc_context`: importing helpers or drawing a
figure changes none of matplotlib's global settings. Each function returns its figure already
closed: the notebook displays it once, as the cell's value, instead of once by the inline backend
and once more as the returned object. matplotlib is imported on first use, not at import.
"""

from contextlib import contextmanager

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
STYLE = {"figure.dpi": DPI, "savefig.dpi": DPI, "figure.facecolor": "white",
         "axes.spines.top": False, "axes.spines.right": False, "font.size": 9}


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
        ax.set(xlabel="tokens per pair (with [CLS] and [SEP]), in bins of 4", ylabel="share of pairs",
               title="How long are the pairs?")
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
            ax.hist([w * 100 for w in s.batch_waste], bins=range(0, 101, 5), color=PALETTE["padding"],
                    edgecolor=PALETTE["edge"], linewidth=0.6)
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
        left.barh(names, [r["positions"] / 1e3 for r in rows], color=PALETTE["padding"],
                  label="computed (grey: padding)")
        left.barh(names, [r["real_tokens"] / 1e3 for r in rows], color=PALETTE["segment_a"],
                  label="real tokens")
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


__all__ = ["PALETTE", "FIGSIZE", "figure_style", "plot_length_distribution", "plot_padding_waste", "plot_cost"]
