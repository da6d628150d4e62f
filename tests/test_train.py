"""helpers.training.train: one training on one process, on two (torchrun, gloo), and on two "machines" that meet
on 127.0.0.1; each run checked from what its processes recorded, and none left behind."""

import argparse
import json
import math
import multiprocessing
import subprocess
import sys
import time

import psutil
import pytest

import helpers
from helpers.padding import padding_share, padding_stats
from helpers.training import train as training

# The small random DistilBERT stand-in, 64 training pairs: a few seconds a run.
TINY = [
    "--source",
    "sample",
    "--checkpoint",
    "distilbert-base-uncased",
    "--sample-size",
    "64",
    "--batch-size",
    "4",
    "--eval-batch-size",
    "8",
    "--steps",
    "4",
]
TORCHRUN = [sys.executable, "-m", "torch.distributed.run"]  # torchrun, from this environment


def _run(command: list[str], timeout: int = 180) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


def _clean_exit(done: subprocess.CompletedProcess) -> None:
    assert done.returncode == 0, done.stderr[-3000:]
    assert "terminate called" not in done.stderr and "Traceback" not in done.stderr, done.stderr[-3000:]


def _metrics(out) -> dict:
    return json.loads((out / training.METRICS_FILE).read_text())


def _nothing_left(metrics: dict, tmp_path) -> None:
    """Every process that trained has exited, and nothing started with our output folder runs on."""
    pids = [p["pid"] for p in metrics["processes"]]
    deadline = time.monotonic() + 10
    while any(psutil.pid_exists(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in pids if psutil.pid_exists(pid)], pids
    ours = [p.pid for p in psutil.process_iter(["cmdline"]) if str(tmp_path) in " ".join(p.info["cmdline"] or [])]
    assert not ours, ours


def _check_training(metrics: dict, world_size: int, sample, steps: int = 4, batch_size: int = 4) -> None:
    assert metrics["world_size"] == world_size
    assert metrics["distributed_type"] == ("MULTI_CPU" if world_size > 1 else "NO")
    processes = metrics["processes"]
    assert [p["rank"] for p in processes] == list(range(world_size))
    assert len({p["pid"] for p in processes}) == world_size
    for p in processes:
        assert p["batches"] == steps and len(p["batch_shapes"]) == steps
        for pairs, width, longest, *_ in p["batch_shapes"]:
            assert pairs == batch_size and width == longest  # padded to its own longest pair
    assert metrics["examples_seen"] == steps * batch_size * world_size
    if world_size > 1:  # each process its own examples, and its own widths
        firsts = [set(p["first_batch_idx"]) for p in processes]
        assert not set.intersection(*firsts) and len(set.union(*firsts)) == batch_size * world_size
        widths = [[s[1] for s in p["batch_shapes"]] for p in processes]
        assert any(len(set(at_step)) > 1 for at_step in zip(*widths)), widths
    assert metrics["weights_changed_by_first_step"]
    if world_size > 1:  # with one process there is nothing to compare with
        assert metrics["weights_identical_at_start"] and metrics["weights_identical_after_first_step"]
        assert metrics["weights_identical_at_end"]
    assert len(metrics["losses"]) == steps and all(math.isfinite(x) for x in metrics["losses"])
    # gather_for_metrics: every validation pair once, in order, the filler pairs dropped
    labels = list(sample["validation"]["label"])
    assert metrics["references"] == labels and len(metrics["predictions"]) == len(labels) == metrics["eval"]["pairs"]
    hits = [p == r for p, r in zip(metrics["predictions"], metrics["references"])]
    assert metrics["eval"]["accuracy"] == round(sum(hits) / len(hits), 4)
    true_pos = sum(p == r == 1 for p, r in zip(metrics["predictions"], metrics["references"]))
    wrong = len(hits) - sum(hits)
    assert metrics["eval"]["f1"] == (round(true_pos / (true_pos + wrong / 2), 4) if true_pos else 0.0)


def _waste(metrics: dict) -> list[float]:
    """Each process's share of padding over the batches it trained on."""
    return [
        padding_share(sum(s[4] for s in p["batch_shapes"]), sum(s[0] * s[1] for s in p["batch_shapes"]))
        for p in metrics["processes"]
    ]


# ---- fast: options, checks, metrics ---------------------------------------------------------------


def test_the_subcommand_has_every_option_typed_with_its_default():
    parser = argparse.ArgumentParser()
    training.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["train"])
    assert training.config_from_args(args) == training.TrainConfig()
    args = parser.parse_args(
        ["train", "--steps", "3", "--padding", "length_grouped", "--learning-rate", "1e-4", "--sample-size", "32"]
    )
    config = training.config_from_args(args)
    assert (config.steps, config.padding, config.learning_rate, config.sample_size) == (3, "length_grouped", 1e-4, 32)
    assert args.func is training.cmd_train
    help_text = parser._subparsers._group_actions[0].choices["train"].format_help()
    for option in ("--padding", "--batch-size", "--steps", "--epochs", "--threads", "--out", "--device"):
        assert option in help_text


