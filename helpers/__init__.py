"""Shared code for the notebooks of the course companion (chapter 3.2, Processing the data).

Names are imported on first use: `import helpers` stays fast, and a notebook that only loads
data (or the command line, checking parameters) never pays for torch, transformers or matplotlib.
"""

import importlib

_WHERE = {
    "COURSE_FIGURES": "course", "COURSE_URL": "course", "NEXT_SECTION_URL": "course", "beside_course": "course",
    "ParameterError": "errors",
    "check": "exercises", "check_quiz": "exercises", "quiz_key": "exercises", "read_checks": "exercises",
    "hub_status": "hub",
    "STRATEGIES": "padding", "padding_stats": "padding", "stats_table": "padding", "strategy_table": "padding",
    "check_max_length": "params", "check_parameters": "params", "check_sample_size": "params",
    "PALETTE": "plots", "plot_cost": "plots", "plot_length_distribution": "plots", "plot_padding_waste": "plots",
    "load_report": "report", "read_records": "report", "record": "report", "short_path": "report",
    "locate": "sources", "resolve": "sources",
    "STANDINS": "standins",
    "PaddingExplorer": "views", "pair_chips": "views", "plot_batches": "views", "plot_epochs": "views",
    "GLUE_TASKS": "tasks", "HUB_DATASET": "tasks", "get_task": "tasks",
}
__all__ = list(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module 'helpers' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__():
    return sorted(set(globals()) | set(_WHERE))
