"""helpers.course: a notebook's figure beside the course's, for the course's task only."""

from helpers.course import COURSE_FIGURES, beside_course


def test_same_figure_says_so(capsys):
    beside_course("collated_shape", [8, 67], label="shape", task="mrpc")
    assert capsys.readouterr().out == "shape: [8, 67]   (the course's figure too)\n"


def test_different_figure_shows_the_courses(capsys):
    beside_course("first8_lengths", (47, 46), label="lengths", task="mrpc")
    expected = COURSE_FIGURES["first8_lengths"]
    assert capsys.readouterr().out == f"lengths: [47, 46]   (the course, {expected.context}: {expected.value})\n"


def test_another_task_is_not_compared_but_the_tokenizer_figure_is(capsys):
    beside_course("rows", {"train": 10}, label="rows", task="qqp")
    beside_course("example_pair_ids", [1], label="ids", task="qqp")
    assert capsys.readouterr().out.splitlines() == [
        "rows: {'train': 10}",
        f"ids: [1]   (the course, bert-base-uncased: {COURSE_FIGURES['example_pair_ids'].value})",
    ]
