"""Self-checks for the notebooks' exercises and quizzes.

Each exercise in a notebook has a question (markdown), an answer cell (in the stored notebooks the
worked solution, in student copies a stub such as `answer = ...`), and a self-check cell:

    exercises.check("labels", labels_answer, splits=[...], indices=[...])

The check computes the expected value itself, from the objects the notebook passes in (its data,
tokenizer, model), never from a typed constant, and shows exactly one line:

    labels: correct
    labels: not yet: <a hint>
    labels: not answered yet            (the answer is still `...`)

Quizzes are multiple choice, answered as a dict of letters and checked the same way, one line per
question (`check_quiz("01", quiz_answers)`). Their key is kept here as digests, so the letters
appear nowhere in plain text; `quiz_key(notebook)` recovers them for the stored notebooks, whose
answer cells call it (student copies get the stub instead).

`grade` and `grade_quiz` are the same checks for nbgrader's autograded cells (`python -m helpers
nbgrader`): a failed exercise raises, with its hint; a quiz scores a point per right letter.

The line is shown with the status in its output metadata (`CHECK_KEY`), where tests and tools read
it back from an executed notebook (`read_checks`). Using the API wrongly (an exercise that does not
exist, an object the check needs left out) is one ParameterError.
"""

import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import ParameterError
from ..language import LANGUAGES, check_language, current_language, message, say
from ..report import output_metadata, quiet_libraries, show_line
from ..running.params import is_int, is_number

CHECK_KEY = "helpers_check"  # output metadata of a self-check's line: {name: status}
CORRECT, NOT_YET, NOT_ANSWERED = "correct", "not yet", "not answered yet"  # stored, compared: English
STATUS_KEYS = {CORRECT: "status.correct", NOT_YET: "status.not_yet", NOT_ANSWERED: "status.not_answered"}


def reveal_line(language: str = "en") -> str:
    """The last line of the markdown cell above each worked answer, which the stored notebooks keep
    hidden (`jupyter.source_hidden` and `outputs_hidden` in the answer cell's metadata)."""
    return message("reveal", language)


REVEAL_LINE = reveal_line("en")


@dataclass(frozen=True)
class Verdict:
    name: str
    status: str  # CORRECT, NOT_YET or NOT_ANSWERED
    hint: str = ""

    @property
    def line(self) -> str:
        """The line shown, in the notebook's language (the hint was said in it)."""
        shown = say(STATUS_KEYS[self.status])
        return f"{self.name}: {shown}" + (f": {self.hint}" if self.status == NOT_YET else "")


@dataclass(frozen=True)
class Exercise:
    name: str
    notebook: str  # "01" ... where the exercise is
    needs: tuple[str, ...]  # the objects its check needs, passed by keyword
    judge: Callable  # judge(answer, **objects) -> None when correct, else a hint (one line)
    question: str  # in a few words, for error messages


EXERCISES: dict[str, Exercise] = {}


def _exercise(name: str, notebook: str, question: str, *needs: str, pair: str | None = None):
    """Register a judge. pair: the answer must be a pair first (`pair` is the messages' key saying
    what the two values are), checked before the judge sees it."""

    def register(judge):
        def judged(answer, **objects):
            return (_pair_of(answer, pair) if pair else None) or judge(answer, **objects)

        EXERCISES[name] = Exercise(name, notebook, needs, judged, question)
        return judge

    return register


def get_exercise(name) -> Exercise:
    if not isinstance(name, str) or name not in EXERCISES:
        raise ParameterError("exercise", name, f"choose one of {', '.join(EXERCISES)}")
    return EXERCISES[name]


def verdict(name: str, answer, **objects) -> Verdict:
    """What `check` shows, as a value: the status and the hint."""
    exercise = get_exercise(name)
    missing = [n for n in exercise.needs if n not in objects]
    unknown = [n for n in objects if n not in exercise.needs]
    if missing or unknown:
        raise ParameterError(
            "exercise",
            name,
            f"its check ({exercise.question}) takes the answer and "
            f"{_keywords(exercise.needs)}"
            + (f"; missing: {', '.join(missing)}" if missing else "")
            + (f"; not known: {', '.join(unknown)}" if unknown else ""),
        )
    if answer is Ellipsis:
        return Verdict(name, NOT_ANSWERED)
    try:
        hint = exercise.judge(answer, **objects)
    except Exception as error:  # a learner's answer of an unexpected kind: say what happened
        hint = say("hint.unchecked", error=type(error).__name__, message=_first_line(error))
    return Verdict(name, CORRECT) if hint is None else Verdict(name, NOT_YET, _one_line(hint))


