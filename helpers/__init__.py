"""Shared code for the notebooks of the course companion (chapter 3.2, Processing the data).

What a notebook calls as `helpers.NAME`, imported here by name (an editor's go-to-definition
finds each one). Importing it stays light: no torch, transformers, datasets or matplotlib until
a function that needs one is called (tests/test_plots.py measures it).
"""

from .chips import pair_chips
from .course import COURSE_FIGURES, COURSE_URL, NEXT_SECTION_URL, beside_course
from .errors import ParameterError
from .exercises import check, check_quiz, quiz_key, read_checks
from .explorer import PaddingExplorer
from .language import say, set_language
from .offline.hub import hub_status
from .offline.sources import locate, resolve
from .offline.standins import STANDINS
from .padding import STRATEGIES, padding_stats, stats_table, strategy_table
from .plots import PALETTE, plot_batches, plot_cost, plot_epochs, plot_length_distribution, plot_padding_waste
from .report import load_report, read_records, record, short_path
from .running.params import check_max_length, check_parameters, check_sample_size
from .tasks import GLUE_TASKS, HUB_DATASET, get_task

__all__ = [
    "COURSE_FIGURES",
    "COURSE_URL",
    "NEXT_SECTION_URL",
    "beside_course",
    "ParameterError",
    "check",
    "check_quiz",
    "quiz_key",
    "read_checks",
    "set_language",
    "say",
    "hub_status",
    "STRATEGIES",
    "padding_stats",
    "stats_table",
    "strategy_table",
    "check_max_length",
    "check_parameters",
    "check_sample_size",
    "PALETTE",
    "plot_cost",
    "plot_length_distribution",
    "plot_padding_waste",
    "load_report",
    "read_records",
    "record",
    "short_path",
    "locate",
    "resolve",
    "STANDINS",
    "GLUE_TASKS",
    "HUB_DATASET",
    "get_task",
    "PaddingExplorer",
    "pair_chips",
    "plot_batches",
    "plot_epochs",
]
