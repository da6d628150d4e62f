"""Figures the notebooks share, sized for a laptop screen and small when stored.

Each function returns its figure already closed: the notebook displays it once, as the cell's
value, instead of once by the inline backend and once more as the returned object.
"""

import matplotlib.pyplot as plt

from .padding import STRATEGIES, PaddingStats

FIGSIZE = (8, 3.2)
plt.rcParams.update({"figure.dpi": 80, "savefig.dpi": 80, "axes.spines.top": False,
                     "axes.spines.right": False})


def plot_length_distribution(lengths_by_split: dict[str, list[int]], max_length: int = 128):
    """Histogram of tokenized pair lengths per split, with max_length marked."""
    fig, ax = plt.subplots(figsize=FIGSIZE)
    top = max(max(v) for v in lengths_by_split.values())
    bins = range(0, max(top, max_length) + 5, 4)
    for split, lengths in lengths_by_split.items():
        ax.hist(lengths, bins=bins, alpha=0.55, density=True, label=f"{split} ({len(lengths)})")
    ax.axvline(max_length, color="black", linestyle="--", linewidth=1)
    ax.text(max_length, ax.get_ylim()[1] * 0.9, f" max_length={max_length}", fontsize=9)
    ax.set(xlabel="tokens per pair (with [CLS] and [SEP])", ylabel="share of pairs",
           title="How long are the pairs?")
    ax.legend(frameon=False)
    fig.tight_layout()
    plt.close(fig)
    return fig


def plot_padding_waste(stats: dict[str, PaddingStats]):
    """The padding-waste histogram: share of padding in each batch, one panel per strategy."""
    fig, axes = plt.subplots(1, len(stats), figsize=(FIGSIZE[0], 2.6), sharey=True)
    axes = [axes] if len(stats) == 1 else axes
    for ax, (name, s) in zip(axes, stats.items()):
        ax.hist([w * 100 for w in s.batch_waste], bins=range(0, 101, 5), color="tab:red", alpha=0.7)
        ax.set_title(f"{name}\n{s.waste:.0%} padding", fontsize=9)
        ax.set_xlabel("% padding in batch", fontsize=8)
        ax.tick_params(labelsize=8)
    axes[0].set_ylabel("batches")
    fig.tight_layout()
    plt.close(fig)
    return fig


def plot_cost(rows: list[dict]):
    """Positions computed beside measured time, per strategy (rows from the benchmark)."""
    names = [r["strategy"] for r in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=FIGSIZE)
    left.barh(names, [r["positions"] / 1e3 for r in rows], color="tab:gray", label="computed")
    left.barh(names, [r["real_tokens"] / 1e3 for r in rows], color="tab:blue", label="real tokens")
    left.set(xlabel="thousand token positions", title="Tokens computed")
    left.legend(frameon=False, fontsize=8)
    left.invert_yaxis()
    right.barh(names, [r["seconds"] for r in rows], color="tab:green")
    right.set(xlabel="seconds (forward, backward, AdamW)", title="Measured time")
    right.set_yticks(range(len(names)), [""] * len(names))
    right.invert_yaxis()
    fig.tight_layout()
    plt.close(fig)
    return fig


__all__ = ["plot_length_distribution", "plot_padding_waste", "plot_cost", "STRATEGIES"]