def check(name: str, answer, **objects) -> None:
    """Check an exercise's answer against what the objects passed in say; show one line."""
    result = verdict(name, answer, **objects)
    show(result)


class NotCorrect(AssertionError):
    """An autograded check that failed (`grade`): nbgrader scores a cell that raises as no points."""

    def _render_traceback_(self):  # IPython shows the one line, as for a ParameterError
        return [f"AssertionError: {self}"]


def grade(name: str, answer, **objects) -> None:
    """`check` for an autograded cell (nbgrader): the line when correct, else NotCorrect with the
    line, its hint included."""
    result = verdict(name, answer, **objects)
    if result.status != CORRECT:
        raise NotCorrect(result.line)
    show(result)


def show(result: Verdict) -> None:
    """The verdict's line, with its status in the output's metadata (plain print outside IPython)."""
    show_line(result.line, {CHECK_KEY: {result.name: result.status}})


def read_checks(notebook) -> dict[str, str]:
    """{name: status} of every self-check line in an executed notebook (nbformat node or path)."""
    found = {}
    for checks in output_metadata(notebook, CHECK_KEY):
        found.update(checks)
    return found


def _keywords(needs) -> str:
    return ", ".join(f"{n}=..." for n in needs) if needs else "nothing else"


def _first_line(error) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else ""


