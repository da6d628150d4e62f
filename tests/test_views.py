"""helpers.views: the classes the pictures draw come from the tokenizer's own outputs, the chips name
every token once, the explorer's numbers are padding_stats' numbers, fast enough to move a slider."""

import re
import time
from html.parser import HTMLParser

import numpy as np
import pytest
from matplotlib.colors import to_rgb

import helpers
from helpers import plots, views
from helpers.padding import STRATEGIES, padding_stats
from helpers.views import OUTSIDE, PAD, SEGMENT_A, SEGMENT_B, SPECIAL

COURSE_PAIR = ("This is the first sentence.", "This is the second one.")


@pytest.fixture(scope="module")
def train(sample, bert_tokenizer):
    return sample["train"].map(
        lambda b: bert_tokenizer(b["sentence1"], b["sentence2"], truncation=True, max_length=128), batched=True
    )


def test_classes_of_a_known_batch(bert_tokenizer):
    batch = bert_tokenizer(["a b c", "hello there my friend"], ["d", "e f"], padding=True)
    # [CLS] a b c [SEP] d [SEP] [PAD] [PAD] / [CLS] hello there my friend [SEP] e f [SEP]
    assert views.batch_classes(batch, bert_tokenizer).tolist() == [
        [SPECIAL, SEGMENT_A, SEGMENT_A, SEGMENT_A, SPECIAL, SEGMENT_B, SPECIAL, PAD, PAD],
        [SPECIAL, SEGMENT_A, SEGMENT_A, SEGMENT_A, SEGMENT_A, SPECIAL, SEGMENT_B, SEGMENT_B, SPECIAL],
    ]


def test_classes_follow_mask_and_segment_ids_of_a_collated_batch(sample, bert_tokenizer):
    from transformers import DataCollatorWithPadding

    rows = sample["train"][:8]
    features = [bert_tokenizer(a, b) for a, b in zip(rows["sentence1"], rows["sentence2"])]
    batch = DataCollatorWithPadding(bert_tokenizer)(features)  # torch tensors
    classes = views.batch_classes(batch, bert_tokenizer)
    mask, types, ids = (batch[k].numpy() for k in ("attention_mask", "token_type_ids", "input_ids"))
    assert classes.shape == ids.shape
    assert ((classes == PAD) == (mask == 0)).all()
    special = np.isin(ids, bert_tokenizer.all_special_ids) & (mask == 1)
    assert ((classes == SPECIAL) == special).all()
    assert (special.sum(1) == 3).all()  # [CLS], [SEP], [SEP] in every pair
    real = (mask == 1) & ~special
    assert (classes[real] == 1 + types[real]).all()
    assert (classes[real & (types == 1)] == SEGMENT_B).any()


