"""The facts about GLUE's tasks, in one table.

Notebooks and helpers read column names, labels, split names and features from here instead of
naming MRPC's columns, so every notebook runs for every sentence-pair task of `nyu-mll/glue`, and
the exercises handle the single-sentence ones (SST-2, CoLA) too.
"""

from dataclasses import dataclass

from .errors import ParameterError

HUB_DATASET = "nyu-mll/glue"  # the course's bare "glue" id no longer resolves


@dataclass(frozen=True)
class GlueTask:
    name: str
    text_columns: tuple[str, ...]  # two for pair tasks, one for SST-2 and CoLA
    label_names: tuple[str, ...]  # empty for the regression task (STS-B)
    train_split: str
    eval_split: str
    splits: tuple[str, ...]
    description: str

    @property
    def is_pair(self) -> bool:
        return len(self.text_columns) == 2

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
    def run_splits(self) -> tuple[str, ...]:
        """The splits the notebooks and `train` read: they train on one and evaluate on the other."""
        return tuple(dict.fromkeys((self.train_split, self.eval_split)))

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.text_columns, "label", "idx")

    def features(self):
        """The Hub's features for this task: strings, the label type, and idx."""
        import datasets

        label = datasets.Value("float32") if self.is_regression else datasets.ClassLabel(names=list(self.label_names))
        return datasets.Features(
            {**{c: datasets.Value("string") for c in self.text_columns}, "label": label, "idx": datasets.Value("int32")}
        )


_STANDARD = ("train", "validation", "test")

GLUE_TASKS: dict[str, GlueTask] = {
    t.name: t
    for t in [
        GlueTask(
            "mrpc",
            ("sentence1", "sentence2"),
            ("not_equivalent", "equivalent"),
            "train",
            "validation",
            _STANDARD,
            "paraphrase: are the two news sentences equivalent?",
        ),
        GlueTask(
            "qqp",
            ("question1", "question2"),
            ("not_duplicate", "duplicate"),
            "train",
            "validation",
            _STANDARD,
            "paraphrase: are the two Quora questions duplicates?",
        ),
        GlueTask(
            "mnli",
            ("premise", "hypothesis"),
            ("entailment", "neutral", "contradiction"),
            "train",
            "validation_matched",
            ("train", "validation_matched", "validation_mismatched", "test_matched", "test_mismatched"),
            "inference: does the premise entail, contradict or say nothing of the hypothesis?",
        ),
        GlueTask(
            "qnli",
            ("question", "sentence"),
            ("entailment", "not_entailment"),
            "train",
            "validation",
            _STANDARD,
            "inference: does the sentence answer the question?",
        ),
        GlueTask(
            "rte",
            ("sentence1", "sentence2"),
            ("entailment", "not_entailment"),
            "train",
            "validation",
            _STANDARD,
            "inference: does the first text entail the second?",
        ),
        GlueTask(
            "wnli",
            ("sentence1", "sentence2"),
            ("not_entailment", "entailment"),
            "train",
            "validation",
            _STANDARD,
            "inference: pronoun resolution recast as entailment",
        ),
        GlueTask(
            "stsb",
            ("sentence1", "sentence2"),
            (),
            "train",
            "validation",
            _STANDARD,
            "similarity: a score from 0 to 5 (regression)",
        ),
        GlueTask(
            "ax",
            ("premise", "hypothesis"),
            ("entailment", "neutral", "contradiction"),
            "test",
            "test",
            ("test",),
            "diagnostic test set for MNLI models; labels hidden",
        ),
        GlueTask(
            "sst2",
            ("sentence",),
            ("negative", "positive"),
            "train",
            "validation",
            _STANDARD,
            "sentiment: is the movie-review sentence positive?",
        ),
        GlueTask(
            "cola",
            ("sentence",),
            ("unacceptable", "acceptable"),
            "train",
            "validation",
            _STANDARD,
            "grammar: is the sentence acceptable English?",
        ),
    ]
}
PAIR_TASKS = tuple(name for name, t in GLUE_TASKS.items() if t.is_pair)


def get_task(task: str, need_labels: bool = False, need_pair: bool = False) -> GlueTask:
    """The table row for `task`, or a ParameterError naming the tasks there are.

    need_labels: refuse a task without a labelled training split (AX); need_pair: refuse a
    single-sentence task (SST-2, CoLA) in a notebook about sentence pairs.
    """
    if not isinstance(task, str) or task.lower() not in GLUE_TASKS:
        raise ParameterError("task", task, f"choose one of GLUE's tasks: {', '.join(GLUE_TASKS)}")
    info = GLUE_TASKS[task.lower()]
    if need_pair and not info.is_pair:
        raise ParameterError(
            "task",
            task,
            "is a single-sentence task; this notebook is about sentence "
            f"pairs: choose one of {', '.join(PAIR_TASKS)} (the exercise in notebook 3 "
            "shows single sentences)",
        )
    if need_labels and not info.has_labels:
        trainable = ", ".join(name for name, t in GLUE_TASKS.items() if t.has_labels and (t.is_pair or not need_pair))
        raise ParameterError("task", task, f"has no labels to train on; choose one of {trainable}")
    return info
