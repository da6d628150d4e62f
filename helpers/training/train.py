"""Train the classifier on one process or several, with 🤗 Accelerate on torch.distributed.

    python -m helpers train --steps 20                        # one process
    torchrun --nproc_per_node 2 -m helpers.training.train --steps 20   # two processes: gloo on CPUs, NCCL on GPUs
    torchrun --nnodes 2 --nproc_per_node 1 --rdzv-backend c10d \\
        --rdzv-endpoint HOST:29400 --rdzv-id job1 -m helpers.training.train --steps 20   # on each of two machines

The same function, `train(config)`, runs under all of them and under `accelerate.notebook_launcher`
(notebook 7): tokenize with `map` (the main process first, the others read its cache), a DataLoader
sharded across the processes, each process padding its own batches with the padding strategy's
collator, AdamW, the gradients averaged across processes, then accuracy (and F1 for MRPC and QQP)
on the validation split, gathered with `gather_for_metrics`. The main process shows the progress
bar and writes `metrics.json`.

On a machine without a GPU, `Accelerator(cpu=True)` is what makes several launched processes one
training (DistributedType.MULTI_CPU, gloo). Without it each process trains alone on all the data
(DistributedType.NO), with no error: `train` checks the world size Accelerate sees against the
one the launcher started, and stops if they differ. Every process ends with
`accelerator.end_training()`, which in accelerate 1.15 destroys the process group under torchrun
and under `notebook_launcher` alike (not where FORK_LAUNCHED=1 is set, as Accelerate's
`debug_launcher` and TPU launches set it), then with `torch.distributed.destroy_process_group()`
if the group is still open: a process that exits with its process group open can die with
SIGABRT ("terminate called without an active exception").

Nothing heavy is imported at module level: `python -m helpers` builds this parser on every call.
"""

import argparse
import json
import os
import sys
import time
import typing
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from ..errors import exit_code
from ..running.environment import hide_gpus
from ..running.outdir import scratch_name

RECORDED_STEPS = 8  # batch shapes kept per process, for the first steps
METRICS_FILE = "metrics.json"
F1_TASKS = ("mrpc", "qqp")  # GLUE reports F1 beside accuracy for these


def _option(default, help: str):
    """A TrainConfig field and its command-line help, written once."""
    return field(default=default, metadata={"help": help})


@dataclass
class TrainConfig:
    """What `train` does; the command's options, one per field (`--batch-size` for batch_size)."""

    source: str = _option("auto", "where data, tokenizer and model come from: auto, hub, sample, or a folder")
    task: str = _option("mrpc", "a GLUE sentence-pair task with labels: mrpc, qqp, mnli, qnli, rte, wnli, stsb")
    checkpoint: str = _option("bert-base-uncased", "the model id on the Hub (offline, its stand-in)")
    padding: str = _option(
        "dynamic", "how batches are padded: fixed, longest_overall, dynamic, dynamic_multiple_of_8, length_grouped"
    )
    batch_size: int = _option(16, "training pairs per batch, per process")
    eval_batch_size: int = _option(32, "validation pairs per batch, per process")
    max_length: int = _option(128, "longest tokenized pair kept by truncation, and the width of fixed padding")
    epochs: int = _option(1, "passes over the training pairs")
    steps: int | None = _option(None, "stop after this many optimizer steps (default: the epochs decide)")
    sample_size: int | None = _option(None, "train on the first N pairs of the training split (default: all)")
    learning_rate: float = _option(5e-5, "AdamW's learning rate, decayed linearly to 0")
    seed: int = _option(42, "seed for the new classifier head and the shuffled order, the same on every process")
    threads: int | None = _option(
        None, "torch threads per process (default: as the launcher set them; torchrun sets 1)"
    )
    device: str = _option("auto", "auto (GPUs where there are any), cpu or cuda")
    out: str | None = _option(
        None,
        "a new or empty folder for metrics.json, written by the main process (default: a new runs/train/<timestamp>)",
    )
    overwrite: bool = _option(False, "write into a non-empty --out, replacing only an earlier metrics.json")
    no_progress_bar: bool = _option(
        False,
        "show no progress bar (the main process shows one by default; "
        "processes forked from a notebook's kernel must draw none)",
    )


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """One option per TrainConfig field, typed, with its default and its help."""
    for option in fields(TrainConfig):
        flag, help_text = f"--{option.name.replace('_', '-')}", option.metadata["help"]
        if option.type is bool:  # a switch
            parser.add_argument(flag, dest=option.name, action="store_true", help=help_text)
            continue
        known = option.default is not None  # None: the help says what decides instead
        kind = next(t for t in typing.get_args(option.type) or [option.type] if t is not type(None))
        parser.add_argument(
            flag,
            dest=option.name,
            default=option.default,
            type=kind,
            metavar=option.name.upper(),
            help=help_text + (" (default: %(default)s)" if known else ""),
        )
    return parser


