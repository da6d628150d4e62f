"""See what the model receives: a pair as coloured tokens, a batch as a picture, and a padding explorer.

Every position of a tokenized input is one of four classes, read from the tokenizer's own outputs:

- padding (`attention_mask` 0),
- segment A (`token_type_ids` 0) and segment B (`token_type_ids` 1),
- a special token (`[CLS]`, `[SEP]`: an id in `tokenizer.all_special_ids`).

`token_classes` / `batch_classes` compute those classes as a numpy array; the pictures draw exactly
that array, in the colour scheme of `helpers.plots.PALETTE`. `pair_chips` shows one or more
encodings as HTML token chips with a plain-text fallback. `PaddingExplorer` shows ipywidgets controls
above a batch picture and the whole split's padding, and redraws both as you move them; stored and
unattended runs show the same default view (the controls are drawn from the saved widget state).

Imported by notebooks only (`from helpers import views`); matplotlib and ipywidgets load on first use.
"""

import html
import io
import textwrap
import time

import numpy as np

from .padding import (
    STRATEGIES,
    PaddingStats,
    Strategy,
    check_lengths,
    epoch_batches,
    get_strategy,
    padding_share,
    padding_stats,
)
from .params import check_positive_int
from .plots import DPI, FIGSIZE, PALETTE, figure_style

PAD, SEGMENT_A, SEGMENT_B, SPECIAL = 0, 1, 2, 3
OUTSIDE = -1  # beyond a batch's width, in a picture of several batches of different widths
CLASS_NAMES = {PAD: "padding", SEGMENT_A: "segment A", SEGMENT_B: "segment B", SPECIAL: "special token"}
CLASS_COLOURS = {PAD: PALETTE["padding"], SEGMENT_A: PALETTE["segment_a"], SEGMENT_B: PALETTE["segment_b"],
                 SPECIAL: PALETTE["special"]}


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
        out[number, :min(len(row), width)] = row[:width]
    return out


def epoch_classes(rows: list, strategy, batch_size: int, max_length: int, seed: int = 0) -> np.ndarray:
    """One epoch as one picture: every example (rows in the epoch's order), truncated at max_length
    and padded to its batch's width; OUTSIDE beyond that width."""
    rows = [truncate_classes(r, max_length) for r in rows]
    order, widths = epoch_batches([len(r) for r in rows], strategy, batch_size, max_length, seed)
    out = np.full((len(rows), max(widths)), OUTSIDE, dtype=np.int8)
    for number, width in enumerate(widths):
        chosen = order[number * batch_size:(number + 1) * batch_size]
        out[number * batch_size:number * batch_size + len(chosen), :width] = pad_rows([rows[i] for i in chosen],
                                                                                     width)
    return out


# ---------------------------------------------------------------------------------------------
# Batch pictures


def _legend(fig, classes=(SEGMENT_A, SEGMENT_B, SPECIAL, PAD)):
    from matplotlib.patches import Patch

    what = {SEGMENT_A: " (token_type_ids 0)", SEGMENT_B: " (1)", PAD: " (attention_mask 0)"}
    labels = {c: CLASS_NAMES[c] + what.get(c, "") for c in classes}
    fig.legend(handles=[Patch(color=CLASS_COLOURS[c], label=labels[c]) for c in classes], loc="lower center",
               ncol=len(classes), frameon=False, fontsize=8, handlelength=1.2)


def draw_classes(ax, classes: np.ndarray, title: str = "", width: int | None = None, boundaries=()):
    """Draw a class array on ax: rows are examples, columns positions, one colour per class."""
    from matplotlib.colors import ListedColormap

    colours = [CLASS_COLOURS[c] for c in (PAD, SEGMENT_A, SEGMENT_B, SPECIAL)]
    cmap = ListedColormap(colours).with_extremes(bad="white")  # OUTSIDE: not computed, drawn white
    ax.imshow(np.ma.masked_equal(classes, OUTSIDE), cmap=cmap, vmin=-0.5, vmax=3.5, aspect="auto",
              interpolation="nearest")
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
        fig, axes = plt.subplots(len(grids), 1, figsize=(FIGSIZE[0], 0.5 + 1.05 * len(grids)), squeeze=False,
                                 sharex=True)
        for ax, (name, grid) in zip(axes[:, 0], grids.items()):
            draw_classes(ax, grid, batch_title(grid, name), width)
            ax.set_ylabel("example", fontsize=8)
        axes[-1, 0].set_xlabel("position", fontsize=8)
        fig.tight_layout(rect=(0, 0.1, 1, 1))
        _legend(fig)
        plt.close(fig)
    return fig


def plot_batch(batch, special=(), title: str = "", width: int | None = None):
    """One padded batch as a picture (see plot_batches)."""
    return plot_batches({title: batch}, special, width)


