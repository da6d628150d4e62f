"""Does padding change the answer? Computed, not asserted.

Dynamic padding is only safe because the attention mask hides the padding from every real token.
`logits_both_ways` scores each pair twice in eval mode, padded to its batch's longest pair and
padded to max_length, and reports the largest difference between the two logits and between the
real tokens' last hidden states (rounding, not 0: the sums run over different widths), and the
same without the attention mask, where padding does change the answer. `train_both_ways` trains
two copies of one model from the same weights on the same examples in the same order, one padded
to max_length and one per batch, and reports each step's loss and time side by side.
"""

import copy
import time

from ..padding import STRATEGIES
from ..running.params import check_positive_int
from .bench import model_inputs, plan_batches, train_step


def logits_both_ways(model, tokenizer, features: list[dict], batch_size: int = 8, max_length: int = 128) -> dict:
    """Each pair's logits in eval mode, padded to its batch's longest pair (DataCollatorWithPadding)
    and to max_length (padding="max_length"), compared; then the same without the attention mask.

    features: tokenized examples, truncated at max_length, unpadded.
    """
    import torch

    check_positive_int("batch_size", batch_size)
    check_positive_int("max_length", max_length)
    features = [{k: v for k, v in f.items() if k not in ("label", "labels")} for f in model_inputs(features)]
    longest = max(len(f["input_ids"]) for f in features)
    dynamic = STRATEGIES["dynamic"].collator(tokenizer, max_length, longest)
    fixed = STRATEGIES["fixed"].collator(tokenizer, max_length, longest)
    model.eval()
    device = next(model.parameters()).device  # the batches go where the model is
    differences, unmasked, widths, scale, hidden, hidden_scale = [], [], [], [], [], []
    with torch.no_grad():
        for start in range(0, len(features), batch_size):
            chunk = features[start : start + batch_size]
            short = {k: v.to(device) for k, v in dynamic(chunk).items()}
            wide = {k: v.to(device) for k, v in fixed(chunk).items()}
            a, b = model(**short, output_hidden_states=True), model(**wide, output_hidden_states=True)
            differences.append((a.logits - b.logits).abs().amax(dim=-1))
            scale.append(a.logits.abs().amax(dim=-1))
            width = int(short["input_ids"].shape[1])
            widths.append(width)
            real = short["attention_mask"].bool()  # the real tokens' last hidden states, both ways
            hidden.append((a.hidden_states[-1] - b.hidden_states[-1][:, :width])[real].abs().amax(dim=-1))
            hidden_scale.append(a.hidden_states[-1][real].abs().amax(dim=-1))
            drop = {k: v for k, v in short.items() if k != "attention_mask"}
            drop_wide = {k: v for k, v in wide.items() if k != "attention_mask"}
            unmasked.append((model(**drop).logits - model(**drop_wide).logits).abs().amax(dim=-1))
    differences, unmasked = torch.cat(differences), torch.cat(unmasked)
    return {
        "pairs": len(differences),
        "batches": len(widths),
        "dynamic_widths": widths,
        "fixed_width": max_length,
        "max_abs_difference": float(differences.max()),
        "mean_abs_difference": float(differences.mean()),
        "pairs_exactly_equal": int((differences == 0).sum()),
        "largest_logit": float(torch.cat(scale).max()),
        "max_abs_difference_hidden": float(torch.cat(hidden).max()),  # every real token's last hidden state
        "largest_hidden": float(torch.cat(hidden_scale).max()),
        "max_abs_difference_without_mask": float(unmasked.max()),
    }


def train_both_ways(
    model,
    tokenizer,
    features: list[dict],
    steps: int = 4,
    batch_size: int = 8,
    max_length: int = 128,
    seed: int = 0,
    learning_rate: float = 5e-5,
) -> list[dict]:
    """Train two copies of `model` (the same weights) for `steps` AdamW steps on the same
    examples in the same order: one padded to max_length, one to each batch's longest pair.
    One row per step: each loss, their difference, each batch's width and each step's seconds.

    Dropout is off (the copies run in eval mode; gradients flow all the same): dropout draws
    its random masks over the padded width, so with it on the two runs would differ for a
    reason that has nothing to do with padding. The two copies take turns step by step, the
    one going first alternating, so a machine that drifts favours neither.
    """

    for name, value in [("steps", steps), ("batch_size", batch_size), ("max_length", max_length)]:
        check_positive_int(name, value)
    # the same steps x batch_size examples, in the same random order, padded both ways
    plans = plan_batches(
        model_inputs(features), batch_size, steps, max_length, seed, tokenizer, strategies=("fixed", "dynamic")
    )
    runs = {name: _copy_to_train(model, batches, learning_rate) for name, batches in plans.items()}
    rows = []
    for step in range(steps):
        row = {"step": step + 1}
        names = ["fixed", "dynamic"] if step % 2 == 0 else ["dynamic", "fixed"]
        for name in names:
            copy_, optimizer, batches = runs[name]
            batch = batches[step]
            started = time.perf_counter()
            loss = train_step(copy_, optimizer, batch)
            row[f"seconds_{name}"] = round(time.perf_counter() - started, 4)
            row[f"loss_{name}"] = loss.item()
            row[f"width_{name}"] = int(batch["input_ids"].shape[1])
        row["loss_difference"] = abs(row["loss_fixed"] - row["loss_dynamic"])
        rows.append(row)
    return rows


def _copy_to_train(model, batches: list, learning_rate: float) -> tuple:
    """A copy of the model in eval mode (dropout off; see train_both_ways), its AdamW, its batches on its device."""
    import torch

    device = next(model.parameters()).device
    copied = copy.deepcopy(model).eval()
    return (
        copied,
        torch.optim.AdamW(copied.parameters(), lr=learning_rate),
        [{k: v.to(device) for k, v in batch.items()} for batch in batches],
    )


def comparison_table(rows: list[dict]):
    """train_both_ways' rows as a pandas DataFrame: losses, widths and times side by side."""
    import pandas as pd

    frame = pd.DataFrame(rows).set_index("step")
    columns = {
        "loss_fixed": "loss, fixed",
        "loss_dynamic": "loss, dynamic",
        "loss_difference": "difference",
        "width_fixed": "width, fixed",
        "width_dynamic": "width, dynamic",
        "seconds_fixed": "seconds, fixed",
        "seconds_dynamic": "seconds, dynamic",
    }
    return frame[list(columns)].rename(columns=columns)
