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
