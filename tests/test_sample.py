"""helpers.offline.sample: the embedded sample is original, MRPC-shaped, Hub-shaped, and built from its TSV."""

import statistics

import datasets
import pytest

import helpers
from helpers.course import COURSE_FIGURES, REAL_MRPC
from helpers.offline.sample import build_sample, read_sample_tsv
from helpers.offline.sources import SAMPLE_REPO, card_configs

MRPC = helpers.get_task("mrpc")


def test_sample_has_the_hub_schema_and_mrpc_proportions(sample):
    assert list(sample) == ["train", "validation", "test"]
    for split in sample.values():
        assert split.features == MRPC.features()
        assert split["idx"][:] == list(range(split.num_rows))  # GLUE numbers rows per split
    sizes = {name: split.num_rows for name, split in sample.items()}
    real = COURSE_FIGURES["rows"].value
    for split in sizes:  # MRPC: 63.2% / 7.0% / 29.7%
        assert abs(sizes[split] / sum(sizes.values()) - real[split] / sum(real.values())) < 0.03


def test_sample_labels_are_about_two_thirds_equivalent(sample):
    for split in ("train", "test"):
        share = statistics.mean(sample[split]["label"][:])
        assert 0.6 < share < 0.72, (split, share)


def test_sample_pairs_are_distinct_and_not_identical(sample):
    pairs = [(r["sentence1"], r["sentence2"]) for part in sample.values() for r in part]
    assert len(set(pairs)) == len(pairs)
    assert all(a != b for a, b in pairs)
    assert len({b for _, b in pairs}) == len(pairs)  # every second sentence is its own


def test_sample_length_profile_resembles_mrpc(sample, bert_tokenizer):
    train = sample["train"]
    lengths = [len(ids) for ids in bert_tokenizer(list(train["sentence1"]), list(train["sentence2"]))["input_ids"]]
    assert abs(statistics.mean(lengths) - REAL_MRPC["length_mean"]) < 6
    assert abs(min(lengths) - REAL_MRPC["length_min"]) <= 10
    assert abs(max(lengths) - REAL_MRPC["length_max"]) <= 25


def test_the_stored_files_are_what_the_tsv_builds(tmp_path, sample):
    counts = build_sample(repo=tmp_path)
    rebuilt = datasets.load_dataset(str(tmp_path), "mrpc")
    assert counts == {split: part.num_rows for split, part in sample.items()}
    for split, part in sample.items():
        assert rebuilt[split]["sentence1"][:] == part["sentence1"][:]
        assert rebuilt[split]["label"][:] == part["label"][:]
    assert (tmp_path / "README.md").read_text() == (SAMPLE_REPO / "README.md").read_text()
    rows = read_sample_tsv()
    assert sample["train"]["sentence2"][:] == [r["sentence2"] for r in rows["train"]]


def test_the_card_lists_the_config_as_the_hub_does():
    assert card_configs(SAMPLE_REPO) == {"mrpc": {split: [f"mrpc/{split}-*"] for split in MRPC.splits}}


def test_sample_shares_no_sentence_with_the_real_corpus(sample, real_mrpc):
    real = datasets.load_dataset("parquet", data_dir=str(real_mrpc))
    real_sentences = {s for part in real.values() for col in MRPC.text_columns for s in part[col]}
    ours = {s for part in sample.values() for col in MRPC.text_columns for s in part[col]}
    assert not ours & real_sentences


@pytest.mark.parametrize("split", MRPC.splits)
def test_the_card_counts_match_the_files(sample, split):
    from helpers.offline.sources import front_matter

    info = front_matter(SAMPLE_REPO)["dataset_info"][0]
    counts = {s["name"]: s["num_examples"] for s in info["splits"]}
    assert counts[split] == sample[split].num_rows