@pytest.mark.parametrize(
    "change, message",
    [
        ({"padding": "wide"}, "padding='wide': choose one of fixed, longest_overall, dynamic"),
        ({"epochs": 0}, "epochs=0: must be a positive integer"),
        ({"threads": 0}, "threads=0: must be a positive integer"),
        ({"eval_batch_size": -1}, "eval_batch_size=-1: must be a positive integer"),
        ({"sample_size": 999}, "sample_size=999: must be at most 208"),
        ({"task": "sst2"}, "task='sst2': is a single-sentence task"),
        ({"learning_rate": 5}, "learning_rate=5: must be a number between 0 and 1"),
    ],
)
def test_bad_options_are_named_before_any_work(tmp_path, change, message):
    config = training.TrainConfig(source="sample", out=str(tmp_path / "out"), **change)
    with pytest.raises(helpers.ParameterError, match=message.replace("(", r"\(")):
        training.check_config(config)
    assert not (tmp_path / "out").exists()


def test_a_launch_accelerate_does_not_see_is_refused(monkeypatch):
    """Accelerator() without cpu=True under torchrun on a CPU machine: one process of one, twice."""

    class Alone:
        num_processes = 1
        distributed_type = "DistributedType.NO"

    monkeypatch.setenv("WORLD_SIZE", "2")
    with pytest.raises(training.LaunchError, match="started 2 processes .* sees 1 .*cpu=True"):
        training.check_launch(Alone())
    monkeypatch.setenv("WORLD_SIZE", "1")
    training.check_launch(Alone())


def test_metrics_are_glues_computed_here():
    assert training.compute_metrics("mrpc", [1, 0, 1, 1], [1, 0, 0, 1]) == {"accuracy": 0.75, "f1": 0.8}
    assert training.compute_metrics("rte", [1, 0, 1, 1], [1, 0, 0, 1]) == {"accuracy": 0.75}  # no F1 for RTE
    assert training.compute_metrics("qqp", [0, 0], [0, 0]) == {"accuracy": 1.0, "f1": 0.0}
    scores = training.compute_metrics("stsb", [0.1, 0.5, 0.4, 3.0], [1.0, 2.0, 3.0, 4.0])
    assert scores["spearmanr"] == 0.8 and 0.8 < scores["pearson"] < 0.9


def test_a_free_port_can_be_bound():
    import socket

    port = int(training.free_port())
    with socket.socket() as server:
        server.bind(("127.0.0.1", port))


@pytest.mark.processes
def test_a_process_forked_first_runs_only_once_the_last_is_forked(tmp_path, monkeypatch):
    """once_all_forked: no process connects while the kernel is still forking (issue 22)."""
    monkeypatch.setenv("LOCAL_WORLD_SIZE", "2")  # as the launcher sets it in its processes
    started = tmp_path / "started"
    wrapped = training.once_all_forked(lambda: started.write_text(str(time.monotonic())))
    fork = multiprocessing.get_context("fork")
    first = fork.Process(target=wrapped)
    first.start()
    time.sleep(1)
    assert not started.exists()  # waiting for its partner
    last_forked = time.monotonic()
    second = fork.Process(target=time.sleep, args=(2,))
    second.start()
    first.join(15)
    second.join(15)
    assert first.exitcode == 0 and float(started.read_text()) >= last_forked


def test_in_the_kernel_itself_the_function_runs_at_once():
    """With one process the launcher calls the function in the kernel: nothing to wait for."""
    started = time.monotonic()
    assert training.once_all_forked(lambda x: x + 1)(41) == 42
    assert time.monotonic() - started < 1


