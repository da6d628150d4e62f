"""The facts about GLUE's sentence-pair tasks, in one table.

Notebooks and helpers read column names, labels and split names from here instead of
naming MRPC's columns, so every notebook runs for every pair task of `nyu-mll/glue`.
"""

from dataclasses import dataclass

from .errors import ParameterError

HUB_DATASET = "nyu-mll/glue"  # the course's bare "glue" id no longer resolves


@dataclass(frozen=True)
class GlueTask:
    name: str
    text_columns: tuple[str, str]
    label_names: tuple[str, ...]  # empty for the regression task (STS-B)
    train_split: str
    eval_split: str
    splits: tuple[str, ...]
    description: str

    @property
    def is_regression(self) -> bool:
        return not self.label_names

    @property
    def num_labels(self) -> int:
        """Outputs of the classifier head: one score for regression."""
        return len(self.label_names) or 1

    @property
    def has_labels(self) -> bool:
        """False for AX, a diagnostic set whose labels are hidden (-1)."""
        return self.train_split != "test"

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.text_columns, "label", "idx")


_STANDARD = ("train", "validation", "test")

GLUE_TASKS: dict[str, GlueTask] = {
    t.name: t
    for t in [
        GlueTask("mrpc", ("sentence1", "sentence2"), ("not_equivalent", "equivalent"),
                 "train", "validation", _STANDARD, "paraphrase: are the two news sentences equivalent?"),
        GlueTask("qqp", ("question1", "question2"), ("not_duplicate", "duplicate"),
                 "train", "validation", _STANDARD, "paraphrase: are the two Quora questions duplicates?"),
        GlueTask("mnli", ("premise", "hypothesis"), ("entailment", "neutral", "contradiction"),
                 "train", "validation_matched",
                 ("train", "validation_matched", "validation_mismatched", "test_matched", "test_mismatched"),
                 "inference: does the premise entail, contradict or say nothing of the hypothesis?"),
        GlueTask("qnli", ("question", "sentence"), ("entailment", "not_entailment"),
                 "train", "validation", _STANDARD, "inference: does the sentence answer the question?"),
        GlueTask("rte", ("sentence1", "sentence2"), ("entailment", "not_entailment"),
                 "train", "validation", _STANDARD, "inference: does the first text entail the second?"),
        GlueTask("wnli", ("sentence1", "sentence2"), ("not_entailment", "entailment"),
                 "train", "validation", _STANDARD, "inference: pronoun resolution recast as entailment"),
        GlueTask("stsb", ("sentence1", "sentence2"), (),
                 "train", "validation", _STANDARD, "similarity: a score from 0 to 5 (regression)"),
        GlueTask("ax", ("premise", "hypothesis"), ("entailment", "neutral", "contradiction"),
                 "test", "test", ("test",), "diagnostic test set for MNLI models; labels hidden"),
    ]
}


def get_task(task: str, need_labels: bool = False) -> GlueTask:
    """The table row for `task`, or a ParameterError naming the tasks there are (or, with
    `need_labels`, saying that a task without a labelled training split cannot train)."""
    if not isinstance(task, str) or task.lower() not in GLUE_TASKS:
        raise ParameterError("task", task, f"choose one of GLUE's pair tasks: {', '.join(GLUE_TASKS)}")
    info = GLUE_TASKS[task.lower()]
    if need_labels and not info.has_labels:
        trainable = ", ".join(name for name, t in GLUE_TASKS.items() if t.has_labels)
        raise ParameterError("task", task, f"has no labels to train on; choose one of {trainable}")
    return info