def _described(make, *args, **kwargs) -> argparse.ArgumentParser:
    """A parser made by `make` (a subcommand's or torchrun's own), with this module's help and options."""
    parser = make(*args, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter, **kwargs)
    return add_arguments(parser)


def add_parser(sub) -> argparse.ArgumentParser:
    """The `train` subcommand of `python -m helpers`."""
    parser = _described(sub.add_parser, "train", help="train the classifier (one process; several under torchrun)")
    parser.set_defaults(func=cmd_train)
    return parser


def config_from_args(args) -> TrainConfig:
    return TrainConfig(**{f.name: getattr(args, f.name) for f in fields(TrainConfig)})


def check_config(config: TrainConfig) -> TrainConfig:
    """Every option checked before any work: one ParameterError naming the first bad one. Last, the
    main process takes the output folder (see `_taken_out`)."""
    from ..padding import get_strategy
    from ..running.params import check_parameters, check_positive_int

    out = _checked_out(config)  # at once: it is cheap
    options = ("source", "task", "checkpoint", "batch_size", "max_length", "learning_rate", "seed", "device")
    given = {name: getattr(config, name) for name in options + ("steps", "sample_size")}
    checked = check_parameters(  # steps and sample_size when given (None: the whole split)
        **{name: value for name, value in given.items() if value is not None or name in options},
        need_pair=True,
        need_labels=True,
    )
    get_strategy(config.padding)
    check_positive_int("eval_batch_size", config.eval_batch_size, 4096)
    check_positive_int("epochs", config.epochs, 1000)
    if config.threads is not None:
        check_positive_int("threads", config.threads, 256)
    return TrainConfig(
        **{**asdict(config), "source": checked["source"], "task": checked["task"], "out": str(_taken_out(config, out))}
    )


# all --overwrite may replace in --out: metrics.json, and the name it is written under first
OUT_WRITES = [METRICS_FILE, scratch_name(METRICS_FILE)]


def _is_main() -> bool:
    return int(os.environ.get("RANK", "0")) == 0  # the process that writes metrics.json


def _checked_out(config: TrainConfig) -> Path:
    """--out by the rule of every command; the default is a new runs/train/<timestamp>. The other
    processes never write: they check the name, not the folder the main process takes."""
    from ..running.outdir import check_out_dir, default_out_dir

    return check_out_dir(
        default_out_dir("runs/train") if config.out is None else config.out,
        writes=OUT_WRITES,
        overwrite=config.overwrite,
        only_name=config.out is None or not _is_main(),
    )


def _taken_out(config: TrainConfig, folder: Path) -> Path:
    """The main process holds the folder until it exits (a default one made under a free name)."""
    from ..running.outdir import claim_for_process

    if not _is_main():
        return folder
    return claim_for_process(folder, overwrite=config.overwrite, writes=OUT_WRITES, unique=config.out is None)


