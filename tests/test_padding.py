"""helpers.padding: the arithmetic of padding, on lengths whose answer is known, and on real MRPC."""

import pytest
from datasets import load_dataset

import helpers
from helpers.course import REAL_MRPC
from helpers.padding import epoch_batches, get_strategy, padding_stats


def _batches(lengths, batch_size, strategy, seed):
    order, _ = epoch_batches(lengths, strategy, batch_size, max(lengths), seed)
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def test_fixed_and_dynamic_on_known_lengths():
    lengths = [10, 20, 30, 40]
    stats = padding_stats(lengths, batch_size=2, max_length=64, seed=0, strategies=("fixed", "longest_overall"))
    assert stats["fixed"].positions == 4 * 64
    assert stats["fixed"].real_tokens == 100
    assert stats["fixed"].waste == pytest.approx(1 - 100 / 256)
    assert stats["longest_overall"].positions == 4 * 40
    assert stats["longest_overall"].distinct_shapes == 1


def test_length_grouping_uses_the_library_sampler_and_cuts_waste():
    lengths = [(i * 37) % 90 + 10 for i in range(1000)]  # 10..99, spread evenly
    stats = padding_stats(lengths, batch_size=16, seed=0, strategies=("dynamic", "length_grouped"))
    batches = _batches(lengths, 16, "length_grouped", seed=0)
    assert stats["length_grouped"].batch_widths == [max(lengths[i] for i in b) for b in batches]
    # LengthGroupedSampler puts the batch holding the longest example first
    assert stats["length_grouped"].batch_widths[0] == 99
    assert stats["length_grouped"].waste < stats["dynamic"].waste / 3


def test_dynamic_pads_each_batch_to_its_longest():
    lengths = [5, 17, 9, 33, 12, 8, 21]
    stats = padding_stats(lengths, batch_size=3, seed=3, strategies=("dynamic", "dynamic_multiple_of_8"))
    batches = _batches(lengths, 3, "dynamic", seed=3)
    assert sorted(i for b in batches for i in b) == list(range(7))  # one epoch, each example once
    assert stats["dynamic"].batch_widths == [max(lengths[i] for i in b) for b in batches]
    assert stats["dynamic"].positions == sum(w * len(b) for w, b in zip(stats["dynamic"].batch_widths, batches))
    assert all(w % 8 == 0 for w in stats["dynamic_multiple_of_8"].batch_widths)
    assert stats["dynamic_multiple_of_8"].positions >= stats["dynamic"].positions


def test_a_strategy_rounded_to_a_multiple_is_the_tables_own():
    lengths = [(i * 37) % 90 + 10 for i in range(1000)]
    rounded = get_strategy("dynamic", 8)
    stats = padding_stats(lengths, batch_size=16, seed=3, strategies=(rounded, "dynamic_multiple_of_8"))
    assert stats["dynamic"].batch_widths == stats["dynamic_multiple_of_8"].batch_widths
    assert stats["dynamic"].positions == stats["dynamic_multiple_of_8"].positions
    with pytest.raises(helpers.ParameterError, match="pad_to_multiple_of=-2: must be a positive integer"):
        get_strategy("dynamic", -2)


def test_truncation_at_max_length():
    stats = padding_stats([200, 10], batch_size=2, max_length=128, strategies=("fixed", "dynamic"))
    assert stats["fixed"].real_tokens == 138
    assert stats["dynamic"].batch_widths == [128]


def test_bad_arguments_are_named():
    with pytest.raises(helpers.ParameterError, match="batch_size=0"):
        padding_stats([3, 4], batch_size=0)
    with pytest.raises(helpers.ParameterError, match="strategies"):
        padding_stats([3, 4], strategies=("sorted",))
    for lengths in ([], [0, 0], [5, -3], [2.5]):  # [0, 0] used to divide by zero
        with pytest.raises(helpers.ParameterError, match="lengths=.*: must be one or more token counts"):
            padding_stats(lengths)


def test_course_figures_on_real_mrpc(real_mrpc, bert_tokenizer):
    """Fixed-128 wastes 58.4% (the course's figure); dynamic about 30%; length-grouped a few percent."""
    train = load_dataset(helpers.locate("nyu-mll/glue", real_mrpc), "mrpc")["train"]
    encoded = bert_tokenizer(list(train["sentence1"]), list(train["sentence2"]), truncation=True)
    lengths = [len(ids) for ids in encoded["input_ids"]]
    assert (min(lengths), max(lengths)) == (REAL_MRPC["length_min"], REAL_MRPC["length_max"])
    assert sum(lengths) / len(lengths) == pytest.approx(REAL_MRPC["length_mean"], abs=0.01)
    stats = padding_stats(lengths, batch_size=16, max_length=128, seed=42)
    assert stats["fixed"].waste == pytest.approx(REAL_MRPC["fixed_128_waste"], abs=0.001)
    assert 0.25 < stats["dynamic"].waste < 0.35
    assert stats["length_grouped"].waste < 0.05
    shapes = {name: s.distinct_shapes for name, s in stats.items()}
    assert shapes["fixed"] == 1 < shapes["dynamic_multiple_of_8"] < shapes["dynamic"]


def test_length_grouped_order_is_the_samplers_own():
    """One code path: the order is what transformers' LengthGroupedSampler yields for the same seed."""
    import torch
    from transformers.trainer_pt_utils import LengthGroupedSampler

    lengths = [(i * 37) % 90 + 10 for i in range(500)]
    sampler = LengthGroupedSampler(16, lengths=lengths, generator=torch.Generator().manual_seed(5))
    assert helpers.STRATEGIES["length_grouped"].order(lengths, 16, seed=5) == list(sampler)


def test_the_table_drives_the_collators(bert_tokenizer):
    """Each strategy's collator pads a batch to the width its arithmetic says."""
    features = [bert_tokenizer("word " * n) for n in (3, 9, 14)]
    lengths = [len(f["input_ids"]) for f in features]
    for strategy in helpers.STRATEGIES.values():
        batch = strategy.collator(bert_tokenizer, max_length=40, longest=30)(features)
        assert batch["input_ids"].shape == (3, strategy.width(lengths, max_length=40, longest=30)), strategy.name


def test_random_batches_are_a_shuffled_dataloaders():
    """The statistics, the pictures and the explorer see the batches a DataLoader with this seed draws."""
    import torch
    from torch.utils.data import DataLoader

    lengths = list(range(10, 60))
    loader = DataLoader(lengths, batch_size=8, shuffle=True, generator=torch.Generator().manual_seed(42))
    assert padding_stats(lengths, batch_size=8, seed=42)["dynamic"].batch_widths == [int(b.max()) for b in loader]


def test_descriptions_fit_a_notebook_table():
    assert all(len(s.description) < 50 for s in helpers.STRATEGIES.values())  # pandas cuts at 50
