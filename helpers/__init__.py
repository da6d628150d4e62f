"""Shared code for the notebooks of the course companion (chapter 3.2, Processing the data)."""

from .data import load_glue
from .errors import ParameterError
from .hub import hub_status
from .models import STANDINS, load_model, load_tokenizer
from .padding import STRATEGIES, padding_stats, stats_table
from .params import check_max_length, check_parameters, check_sample_size
from .plots import plot_cost, plot_length_distribution, plot_padding_waste
from .report import read_records, record, short_path
from .tasks import GLUE_TASKS, HUB_DATASET, get_task

__all__ = [
    "load_glue", "load_tokenizer", "load_model", "ParameterError", "hub_status", "STANDINS",
    "STRATEGIES", "padding_stats", "stats_table", "check_parameters", "check_max_length",
    "check_sample_size", "plot_cost", "plot_length_distribution", "plot_padding_waste",
    "record", "read_records", "short_path", "GLUE_TASKS", "HUB_DATASET", "get_task",
]