def plot_epochs(rows: list, batch_size: int, max_length: int, seed: int = 0, strategies=tuple(STRATEGIES)):
    """One epoch's batches under each strategy, side by side: every example of the split is a row,
    in the order the epoch draws them, padded to its batch's width (white lines between batches
    when there are few enough to see). rows: example_classes of the split."""
    batches = -(-len(rows) // batch_size)
    with figure_style() as plt:
        fig, axes = plt.subplots(1, len(strategies), figsize=(FIGSIZE[0], 3.6), sharey=True, squeeze=False)
        for ax, name in zip(axes[0], strategies):
            grid = epoch_classes(rows, name, batch_size, max_length, seed)
            boundaries = range(batch_size, len(rows), batch_size) if batches <= 40 else ()
            draw_classes(ax, grid, f"{name}\n{waste(grid):.0%} padding", max(max_length, grid.shape[1]),
                         boundaries)
            ax.set_xlabel("position", fontsize=8)
        axes[0, 0].set_ylabel(f"example, in epoch order ({len(rows):,})", fontsize=8)
        fig.tight_layout(rect=(0, 0.07, 1, 1))
        _legend(fig)
        plt.close(fig)
    return fig


def png_bytes(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# Token chips

CHIP_STYLE = ("display:inline-block;text-align:center;margin:2px 1px;padding:1px 4px;border-radius:4px;"
              "font-family:monospace;font-size:12px;line-height:1.25;")
CHIP_COLOURS = {SEGMENT_A: (PALETTE["segment_a"], "#ffffff"), SEGMENT_B: (PALETTE["segment_b"], "#000000"),
                PAD: (PALETTE["padding"], "#444444")}


class TokenChips:
    """Rows of tokens as chips: HTML in JupyterLab, readable text in a terminal (and for nbval)."""

    def __init__(self, rows: list[dict]):
        self.rows = rows  # each: label, tokens, ids, types, mask, classes

    def _repr_html_(self) -> str:
        legend = " ".join(self._chip(CLASS_NAMES[cls], cls, segment=None)
                          for cls in (SEGMENT_A, SEGMENT_B, SPECIAL, PAD))
        parts = [f'<div style="font-size:12px">{legend} <span style="color:#777">'
                 "(token_type_ids 0 / 1; padding: attention_mask 0; hover a chip for its ids)</span></div>"]
        for row in self.rows:
            chips = "".join(self._chip(token, cls, segment=SEGMENT_B if typ else SEGMENT_A, small=str(i),
                                       title=self._title(i, typ, m, cls))
                            for token, i, typ, m, cls in zip(row["tokens"], row["ids"], row["types"], row["mask"],
                                                             row["classes"]))
            parts.append(f'<div style="margin-top:6px"><div style="font-size:12px;font-weight:bold">'
                         f"{html.escape(self._header(row))}</div><div>{chips}</div></div>")
        return "\n".join(parts)

    @staticmethod
    def _title(token_id, typ, mask, cls) -> str:
        text = f"input_ids {token_id} · token_type_ids {typ} · attention_mask {mask}"
        return text + (" · special token" if cls == SPECIAL else "")

    @staticmethod
    def _chip(text, cls, segment, small="", title="") -> str:
        if cls == SPECIAL:  # dark, underlined in its segment's colour
            background, colour = PALETTE["special"], "#ffffff"
            extra = f"border-bottom:3px solid {CLASS_COLOURS[segment]};" if segment is not None else ""
        else:
            (background, colour), extra = CHIP_COLOURS[cls], ""
        ids = f'<br><small style="font-size:9px;opacity:0.85">{small}</small>' if small else ""
        hover = f' title="{html.escape(title)}"' if title else ""
        return (f'<span style="{CHIP_STYLE}background:{background};color:{colour};{extra}"{hover}>'
                f"{html.escape(text)}{ids}</span>")

    @staticmethod
    def _header(row) -> str:
        types = np.asarray(row["types"])
        real = np.asarray(row["mask"]) == 1
        counts = [f"{int((real & (types == 0)).sum())} with token_type_ids 0"]
        if (real & (types > 0)).any():
            counts.append(f"{int((real & (types > 0)).sum())} with 1")
        special = [t for t, c in zip(row["tokens"], row["classes"]) if c == SPECIAL]
        text = f"{len(row['tokens'])} tokens: {', '.join(counts)}; {len(special)} special"
        if (~real).any():
            text += f"; {int((~real).sum())} padding (attention_mask 0)"
        return f"{row['label']}: {text}" if row["label"] else text

    def __repr__(self) -> str:
        lines = []
        for row in self.rows:
            lines.append(self._header(row))
            runs = []  # consecutive tokens of one segment (or of padding) on one line each
            for token, typ, cls in zip(row["tokens"], row["types"], row["classes"]):
                mark = "pad" if cls == PAD else "B" if typ else "A"
                if runs and runs[-1][0] == mark:
                    runs[-1][1].append(token)
                else:
                    runs.append((mark, [token]))
            for mark, tokens in runs:
                lines += textwrap.wrap(" ".join(tokens), width=96, initial_indent=f"{mark:>5} | ",
                                       subsequent_indent="      | ", break_long_words=False,
                                       break_on_hyphens=False)
        return "\n".join(lines)


def _encoding_row(tokenizer, encoding, label: str) -> dict:
    if hasattr(encoding, "ids") and not hasattr(encoding, "keys"):  # a tokenizers.Encoding
        ids, types, mask = list(encoding.ids), list(encoding.type_ids), list(encoding.attention_mask)
    else:
        ids = list(np.asarray(encoding["input_ids"]).tolist())
        types = list(np.asarray(encoding.get("token_type_ids", [0] * len(ids))).tolist())
        mask = list(np.asarray(encoding.get("attention_mask", [1] * len(ids))).tolist())
    if ids and isinstance(ids[0], list):
        raise ValueError("pair_chips shows one encoding per row: pass encoding[0], or {label: encoding}")
    return {"label": label, "tokens": tokenizer.convert_ids_to_tokens(ids), "ids": ids, "types": types,
            "mask": mask, "classes": token_classes(ids, types, mask, tokenizer).tolist()}


def pair_chips(tokenizer, encodings, label: str = "") -> TokenChips:
    """One encoding (a tokenizer's output for one pair) as a row of coloured token chips, or several
    to compare: {label: encoding}. Segment A and B in two colours, special tokens dark, padding grey,
    each token's id in small print beneath it and all its ids on hover."""
    if hasattr(encodings, "ids") or "input_ids" in encodings:
        encodings = {label: encodings}
    return TokenChips([_encoding_row(tokenizer, e, name) for name, e in encodings.items()])


# ---------------------------------------------------------------------------------------------
# The padding explorer

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

    def __init__(self, split, tokenizer, batch_size: int = 8, max_length: int = 128, strategy: str = "dynamic",
                 pad_to_multiple_of: int | None = None, seed: int = 0, longest_allowed: int | None = None):
        self.rows = example_classes(split, tokenizer)
        self.lengths = [len(r) for r in self.rows]
        check_lengths(self.lengths)
        self.seed = seed
        limit = getattr(tokenizer, "model_max_length", 512)
        self.longest_allowed = longest_allowed or (limit if limit < 100_000 else 512)
        self.settings = {}
        self.last_update_s = None
        self.set(batch_size=batch_size, max_length=max_length, strategy=strategy,
                 pad_to_multiple_of=pad_to_multiple_of)

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
        first = [truncate_classes(self.rows[i], s["max_length"]) for i in order[:s["batch_size"]]]
        return pad_rows(first, widths[0])

    def summary(self, stats: PaddingStats | None = None) -> str:
        s, stats = self.settings, stats or self.stats()
        fixed = padding_stats(self.lengths, s["batch_size"], s["max_length"], self.seed, ("fixed",))["fixed"]
        return "\n".join([
            f"batch_size={s['batch_size']}  max_length={s['max_length']}  strategy={s['strategy']}  "
            f"pad_to_multiple_of={s['pad_to_multiple_of']}",
            f"whole split: {len(self.lengths):,} pairs in {len(stats.batch_widths):,} batches, "
            f"{stats.positions:,} positions for {stats.real_tokens:,} real tokens",
            f"padding {stats.waste:.1%}, {stats.distinct_shapes} distinct batch widths "
            f"(fixed padding to max_length: {fixed.waste:.1%}, 1 width)",
        ])

    def figure(self):
        batch = self.first_batch()
        return plot_batches({"first batch of the epoch": batch},
                            width=max(self.settings["max_length"], batch.shape[1]))

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
        named = {
            "batch_size": widgets.IntSlider(value=s["batch_size"], min=1, max=max(64, s["batch_size"]),
                                            description="batch_size", continuous_update=False, style=wide),
            "max_length": widgets.IntSlider(value=s["max_length"], min=8, max=self.longest_allowed,
                                            description="max_length", continuous_update=False, style=wide),
            "strategy": widgets.Dropdown(options=list(self.strategies), value=s["strategy"],
                                         description="strategy", style=wide),
            # 0 stands for None: a Dropdown whose value is None shows no choice at all
            "pad_to_multiple_of": widgets.Dropdown(options=[(str(m), m or 0) for m in MULTIPLES],
                                                   value=s["pad_to_multiple_of"] or 0,
                                                   description="pad_to_multiple_of", style=wide),
        }
        for name, control in named.items():
            control.add_class(f"padding-explorer-{name.replace('_', '-')}")
        box = widgets.VBox([widgets.HBox([named["batch_size"], named["max_length"]]),
                            widgets.HBox([named["strategy"], named["pad_to_multiple_of"]])])
        box.add_class("padding-explorer")
        box.named = named
        return box



__all__ = ["PAD", "SEGMENT_A", "SEGMENT_B", "SPECIAL", "OUTSIDE", "CLASS_NAMES", "CLASS_COLOURS",
           "token_classes", "batch_classes", "example_classes", "truncate_classes", "waste",
           "epoch_classes", "plot_batches", "plot_batch", "plot_epochs", "pair_chips",
           "TokenChips", "PaddingExplorer"]