def _pixel_classes(fig, ax, shape):
    """The class whose colour is drawn at the centre of each cell of the picture."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)  # a returned figure is closed: draw it on a canvas of its own
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())[..., :3] / 255
    height = pixels.shape[0]
    palette = {c: np.array(to_rgb(colour)) for c, colour in plots.CLASS_COLOURS.items()}
    found = np.full(shape, -9)
    for row in range(shape[0]):
        for col in range(shape[1]):
            x, y = ax.transData.transform((col, row))
            rgb = pixels[height - int(round(y)), int(round(x))]
            matches = [c for c, colour in palette.items() if np.abs(rgb - colour).max() < 0.02]
            found[row, col] = matches[0] if matches else -9
    return found


def test_the_picture_draws_the_classes_pixel_for_pixel(bert_tokenizer):
    batch = bert_tokenizer(
        ["a b c", "hello there my friend", "yes"], ["d", "e f", "no way at all"], padding=True, return_tensors="pt"
    )
    classes = views.batch_classes(batch, bert_tokenizer)
    fig = plots.plot_batch(batch, bert_tokenizer, title="known")
    ax = fig.axes[0]
    assert (np.asarray(ax.images[0].get_array()) == classes).all()
    assert (_pixel_classes(fig, ax, classes.shape) == classes).all()
    mask = batch["attention_mask"].numpy()
    assert ax.get_title() == f"known: 3 × {classes.shape[1]}, {(mask == 0).mean():.0%} padding"


def test_batches_side_by_side_share_one_scale(bert_tokenizer):
    narrow = bert_tokenizer(["a b"], ["c"], padding=True)
    wide = bert_tokenizer(["a b"], ["c"], padding="max_length", max_length=20)
    fig = plots.plot_batches({"fixed": wide, "dynamic": narrow}, bert_tokenizer)
    top, bottom = fig.axes[:2]
    assert top.get_xlim() == bottom.get_xlim() == (-0.5, 19.5)
    assert top.get_title() == "fixed: 1 × 20, 70% padding" and bottom.get_title() == "dynamic: 1 × 6, 0% padding"
    assert not __import__("matplotlib.pyplot").pyplot.get_fignums()  # returned closed


@pytest.mark.parametrize("max_length", [9, 12, 16, 20, 25, 33])
def test_truncation_of_classes_is_the_tokenizers(sample, bert_tokenizer, max_length):
    rows = sample["train"][:12]
    for first, second in zip(rows["sentence1"], rows["sentence2"]):
        full = views.token_classes(
            **{k: v for k, v in bert_tokenizer(first, second).items() if k != "attention_mask"}, special=bert_tokenizer
        )
        cut = bert_tokenizer(first, second, truncation=True, max_length=max_length)
        expected = views.token_classes(cut["input_ids"], cut["token_type_ids"], special=bert_tokenizer)
        assert views.truncate_classes(full, max_length).tolist() == expected.tolist()


def test_epoch_picture_holds_every_example_padded_to_its_batch(train, bert_tokenizer):
    rows = views.example_classes(train, bert_tokenizer)
    assert [len(r) for r in rows] == [len(ids) for ids in train["input_ids"]]
    for name in STRATEGIES:
        grid = views.epoch_classes(rows, name, 16, 64, seed=0)
        stats = padding_stats([len(r) for r in rows], 16, 64, seed=0, strategies=(name,))[name]
        assert grid.shape[0] == len(rows)
        assert int((grid == PAD).sum()) == stats.positions - stats.real_tokens
        assert int(((grid != PAD) & (grid != OUTSIDE)).sum()) == stats.real_tokens
        for number, width in enumerate(stats.batch_widths):  # each batch is a block of its width
            block = grid[number * 16 : (number + 1) * 16]
            assert (block[:, :width] != OUTSIDE).all() and (block[:, width:] == OUTSIDE).all()
    fig = plots.plot_epochs(rows, 16, 128, seed=0)
    assert [ax.get_title().split("\n")[0] for ax in fig.axes[:5]] == list(STRATEGIES)


class _Chips(HTMLParser):
    """(token, id, title) of every chip that has a title (the legend's chips have none)."""

    def __init__(self):
        super().__init__()
        self.chips, self.depth, self.current, self.in_small = [], 0, None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "span" and "title" in attrs:
            self.current = {"token": "", "id": "", "title": attrs["title"]}
        elif tag == "small" and self.current is not None:
            self.in_small = True

    def handle_endtag(self, tag):
        if tag == "small":
            self.in_small = False
        elif tag == "span" and self.current is not None:
            self.chips.append(self.current)
            self.current = None

    def handle_data(self, data):
        if self.current is not None:
            self.current["id" if self.in_small else "token"] += data


def _chips(html):
    parser = _Chips()
    parser.feed(html)
    return parser.chips


def test_chips_name_every_token_once(bert_tokenizer):
    inputs = bert_tokenizer("Fish & chips cost < 5 pounds.", "Chips & fish were cheap.")
    tokens = bert_tokenizer.convert_ids_to_tokens(inputs["input_ids"])
    html = helpers.pair_chips(bert_tokenizer, inputs)._repr_html_()
    chips = _chips(html)
    assert [c["token"] for c in chips] == tokens
    assert [int(c["id"]) for c in chips] == inputs["input_ids"]
    assert [re.search(r"token_type_ids (\d)", c["title"]).group(1) for c in chips] == [
        str(t) for t in inputs["token_type_ids"]
    ]
    for token in set(tokens) - {"[SEP]"}:  # named once per position, nowhere else
        escaped = token.replace("&", "&amp;").replace("<", "&lt;")
        assert html.count(f">{escaped}<br>") == tokens.count(token)
    assert "&amp;" in html and "< 5" not in html  # escaped, never raw
    assert html == helpers.pair_chips(bert_tokenizer, inputs)._repr_html_()  # deterministic
    assert not re.search(r"0x[0-9a-f]{6}|\bid=", html)


def test_chips_as_text(bert_tokenizer):
    inputs = bert_tokenizer(*COURSE_PAIR)
    assert repr(helpers.pair_chips(bert_tokenizer, inputs)) == (
        "15 tokens: 8 with token_type_ids 0, 7 with 1; 3 special\n"
        "    A | [CLS] this is the first sentence . [SEP]\n"
        "    B | this is the second one . [SEP]"
    )
    padded = bert_tokenizer(["a b c", "hello there my friend"], ["d", "e f"], padding=True)
    alone = bert_tokenizer("This is the first sentence.")
    text = repr(helpers.pair_chips(bert_tokenizer, {"padded": {k: v[0] for k, v in padded.items()}, "alone": alone}))
    assert text == (
        "padded: 9 tokens: 5 with token_type_ids 0, 2 with 1; 3 special; 2 padding (attention_mask 0)\n"
        "    A | [CLS] a b c [SEP]\n"
        "    B | d [SEP]\n"
        "  pad | [PAD] [PAD]\n"
        "alone: 8 tokens: 8 with token_type_ids 0; 2 special\n"
        "    A | [CLS] this is the first sentence . [SEP]"
    )


def test_chips_take_tokenizers_encodings_and_wrap_long_pairs(sample, bert_tokenizer):
    row = sample["train"][0]
    separate = bert_tokenizer([row["sentence1"]])[0]  # a tokenizers.Encoding, as in notebook 2
    pair = bert_tokenizer(row["sentence1"] + " " + row["sentence2"], row["sentence2"])
    chips = helpers.pair_chips(bert_tokenizer, {"alone": separate, "pair": pair})
    assert [c["token"] for c in _chips(chips._repr_html_())] == separate.tokens + bert_tokenizer.convert_ids_to_tokens(
        pair["input_ids"]
    )
    text = repr(chips)
    assert max(len(line) for line in text.splitlines()) <= 100
    assert " ".join(line.split("| ", 1)[1] for line in text.splitlines() if "|" in line) == " ".join(
        separate.tokens + bert_tokenizer.convert_ids_to_tokens(pair["input_ids"])
    )
    with pytest.raises(ValueError, match="one encoding per row"):
        helpers.pair_chips(bert_tokenizer, bert_tokenizer(["a", "b"]))


# ---------------------------------------------------------------------------------------------
# The explorer


def test_explorer_numbers_are_padding_stats(train, bert_tokenizer):
    lengths = [len(ids) for ids in train["input_ids"]]
    explorer = helpers.PaddingExplorer(train, bert_tokenizer, batch_size=8, max_length=128, seed=42)
    for strategy, multiple, name in [
        ("dynamic", None, "dynamic"),
        ("dynamic", 8, "dynamic_multiple_of_8"),
        ("fixed", None, "fixed"),
        ("length_grouped", None, "length_grouped"),
    ]:
        for batch_size, max_length in [(8, 128), (16, 64), (3, 50)]:
            explorer.set(strategy=strategy, pad_to_multiple_of=multiple, batch_size=batch_size, max_length=max_length)
            expected = padding_stats(lengths, batch_size, max_length, seed=42, strategies=(name,))[name]
            got = explorer.stats()
            assert (got.positions, got.real_tokens, got.batch_widths) == (
                expected.positions,
                expected.real_tokens,
                expected.batch_widths,
            )
            assert (
                f"padding {expected.waste:.1%}, {expected.distinct_shapes} distinct batch widths" in explorer.summary()
            )
    with pytest.raises(helpers.ParameterError, match="batch_size=0"):
        explorer.set(batch_size=0)
    with pytest.raises(helpers.ParameterError, match="padding"):
        explorer.set(strategy="sorted")


@pytest.mark.parametrize(
    "strategy, multiple",
    [("fixed", None), ("longest_overall", None), ("dynamic", None), ("dynamic", 16), ("length_grouped", 8)],
)
def test_explorer_batch_is_what_the_strategys_collator_makes(train, bert_tokenizer, strategy, multiple):
    explorer = helpers.PaddingExplorer(train, bert_tokenizer, seed=7).set(
        strategy=strategy, batch_size=6, pad_to_multiple_of=multiple
    )
    s = explorer.strategy
    lengths = [len(ids) for ids in train["input_ids"]]
    chosen = s.order(lengths, 6, 7)[:6]
    features = [{k: train[i][k] for k in ("input_ids", "token_type_ids", "attention_mask")} for i in chosen]
    batch = s.collator(bert_tokenizer, 128, max(lengths))(features)
    assert batch["input_ids"].shape[1] == (
        128
        if strategy == "fixed"
        else max(lengths)
        if strategy == "longest_overall"
        else explorer.first_batch().shape[1]
    )
    assert (explorer.first_batch() == views.batch_classes(batch, bert_tokenizer)).all()


def _columns(n=3668, seed=0):
    """MRPC-sized pairs, MRPC-like lengths (19 to 103 tokens), as a tokenizer would return them."""
    rng = np.random.default_rng(seed)
    firsts, seconds = rng.integers(8, 50, n), rng.integers(8, 50, n)
    return {
        "input_ids": [[101] + [1000] * a + [102] + [2000] * b + [102] for a, b in zip(firsts, seconds)],
        "token_type_ids": [[0] * (a + 2) + [1] * (b + 1) for a, b in zip(firsts, seconds)],
    }


def _update_times(explorer):
    changes = [
        {"strategy": "fixed"},
        {"strategy": "length_grouped"},
        {"batch_size": 32},
        {"max_length": 64},
        {"pad_to_multiple_of": 8},
        {"strategy": "dynamic"},
        {"batch_size": 1},
        {"max_length": 512},
    ]
    explorer.render()  # the first view, drawn when the widget appears (and imports torch, matplotlib)
    times = []
    for change in changes:
        started = time.perf_counter()
        explorer.set(**change).render()
        times.append(time.perf_counter() - started)
    return times


def test_explorer_updates_fast_on_a_split_of_mrpc_size():
    started = time.perf_counter()
    explorer = helpers.PaddingExplorer(_columns(), [101, 102, 0], batch_size=16, max_length=128)
    precompute = time.perf_counter() - started
    times = _update_times(explorer)
    # Reported, not asserted (no timed assertions): about 0.1 s each on 2 idle cores.
    print(f"precompute {precompute:.3f} s; updates: max {max(times):.3f} s, median {np.median(times):.3f} s")
    assert len(times) == 8 and len(explorer.lengths) == 3668


def test_explorer_updates_fast_on_real_mrpc(real_mrpc, bert_tokenizer):
    from datasets import load_dataset

    train = load_dataset(helpers.locate("nyu-mll/glue", real_mrpc), "mrpc")["train"].map(
        lambda b: bert_tokenizer(b["sentence1"], b["sentence2"], truncation=True, max_length=128), batched=True
    )
    explorer = helpers.PaddingExplorer(train, bert_tokenizer, batch_size=16, max_length=128)
    assert len(explorer.lengths) == 3668
    assert "(fixed padding to max_length: 58.4%, 1 width)" in explorer.summary()  # the course's figure
    times = _update_times(explorer)
    print(f"real MRPC updates: max {max(times):.3f} s, median {np.median(times):.3f} s")  # reported, not asserted


class _Handle:
    """What IPython's display(..., display_id=True) returns: update() replaces that output."""

    def __init__(self, shown: list, index: int):
        self.shown, self.index = shown, index

    def update(self, obj, **kwargs):
        self.shown[self.index] = obj


def _displayed(monkeypatch, explorer):
    import IPython.display

    shown = []

    def display(obj, **kwargs):
        shown.append(obj)
        return _Handle(shown, len(shown) - 1) if kwargs.get("display_id") else None

    monkeypatch.setattr(IPython.display, "display", display)
    explorer._ipython_display_()
    return shown


def test_explorer_shows_controls_then_the_default_view(monkeypatch, train, bert_tokenizer):
    """The same outputs in a learner's kernel, a stored run and an unattended one: no switch."""
    import ipywidgets
    from matplotlib.figure import Figure

    explorer = helpers.PaddingExplorer(train, bert_tokenizer, batch_size=8, seed=42)
    box, numbers, picture = _displayed(monkeypatch, explorer)
    assert isinstance(box, ipywidgets.VBox) and "padding-explorer" in box._dom_classes
    assert numbers == {"text/plain": explorer.summary()}
    assert numbers["text/plain"].startswith("batch_size=8  max_length=128  strategy=dynamic  pad_to_multiple_of=None")
    assert isinstance(picture, Figure) and picture.axes[0].get_title().startswith("first batch of the epoch: 8 × ")


def test_explorer_redraws_when_a_control_moves(monkeypatch, train, bert_tokenizer):
    explorer = helpers.PaddingExplorer(train, bert_tokenizer, batch_size=8, seed=42)
    shown = _displayed(monkeypatch, explorer)
    controls = shown[0].named
    before = shown[1]["text/plain"], plots.png_bytes(shown[2])
    assert before[1].startswith(b"\x89PNG") and "strategy=dynamic" in before[0]
    controls["strategy"].value = "length_grouped"
    assert "strategy=length_grouped" in shown[1]["text/plain"] and shown[1]["text/plain"] != before[0]
    assert plots.png_bytes(shown[2]) != before[1]
    controls["batch_size"].value = 16
    assert (
        "batch_size=16" in shown[1]["text/plain"]
        and explorer.stats().batch_widths
        == padding_stats(explorer.lengths, 16, 128, seed=42, strategies=("length_grouped",))[
            "length_grouped"
        ].batch_widths
    )
    multiple = controls["pad_to_multiple_of"]
    assert multiple.label == "None" and explorer.settings["pad_to_multiple_of"] is None  # shown, not blank
    multiple.value = 32
    assert set(explorer.stats().batch_widths) <= {32, 64, 96, 128}
    assert len(shown) == 3 and explorer.last_update_s > 0  # replaced in place, not appended


def test_stored_explorer_is_the_default_view_with_its_controls():
    import nbformat

    from helpers.running.runner import NOTEBOOK_DIR

    nb = nbformat.read(str(NOTEBOOK_DIR / "04_dynamic_padding.ipynb"), as_version=4)
    explorer = next(c for c in nb.cells if "helpers.PaddingExplorer(" in c.source)
    controls, text, figure = explorer.outputs
    assert "application/vnd.jupyter.widget-view+json" in controls.data
    model = controls.data["application/vnd.jupyter.widget-view+json"]["model_id"]
    assert model in nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]  # drawable
    assert text.data["text/plain"].startswith("batch_size=8  max_length=128  strategy=dynamic")
    assert "image/png" in figure.data
