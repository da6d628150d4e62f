"""The course's own figures and pages, in one place: notebooks print theirs beside these, tests
check the real corpus against them.

Figures are what the course page prints for the real MRPC with bert-base-uncased
(https://huggingface.co/learn/llm-course/chapter3/2); `REAL_MRPC` holds facts of the real corpus
that the course does not print, measured on `../shared/data/glue-mrpc` and listed in its README.
"""

from dataclasses import dataclass

from .language import message, say
from .report import plain, record

COURSE_URL = "https://huggingface.co/learn/llm-course/chapter3/2"
NEXT_SECTION_URL = "https://huggingface.co/learn/llm-course/chapter3/3"  # the Trainer API


@dataclass(frozen=True)
class Figure:
    value: object
    context_key: str  # what the course computed it on: a key of the messages' table
    task: str | None = "mrpc"  # the task it belongs to; None for a figure of the tokenizer alone

    @property
    def context(self) -> str:
        """What the course computed it on, in English."""
        return message(self.context_key, "en")


COURSE_FIGURES = {
    "rows": Figure({"train": 3668, "validation": 408, "test": 1725}, "course.context.real_mrpc"),
    "first_row": Figure({"idx": 0, "label": 1}, "course.context.real_mrpc"),
    "example_pair_ids": Figure(
        [101, 2023, 2003, 1996, 2034, 6251, 1012, 102, 2023, 2003, 1996, 2117, 2028, 1012, 102],
        "course.context.tokenizer",
        None,
    ),
    "example_pair_token_type_ids": Figure([0] * 8 + [1] * 7, "course.context.tokenizer", None),
    "first8_lengths": Figure([50, 59, 47, 67, 59, 50, 62, 32], "course.context.real_mrpc_tokenizer"),
    "collated_shape": Figure([8, 67], "course.context.real_mrpc_tokenizer"),
}

REAL_MRPC = {  # shared/data/glue-mrpc/README.md; bert-base-uncased lengths of the training pairs
    "length_min": 19,
    "length_max": 103,
    "length_mean": 53.24,
    "fixed_128_waste": 0.584,
    "first_sentence_start": "Amrozi accused his brother",
}


def beside_course(key: str, value, label: str | None = None, task: str | None = None) -> None:
    """Record a figure, and say how it compares with the course's (for the course's task only)."""
    figure = COURSE_FIGURES[key]
    if figure.task is not None and task != figure.task:
        return record(key, value, label=label)
    same = plain(value) == figure.value
    note = say("course.same") if same else say("course.differs", context=say(figure.context_key), value=figure.value)
    record(key, value, label=label, note=note)
