"""The padding explorer: ipywidgets controls for batch size, max_length, strategy and
pad_to_multiple_of above a batch picture and the whole split's padding, redrawn as you move them.
Stored and unattended runs show the same default view (the controls are drawn from the saved
widget state). ipywidgets and matplotlib load on first use.
"""

import time

import numpy as np

from .padding import (
    STRATEGIES,
    PaddingStats,
    Strategy,
    check_lengths,
    epoch_batches,
    get_strategy,
    padding_stats,
)
from .plots import plot_batches, png_bytes
from .running.params import check_positive_int
from .views import example_classes, pad_rows, truncate_classes

MULTIPLES = (None, 8, 16, 32, 64)


class PaddingExplorer:
    """Batch size, max_length, strategy and pad_to_multiple_of, and what they do to one batch and to
    the whole split's padding. The split's class rows and lengths are computed once; each change
    recomputes the epoch's batches (Strategy.order and Strategy.width, as padding_stats does) and
    redraws the first batch.

    Shown as ipywidgets controls above two ordinary outputs, the numbers and the picture of the first
    batch; each move replaces those two outputs (IPython display handles). A stored or unattended
    run keeps the default view as those outputs, exactly what a kernel shows before the first move.
    Lengths are those of the tokenized split: a max_length above the one it was tokenized with
    cannot bring truncated tokens back.
    """

    strategies = tuple(name for name, s in STRATEGIES.items() if not s.multiple)  # multiples: their own control

    def __init__(
        self,
        split,
        tokenizer,
        batch_size: int = 8,
        max_length: int = 128,
        strategy: str = "dynamic",
        pad_to_multiple_of: int | None = None,
        seed: int = 0,
        longest_allowed: int | None = None,
    ):
        self.rows = example_classes(split, tokenizer)
        self.lengths = [len(r) for r in self.rows]
        check_lengths(self.lengths)
        self.seed = seed
        limit = getattr(tokenizer, "model_max_length", 512)
        self.longest_allowed = longest_allowed or (limit if limit < 100_000 else 512)
        self.settings = {}
        self.last_update_s = None
        self.set(batch_size=batch_size, max_length=max_length, strategy=strategy, pad_to_multiple_of=pad_to_multiple_of)

    def set(self, **settings) -> "PaddingExplorer":
        """Change settings (batch_size, max_length, strategy, pad_to_multiple_of), checked."""
        unknown = set(settings) - {"batch_size", "max_length", "strategy", "pad_to_multiple_of"}
        if unknown:
            raise TypeError(f"unknown settings: {sorted(unknown)}")
        new = {**self.settings, **settings}
        check_positive_int("batch_size", new["batch_size"])
        check_positive_int("max_length", new["max_length"], self.longest_allowed)
        get_strategy(new["strategy"], new["pad_to_multiple_of"])
        self.settings = new
        return self

    @property
    def strategy(self) -> Strategy:
        return get_strategy(self.settings["strategy"], self.settings["pad_to_multiple_of"])

    def stats(self) -> PaddingStats:
        s = self.settings
        strategy = self.strategy
        return padding_stats(self.lengths, s["batch_size"], s["max_length"], self.seed, (strategy,))[strategy.name]

    def first_batch(self) -> np.ndarray:
        """The class array of the epoch's first batch under the current settings."""
        s = self.settings
        order, widths = epoch_batches(self.lengths, self.strategy, s["batch_size"], s["max_length"], self.seed)
        first = [truncate_classes(self.rows[i], s["max_length"]) for i in order[: s["batch_size"]]]
        return pad_rows(first, widths[0])

    def summary(self, stats: PaddingStats | None = None) -> str:
        s, stats = self.settings, stats or self.stats()
        fixed = padding_stats(self.lengths, s["batch_size"], s["max_length"], self.seed, ("fixed",))["fixed"]
        return "\n".join(
            [
                f"batch_size={s['batch_size']}  max_length={s['max_length']}  strategy={s['strategy']}  "
                f"pad_to_multiple_of={s['pad_to_multiple_of']}",
                f"whole split: {len(self.lengths):,} pairs in {len(stats.batch_widths):,} batches, "
                f"{stats.positions:,} positions for {stats.real_tokens:,} real tokens",
                f"padding {stats.waste:.1%}, {stats.distinct_shapes} distinct batch widths "
                f"(fixed padding to max_length: {fixed.waste:.1%}, 1 width)",
            ]
        )

    def figure(self):
        batch = self.first_batch()
        return plot_batches({"first batch of the epoch": batch}, width=max(self.settings["max_length"], batch.shape[1]))

    def render(self) -> tuple[str, bytes]:
        """(summary text, PNG of the first batch) for the current settings; times itself."""
        started = time.perf_counter()
        text, png = self.summary(), png_bytes(self.figure())
        self.last_update_s = time.perf_counter() - started
        return text, png

    def __repr__(self) -> str:
        return self.summary()

    def _ipython_display_(self):
        from IPython.display import display

        started = time.perf_counter()
        controls = self.controls()
        display(controls)
        numbers = display({"text/plain": self.summary()}, raw=True, display_id=True)
        picture = display(self.figure(), display_id=True)
        self.last_update_s = time.perf_counter() - started

        def update(change):
            started = time.perf_counter()
            values = {name: control.value for name, control in controls.named.items()}
            self.set(**values | {"pad_to_multiple_of": values["pad_to_multiple_of"] or None})
            numbers.update({"text/plain": self.summary()}, raw=True)
            picture.update(self.figure())
            self.last_update_s = time.perf_counter() - started

        for control in controls.named.values():
            control.observe(update, names="value")

    def controls(self):
        """The four controls, as one ipywidgets box (class `padding-explorer`); `.named` maps each
        setting to its control."""
        import ipywidgets as widgets

        s, wide = self.settings, {"description_width": "initial"}
        ranges = {"batch_size": (1, max(64, s["batch_size"])), "max_length": (8, self.longest_allowed)}
        named = {
            **{
                name: widgets.IntSlider(
                    value=s[name], min=low, max=high, description=name, continuous_update=False, style=wide
                )
                for name, (low, high) in ranges.items()
            },
            "strategy": widgets.Dropdown(
                options=list(self.strategies), value=s["strategy"], description="strategy", style=wide
            ),
            # 0 stands for None: a Dropdown whose value is None shows no choice at all
            "pad_to_multiple_of": widgets.Dropdown(
                options=[(str(m), m or 0) for m in MULTIPLES],
                value=s["pad_to_multiple_of"] or 0,
                description="pad_to_multiple_of",
                style=wide,
            ),
        }
        for name, control in named.items():
            control.add_class(f"padding-explorer-{name.replace('_', '-')}")
        box = widgets.VBox(
            [
                widgets.HBox([named["batch_size"], named["max_length"]]),
                widgets.HBox([named["strategy"], named["pad_to_multiple_of"]]),
            ]
        )
        box.add_class("padding-explorer")
        box.named = named
        return box
