"""The teacher's key: `python -m helpers key [NN ...]` prints each notebook's worked answers (its
solution cells' code) and its quiz's right letters, with why each choice is right or not.

Read from the stored notebooks and from helpers.exercises, where the self-checks read them; it
writes nothing. Not for a student's eyes: print it, do not hand it out.
"""

import argparse
from pathlib import Path

from .. import exercises
from ..running.cli import add_notebook_options
from .student import EXERCISE_KEY, solution_cells

QUIZ_PREFIX = "quiz-"  # a quiz's answer cell is the solution cell named quiz-NN


def _indented(text: str, indent: str = "    ") -> list[str]:
    return [indent + line if line.strip() else "" for line in text.splitlines()]


def quiz_key_lines(quiz: str, language: str = "en") -> list[str]:
    """A quiz's right letters, then each question with its right choice and why the others are not,
    in `language`."""
    key = exercises.quiz_key(quiz)
    lines = [f"quiz {quiz}: " + ", ".join(f"{number} {letter}" for number, letter in key.items())]
    for number, question in exercises.get_quiz(quiz).items():
        right = key[number]
        prompt, choices = question.said(language)
        choice, why = choices[right]
        lines += [f"  {number}. {prompt}", f"     {right} (right): {choice} -- {why}"]
        lines += [f"     {letter}: {text} -- {reason}" for letter, (text, reason) in choices.items() if letter != right]
    return lines


def notebook_key(path: Path, language: str = "en") -> list[str]:
    """The key of one stored notebook: its exercises' worked answers in order, then its quiz."""
    import nbformat

    lines = [f"=== {path.stem}"]
    quizzes = []
    for cell in solution_cells(nbformat.read(str(path), as_version=4)):
        name = cell.metadata.get(EXERCISE_KEY, {}).get("name", "?")
        if name.startswith(QUIZ_PREFIX):
            quizzes.append(name[len(QUIZ_PREFIX) :])
            continue
        exercise = exercises.EXERCISES.get(name)
        lines.append(f"exercise {name}" + (f": {exercise.question}" if exercise else ""))
        lines += _indented(cell.source)
    for quiz in quizzes:
        lines += quiz_key_lines(quiz, language)
    return lines


def add_parser(sub) -> argparse.ArgumentParser:
    """The `key` command, on the command line's subparsers."""
    parser = sub.add_parser("key", help="print the worked answers and the quizzes' letters, for the teacher")
    add_notebook_options(parser)
    parser.set_defaults(func=cmd_key)
    return parser


def cmd_key(args) -> int:
    from ..running.runner import chosen_notebooks

    notebooks = chosen_notebooks(args)  # every name checked before anything is printed
    print("\n\n".join("\n".join(notebook_key(path, args.lang)) for path in notebooks))
    return 0
