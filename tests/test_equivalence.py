"""helpers.training.equivalence: padding changes the time of a step, not its result (with the attention mask)."""

import pytest
import torch

import helpers
from helpers.training import bench, equivalence


@pytest.fixture(scope="module")
def setup():
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    path = helpers.resolve("distilbert-base-uncased", "sample").target
    tokenizer = AutoTokenizer.from_pretrained(path)
    torch.manual_seed(0)
    model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=2)
    return model, tokenizer, bench.tokenized_train("mrpc", "sample", tokenizer, 128)


def test_padding_does_not_change_the_logits_while_the_mask_hides_it(setup):
    model, tokenizer, features = setup
    found = equivalence.logits_both_ways(model, tokenizer, features[:32], batch_size=8, max_length=128)
    assert found["pairs"] == 32 and found["batches"] == 4 and found["fixed_width"] == 128
    lengths = [len(f["input_ids"]) for f in features[:32]]
    assert found["dynamic_widths"] == [max(lengths[i : i + 8]) for i in range(0, 32, 8)]
    # rounding, not zero: the real tokens' sums run over different widths
    assert 0 < found["max_abs_difference_hidden"] < 1e-4 * found["largest_hidden"]
    assert found["max_abs_difference"] < 1e-5 * max(found["largest_logit"], 1e-2)
    # without the attention mask the padding is read as text, and the answer changes
    assert found["max_abs_difference_without_mask"] > 100 * max(found["max_abs_difference"], 1e-7)


def test_fixed_and_dynamic_training_agree_step_by_step(setup):
    model, tokenizer, features = setup
    before = [p.detach().clone() for p in model.parameters()]
    rows = equivalence.train_both_ways(model, tokenizer, features, steps=3, batch_size=4, seed=1)
    assert [r["step"] for r in rows] == [1, 2, 3]
    order = torch.randperm(len(features), generator=torch.Generator().manual_seed(1)).tolist()
    for number, row in enumerate(rows):
        batch = [len(features[i]["input_ids"]) for i in order[number * 4 : (number + 1) * 4]]
        assert row["width_fixed"] == 128 and row["width_dynamic"] == max(batch)  # the same examples
        assert row["loss_difference"] < 1e-4 and row["seconds_fixed"] > 0 and row["seconds_dynamic"] > 0
    assert len({round(r["loss_fixed"], 6) for r in rows}) == 3  # it trained: the loss moved each step
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))  # copies trained, not the model
    table = equivalence.comparison_table(rows)
    assert list(table.columns)[:3] == ["loss, fixed", "loss, dynamic", "difference"]
