"""Every test, and every notebook kernel the tests start, runs offline, quiet and on a fresh cache."""

import os
import tempfile
from pathlib import Path

import pytest

# Before any Hugging Face library is imported: the libraries read these at import time.
os.environ["HF_HUB_OFFLINE"] = "1"  # tests never need the network
os.environ["HF_HOME"] = tempfile.mkdtemp(prefix="hf_home_")  # a cold cache, as on a fresh machine
os.environ["OMP_NUM_THREADS"] = "1"  # two xdist workers on two cores: no thread fights

from helpers.runner import QUIET_ENV  # noqa: E402

os.environ.update(QUIET_ENV)  # no progress bars in stored outputs or tests; learners keep theirs

ROOT = Path(__file__).resolve().parent.parent
REAL_MRPC = ROOT.parent / "shared" / "data" / "glue-mrpc"


@pytest.fixture(scope="session")
def real_mrpc() -> Path:
    """The real GLUE MRPC, for checking the course's figures; absent on a learner's machine."""
    if not (REAL_MRPC / "train-00000-of-00001.parquet").is_file():
        pytest.skip(f"real MRPC corpus not found at ../shared/data/glue-mrpc")
    return REAL_MRPC


@pytest.fixture(scope="session")
def bert_tokenizer():
    import helpers

    return helpers.load_tokenizer("bert-base-uncased", source="sample")


def write_task_folder(folder: Path, task: str) -> dict[str, int]:
    """A small local source in `task`'s schema, made from the embedded sample's sentences.

    Only the shape matters here (columns, label type, split names), not the meaning of the labels.
    """
    import datasets

    import helpers

    info = helpers.get_task(task)
    sample = helpers.load_glue("mrpc", source="sample")
    pools = [sample["train"], sample["validation"], sample["test"]]
    if info.is_regression:
        label = datasets.Value("float32")
    elif info.label_names:  # AX too: a ClassLabel whose values are all -1, as on the Hub
        label = datasets.ClassLabel(names=list(info.label_names))
    else:
        label = datasets.Value("int32")
    features = datasets.Features({info.text_columns[0]: datasets.Value("string"),
                                  info.text_columns[1]: datasets.Value("string"),
                                  "label": label, "idx": datasets.Value("int32")})
    rows = {}
    folder.mkdir(parents=True, exist_ok=True)
    for number, split in enumerate(info.splits):
        part = pools[min(number, 2)]
        n = part.num_rows
        if not info.has_labels or split.startswith("test"):
            labels = [-1] * n  # GLUE hides test labels
            if info.is_regression:
                labels = [-1.0] * n
        elif info.is_regression:
            labels = [round(1.0 + 3.5 * y, 1) for y in part["label"][:]]
        else:
            labels = [(i + y) % info.num_labels for i, y in enumerate(part["label"][:])]
        datasets.Dataset.from_dict({
            info.text_columns[0]: part["sentence1"][:], info.text_columns[1]: part["sentence2"][:],
            "label": labels, "idx": list(range(n)),
        }, features=features).to_parquet(str(folder / f"{split}-00000-of-00001.parquet"))
        rows[split] = n
    return rows
