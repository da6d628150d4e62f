"""helpers.measure: timing and memory plumbing the notebooks' measurement cells use."""

import time

import datasets
import pytest

from helpers import measure


def test_best_seconds_is_the_fastest_run():
    delays = iter([0.03, 0.01, 0.02])
    assert measure.best_seconds(lambda: time.sleep(next(delays)), repeat=3) == pytest.approx(0.01, abs=0.008)


def test_peak_python_mb_sees_a_large_allocation():
    assert measure.peak_python_mb(lambda: bytearray(20 * 2**20)) >= 20
    assert measure.peak_python_mb(lambda: None) < 1


def test_repeat_rows_cycles_through_the_split():
    split = datasets.Dataset.from_dict({"x": [1, 2, 3]})
    assert measure.repeat_rows(split, 7)["x"][:] == [1, 2, 3, 1, 2, 3, 1]


def test_write_arrow_and_memory_mapping(tmp_path):
    split = datasets.Dataset.from_dict({"text": ["a sentence of some length"] * 10})
    path = measure.write_arrow(split, rows=50_000, folder=tmp_path)
    reopened = datasets.Dataset.from_file(path)
    assert reopened.num_rows == 50_000 and reopened[49_999] == split[9]
    assert measure.file_mb(path) > 1
    memory = measure.process_memory()
    assert memory.private_mb > 0 and memory.mapped_mb >= 0