def free_port() -> str:
    """A TCP port that nothing on this machine listens on now, for the processes to meet on
    (`notebook_launcher(..., use_port=free_port())`): the default, 29500, is taken while another
    launch runs on the same machine."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return str(probe.getsockname()[1])


def once_all_forked(function):
    """`function` for `notebook_launcher`, run in each process it forks only once the kernel has
    forked them all (waiting at most 10 s). A process's first connection makes the kernel's store
    thread look its address up (c10d names every socket with getnameinfo), and a fork taken during
    that look-up copies glibc's resolver lock held: the new process then waits on it forever, at its
    own first connection (seen in notebook 7; issue 22). With one process the launcher runs
    `function` in the kernel, which waits for nothing."""
    import functools

    import psutil

    kernel = psutil.Process()

    @functools.wraps(function)
    def in_each_process(*args):
        if os.getpid() != kernel.pid:
            expected, deadline = int(os.environ.get("LOCAL_WORLD_SIZE", "1")), time.monotonic() + 10
            while len(_forked(kernel)) < expected and time.monotonic() < deadline:
                time.sleep(0.01)
        return function(*args)

    return in_each_process


def _forked(kernel) -> list:
    """The kernel's processes that are copies of it (a helper process it started runs another command)."""
    import psutil

    command, copies = kernel.cmdline(), []
    for child in kernel.children():
        try:
            if child.cmdline() == command:
                copies.append(child)
        except psutil.Error:  # ended meanwhile
            pass
    return copies


class LaunchError(RuntimeError):
    """The processes the launcher started are not one training."""


def check_launch(accelerator) -> None:
    """Stop where the launcher started N processes but Accelerate sees another number: on a CPU
    machine, `Accelerator()` without `cpu=True` under torchrun is DistributedType.NO in each
    process, N independent trainings on all the data, and nothing else says so."""
    launched = int(os.environ.get("WORLD_SIZE", "1"))
    if accelerator.num_processes != launched:
        raise LaunchError(
            f"the launcher started {launched} processes (WORLD_SIZE={launched}), but Accelerate "
            f"sees {accelerator.num_processes} ({accelerator.distributed_type}): each process "
            "would train alone on all the data. On a machine without GPUs, create the "
            "Accelerator with cpu=True (--device cpu or auto)"
        )


def bars_off() -> bool:
    """tqdm's own switch, TQDM_DISABLE, read as tqdm reads it."""
    return os.environ.get("TQDM_DISABLE", "").lower() not in ("", "0", "false")


def weights_fingerprint(model):
    """Two float64 numbers per parameter tensor (its sum and its sum of squares): equal on two
    processes when their weights are equal, different as soon as one weight differs."""
    import torch

    return torch.stack(
        [torch.stack([p.detach().double().sum(), p.detach().double().pow(2).sum()]) for p in model.parameters()]
    ).flatten()


def same_on_every_process(accelerator, tensor) -> bool:
    """Gather one tensor from every process and compare them exactly."""
    import torch

    everyone = accelerator.gather(tensor[None])  # (num_processes, ...) on every process
    return all(torch.equal(everyone[0], other) for other in everyone[1:])


def compute_metrics(task: str, predictions, references) -> dict:
    """GLUE's validation metrics, computed here (the `evaluate` library fetches its GLUE script from
    the Hub, which fails offline): accuracy, F1 of the positive class for MRPC and QQP, Pearson and
    Spearman correlations for STS-B."""
    import numpy as np

    from ..tasks import get_task

    predictions, references = np.asarray(predictions), np.asarray(references)
    if len(predictions) != len(references) or not len(predictions):
        raise ValueError(f"{len(predictions)} predictions for {len(references)} references")
    if get_task(task).is_regression:

        def ranks(values):
            import pandas as pd

            return pd.Series(values).rank().to_numpy()

        return {
            "pearson": round(float(np.corrcoef(predictions, references)[0, 1]), 4),
            "spearmanr": round(float(np.corrcoef(ranks(predictions), ranks(references))[0, 1]), 4),
        }
    metrics = {"accuracy": round(float((predictions == references).mean()), 4)}
    if task in F1_TASKS:
        true_pos = int(((predictions == 1) & (references == 1)).sum())
        predicted, actual = int((predictions == 1).sum()), int((references == 1).sum())
        metrics["f1"] = round(2 * true_pos / (predicted + actual), 4) if predicted + actual else 0.0
    return metrics