def _one_line(text: str, width: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _first_hint(*checks: tuple[bool, str]) -> str | None:
    """The hint of the first failed check, each a (failed, message key) pair; None when all pass."""
    return next((say(key) for failed, key in checks if failed), None)


def _pair_of(answer, what: str) -> str | None:
    """None for a pair; else the hint, `what` (a key of the messages' table) saying what the two are."""
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return say("hint.pair", what=say(what))
    return None


def course_index(index: int, rows: int) -> int:
    """The course's element `index` where the split has it; else `index % rows` (a smaller split,
    such as the embedded sample's 23 validation rows against MRPC's 408)."""
    return index % rows


# ---- 01: loading ------------------------------------------------------------------------------


@_exercise(
    "labels",
    "01",
    "the labels of the course's elements 15 (train) and 87 (validation)",
    "splits",
    "indices",
    pair="hint.labels.pair",
)
def _labels(answer, splits, indices):
    names = (say("hint.labels.first"), say("hint.labels.second"))
    for position, (given, split, index) in enumerate(zip(answer, splits, indices)):
        feature = split.features["label"]
        expected = split[index]["label"]
        if isinstance(given, str):
            if not hasattr(feature, "names"):
                return say("hint.labels.scores", which=names[position])
            if given not in feature.names:
                return say("hint.labels.not_a_name", given=given, names=feature.names)
            given = feature.str2int(given)
        if not is_number(given):
            return say("hint.labels.not_a_number", which=names[position], kind=type(given).__name__)
        if not math.isclose(given, expected, abs_tol=1e-6):
            return say("hint.labels.wrong", which=names[position], index=index)
    return None


@_exercise("longest", "01", "the idx of the training row with the longest first text", "dataset", "column")
def _longest(answer, dataset, column):
    if not is_int(answer):
        return say("hint.longest.not_int", kind=type(answer).__name__)
    lengths = {row["idx"]: len(row[column]) for row in dataset}
    if answer not in lengths:
        return say("hint.longest.no_row", answer=answer)
    if lengths[answer] < max(lengths.values()):
        return say("hint.longest.shorter", answer=answer, column=column, length=lengths[answer])
    return None


# ---- 02: pairs --------------------------------------------------------------------------------


@_exercise(
    "pair_vs_separate",
    "02",
    "element 15 tokenized separately and as a pair: what differs",
    "tokenizer",
    "example",
    "columns",
    pair="hint.pair_vs_separate.pair",
)
def _pair_vs_separate(answer, tokenizer, example, columns):
    first, second = (example[c] for c in columns)
    pair = tokenizer(first, second)
    separate = len(tokenizer(first)["input_ids"]) + len(tokenizer(second)["input_ids"])
    difference = len(pair["input_ids"]) - separate
    ones = sum(pair.get("token_type_ids") or [])
    if answer[0] != difference:
        return say("hint.pair_vs_separate.first")
    if answer[1] != ones:
        return say("hint.pair_vs_separate.second")
    return None


@_exercise(
    "distilbert_keys",
    "02",
    "which keys the tokenizer AutoTokenizer loads for a checkpoint returns for a pair",
    "checkpoint",
    "source",
    "example",
    "columns",
)
def _distilbert_keys(answer, checkpoint, source, example, columns):
    """The check loads the checkpoint's tokenizer itself (quietly), so the question can come before
    the notebook loads it."""
    from transformers import AutoTokenizer

    from ..offline.sources import resolve

    if isinstance(answer, str) or not hasattr(answer, "__iter__"):
        return say("hint.distilbert_keys.list")
    given = set(answer)
    with quiet_libraries():
        tokenizer = AutoTokenizer.from_pretrained(resolve(checkpoint, source).target)
    returned = set(tokenizer(*(example[c] for c in columns)))
    extra = sorted(given - returned)
    if extra:
        return say("hint.distilbert_keys.extra", keys=", ".join(map(repr, extra)))
    if given != returned:
        return say("hint.distilbert_keys.more", count=len(returned) - len(given))
    return None


# ---- 03: map ----------------------------------------------------------------------------------


def _map_batch_size() -> int:
    """map's default batch_size, read from the library itself."""
    import inspect

    from datasets import Dataset

    return inspect.signature(Dataset.map).parameters["batch_size"].default


@_exercise(
    "calls",
    "03",
    "how many times map calls the function, batched=False and batched=True",
    "dataset",
    pair="hint.calls.pair",
)
def _calls(answer, dataset):
    rows = dataset.num_rows
    if answer[0] != rows:
        return say("hint.calls.first")
    if answer[1] != -(-rows // _map_batch_size()):
        return say("hint.calls.second")
    return None


def _tokenized_problem(result, raw, columns: tuple[str, ...], tokenizer) -> str | None:
    """None when `result` (a Dataset) holds raw's rows, tokenized as the course does: the text
    columns (one or two) with truncation=True, unpadded, the label kept."""
    from datasets import Dataset

    if not isinstance(result, Dataset):
        return say("hint.tokenized.not_dataset", kind=type(result).__name__)
    if result.num_rows != raw.num_rows:
        return say("hint.tokenized.rows", got=result.num_rows, rows=raw.num_rows)
    if "input_ids" not in result.column_names:
        return say("hint.tokenized.no_input_ids")
    if "label" not in result.column_names:
        return say("hint.tokenized.no_label")
    expected = tokenizer(*(list(raw[c]) for c in columns), truncation=True)["input_ids"]
    for row, (got, want) in enumerate(zip(result["input_ids"], expected)):
        if list(got) != want:
            tail = list(got[len(want) :])
            if list(got[: len(want)]) == want and tail and set(tail) == {tokenizer.pad_token_id}:
                return say("hint.tokenized.padded", row=row)
            which = " and ".join(repr(c) for c in columns)
            return say("hint.tokenized.differ", row=row, which=which)
    return None


def _dataset_dict_problem(result, raw, columns, tokenizer) -> str | None:
    from datasets import DatasetDict

    if isinstance(raw, DatasetDict):
        if not isinstance(result, DatasetDict):
            return say("hint.tokenized.whole", kind=type(result).__name__)
        if list(result) != list(raw):
            return say("hint.tokenized.splits", got=list(result), raw=list(raw))
        for split in raw:
            problem = _tokenized_problem(result[split], raw[split], columns, tokenizer)
            if problem:
                return f"{split}: {problem}"
        return None
    return _tokenized_problem(result, raw, columns, tokenizer)


@_exercise("sst2", "03", "the course's preprocessing replicated on SST-2 (single sentences)", "raw", "tokenizer")
def _sst2(answer, raw, tokenizer):
    from ..tasks import get_task

    return _dataset_dict_problem(answer, raw, get_task("sst2").text_columns, tokenizer)


@_exercise("any_task", "03", "one preprocessing function for any GLUE task", "examples", "tokenizer")
def _any_task(answer, examples, tokenizer):
    """examples: [(raw DatasetDict, task name), ...], at least a pair task and a single-sentence one."""
    from ..tasks import get_task

    if not callable(answer):
        return say("hint.any_task.callable", kind=type(answer).__name__)
    for raw, task in examples:
        try:
            result = answer(raw, task)
        except Exception as error:
            return say("hint.any_task.raised", task=task, error=type(error).__name__, message=_first_line(error))
        problem = _dataset_dict_problem(result, raw, get_task(task).text_columns, tokenizer)
        if problem:
            return say("hint.any_task.for_task", task=task, problem=problem)
    return None


# ---- 04: collating ----------------------------------------------------------------------------


@_exercise(
    "collated_shape",
    "04",
    "the shape of a collated batch, predicted",
    "collator",
    "features",
    pair="hint.collated_shape.pair",
)
def _collated_shape(answer, collator, features):
    expected = tuple(collator(features)["input_ids"].shape)
    return _first_hint(
        (answer[0] != expected[0], "hint.collated_shape.first"), (answer[1] != expected[1], "hint.collated_shape.width")
    )


@_exercise("fewest_widths", "04", "the per-batch strategy with the fewest distinct batch widths", "stats")
def _fewest_widths(answer, stats):
    from ..padding import STRATEGIES

    per_batch = [name for name in stats if STRATEGIES[name].pad_to == "longest"]
    if answer not in per_batch:
        return say("hint.fewest_widths.choose", strategies=", ".join(per_batch))
    fewest = min(stats[name].distinct_shapes for name in per_batch)
    if stats[answer].distinct_shapes > fewest:
        return say("hint.fewest_widths.more", answer=answer, count=stats[answer].distinct_shapes)
    return None


# ---- 05: one step -----------------------------------------------------------------------------


@_exercise("adam_step", "05", "the largest change of any weight after one AdamW step", "model", "before")
def _adam_step(answer, model, before):
    if not is_number(answer) or answer <= 0:
        return say("hint.positive", example="1e-3")
    largest = max((p.detach() - before[name]).abs().max().item() for name, p in model.named_parameters())
    return _first_hint((answer > 2 * largest, "hint.adam_step.large"), (answer < largest / 2, "hint.adam_step.small"))


# ---- 06: the padding lab ----------------------------------------------------------------------


@_exercise("positions_ratio", "06", "the speedup of dynamic over fixed padding that positions predict", "stats")
def _positions_ratio(answer, stats):
    if not is_number(answer) or answer <= 0:
        return say("hint.positive", example="1.5")
    expected = stats["fixed"].positions / stats["dynamic"].positions
    if not math.isclose(answer, expected, rel_tol=0.02):
        return say("hint.positions_ratio.divide", too=say("hint.too_high" if answer > expected else "hint.too_low"))
    return None


# ---- 07: several processes --------------------------------------------------------------------


@_exercise("shard_rows", "07", "rows each process gets from split_dataset_by_node", "dataset", "world_size")
def _shard_rows(answer, dataset, world_size):
    from datasets.distributed import split_dataset_by_node

    if isinstance(answer, (str, bytes)) or not hasattr(answer, "__len__"):
        return say("hint.shard_rows.list")
    expected = [split_dataset_by_node(dataset, rank=r, world_size=world_size).num_rows for r in range(world_size)]
    if len(answer) != world_size:
        return say("hint.shard_rows.count", world_size=world_size)
    if sum(answer) != dataset.num_rows:
        return say("hint.shard_rows.sum", total=sum(answer), rows=dataset.num_rows)
    if list(answer) != expected:
        return say("hint.shard_rows.chunks")
    return None


# ---- quizzes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    prompt: str  # as the notebook's markdown shows it, in bold (English)
    choices: dict[str, tuple[str, str]]  # letter -> (the choice as the notebook shows it, why it is or is not right)
    key: str  # digest of the right letter (`_digest`): no letter is written down here
    translated: dict[str, tuple[str, dict[str, tuple[str, str]]]]  # language -> (prompt, choices), beside English

    @property
    def letters(self) -> list[str]:
        return list(self.choices)

    def said(self, language: str) -> tuple[str, dict[str, tuple[str, str]]]:
        """(prompt, choices) in `language`: English, or the translation beside it in the quiz's file."""
        return (self.prompt, self.choices) if language == "en" else self.translated[language]


def _digest(quiz: str, number: int, letter: str) -> str:
    return hashlib.sha256(f"course-companion quiz {quiz}.{number}: {letter}".encode()).hexdigest()[:16]


QUIZ_DIR = Path(__file__).resolve().parent / "quizzes"  # one JSON file per notebook: the quizzes' only copy


def _load_quizzes() -> dict[str, dict[int, Question]]:
    """Every quiz, from helpers/quizzes/NN.json: {number: {prompt, choices: {letter: {choice, why}},
    key}}, as the notebooks' quiz cells show them (a test keeps the two in step), each text with its
    translations beside it (`prompt_ko`, `choice_ko`, `why_ko`)."""
    quizzes = {}
    for path in sorted(QUIZ_DIR.glob("[0-9][0-9].json")):
        questions = json.loads(path.read_text(encoding="utf-8"))
        quizzes[path.stem] = {int(number): _question(q) for number, q in questions.items()}
    return quizzes


def _question(q: dict) -> Question:
    def said(suffix: str):
        return q["prompt" + suffix], {
            letter: (c["choice" + suffix], c["why" + suffix]) for letter, c in q["choices"].items()
        }

    prompt, choices = said("")
    return Question(
        prompt, choices, q["key"], {language: said(f"_{language}") for language in LANGUAGES if language != "en"}
    )


QUIZZES: dict[str, dict[int, Question]] = _load_quizzes()


def quiz_markdown(quiz: str, language: str = "en") -> str:
    """The quiz's questions and choices as the notebook's quiz cell shows them, rendered from the data."""
    check_language(language)
    shown = []
    for number, question in get_quiz(quiz).items():
        prompt, choices = question.said(language)
        shown.append(
            f"**{number}. {prompt}**\n" + "\n".join(f"- {letter}. {text}" for letter, (text, _) in choices.items())
        )
    return "\n\n".join(shown)


def get_quiz(quiz) -> dict[int, Question]:
    if not isinstance(quiz, str) or quiz not in QUIZZES:
        raise ParameterError("quiz", quiz, f"choose one of {', '.join(QUIZZES)}")
    return QUIZZES[quiz]


def quiz_verdicts(quiz: str, answers) -> list[Verdict]:
    """One verdict per question of the quiz; `answers` maps question numbers to letters."""
    questions = get_quiz(quiz)
    verdicts = []
    for number, question in questions.items():
        name = f"quiz {quiz}.{number}"
        if answers is Ellipsis:
            verdicts.append(Verdict(name, NOT_ANSWERED))
            continue
        if not isinstance(answers, dict):
            verdicts.append(Verdict(name, NOT_YET, say("hint.quiz.dict")))
            continue
        given = answers.get(number, Ellipsis)
        if given is Ellipsis:
            verdicts.append(Verdict(name, NOT_ANSWERED))
            continue
        letter = given.strip().lower().rstrip(".)") if isinstance(given, str) else None
        if letter not in question.choices:
            verdicts.append(Verdict(name, NOT_YET, say("hint.quiz.letter", letters=", ".join(question.letters))))
        elif _digest(quiz, number, letter) == question.key:
            verdicts.append(Verdict(name, CORRECT))
        else:
            why = question.said(current_language())[1][letter][1]
            verdicts.append(Verdict(name, NOT_YET, say("hint.quiz.wrong", letter=letter, why=why)))
    return verdicts


def check_quiz(quiz: str, answers) -> None:
    """Check a quiz's answers, one line per question."""
    for result in quiz_verdicts(quiz, answers):
        show(result)


def grade_quiz(quiz: str, answers) -> int:
    """`check_quiz` for an autograded cell: one line per question, and the number right as the
    cell's value, which nbgrader takes as the cell's partial credit (a point a question)."""
    results = quiz_verdicts(quiz, answers)
    for result in results:
        show(result)
    return sum(result.status == CORRECT for result in results)


def quiz_key(quiz: str) -> dict[int, str]:
    """The right letters of a quiz, for the stored notebooks' answer cells (never printed there)."""
    key = {}
    for number, question in get_quiz(quiz).items():
        right = [letter for letter in question.letters if _digest(quiz, number, letter) == question.key]
        if len(right) != 1:
            raise ParameterError("quiz", f"{quiz}.{number}", "has no single right choice in its key")
        key[number] = right[0]
    return key
