"""helpers.offline.standins: folders shaped like the Hub's checkpoints, so that offline the Auto classes pick
what they would pick online, and the tokenizers give the course's ids."""

import importlib
import json
import os
from pathlib import Path

import pytest
import torch
from commands import python
from transformers import AutoModelForSequenceClassification, AutoTokenizer
from transformers.models.auto.modeling_auto import MODEL_FOR_SEQUENCE_CLASSIFICATION_MAPPING_NAMES
from transformers.models.auto.tokenization_auto import TOKENIZER_MAPPING_NAMES

import helpers
from helpers.course import COURSE_FIGURES
from helpers.offline.standins import HUB_TOKENIZER_CONFIG, STANDINS, standin_folder

PAIR = ("This is the first sentence.", "This is the second one.")


@pytest.mark.parametrize("checkpoint", list(STANDINS))
def test_auto_classes_pick_what_the_hub_shaped_config_implies(checkpoint):
    folder = standin_folder(checkpoint)
    config = json.loads((folder / "config.json").read_text())
    assert json.loads((folder / "tokenizer_config.json").read_text()) == HUB_TOKENIZER_CONFIG  # no tokenizer_class
    expected = TOKENIZER_MAPPING_NAMES[config["model_type"]]
    expected_class = getattr(importlib.import_module("transformers"), expected)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    assert type(tokenizer).__name__ == expected
    assert tokenizer.model_input_names == expected_class.model_input_names
    assert list(tokenizer(*PAIR)) == tokenizer.model_input_names
    model = AutoModelForSequenceClassification.from_pretrained(folder, num_labels=2)
    assert type(model).__name__ == MODEL_FOR_SEQUENCE_CLASSIFICATION_MAPPING_NAMES[config["model_type"]]


def test_distilbert_on_transformers_5_returns_token_type_ids_and_ignores_them():
    """What notebook 2 teaches: AutoTokenizer maps distilbert to BertTokenizer; the model ignores the ids."""
    from transformers import DistilBertTokenizer

    folder = standin_folder("distilbert-base-uncased")
    tokenizer = AutoTokenizer.from_pretrained(folder)
    assert TOKENIZER_MAPPING_NAMES["distilbert"] == "BertTokenizer"
    assert "token_type_ids" in tokenizer(*PAIR)
    assert DistilBertTokenizer.model_input_names == ["input_ids", "attention_mask"]
    model = AutoModelForSequenceClassification.from_pretrained(folder, num_labels=2).eval()
    inputs = tokenizer(*PAIR, return_tensors="pt")
    with torch.no_grad():
        with_ids = model(**inputs).logits
        without = model(input_ids=inputs["input_ids"], attention_mask=inputs["attention_mask"]).logits
    assert torch.equal(with_ids, without)


@pytest.mark.parametrize("checkpoint", list(STANDINS))
def test_standins_give_the_course_ids_and_no_unknowns(checkpoint):
    tokenizer = AutoTokenizer.from_pretrained(standin_folder(checkpoint))
    encoded = tokenizer(*PAIR)
    assert encoded["input_ids"] == COURSE_FIGURES["example_pair_ids"].value
    assert encoded["token_type_ids"] == COURSE_FIGURES["example_pair_token_type_ids"].value
    assert tokenizer.convert_ids_to_tokens(encoded["input_ids"])[:5] == ["[CLS]", "this", "is", "the", "first"]
    ids = tokenizer("paraphrase corpus of news sentences")["input_ids"]
    assert tokenizer.unk_token_id not in ids and len(set(ids)) == len(ids)
    long = tokenizer(" ".join(["word"] * 300))["input_ids"]
    assert len(long) == 302  # the package's own tokenizer.json pads and truncates to 128; ours does not


def test_bert_standin_is_pretrained_minilm_with_a_new_head():
    model, info = AutoModelForSequenceClassification.from_pretrained(
        standin_folder("bert-base-uncased"), num_labels=2, output_loading_info=True
    )
    assert sorted(info["missing_keys"]) == ["classifier.bias", "classifier.weight"]
    assert model.config.num_hidden_layers == 6
    assert 22e6 < sum(p.numel() for p in model.parameters()) < 23.5e6


def test_distilbert_standin_loads_like_the_hub_checkpoint():
    """A masked-LM checkpoint, as on the Hub: the classifier's head is new, the LM head unexpected."""
    folder = standin_folder("distilbert-base-uncased")
    assert json.loads((folder / "config.json").read_text())["architectures"] == ["DistilBertForMaskedLM"]
    model, info = AutoModelForSequenceClassification.from_pretrained(folder, num_labels=3, output_loading_info=True)
    assert sorted(info["missing_keys"]) == [
        "classifier.bias",
        "classifier.weight",
        "pre_classifier.bias",
        "pre_classifier.weight",
    ]
    assert {key.split(".")[0] for key in info["unexpected_keys"]} == {
        "vocab_transform",
        "vocab_layer_norm",
        "vocab_projector",
    }
    assert model.classifier.out_features == 3


def test_the_folder_is_built_once(monkeypatch):
    first = standin_folder("distilbert-base-uncased")
    stamp = (first / "model.safetensors").stat().st_mtime_ns
    assert standin_folder("distilbert-base-uncased") == first
    assert (first / "model.safetensors").stat().st_mtime_ns == stamp
    assert not [p for p in first.parent.iterdir() if p.name.startswith(".")]  # no scratch left behind


def test_the_description_names_tokenizer_and_model_apart():
    text = STANDINS["distilbert-base-uncased"].describe()
    assert text.startswith("offline stand-in (tokenizer: the uncased BERT WordPiece vocabulary")
    assert "model: a small DistilBERT with random weights" in text
    found = helpers.resolve("distilbert-base-uncased", "sample")
    assert Path(found.target) == standin_folder("distilbert-base-uncased")


@pytest.mark.processes
def test_building_a_stand_in_in_a_quiet_kernel_prints_nothing(tmp_path):
    """A notebook may be the first to need the stand-in (a cold cache): nothing may reach its outputs."""
    code = "import helpers; helpers.resolve('distilbert-base-uncased', 'sample')"
    done = python("-c", code, timeout=120, env={**os.environ, "HF_HOME": str(tmp_path / "cold")})
    assert done.returncode == 0 and (done.stdout, done.stderr) == ("", "")
    assert (tmp_path / "cold" / "course-companion").is_dir()