def _batch_record(batch) -> list[int]:
    """[pairs, width, longest real pair, shortest real pair, real tokens] of a padded batch."""
    real = batch["attention_mask"].sum(dim=1)
    return [
        int(batch["input_ids"].shape[0]),
        int(batch["input_ids"].shape[1]),
        int(real.max()),
        int(real.min()),
        int(real.sum()),
    ]


def _settle(accelerator) -> None:
    """Every process here, and the GPU's queued work done, before the clock is read."""
    import torch

    if accelerator.device.type == "cuda":
        torch.cuda.synchronize(accelerator.device)
    accelerator.wait_for_everyone()


def train(config: TrainConfig) -> dict:
    """Train and evaluate in this process, as one of however many the launcher started; the main
    process writes config.out/metrics.json. Returns the metrics (on every process)."""
    import torch
    from accelerate import Accelerator

    visible = hide_gpus() if config.device == "cpu" else os.environ.get("CUDA_VISIBLE_DEVICES")
    cpu = config.device == "cpu" or (config.device == "auto" and not torch.cuda.is_available())
    per_machine = int(os.environ.get("LOCAL_WORLD_SIZE", "1"))
    if not cpu and per_machine > torch.cuda.device_count():
        raise LaunchError(
            f"{per_machine} processes on this machine, but {torch.cuda.device_count()} GPU(s): start "
            "one process per GPU (--nproc_per_node), or train on the CPU (--device cpu)"
        )
    accelerator = Accelerator(cpu=cpu)
    threads_before = torch.get_num_threads()
    if config.threads:
        torch.set_num_threads(config.threads)
    try:
        check_launch(accelerator)
        # Every prepared object (the model wrapped in DistributedDataParallel above all) lives in
        # _train_and_evaluate's frame and is gone when it returns, before the process group is
        # destroyed: freed afterwards, DDP's reducer can hang in gloo's clean-up.
        return _train_and_evaluate(accelerator, config)
    finally:
        torch.set_num_threads(threads_before)
        if visible is None:  # as it was: a notebook's kernel may use its GPUs afterwards
            os.environ.pop("CUDA_VISIBLE_DEVICES", None)
        else:
            os.environ["CUDA_VISIBLE_DEVICES"] = visible
        accelerator.free_memory()  # accelerate's own references to what it prepared
        accelerator.end_training()  # destroys the process group, unless FORK_LAUNCHED=1 is set
        if torch.distributed.is_initialized():  # FORK_LAUNCHED=1 (debug_launcher, TPU launches)
            torch.distributed.destroy_process_group()  # an open group can end in SIGABRT at exit
        if accelerator.num_processes == 1 and "WORLD_SIZE" not in os.environ:
            # Run in this very process (python -m helpers train, or notebook_launcher with one
            # process, which calls the function in the notebook's kernel): forget the Accelerator,
            # so the kernel can launch several processes afterwards (notebook_launcher refuses to
            # while one exists).
            from accelerate.state import AcceleratorState

            AcceleratorState._reset_state(reset_partial_state=True)


