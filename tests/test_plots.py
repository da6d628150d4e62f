"""helpers.plots: the figures draw their inputs, come back closed, and leave matplotlib's settings alone."""

import importlib

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from commands import python
from matplotlib.colors import to_rgba

from helpers import plots
from helpers.padding import padding_stats

LENGTHS = {"train": [12, 20, 20, 33, 47, 47, 47, 90], "validation": [15, 64, 130]}
ROWS = [
    {"strategy": "fixed", "positions": 4096, "real_tokens": 1700, "seconds": 2.5},
    {"strategy": "dynamic", "positions": 2300, "real_tokens": 1700, "seconds": 1.4},
    {"strategy": "length_grouped", "positions": 1750, "real_tokens": 1700, "seconds": 1.1},
]


def _all_figures():
    stats = padding_stats([(i * 37) % 90 + 10 for i in range(200)], batch_size=8)
    return [
        plots.plot_length_distribution(LENGTHS, max_length=128),
        plots.plot_padding_waste(stats),
        plots.plot_cost(ROWS),
    ]


def test_importing_and_drawing_leave_global_settings_alone():
    with matplotlib.rc_context():  # restores whatever this process had, whatever happens here
        matplotlib.rcdefaults()  # undo anything an earlier import may have changed
        before = dict(matplotlib.rcParams)
        importlib.reload(plots)  # what importing helpers.plots does, again
        figures = _all_figures()
        after = dict(matplotlib.rcParams)
    assert after == before
    for fig in figures:  # the style was applied to the figures themselves
        assert fig.dpi == plots.DPI and fig.get_facecolor() == to_rgba("white")
        assert not any(ax.spines["top"].get_visible() for ax in fig.axes)


def test_figures_come_back_closed_and_sized_for_a_laptop():
    plt.close("all")
    for fig in _all_figures():
        assert fig.get_figwidth() * fig.dpi <= 640
    assert plt.get_fignums() == []


def test_importing_helpers_loads_no_heavy_library():
    """`import helpers` (every name a notebook calls) takes none of the heavy libraries with it."""
    code = (
        "import sys, helpers; print(sorted(m for m in ('matplotlib', 'ipywidgets', 'torch', 'transformers', "
        "'datasets', 'pandas') if m in sys.modules))"
    )
    done = python("-c", code)
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stderr[-2000:]


def test_length_histogram_draws_each_split():
    fig = plots.plot_length_distribution(LENGTHS, max_length=128)
    ax = fig.axes[0]
    bins = np.arange(0, 130 + 5, 4)
    bars = [p for p in ax.patches]
    per_split = len(bins) - 1
    assert len(bars) == per_split * len(LENGTHS)
    for number, lengths in enumerate(LENGTHS.values()):
        heights = np.array([b.get_height() for b in bars[number * per_split : (number + 1) * per_split]])
        counts, _ = np.histogram(lengths, bins=bins)
        assert heights * len(lengths) == pytest.approx(counts)  # the share of the split's pairs in each bin
        assert heights.sum() == pytest.approx(1)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["train (8)", "validation (3)"]
    assert ax.lines[0].get_xdata()[0] == 128


def test_waste_histogram_counts_the_batches():
    stats = padding_stats([(i * 37) % 90 + 10 for i in range(200)], batch_size=8)
    fig = plots.plot_padding_waste(stats)
    assert len(fig.axes) == len(stats)
    for ax, (name, s) in zip(fig.axes, stats.items()):
        counts, _ = np.histogram([w * 100 for w in s.batch_waste], bins=range(0, 101, 5))
        assert [p.get_height() for p in ax.patches] == list(counts)
        assert sum(counts) == len(s.batch_widths)
        assert ax.get_title() == f"{name}\n{s.waste:.0%} padding"
        assert ax.patches[0].get_facecolor() == to_rgba(plots.PALETTE["padding"])
    one = plots.plot_padding_waste({"fixed": stats["fixed"]})  # a single panel works too
    assert len(one.axes) == 1


def test_cost_bars_are_the_rows():
    fig = plots.plot_cost(ROWS)
    left, right = fig.axes
    computed, real = left.patches[:3], left.patches[3:]
    assert [b.get_width() for b in computed] == [r["positions"] / 1e3 for r in ROWS]
    assert [b.get_width() for b in real] == [r["real_tokens"] / 1e3 for r in ROWS]
    assert [b.get_width() for b in right.patches] == [r["seconds"] for r in ROWS]
    assert [t.get_text() for t in left.get_yticklabels()] == [r["strategy"] for r in ROWS]
    assert computed[0].get_facecolor() == to_rgba(plots.PALETTE["padding"])
    assert real[0].get_facecolor() == to_rgba(plots.PALETTE["segment_a"])
    assert right.patches[0].get_facecolor() == to_rgba(plots.PALETTE["measured"])


def test_the_module_exports_what_it_defines():
    assert all(hasattr(plots, name) for name in plots.__all__)
    assert "STRATEGIES" not in plots.__all__ and not hasattr(plots, "STRATEGIES")
