"""helpers.data: the embedded sample, local folders, the Hub path offline, and their errors."""

import shutil
import statistics
import time

import datasets
import pytest

import helpers
from helpers.data import SAMPLE_PARQUET_DIR, read_sample_tsv, sample_features

MRPC_FEATURES = sample_features()


@pytest.fixture(scope="module")
def sample():
    return helpers.load_glue("mrpc", source="sample")


def test_sample_has_the_hub_schema_and_mrpc_proportions(sample):
    assert list(sample) == ["train", "validation", "test"]
    for split in sample.values():
        assert split.features == MRPC_FEATURES
        assert split.features["label"].names == ["not_equivalent", "equivalent"]
        assert split["idx"][:] == list(range(split.num_rows))  # GLUE numbers rows per split
    sizes = {name: split.num_rows for name, split in sample.items()}
    assert sum(sizes.values()) >= 300
    # MRPC: 3668 / 408 / 1725 = 63.2% / 7.0% / 29.7%
    total = sum(sizes.values())
    assert abs(sizes["train"] / total - 0.632) < 0.03
    assert abs(sizes["validation"] / total - 0.070) < 0.02
    assert abs(sizes["test"] / total - 0.297) < 0.03


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
    """MRPC train with the uncased BERT tokenizer: 19 to 103 tokens, mean 53.2."""
    train = sample["train"]
    lengths = [len(ids) for ids in bert_tokenizer(list(train["sentence1"]), list(train["sentence2"]))["input_ids"]]
    assert 47 <= statistics.mean(lengths) <= 60
    assert 15 <= min(lengths) <= 30
    assert 80 <= max(lengths) <= 128


def test_parquet_files_are_built_from_the_tsv_source(sample):
    rows = read_sample_tsv()
    for split, part in sample.items():
        assert part["sentence1"][:] == [r["sentence1"] for r in rows[split]]
        assert part["sentence2"][:] == [r["sentence2"] for r in rows[split]]
        assert part["label"][:] == [int(r["label"]) for r in rows[split]]


def test_sample_shares_no_sentence_with_the_real_corpus(sample, real_mrpc):
    real = datasets.load_dataset("parquet", data_dir=str(real_mrpc))
    real_sentences = {s for part in real.values() for col in ("sentence1", "sentence2") for s in part[col]}
    ours = {s for part in sample.values() for col in ("sentence1", "sentence2") for s in part[col]}
    assert not ours & real_sentences


def test_auto_falls_back_to_the_sample_offline_fast_and_says_so(capsys):
    started = time.perf_counter()
    raw = helpers.load_glue("mrpc", source="auto")
    assert time.perf_counter() - started < 15  # the libraries' retries would take about 24 s
    assert raw["train"].num_rows == SAMPLE_ROWS["train"]
    out = capsys.readouterr().out
    assert "Data source: embedded sample" in out and "HF_HUB_OFFLINE=1" in out


SAMPLE_ROWS = {split: len(rows) for split, rows in read_sample_tsv().items()}


def test_explicit_hub_offline_is_an_error_not_a_fallback():
    with pytest.raises(helpers.ParameterError, match=r"source='hub'.*nyu-mll/glue/mrpc could not be loaded"):
        helpers.load_glue("mrpc", source="hub")


def test_other_task_offline_says_how_to_get_it():
    with pytest.raises(helpers.ParameterError, match=r"task='qqp'.*python -m helpers bundle --tasks qqp"):
        helpers.load_glue("qqp", source="auto")
    with pytest.raises(helpers.ParameterError, match=r"source='sample'.*MRPC only"):
        helpers.load_glue("qqp", source="sample")


def test_unknown_task_names_the_tasks():
    with pytest.raises(helpers.ParameterError, match=r"task='mrcp'.*mrpc, qqp, mnli, qnli, rte, wnli, stsb, ax"):
        helpers.load_glue("mrcp", source="sample")


@pytest.mark.parametrize("layout", ["flat", "task_folder", "save_to_disk"])
def test_local_folder_layouts(tmp_path, sample, layout):
    if layout == "flat":
        for f in SAMPLE_PARQUET_DIR.glob("*.parquet"):
            shutil.copy(f, tmp_path)
    elif layout == "task_folder":
        shutil.copytree(SAMPLE_PARQUET_DIR, tmp_path / "mrpc")
    else:
        sample.save_to_disk(str(tmp_path / "saved"))
        tmp_path = tmp_path / "saved"
    raw = helpers.load_glue("mrpc", source=str(tmp_path))
    assert {k: v.num_rows for k, v in raw.items()} == SAMPLE_ROWS
    assert raw["train"].features == MRPC_FEATURES
    assert raw["train"][5] == sample["train"][5]


def test_local_folder_with_mnli_split_names(tmp_path):
    """Splits are mapped by name, so MNLI's validation_matched is not merged into another split."""
    rows = {"premise": ["A man plays a guitar."], "hypothesis": ["Someone makes music."], "label": [0], "idx": [0]}
    for split in ("train", "validation_matched", "validation_mismatched"):
        datasets.Dataset.from_dict(rows).to_parquet(str(tmp_path / f"{split}-00000-of-00001.parquet"))
    raw = helpers.load_glue("mnli", source=str(tmp_path))
    assert sorted(raw) == ["train", "validation_matched", "validation_mismatched"]


def test_local_folder_errors(tmp_path):
    with pytest.raises(helpers.ParameterError, match="no such folder"):
        helpers.load_glue("mrpc", source=str(tmp_path / "missing"))
    with pytest.raises(helpers.ParameterError, match="holds no mrpc data"):
        helpers.load_glue("mrpc", source=str(tmp_path))
    (tmp_path / "train-00000-of-00001.parquet").write_bytes(b"not a parquet file")
    with pytest.raises(helpers.ParameterError, match="could not be read as mrpc data"):
        helpers.load_glue("mrpc", source=str(tmp_path))


def test_local_folder_in_another_tasks_schema(tmp_path):
    rows = {"question1": ["Why?"], "question2": ["How come?"], "label": [1], "idx": [0]}
    datasets.Dataset.from_dict(rows).to_parquet(str(tmp_path / "train-00000-of-00001.parquet"))
    with pytest.raises(helpers.ParameterError, match=r"not in the mrpc schema.*question1.*sentence1"):
        helpers.load_glue("mrpc", source=str(tmp_path))


def test_real_corpus_as_a_local_source(real_mrpc):
    raw = helpers.load_glue("mrpc", source=str(real_mrpc))
    assert {k: v.num_rows for k, v in raw.items()} == {"train": 3668, "validation": 408, "test": 1725}
    assert raw["train"].features == MRPC_FEATURES
    assert raw["train"][0]["idx"] == 0 and raw["train"][0]["label"] == 1
    assert raw["train"][0]["sentence1"].startswith("Amrozi accused his brother")