def _train_and_evaluate(accelerator, config: TrainConfig) -> dict:
    """The training itself, in this process; see `train`. Every prepared object lives in this frame."""
    import torch
    from accelerate.utils import gather_object, set_seed
    from transformers import AutoModelForSequenceClassification, get_scheduler

    from ..offline.sources import resolve
    from ..tasks import get_task

    info = get_task(config.task)
    set_seed(config.seed)
    tokenizer, train_loader, eval_loader, train_pairs = get_dataloaders(accelerator, config)
    batches_per_epoch = len(train_loader)  # before sharding: the schedule counts every process's steps
    model = AutoModelForSequenceClassification.from_pretrained(
        resolve(config.checkpoint, config.source).target, num_labels=info.num_labels
    )
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate)
    total = config.steps * accelerator.num_processes if config.steps else batches_per_epoch * config.epochs
    # A prepared scheduler steps once per process at each optimizer step: it counts total steps.
    scheduler = get_scheduler("linear", optimizer, num_warmup_steps=0, num_training_steps=total)
    model, optimizer, train_loader, eval_loader, scheduler = accelerator.prepare(
        model, optimizer, train_loader, eval_loader, scheduler
    )
    steps = config.steps or len(train_loader) * config.epochs  # per process
    trained = training_loop(accelerator, config, model, optimizer, scheduler, train_loader, steps)
    predictions, references = evaluate(accelerator, model, eval_loader, info.is_regression)
    per_process = gather_object(
        [
            {
                "rank": accelerator.process_index,
                "pid": os.getpid(),
                "threads": torch.get_num_threads(),
                "batches": steps,
                "examples": trained["seen"],
                "batch_shapes": trained["shapes"],
                "first_batch_idx": trained["first_idx"],
                "timed_examples": trained["timed_examples"],
            }
        ]
    )
    metrics = _metrics(accelerator, config, steps, train_pairs, trained, per_process)
    metrics["eval"] = {"pairs": len(predictions), **compute_metrics(info.name, predictions, references)}
    metrics.update(predictions=predictions, references=references, processes=per_process)
    if accelerator.is_main_process:
        write_metrics(Path(config.out), metrics)
    accelerator.wait_for_everyone()
    return metrics


def get_dataloaders(accelerator, config: TrainConfig):
    """Tokenized with `map` (the main process first, the others read its cache), padded by the
    strategy's collator; the same shuffled order on every process. Returns the tokenizer, the
    training and validation loaders (not yet prepared) and the number of training pairs."""
    import torch
    from datasets import load_dataset
    from torch.utils.data import DataLoader
    from transformers import AutoTokenizer
    from transformers.trainer_pt_utils import LengthGroupedSampler

    from ..offline.sources import resolve
    from ..padding import get_strategy
    from ..tasks import get_task

    info, strategy = get_task(config.task), get_strategy(config.padding)
    first, second = info.text_columns
    # Silent: in processes forked from a notebook's kernel, printing goes astray (the command
    # prints the sources itself, from the main process).
    data_path = resolve("nyu-mll/glue", config.source).target
    model_path = resolve(config.checkpoint, config.source).target
    with accelerator.main_process_first():  # one process builds the caches, the others read them
        raw = load_dataset(data_path, info.name)
        train_split = raw[info.train_split]
        if config.sample_size:
            train_split = train_split.select(range(config.sample_size))
        tokenizer = AutoTokenizer.from_pretrained(model_path)

        def tokenize(batch):
            return tokenizer(batch[first], batch[second], truncation=True, max_length=config.max_length)

        tokenized = {
            split: part.map(tokenize, batched=True, remove_columns=[first, second]).rename_column("label", "labels")
            for split, part in [("train", train_split), ("eval", raw[info.eval_split])]
        }
    lengths = [len(ids) for ids in tokenized["train"]["input_ids"]]
    # "longest_overall" pads to the longest pair of both splits: a longer validation pair must fit
    longest = max(lengths + [len(ids) for ids in tokenized["eval"]["input_ids"]])
    collate = strategy.collator(tokenizer, config.max_length, longest)
    generator = torch.Generator().manual_seed(config.seed)  # the same order on every process
    if strategy.grouped:  # batches of similar lengths, then dealt out to the processes whole
        sampler = LengthGroupedSampler(config.batch_size, lengths=lengths, generator=generator)
        train_loader = DataLoader(tokenized["train"], batch_size=config.batch_size, sampler=sampler, collate_fn=collate)
    else:
        train_loader = DataLoader(
            tokenized["train"], batch_size=config.batch_size, shuffle=True, generator=generator, collate_fn=collate
        )
    eval_loader = DataLoader(tokenized["eval"], batch_size=config.eval_batch_size, collate_fn=collate)
    return tokenizer, train_loader, eval_loader, len(lengths)


