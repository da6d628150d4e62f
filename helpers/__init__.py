"""Shared code for the notebooks of the course companion (chapter 3.2, Processing the data)."""

from .data import load_glue
from .errors import ParameterError
from .hub import hub_status
from .models import STANDINS, load_model, load_tokenizer
from .report import read_records, record, short_path
from .tasks import GLUE_TASKS, HUB_DATASET, get_task

__all__ = ["load_glue", "load_tokenizer", "load_model", "ParameterError", "hub_status", "STANDINS",
           "record", "read_records", "short_path", "GLUE_TASKS", "HUB_DATASET", "get_task"]
