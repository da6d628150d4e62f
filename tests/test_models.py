"""helpers.models: offline stand-ins that give the course's exact ids, and clear errors."""

import pytest
import torch

import helpers

COURSE_PAIR_IDS = [101, 2023, 2003, 1996, 2034, 6251, 1012, 102, 2023, 2003, 1996, 2117, 2028, 1012, 102]
PAIR = ("This is the first sentence.", "This is the second one.")


def test_bert_standin_gives_the_course_ids(bert_tokenizer):
    encoded = bert_tokenizer(*PAIR)
    assert encoded["input_ids"] == COURSE_PAIR_IDS
    assert encoded["token_type_ids"] == [0] * 8 + [1] * 7
    assert bert_tokenizer.convert_ids_to_tokens(encoded["input_ids"])[:5] == ["[CLS]", "this", "is", "the", "first"]


def test_distilbert_standin_same_ids_without_token_type_ids(bert_tokenizer):
    distilbert = helpers.load_tokenizer("distilbert-base-uncased", source="sample")
    assert distilbert.model_input_names == ["input_ids", "attention_mask"]
    assert "DistilBert" in type(distilbert).__name__
    encoded = distilbert(*PAIR)
    assert encoded["input_ids"] == COURSE_PAIR_IDS
    assert "token_type_ids" not in encoded


def test_standins_do_not_map_words_to_unk(bert_tokenizer):
    """transformers 5's BertTokenizerFast(vocab_file=...) silently returns [UNK] for every word."""
    distilbert = helpers.load_tokenizer("distilbert-base-uncased", source="sample")
    for tokenizer in (bert_tokenizer, distilbert):
        ids = tokenizer("paraphrase corpus of news sentences")["input_ids"]
        assert tokenizer.unk_token_id not in ids
        assert len(set(ids)) == len(ids)


def test_real_mrpc_lengths_with_the_standin(real_mrpc, bert_tokenizer):
    raw = helpers.load_glue("mrpc", source=str(real_mrpc))
    first8 = raw["train"][:8]
    encoded = bert_tokenizer(first8["sentence1"], first8["sentence2"], truncation=True)
    assert [len(ids) for ids in encoded["input_ids"]] == [50, 59, 47, 67, 59, 50, 62, 32]


def test_bert_standin_model_is_pretrained_with_a_new_head():
    model, info = helpers.load_model("bert-base-uncased", num_labels=2, source="sample", output_loading_info=True)
    assert info["missing_keys"] == ["classifier.bias", "classifier.weight"]
    assert model.config.num_hidden_layers == 6
    assert 22e6 < sum(p.numel() for p in model.parameters()) < 23.5e6
    logits = model(**helpers.load_tokenizer(source="sample")(*PAIR, return_tensors="pt")).logits
    assert logits.shape == (1, 2)


def test_distilbert_standin_model_is_random_and_seeded():
    a = helpers.load_model("distilbert-base-uncased", num_labels=3, source="sample", seed=1)
    b = helpers.load_model("distilbert-base-uncased", num_labels=3, source="sample", seed=1)
    assert a.classifier.out_features == 3
    assert torch.equal(a.classifier.weight, b.classifier.weight)


def test_regression_head_for_one_label():
    model = helpers.load_model("bert-base-uncased", num_labels=1, source="sample")
    assert model.config.problem_type == "regression"


def test_unknown_checkpoint_offline_lists_what_is_available():
    with pytest.raises(helpers.ParameterError, match=r"checkpoint='roberta-base'.*bert-base-uncased, distilbert-base-uncased"):
        helpers.load_tokenizer("roberta-base", source="auto")
    with pytest.raises(helpers.ParameterError, match=r"checkpoint='roberta-base'.*no offline stand-in"):
        helpers.load_tokenizer("roberta-base", source="sample")


def test_model_folder_as_source(tmp_path, bert_tokenizer):
    bert_tokenizer.save_pretrained(tmp_path / "models" / "bert-base-uncased")
    helpers.load_model("bert-base-uncased", source="sample").save_pretrained(tmp_path / "models" / "bert-base-uncased")
    tokenizer = helpers.load_tokenizer("bert-base-uncased", source=str(tmp_path))
    assert tokenizer(*PAIR)["input_ids"] == COURSE_PAIR_IDS
    with pytest.raises(helpers.ParameterError, match="holds no model folder for checkpoint 'gpt2'"):
        helpers.load_tokenizer("gpt2", source=str(tmp_path))