def training_loop(accelerator, config: TrainConfig, model, optimizer, scheduler, train_loader, steps: int) -> dict:
    """`steps` optimizer steps on this process's batches; the first is a warm-up, not timed. Returns
    what this process saw: batch shapes, losses (averaged across processes), timings, weight checks."""
    import torch
    from tqdm import tqdm

    fingerprint = weights_fingerprint(accelerator.unwrap_model(model))
    seen = {
        "checks": {"weights_identical_at_start": same_on_every_process(accelerator, fingerprint)},
        "shapes": [],
        "losses": [],
        "first_idx": None,
        "seen": 0,
        "timed_examples": 0,
        "started": None,
    }
    progress = tqdm(
        total=steps,
        desc="training",
        disable=config.no_progress_bar or bars_off() or not accelerator.is_local_main_process,
    )
    model.train()
    step = 0
    while step < steps:
        for batch in train_loader:
            examples = _step(accelerator, model, optimizer, scheduler, batch, seen)
            step += 1
            progress.update(1)
            if step == 1:  # after one step: the weights moved, and moved alike everywhere
                after = weights_fingerprint(accelerator.unwrap_model(model))
                seen["checks"]["weights_changed_by_first_step"] = not torch.equal(fingerprint, after)
                seen["checks"]["weights_identical_after_first_step"] = same_on_every_process(accelerator, after)
                _settle(accelerator)
                seen["started"] = time.perf_counter()  # the first step is a warm-up, not timed
            else:
                seen["timed_examples"] += examples
            if step >= steps:
                break
    _settle(accelerator)
    seen["seconds"] = time.perf_counter() - seen["started"]
    progress.close()
    seen["checks"]["weights_identical_at_end"] = same_on_every_process(
        accelerator, weights_fingerprint(accelerator.unwrap_model(model))
    )
    return seen


def _step(accelerator, model, optimizer, scheduler, batch, seen: dict) -> int:
    """One optimizer step on one batch, recorded in `seen`; returns the batch's number of pairs."""
    idx = batch.pop("idx")
    seen["first_idx"] = idx.tolist() if seen["first_idx"] is None else seen["first_idx"]
    if len(seen["shapes"]) < RECORDED_STEPS:
        seen["shapes"].append(_batch_record(batch))
    loss = model(**batch).loss
    accelerator.backward(loss)  # DDP averages the gradients across processes here
    optimizer.step()
    scheduler.step()
    optimizer.zero_grad()
    seen["losses"].append(round(accelerator.reduce(loss.detach(), "mean").item(), 5))
    seen["seen"] += len(idx)
    return len(idx)


def evaluate(accelerator, model, eval_loader, is_regression: bool) -> tuple[list, list]:
    """Predictions and labels for every validation pair, once each and in order, on every process."""
    import torch

    model.eval()
    predictions, references = [], []
    for batch in eval_loader:
        batch.pop("idx")
        with torch.no_grad():
            logits = model(**batch).logits
        predicted = logits.squeeze(-1) if is_regression else logits.argmax(dim=-1)
        # gather_for_metrics drops the pairs repeated to give every process a full last batch
        predicted, labels = accelerator.gather_for_metrics((predicted, batch["labels"]))
        predictions += predicted.tolist()
        references += labels.tolist()
    return predictions, references


