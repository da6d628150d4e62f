"""helpers.report: figures shown once and kept in the output's metadata, read back from executed notebooks."""

import json
import os

import nbformat
import pytest
import torch

from helpers.report import RECORD_KEY, RECORD_MIME, plain, quiet_libraries, read_records, record, short_path


def test_record_prints_a_labelled_line_outside_jupyter(capsys):
    record("rows", {"train": torch.tensor(208)}, label="mrpc rows", note="(a note)")
    assert capsys.readouterr().out == "mrpc rows: {'train': 208}   (a note)\n"


def test_record_without_a_label_shows_nothing_and_keeps_the_figure(capsys, monkeypatch):
    """A learner's kernel shows nothing; the output JupyterLab cannot draw carries the figure."""
    import IPython
    import IPython.display

    record("speedup", 1.9)
    assert capsys.readouterr().out == ""  # a plain script: nothing at all
    shown = []
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(IPython.display, "display", lambda data, **kw: shown.append((data, kw)))
    record("speedup", torch.tensor(1.9).item())
    [(data, kw)] = shown
    assert list(data) == [RECORD_MIME] and "text/plain" not in data and "text/html" not in data
    assert kw["metadata"] == {RECORD_KEY: {"speedup": pytest.approx(1.9)}} and kw["raw"] is True


def test_plain_turns_tensors_and_arrays_into_json_types():
    value = {"a": torch.tensor([1, 2]), "b": (3, 4.5), "c": torch.tensor(7)}
    assert plain(value) == {"a": [1, 2], "b": [3, 4.5], "c": 7}


def test_records_are_read_back_first_value_wins(tmp_path):
    nb = nbformat.v4.new_notebook()
    for value in (1, 2):
        cell = nbformat.v4.new_code_cell("")
        cell.outputs = [
            nbformat.v4.new_output(
                "display_data", data={"text/plain": f"x: {value}"}, metadata={RECORD_KEY: {"x": value}}
            )
        ]
        nb.cells.append(cell)
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, str(path))
    assert read_records(path) == {"x": 1}
    assert read_records(json.loads(path.read_text())) == {"x": 1}


def test_short_path_never_shows_a_machines_root(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    assert short_path(tmp_path / "hf" / "datasets") == "$HF_HOME/datasets"
    monkeypatch.chdir(tmp_path)
    assert short_path(tmp_path / "classroom" / "x") == os.path.join("classroom", "x")
    assert short_path("/etc/hosts") == "/etc/hosts"  # outside the folder: absolute, not ../../etc


def test_quiet_libraries_restores_the_callers_setting(monkeypatch):
    import importlib

    from transformers.utils import logging

    bars = importlib.import_module("datasets.utils.tqdm")
    monkeypatch.setattr(bars, "HF_DATASETS_DISABLE_PROGRESS_BARS", None)
    monkeypatch.setattr(bars, "_hf_datasets_progress_bars_disabled", False)
    logging.enable_progress_bar()
    with quiet_libraries():
        assert bars.are_progress_bars_disabled() and not logging.is_progress_bar_enabled()
    assert not bars.are_progress_bars_disabled() and logging.is_progress_bar_enabled()