# ---- processes: the command itself --------------------------------------------------------------


@pytest.mark.processes
def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path):
    done = _run([sys.executable, "-m", "helpers.training.train", "--padding", "wide", "--out", str(tmp_path / "out")])
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: padding='wide': choose one of fixed, longest_overall, dynamic, dynamic_multiple_of_8, length_grouped"
    ]
    assert not (tmp_path / "out").exists()


@pytest.mark.processes  # a short training, in this process (the command line's own path: torchrun's test)
def test_one_process(tmp_path, sample, capsys):
    out = tmp_path / "one"
    assert training.main([*TINY, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    metrics = _metrics(out)
    _check_training(metrics, 1, sample)
    assert metrics["processes"][0]["threads"] == 1  # the test settings' OMP_NUM_THREADS=1
    assert "1 process(es) (NO, cpu)" in printed and "metrics written to" in printed


def _two_nodes(tmp_path, out, *options: str) -> list[str]:
    """Two one-process "nodes", as on two machines: torchrun --nnodes 2 with a c10d rendezvous endpoint."""
    command = [
        *TORCHRUN,
        "--nnodes",
        "2",
        "--nproc_per_node",
        "1",
        "--rdzv-backend",
        "c10d",
        "--rdzv-endpoint",
        f"127.0.0.1:{training.free_port()}",
        "--rdzv-id",
        "test-nodes",
        "-m",
        "helpers.training.train",
        *TINY,
        *options,
        "--out",
        str(out),
    ]
    nodes = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    try:
        outputs = [node.communicate(timeout=180) for node in nodes]
    finally:
        for node in nodes:
            if node.poll() is None:
                node.kill()
                node.wait(timeout=10)
    for node, (stdout, stderr) in zip(nodes, outputs):
        _clean_exit(subprocess.CompletedProcess(node.args, node.returncode, stdout, stderr))
    assert all(not psutil.pid_exists(node.pid) for node in nodes)
    return [stdout for stdout, _ in outputs]


@pytest.mark.processes
def test_two_processes_on_two_machines_length_grouped(tmp_path, sample, bert_tokenizer):
    """Two "machines" meeting on localhost (torchrun --nnodes 2, c10d rendezvous), length-grouped
    batches: two processes, each padding its own batches, clean exits, and less padding on each
    process than random batches of the same pairs (padding_stats' "dynamic" epoch) would have."""
    out = tmp_path / "nodes"
    stdouts = _two_nodes(tmp_path, out, "--padding", "length_grouped")
    assert sum("metrics written to" in stdout for stdout in stdouts) == 1  # the main process alone reports
    metrics = _metrics(out)
    _check_training(metrics, 2, sample)
    assert (metrics["padding"], metrics["nodes"]) == ("length_grouped", 2)
    _nothing_left(metrics, tmp_path)
    pairs = sample["train"].select(range(64))  # TINY's --sample-size
    lengths = [len(ids) for ids in bert_tokenizer(list(pairs["sentence1"]), list(pairs["sentence2"]))["input_ids"]]
    random_batches = padding_stats(lengths, batch_size=4, max_length=128, strategies=["dynamic"])["dynamic"].waste
    assert all(share < random_batches for share in _waste(metrics)), (_waste(metrics), random_batches)


@pytest.mark.processes  # a short training, in this process
def test_longest_overall_fits_a_longer_validation_pair(tmp_path, sample, bert_tokenizer):
    """The eight training pairs are shorter than the longest validation pair: padding to the
    longest pair overall must still take every validation pair (it once failed there)."""
    config = training.TrainConfig(
        source="sample",
        checkpoint="distilbert-base-uncased",
        sample_size=8,
        batch_size=4,
        eval_batch_size=8,
        steps=2,
        padding="longest_overall",
        out=str(tmp_path / "out"),
    )
    metrics = training.train(config)

    def longest(split):
        return max(len(ids) for ids in bert_tokenizer(list(split["sentence1"]), list(split["sentence2"]))["input_ids"])

    assert longest(sample["validation"]) > longest(sample["train"].select(range(8)))  # the case at stake
    widths = {shape[1] for p in metrics["processes"] for shape in p["batch_shapes"]}
    assert widths == {longest(sample["validation"])}  # every batch as wide as the longest pair of both splits
    assert metrics["eval"]["pairs"] == sample["validation"].num_rows == 23