def _metrics(accelerator, config: TrainConfig, steps: int, train_pairs: int, trained: dict, per_process) -> dict:
    """What metrics.json says about the training (evaluation added by the caller)."""
    from ..padding import get_strategy
    from ..tasks import get_task

    timed, seconds = sum(p["timed_examples"] for p in per_process), trained["seconds"]
    return {
        "task": get_task(config.task).name,
        "checkpoint": config.checkpoint,
        "padding": get_strategy(config.padding).name,
        "distributed_type": str(accelerator.distributed_type).split(".")[-1],
        "world_size": accelerator.num_processes,
        "device": str(accelerator.device),
        "nodes": int(os.environ.get("GROUP_WORLD_SIZE", "1")),
        "steps": steps,
        "batch_size": config.batch_size,
        "train_pairs": train_pairs,
        "examples_seen": sum(p["examples"] for p in per_process),
        "seconds": round(seconds, 3),
        "examples_per_s": round(timed / seconds, 1) if seconds > 0 and timed else None,
        "losses": trained["losses"],
        **trained["checks"],
    }


def write_metrics(out: Path, metrics: dict) -> None:
    """metrics.json in `out`, whole or not at all (the main process only)."""
    from ..running.outdir import write_atomically

    out.mkdir(parents=True, exist_ok=True)
    write_atomically(out / METRICS_FILE, json.dumps(metrics, indent=1))


def summary(metrics: dict) -> str:
    """What the command prints at the end (main process only)."""
    shapes = " | ".join(f"rank {p['rank']}: {[s[:2] for s in p['batch_shapes'][:3]]}" for p in metrics["processes"])
    checks = ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in metrics.items() if k.startswith("weights_"))
    rate = f"{metrics['examples_per_s']} examples/s" if metrics["examples_per_s"] else "too few steps to time"
    return "\n".join(
        [
            f"{metrics['world_size']} process(es) ({metrics['distributed_type']}, {metrics['device']}), "
            f"{metrics['steps']} steps of {metrics['batch_size']} pairs each, padding {metrics['padding']}",
            f"first batch shapes [pairs, width]: {shapes}",
            checks,
            f"loss: first step {metrics['losses'][0]}, last step {metrics['losses'][-1]}; {rate} "
            f"(threads per process: {[p['threads'] for p in metrics['processes']]})",
            f"validation ({metrics['eval']['pairs']} pairs): "
            + ", ".join(f"{k} {v}" for k, v in metrics["eval"].items() if k != "pairs"),
        ]
    )


def cmd_train(args) -> int:
    """`python -m helpers train` and `torchrun ... -m helpers.training.train`: options checked before any work
    (ParameterError, exit code 2), then one training, however many processes run it."""
    if getattr(args, "device", None) == "cpu":
        hide_gpus()  # before anything asks CUDA how many GPUs there are
    import datasets
    import transformers

    config = check_config(config_from_args(args))
    if not sys.stderr.isatty() or bars_off():
        datasets.disable_progress_bars()  # a log file gets the summary, not bars
    transformers.logging.set_verbosity_error()
    if int(os.environ.get("RANK", "0")) == 0:  # where data and model come from, said once
        from ..offline.sources import locate

        locate("nyu-mll/glue", config.source)
        locate(config.checkpoint, config.source)
    try:
        metrics = train(config)
    except LaunchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if int(os.environ.get("RANK", "0")) == 0:
        print(summary(metrics))
        print(f"metrics written to {Path(config.out) / METRICS_FILE}")
    return 0


def main(argv=None) -> int:
    """`torchrun --nproc_per_node 2 -m helpers.training.train [options]`: the options of `python -m helpers train`."""
    parser = _described(argparse.ArgumentParser, prog="python -m helpers.training.train")
    return exit_code(cmd_train, parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
