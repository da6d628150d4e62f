"""helpers.running.outdir: the one --out rule of run, student, bundle, bench and train. A command writes only
into a new or empty folder, or with --overwrite replaces only its own files; never into the stored
notebooks or the helpers package; never into a folder another command is writing."""

import os
import time
from pathlib import Path

import pytest

import helpers
from helpers.running import outdir
from helpers.running.cli import main

ROOT = Path(__file__).resolve().parent.parent
STORED = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PACKAGE_FILES = sorted((ROOT / "helpers").rglob("*"))


def _snapshot(paths) -> dict:
    """Each file's bytes and modification time, and each folder's listing."""
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) if p.is_file() else sorted(os.listdir(p)) for p in paths}


def _one_line_exit_2(capsys, argv, expected: str) -> None:
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2, (argv, out, err)
    assert err.startswith("error: ") and err.count("\n") == 1 and expected in err, (argv, err)
    assert "Traceback" not in out + err and "Running" not in out


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "01", "-p", "sample_size", "5", "--out", "notebooks", "--overwrite"],  # issue 22, item 1, as written
        ["run", "01", "--out", "notebooks"],
        ["run", "01", "--out", "notebooks/executed", "--overwrite"],
        ["run", "01", "--out", "./helpers/", "--overwrite"],
        ["run", "01", "--out", "helpers/offline/sample_data", "--overwrite"],
        ["student", "01", "--out", "notebooks", "--overwrite"],  # item 3, as written
        ["student", "--out", "notebooks/"],
        ["student", "--out", "helpers", "--overwrite"],
        ["bench", "--out", "notebooks", "--overwrite"],
        ["bundle", "--out", "notebooks/bundle"],
    ],
)
def test_no_command_writes_into_the_stored_notebooks_or_the_package(capsys, monkeypatch, argv):
    monkeypatch.chdir(ROOT)  # from the project's folder, the relative paths as a user types them
    before = _snapshot([*STORED, ROOT / "notebooks", ROOT / "helpers"])
    _one_line_exit_2(
        capsys,
        argv,
        "or inside it, which no command writes into (`python -m helpers refresh` alone updates the stored notebooks)",
    )
    assert _snapshot([*STORED, ROOT / "notebooks", ROOT / "helpers"]) == before


def test_the_stored_notebooks_reached_through_a_link_are_refused(capsys, tmp_path):
    (tmp_path / "link").symlink_to(ROOT / "notebooks")
    before = _snapshot(STORED)
    _one_line_exit_2(
        capsys,
        ["run", "01", "--out", str(tmp_path / "link"), "--overwrite"],
        "is the stored notebooks' folder or inside it",
    )
    _one_line_exit_2(
        capsys,
        ["student", "--out", str(tmp_path / "link" / "x"), "--overwrite"],
        "is the stored notebooks' folder or inside it",
    )
    assert _snapshot(STORED) == before


