"""helpers.training.bench: every strategy trains on the same examples; results are written as CSV and a plot."""

import csv
import os
from collections import Counter

import pytest
from commands import said

import helpers
from helpers.padding import STRATEGIES
from helpers.training import bench


@pytest.fixture(scope="module")
def features(bert_tokenizer):
    return bench.tokenized_train("mrpc", "sample", bert_tokenizer, 128)


def _examples(batch):
    """The examples of a padded batch, padding stripped, as hashable tuples."""
    return [tuple(ids[: int(mask.sum())].tolist()) for ids, mask in zip(batch["input_ids"], batch["attention_mask"])]


def test_every_strategy_sees_the_same_examples(features, bert_tokenizer):
    plans = bench.plan_batches(features, batch_size=8, steps=5, max_length=128, seed=3, tokenizer=bert_tokenizer)
    assert list(plans) == list(STRATEGIES)
    seen = {name: Counter(e for b in batches for e in _examples(b)) for name, batches in plans.items()}
    assert all(len(batches) == 5 for batches in plans.values())
    assert all(s == seen["fixed"] for s in seen.values())
    assert {tuple(b["input_ids"].shape) for b in plans["fixed"]} == {(8, 128)}
    for batch in plans["dynamic"]:
        assert batch["input_ids"].shape[1] == int(batch["attention_mask"].sum(1).max())
    assert all(b["input_ids"].shape[1] % 8 == 0 for b in plans["dynamic_multiple_of_8"])


def test_benchmark_rows(features, bert_tokenizer):
    from transformers import AutoModelForSequenceClassification

    folder = helpers.resolve("distilbert-base-uncased", "sample").target
    model = AutoModelForSequenceClassification.from_pretrained(folder)
    rows = bench.run_benchmark(model, bert_tokenizer, features, batch_size=4, steps=2, rounds=2, device="cpu")
    by_name = {r["strategy"]: r for r in rows}
    assert set(by_name) == set(STRATEGIES)
    assert by_name["fixed"]["speedup_vs_fixed"] == 1.0
    assert by_name["fixed"]["positions"] == 2 * 4 * 128
    assert all(r["examples"] == 8 and r["real_tokens"] == by_name["fixed"]["real_tokens"] for r in rows)
    assert by_name["dynamic"]["positions"] < by_name["fixed"]["positions"]
    assert rows[0]["device"].startswith("cpu")
    for r in rows:  # rates are consistent with the time measured
        assert r["examples_per_s"] == pytest.approx(r["examples"] / r["seconds"], rel=0.01)


def test_bad_device_is_named():
    with pytest.raises(helpers.ParameterError, match="device='tpu'"):
        bench.pick_device("tpu")


@pytest.mark.processes  # a short benchmark, in this process (the command's code path, without a new interpreter)
def test_cli_writes_csv_and_plot(tmp_path, capsys):
    options = "--source sample --checkpoint distilbert-base-uncased --steps 2 --batch-size 4".split()
    printed = said(capsys, "bench", *options, "--out", str(tmp_path))
    assert "vs fixed" in printed and "cpu" in printed
    rows = list(csv.DictReader(open(tmp_path / "padding_benchmark.csv")))
    assert [r["strategy"] for r in rows] == list(STRATEGIES)
    assert (tmp_path / "padding_benchmark.png").stat().st_size > 10_000
    assert sorted(os.listdir(tmp_path)) == sorted(bench.BENCH_WRITES)  # what --overwrite may replace, all of it


def test_length_grouped_sorts_the_sample_as_one_megabatch(features, bert_tokenizer):
    plans = bench.plan_batches(features, batch_size=8, steps=5, max_length=128, seed=3, tokenizer=bert_tokenizer)
    widths = {name: [b["input_ids"].shape[1] for b in batches] for name, batches in plans.items()}
    grouped = widths["length_grouped"]
    assert grouped[0] == max(grouped) and grouped[1:] == sorted(grouped[1:], reverse=True)  # longest first
    real = [int(b["attention_mask"].sum(1).min()) for b in plans["length_grouped"]]
    assert all(shortest >= width for shortest, width in zip(real, grouped[1:]))  # bands do not overlap
    waste = {
        name: 1 - sum(int(b["attention_mask"].sum()) for b in batches) / sum(b["input_ids"].numel() for b in batches)
        for name, batches in plans.items()
    }
    assert waste["length_grouped"] < waste["dynamic"] < waste["longest_overall"] < waste["fixed"]


def test_batch_larger_than_the_split_is_named(features, bert_tokenizer):
    with pytest.raises(helpers.ParameterError, match="batch_size=999: at most the split's 208 examples"):
        bench.plan_batches(features, batch_size=999, steps=1, max_length=128, seed=0, tokenizer=bert_tokenizer)
