"""Time real training steps under each padding strategy, side by side, in one run.

Every strategy trains the same model on the same examples (a seeded subset of the training
split), as many steps each, with forward, backward and an AdamW step. The strategies take turns
in rounds, so a machine that speeds up or slows down during the run does not favour one of them.
"""

import csv
import time
from pathlib import Path

import torch

from ..errors import ParameterError
from ..padding import STRATEGIES, padding_share
from ..report import short_path
from ..running.params import check_device, check_positive_int
from ..tasks import get_task

MODEL_INPUTS = ("input_ids", "token_type_ids", "attention_mask", "labels", "label")


def model_inputs(features: list[dict]) -> list[dict]:
    """The model's inputs (and labels) of each tokenized example; text and idx columns dropped."""
    return [{k: v for k, v in f.items() if k in MODEL_INPUTS} for f in features]


def pick_device(device: str = "auto") -> torch.device:
    """'auto' is a GPU where there is one; anything else is checked as the `device` parameter."""
    if check_device(device) == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    threads = torch.get_num_threads()
    return f"cpu ({threads} thread{'s' if threads > 1 else ''})"


def plan_batches(
    features: list[dict],
    batch_size: int,
    steps: int,
    max_length: int,
    seed: int,
    tokenizer,
    strategies=tuple(STRATEGIES),
) -> dict[str, list[dict]]:
    """The padded batches each strategy feeds the model: the same `steps x batch_size` examples,
    a seeded random sample of the split (repeated if the split is smaller), in one random order
    for every strategy but length-grouping.

    Length-grouping sorts the sample as one megabatch: over a whole split the sampler sorts
    megabatches of up to 50 batches, so a benchmark of a few steps would group far worse than a
    real epoch if it let transformers size megabatches for a few hundred examples.
    """
    if batch_size > len(features):
        raise ParameterError("batch_size", batch_size, f"at most the split's {len(features)} examples")
    order = torch.randperm(len(features), generator=torch.Generator().manual_seed(seed)).tolist()
    chosen = [order[i % len(order)] for i in range(steps * batch_size)]
    lengths = [len(features[i]["input_ids"]) for i in chosen]
    longest = max(len(f["input_ids"]) for f in features)
    plans = {}
    for name in strategies:
        strategy = STRATEGIES[name]
        positions = (
            strategy.order(lengths, batch_size, seed, megabatch=min(steps, 50))
            if strategy.grouped
            else range(len(chosen))
        )
        examples = [features[chosen[i]] for i in positions]
        collate = strategy.collator(tokenizer, max_length, longest)
        plans[name] = [collate(examples[i : i + batch_size]) for i in range(0, len(examples), batch_size)]
    return plans


def run_benchmark(
    model,
    tokenizer,
    features: list[dict],
    batch_size: int = 16,
    steps: int = 8,
    max_length: int = 128,
    seed: int = 0,
    device: str = "auto",
    rounds: int = 4,
    learning_rate: float = 5e-5,
    echo=None,
) -> list[dict]:
    """One row per strategy: seconds, examples/s, real and padded tokens/s, speedup over fixed."""
    check_positive_int("batch_size", batch_size)
    check_positive_int("steps", steps)
    device = pick_device(device)
    model.to(device).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate)
    plans = plan_batches(model_inputs(features), batch_size, steps, max_length, seed, tokenizer)

    def train_on(batches):
        for batch in batches:
            train_step(model, optimizer, {k: v.to(device) for k, v in batch.items()})

    # Warm-up, untimed: the first step allocates AdamW's state and the first calls pick kernels.
    train_on(plans["dynamic"][:1])
    if device.type == "cuda":  # on a GPU each new shape can also pick new kernels
        for batches in plans.values():
            train_on(batches[:1])
    seconds = _timed_in_turns(plans, train_on, min(rounds, steps), echo)
    rows = [_row(name, batches, seconds[name]) for name, batches in plans.items()]
    fixed = next(r for r in rows if r["strategy"] == "fixed")["seconds"]
    for row in rows:
        row["speedup_vs_fixed"] = round(fixed / row["seconds"], 2)
        row["device"] = device_name(device)
    return rows


def _timed_in_turns(plans: dict, train_on, rounds: int, echo=None) -> dict[str, float]:
    """Seconds each strategy's batches take, timed in `rounds` interleaved chunks, the strategy
    going first rotating from round to round: a machine that drifts favours none."""
    seconds = dict.fromkeys(plans, 0.0)
    for r in range(rounds):
        names = list(plans)[r % len(plans) :] + list(plans)[: r % len(plans)]
        for name in names:
            started = time.perf_counter()
            train_on(plans[name][r::rounds])
            seconds[name] += time.perf_counter() - started
        if echo:
            echo(f"round {r + 1}/{rounds} done")
    return seconds