@pytest.mark.parametrize("command", [["run", "01"], ["student", "01"], ["bundle"], ["bench"], ["train"]])
def test_an_empty_out_is_refused_everywhere(capsys, tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    _one_line_exit_2(capsys, [*command, "--out", ""], "out='': must name a folder or file; an empty name names none")
    assert list(tmp_path.iterdir()) == []  # not runs/<timestamp> instead


@pytest.mark.parametrize("command", [["run", "01"], ["student", "01"], ["bundle"], ["bench"], ["train"]])
def test_out_names_a_file_system_cannot_hold_are_one_line(capsys, tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    not_utf8 = os.fsdecode(b"\xff")  # what bash's --out $'\xff' gives Python
    _one_line_exit_2(
        capsys,
        [*command, "--out", not_utf8],
        r"out='\udcff': is not valid UTF-8 (byte 0xff at "
        "position 0); choose a name in UTF-8",
    )
    _one_line_exit_2(
        capsys,
        [*command, "--out", "runs/" + "x" * 300],
        "has a name of 300 bytes; file systems allow at most 255 bytes a name",
    )
    assert list(tmp_path.iterdir()) == []


def test_parameters_files_that_are_not_utf8_or_not_nameable(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("latin1.yml").write_bytes("task: mrpc  # r\xe9sum\xe9\n".encode("latin-1"))
    _one_line_exit_2(
        capsys,
        ["run", "01", "-f", "latin1.yml"],
        "-f='latin1.yml': is not UTF-8 text (byte 0xe9 at position 15); save it as UTF-8",
    )
    _one_line_exit_2(capsys, ["run", "01", "-f", "y" * 256 + ".yml"], "has a name of 260 bytes")
    _one_line_exit_2(capsys, ["run", "01", "-p", "source", "data/" + "d" * 256], "source='data/ddd")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latin1.yml"]


def test_overwrite_replaces_only_what_the_command_writes(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    for name in ("01_loading_mrpc.ipynb", "02_pair_tokenization.ipynb", "notes.txt", "summary.json"):
        (folder / name).write_text(name)
    stored = tmp_path / "stored.ipynb"
    stored.write_text("the answer key")
    (folder / "03_batched_map.ipynb").symlink_to(stored)  # a link among the copies: removed, not followed
    writes = ["01_loading_mrpc.ipynb", "03_batched_map.ipynb", "summary.json"]
    with pytest.raises(helpers.ParameterError, match="already exists and is not empty"):
        outdir.check_out_dir(folder, writes=writes)
    checked = outdir.check_out_dir(folder, overwrite=True, writes=writes)
    with outdir.claimed(checked, overwrite=True, writes=writes) as held:
        assert sorted(os.listdir(held)) == [outdir.LOCK_NAME, "02_pair_tokenization.ipynb", "notes.txt"]
    assert sorted(os.listdir(folder)) == ["02_pair_tokenization.ipynb", "notes.txt"]  # the lock is gone too
    assert (folder / "notes.txt").read_text() == "notes.txt" and stored.read_text() == "the answer key"


def test_a_second_command_refuses_a_folder_another_is_writing(capsys, tmp_path):
    """Issue 22, item 4: the first holds the folder; the second says so at once, writes nothing."""
    folder = tmp_path / "out"
    with outdir.claimed(outdir.check_out_dir(folder), overwrite=False) as held:
        (held / "01_loading_mrpc.ipynb").write_text("the first run's")
        for argv in (
            ["run", "01", "--out", str(folder)],
            ["run", "01", "--out", str(folder), "--overwrite"],
            ["student", "01", "--out", str(folder), "--overwrite"],
        ):
            _one_line_exit_2(capsys, argv, f"is being written by another command (pid {os.getpid()}); wait for it")
        # Both passed the first check before either wrote: the lock decides, one line for the loser.
        with pytest.raises(helpers.ParameterError, match=r"is being written by another command \(pid \d+\)"):
            outdir.claim(folder, overwrite=True)
    assert sorted(os.listdir(folder)) == ["01_loading_mrpc.ipynb"]
    assert (folder / "01_loading_mrpc.ipynb").read_text() == "the first run's"


def test_a_folder_filled_after_the_check_is_refused_under_the_lock(tmp_path):
    folder = outdir.check_out_dir(tmp_path / "out")  # new: passes
    folder.mkdir()
    (folder / "summary.json").write_text("another run's, finished meanwhile")
    with pytest.raises(helpers.ParameterError, match="was written into by another command after the check"):
        outdir.claim(folder)
    assert os.listdir(folder) == ["summary.json"]


def test_a_lock_left_by_a_killed_command_does_not_count(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / outdir.LOCK_NAME).write_text("999999999\n")  # its command died: no process holds the lock
    assert outdir.lock_holder(folder) is None
    assert outdir.check_out_dir(folder) == folder  # the stale lock file alone is not content
    with outdir.claimed(folder) as held:
        assert outdir.lock_holder(held) == os.getpid()
    assert os.listdir(folder) == []


def test_default_folders_started_in_the_same_second_do_not_collide(tmp_path, monkeypatch):
    monkeypatch.setattr(time, "strftime", lambda *_: "20260101-120000")
    first = outdir.claim(outdir.default_out_dir(tmp_path / "runs"), unique=True)
    second = outdir.claim(outdir.default_out_dir(tmp_path / "runs"), unique=True)
    try:
        assert (first.folder.name, second.folder.name) == ("20260101-120000", "20260101-120000-2")
    finally:
        first.release()
        second.release()
    assert sorted(os.listdir(tmp_path / "runs")) == ["20260101-120000", "20260101-120000-2"]


def test_bench_and_train_refuse_an_earlier_result_without_overwrite(capsys, tmp_path, monkeypatch):
    """Issue 22, item 13: an earlier benchmark or metrics.json is not replaced without a word."""
    monkeypatch.chdir(tmp_path)
    for command, earlier in (["bench", "padding_benchmark.csv"], ["train", "metrics.json"]):
        Path(command).mkdir()
        Path(command, earlier).write_text("earlier")
        _one_line_exit_2(
            capsys,
            [command, "--source", "sample", "--out", command],
            f"out='{command}': already exists and is not empty; choose a new folder, or pass --overwrite",
        )
        assert os.listdir(command) == [earlier] and Path(command, earlier).read_text() == "earlier"


def test_train_takes_a_new_default_folder_and_holds_it(tmp_path, monkeypatch):
    from helpers.training import train

    monkeypatch.chdir(tmp_path)
    claims = []  # released at the end of the test, not when pytest exits
    monkeypatch.setattr(
        outdir,
        "claim_for_process",
        lambda folder, **options: claims.append(outdir.claim(folder, **options)) or claims[-1].folder,
    )
    monkeypatch.setattr(time, "strftime", lambda *_: "20260101-120000")
    try:
        first = train.check_config(train.TrainConfig(source="sample"))
        second = train.check_config(train.TrainConfig(source="sample"))
        assert (first.out, second.out) == (
            str(tmp_path / "runs/train/20260101-120000"),
            str(tmp_path / "runs/train/20260101-120000-2"),
        )
        assert outdir.lock_holder(Path(first.out)) == os.getpid()
        monkeypatch.setenv("RANK", "1")  # another process of the same training: checks the name, takes nothing
        assert train.check_config(train.TrainConfig(source="sample", out=first.out)).out == first.out
        assert len(claims) == 2
    finally:
        for taken in claims:
            taken.release()