def _row(name: str, batches: list, seconds: float) -> dict:
    positions = sum(b["input_ids"].numel() for b in batches)
    real = sum(int(b["attention_mask"].sum()) for b in batches)
    examples = sum(len(b["input_ids"]) for b in batches)
    return {
        "strategy": name,
        "steps": len(batches),
        "examples": examples,
        "positions": positions,
        "real_tokens": real,
        "waste": round(padding_share(real, positions), 4),
        "seconds": round(seconds, 3),
        "examples_per_s": round(examples / seconds, 1),
        "real_tokens_per_s": round(real / seconds),
        "padded_tokens_per_s": round(positions / seconds),
        "distinct_shapes": len({tuple(b["input_ids"].shape) for b in batches}),
    }


def train_step(model, optimizer, batch):
    """One AdamW step on one batch, as the course writes it; returns the loss. On a GPU it waits
    for the step's queued work, so that a clock read afterwards measures the step."""
    import torch

    loss = model(**batch).loss
    loss.backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    if loss.device.type == "cuda":
        torch.cuda.synchronize(loss.device)
    return loss


def write_results(rows: list[dict], out_dir: Path) -> tuple[Path, Path]:
    from ..plots import plot_cost

    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path, png_path = out_dir / "padding_benchmark.csv", out_dir / "padding_benchmark.png"
    with open(csv_path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    plot_cost(rows).savefig(png_path)
    return csv_path, png_path


def format_table(rows: list[dict]) -> str:
    head = (
        f"{'strategy':<22} {'steps':>5} {'waste':>6} {'seconds':>8} {'ex/s':>7} {'real tok/s':>10} "
        f"{'padded tok/s':>12} {'vs fixed':>8}"
    )
    lines = [head]
    for r in rows:
        lines.append(
            f"{r['strategy']:<22} {r['steps']:>5} {r['waste']:>6.1%} {r['seconds']:>8.2f} "
            f"{r['examples_per_s']:>7.1f} {r['real_tokens_per_s']:>10,} {r['padded_tokens_per_s']:>12,} "
            f"{r['speedup_vs_fixed']:>7.2f}x"
        )
    return "\n".join(lines)


def tokenized_train(task: str, source: str, tokenizer, max_length: int):
    """The training split's pairs, tokenized and truncated, unpadded, as a list of dicts."""
    from datasets import load_dataset

    from ..offline.sources import resolve
    from ..tasks import get_task

    info = get_task(task, need_pair=True)
    first, second = info.text_columns
    split = load_dataset(resolve("nyu-mll/glue", source).target, info.name, split=info.train_split)
    encoded = split.map(
        lambda b: tokenizer(b[first], b[second], truncation=True, max_length=max_length),
        batched=True,
        remove_columns=[first, second, "idx"],
    )
    return [encoded[i] for i in range(encoded.num_rows)]


BENCH_WRITES = ["padding_benchmark.csv", "padding_benchmark.png"]  # what --overwrite may replace


def cmd_bench(args) -> int:
    import datasets
    import transformers
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from ..offline.sources import locate
    from ..running.outdir import check_out_dir, claimed, default_out_dir
    from ..running.params import check_parameters

    datasets.disable_progress_bars()  # a command-line report: keep it to the table
    transformers.logging.set_verbosity_error()
    unique = args.out is None  # the default: a new runs/bench/<timestamp>
    out = check_out_dir(
        default_out_dir("runs/bench") if unique else args.out,
        overwrite=args.overwrite,
        writes=BENCH_WRITES,
        only_name=unique,
    )  # before the work, not after it
    options = ("task", "source", "checkpoint", "batch_size", "steps", "max_length", "seed", "device")
    checked = check_parameters(**{name: getattr(args, name) for name in options}, need_pair=True, need_labels=True)
    device = pick_device(args.device)
    with claimed(out, overwrite=args.overwrite, writes=BENCH_WRITES, unique=unique) as out:
        info = get_task(checked["task"])
        path = locate(args.checkpoint, checked["source"])
        tokenizer = AutoTokenizer.from_pretrained(path)
        features = tokenized_train(info.name, checked["source"], tokenizer, args.max_length)
        torch.manual_seed(args.seed)
        model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=info.num_labels)
        print(f"Benchmark: {args.steps} steps x batch {args.batch_size} per strategy on {device_name(device)}")
        rows = run_benchmark(
            model, tokenizer, features, args.batch_size, args.steps, args.max_length, args.seed, str(device), echo=print
        )
        print(format_table(rows))
        csv_path, png_path = write_results(rows, out)
    print(f"saved {short_path(csv_path)} and {short_path(png_path)}")
    return 0
