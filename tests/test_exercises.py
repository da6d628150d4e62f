"""helpers.exercises: every self-check says "correct" on the worked solution, "not answered yet" on the
stub and "not yet" with a hint on a wrong answer, against values computed from the data; the quizzes'
keys; the stored notebooks' exercises, takeaways and quizzes; and the any-task solution, read from
notebook 3's solution cell, on a local folder in each GLUE task's schema, pairs and singles."""

import ast
import re

import nbformat
import pytest

import helpers
from helpers import exercises
from helpers.classroom.student import EXERCISE_KEY, find_solution, solution_cells
from helpers.exercises import CORRECT, NOT_ANSWERED, NOT_YET, verdict
from helpers.running.runner import list_notebooks

NOTEBOOKS = {nb.stem[:2]: nb for nb in list_notebooks()}
# The notebooks with exercises (worked solutions in the stored notebooks): every one.
WITH_PRACTICE = sorted(nn for nn, nb in NOTEBOOKS.items() if solution_cells(nbformat.read(str(nb), as_version=4)))


def _status(name, answer, **objects):
    result = verdict(name, answer, **objects)
    return result.status, result.hint


def _three(name, solution, wrong, hint, **objects):
    """The solution is correct, the stub not answered, the wrong answer not yet with the hint."""
    assert _status(name, solution, **objects) == (CORRECT, "")
    assert _status(name, ..., **objects) == (NOT_ANSWERED, "")
    status, given = _status(name, wrong, **objects)
    assert status == NOT_YET and hint in given, given


# ---- the API ----------------------------------------------------------------------------------


def test_bad_use_is_one_parameter_error():
    with pytest.raises(helpers.ParameterError, match=r"exercise='lables': choose one of labels, longest"):
        exercises.check("lables", 1)
    with pytest.raises(
        helpers.ParameterError,
        match=r"exercise='labels': its check \(.+\) takes the answer and "
        r"splits=\.\.\., indices=\.\.\.; missing: indices",
    ):
        exercises.check("labels", (1, 0), splits=[])
    with pytest.raises(helpers.ParameterError, match="not known: dataset"):
        exercises.check("calls", ..., dataset=None, datasets=None)
    with pytest.raises(helpers.ParameterError, match="quiz='08': choose one of 01, 02, 03"):
        exercises.check_quiz("08", {})


def test_a_check_prints_exactly_one_line(capsys, sample):
    exercises.check("calls", (1, 2, 3), dataset=sample["train"])
    exercises.check("calls", ..., dataset=sample["train"])
    exercises.check("calls", (sample["train"].num_rows, 1), dataset=sample["train"])
    assert capsys.readouterr().out.splitlines() == [
        "calls: not yet: answer with two values in parentheses: (calls with batched=False, calls with batched=True)",
        "calls: not answered yet",
        "calls: correct",
    ]


def test_grade_raises_the_checks_line_unless_correct(capsys, sample):
    """nbgrader's autograded cells: a cell that raises scores nothing; a quiz's value is its partial credit."""
    rows = sample["train"].num_rows
    exercises.grade("calls", (rows, 1), dataset=sample["train"])
    assert capsys.readouterr().out == "calls: correct\n"
    for answer, line in [
        (..., "calls: not answered yet"),
        ((rows, 2), "calls: not yet: the second number is not right: with batched=True"),
    ]:
        with pytest.raises(AssertionError) as raised:
            exercises.grade("calls", answer, dataset=sample["train"])
        assert str(raised.value).startswith(line)
        assert raised.value._render_traceback_() == [f"AssertionError: {raised.value}"]  # one line in Jupyter
    key = exercises.quiz_key("01")
    wrong = next(letter for letter in "abcd" if letter != key[3])
    assert exercises.grade_quiz("01", {**key, 3: wrong}) == 2 and exercises.grade_quiz("01", key) == 3
    assert exercises.grade_quiz("01", ...) == 0
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 9 and printed[2].startswith(f"quiz 01.3: not yet: not {wrong}: ")


def test_an_answer_the_check_cannot_read_is_not_yet_in_one_line(sample):
    status, hint = _status("longest", 3.5, dataset=sample["train"], column="sentence1")
    assert (status, hint) == (NOT_YET, "answer with the row's idx, an integer (got float)")
    status, hint = _status("any_task", lambda raw, task: 1 / 0, tokenizer=None, examples=[(sample, "mrpc")])
    assert status == NOT_YET and hint == "preprocess(raw_datasets, 'mrpc') raised ZeroDivisionError: division by zero"


# ---- notebook 1 -------------------------------------------------------------------------------


def test_labels_of_the_course_elements(sample):
    train, validation = sample["train"], sample["validation"]
    indices = [exercises.course_index(15, train.num_rows), exercises.course_index(87, validation.num_rows)]
    assert indices == [15, 87 % 23] and exercises.course_index(87, 408) == 87  # the real MRPC has it
    right = (train[15]["label"], validation[18]["label"])
    names = train.features["label"].names
    objects = {"splits": [train, validation], "indices": indices}
    _three("labels", right, (right[0], 1 - right[1]), "the second (validation) label is not right", **objects)
    assert _status("labels", tuple(names[y] for y in right), **objects)[0] == CORRECT  # names are answers too
    assert "'paraphrase' is not a label name" in _status("labels", ("paraphrase", 0), **objects)[1]
    assert _status("labels", 1, **objects)[1].startswith("answer with two values")


def test_labels_of_a_regression_task_are_scores(task_folder):
    from datasets import load_dataset

    folder, _ = task_folder("stsb")
    raw = load_dataset(helpers.locate("nyu-mll/glue", folder), "stsb")
    objects = {"splits": [raw["train"], raw["validation"]], "indices": [15, 18]}
    right = (raw["train"][15]["label"], raw["validation"][18]["label"])
    _three("labels", right, (right[0] + 1, right[1]), "the first (training) label is not right", **objects)
    assert "numbers (scores)" in _status("labels", ("equivalent", 1.0), **objects)[1]


def test_longest_first_sentence(sample):
    train = sample["train"]
    lengths = [len(text) for text in train["sentence1"]]
    longest = train[lengths.index(max(lengths))]["idx"]
    shorter = train[lengths.index(min(lengths))]["idx"]
    _three(
        "longest",
        longest,
        shorter,
        f"has a sentence1 of {min(lengths)} characters; another row's is longer",
        dataset=train,
        column="sentence1",
    )
    assert _status("longest", 10_000, dataset=train, column="sentence1")[1] == "no row has idx 10000"


# ---- notebook 2 -------------------------------------------------------------------------------


def test_pair_against_separate(sample, bert_tokenizer):
    example = sample["train"][15]
    first, second = (bert_tokenizer(example[c])["input_ids"] for c in ("sentence1", "sentence2"))
    pair = bert_tokenizer(example["sentence1"], example["sentence2"])
    assert pair["input_ids"] == first + second[1:]  # one [CLS] fewer: [CLS] A [SEP] B [SEP]
    right = (-1, len(second) - 1)  # the second sentence and its [SEP] are segment 1
    objects = {"tokenizer": bert_tokenizer, "example": example, "columns": ("sentence1", "sentence2")}
    _three("pair_vs_separate", right, (1, right[1]), "count the special tokens", **objects)
    assert "the second segment" in _status("pair_vs_separate", (-1, len(second)), **objects)[1]


def test_distilbert_keys(sample):
    from transformers import AutoTokenizer

    distilbert = AutoTokenizer.from_pretrained(helpers.resolve("distilbert-base-uncased", "sample").target)
    assert type(distilbert).__name__ == "BertTokenizer"  # what AutoTokenizer picks for model type distilbert
    objects = {
        "checkpoint": "distilbert-base-uncased",
        "source": "sample",
        "example": sample["train"][0],
        "columns": ("sentence1", "sentence2"),
    }
    right = list(distilbert(sample["train"][0]["sentence1"], sample["train"][0]["sentence2"]))
    assert right == ["input_ids", "token_type_ids", "attention_mask"]  # not what the course says
    _three("distilbert_keys", right, ["input_ids", "attention_mask"], "it returns 1 more key(s)", **objects)
    assert _status("distilbert_keys", ["input_ids", "labels"], **objects)[1] == "it does not return 'labels'"
    assert _status("distilbert_keys", "input_ids", **objects)[0] == NOT_YET


# ---- notebook 3 -------------------------------------------------------------------------------


def test_calls_are_what_map_really_does(sample):
    train, calls = sample["train"], []

    def counting(batch):
        calls.append(1)  # and no new columns

    counted = []
    for batched in (False, True):
        calls.clear()
        train.map(counting, batched=batched, load_from_cache_file=False)
        counted.append(len(calls))
    assert counted == [208, 1]
    _three("calls", tuple(counted), (208, 208), "with batched=True, map passes batch_size", dataset=train)


@pytest.fixture(scope="module")
def sst2_like():
    from datasets import Dataset, DatasetDict

    features = helpers.get_task("sst2").features()
    texts = {"train": ["a fine film", "dull , dull , dull", "i laughed"], "validation": ["not for me"]}
    return DatasetDict(
        {
            split: Dataset.from_dict(
                {"sentence": rows, "label": [i % 2 for i in range(len(rows))], "idx": list(range(len(rows)))},
                features=features,
            )
            for split, rows in texts.items()
        }
    )


def test_sst2_is_single_sentences(sst2_like, bert_tokenizer):
    right = sst2_like.map(lambda b: bert_tokenizer(b["sentence"], truncation=True), batched=True)
    padded = sst2_like.map(lambda b: bert_tokenizer(b["sentence"], truncation=True, padding=True), batched=True)
    objects = {"raw": sst2_like, "tokenizer": bert_tokenizer}
    _three("sst2", right, padded, "train: row 0 is padded: leave padding to the collator", **objects)
    doubled = sst2_like.map(lambda b: bert_tokenizer(b["sentence"], b["sentence"]), batched=True)
    assert "differ from tokenizer(...) on the column(s) 'sentence'" in _status("sst2", doubled, **objects)[1]
    assert "map the whole DatasetDict" in _status("sst2", right["train"], **objects)[1]
    assert "label column is gone" in _status("sst2", right.remove_columns("label"), **objects)[1]


@pytest.fixture(scope="module")
def any_task_solution():
    """The notebook's own solution cell, run as a learner would copy it."""
    cell = find_solution(nbformat.read(str(NOTEBOOKS["03"]), as_version=4), "any_task")
    assert "tags" in cell.metadata and cell.metadata[EXERCISE_KEY]["stub"].startswith("preprocess = ...")
    return cell.source


@pytest.fixture(scope="module")
def preprocess(any_task_solution, bert_tokenizer):
    namespace = {"helpers": helpers, "tokenizer": bert_tokenizer}
    exec(any_task_solution, namespace)
    return namespace["preprocess"]


@pytest.mark.parametrize("task", list(helpers.GLUE_TASKS))
def test_any_task_solution_on_each_task_schema(task, task_folder, bert_tokenizer, preprocess):
    from datasets import load_dataset

    folder, rows = task_folder(task)
    raw = load_dataset(helpers.locate("nyu-mll/glue", folder), task)
    results = []

    def recorded(raw_datasets, task_name):  # what the check gets back from the solution, kept
        results.append(preprocess(raw_datasets, task_name))
        return results[-1]

    assert _status("any_task", recorded, tokenizer=bert_tokenizer, examples=[(raw, task)]) == (CORRECT, "")
    (tokenized,) = results
    columns = helpers.get_task(task).text_columns
    assert {split: part.num_rows for split, part in tokenized.items()} == rows
    for split, part in tokenized.items():
        expected = bert_tokenizer(*(list(raw[split][c]) for c in columns), truncation=True)
        assert list(part["input_ids"]) == expected["input_ids"]
        assert part.column_names == [*raw[split].column_names, *expected.keys()]


def test_the_course_function_is_not_an_any_task_answer(sample, sst2_like, bert_tokenizer):
    def pairs_only(raw_datasets, task_name):  # the course's function, which knows MRPC's columns only
        return raw_datasets.map(lambda e: bert_tokenizer(e["sentence1"], e["sentence2"], truncation=True), batched=True)

    status, hint = _status(
        "any_task", pairs_only, tokenizer=bert_tokenizer, examples=[(sample, "mrpc"), (sst2_like, "sst2")]
    )
    assert (status, hint) == (NOT_YET, "preprocess(raw_datasets, 'sst2') raised KeyError: 'sentence1'")
    status, hint = _status("any_task", lambda raw, task: raw, tokenizer=bert_tokenizer, examples=[(sample, "mrpc")])
    assert hint == "for mrpc, train: no input_ids column: return the tokenizer's output from your function"


# ---- notebook 4 -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lengths(sample, bert_tokenizer):
    return [
        len(ids)
        for ids in bert_tokenizer(list(sample["train"]["sentence1"]), list(sample["train"]["sentence2"]))["input_ids"]
    ]


def test_collated_shape(sample, bert_tokenizer):
    from transformers import DataCollatorWithPadding

    rows = sample["train"][8:16]
    features = dict(bert_tokenizer(rows["sentence1"], rows["sentence2"], truncation=True))
    right = (8, max(len(ids) for ids in features["input_ids"]))
    objects = {"collator": DataCollatorWithPadding(bert_tokenizer), "features": features}
    _three("collated_shape", right, (8, 128), "pads every example to the longest one", **objects)
    assert "number of examples" in _status("collated_shape", (16, right[1]), **objects)[1]


def test_fewest_widths(lengths):
    stats = helpers.padding_stats(lengths, batch_size=8, max_length=128, seed=42)
    per_batch = ["dynamic", "dynamic_multiple_of_8", "length_grouped"]
    widths = {name: stats[name].distinct_shapes for name in per_batch}
    fewest = min(widths, key=widths.get)
    most = max(widths, key=widths.get)
    assert widths[most] > widths[fewest]  # a question with a wrong answer
    _three(
        "fewest_widths", fewest, most, f"{most} gives {widths[most]} distinct widths; another gives fewer", stats=stats
    )
    assert _status("fewest_widths", "fixed", stats=stats)[1].startswith("answer with one of the strategies")


# ---- notebook 5 -------------------------------------------------------------------------------


def test_adam_step_moves_weights_by_about_the_learning_rate():
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    torch.manual_seed(0)
    model = BertForSequenceClassification(
        BertConfig(vocab_size=64, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32)
    )
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5)
    model(input_ids=torch.randint(1, 64, (4, 10)), labels=torch.tensor([0, 1, 1, 0])).loss.backward()
    optimizer.step()
    largest = max((p.detach() - before[n]).abs().max().item() for n, p in model.named_parameters())
    assert 5e-5 * 0.9 < largest < 5e-5 * 1.1  # Adam's first step: about lr for a weight with a gradient
    _three("adam_step", 5e-5, 5e-3, "too large", model=model, before=before)
    assert _status("adam_step", 1e-9, model=model, before=before)[1].startswith("too small")
    assert _status("adam_step", "5e-5", model=model, before=before)[0] == NOT_YET


# ---- notebooks 6 and 7 ------------------------------------------------------------------------


def test_positions_ratio(lengths):
    stats = helpers.padding_stats(lengths, batch_size=16, max_length=128, seed=0)
    ratio = stats["fixed"].positions / stats["dynamic"].positions
    assert ratio > 1.2
    _three("positions_ratio", round(ratio, 2), ratio * 1.5, "too high", stats=stats)


def test_shard_rows(sample):
    validation = sample["validation"]
    _three("shard_rows", [12, 11], [11, 12], "which rank gets the extra row", dataset=validation, world_size=2)
    assert "every row goes to one rank" in _status("shard_rows", [10, 10], dataset=validation, world_size=2)[1]
    assert _status("shard_rows", [8, 8, 7], dataset=validation, world_size=3)[0] == CORRECT


# ---- quizzes ----------------------------------------------------------------------------------


@pytest.mark.parametrize("quiz", list(exercises.QUIZZES))
def test_quiz_keys_and_explanations(quiz):
    questions = exercises.QUIZZES[quiz]
    key = exercises.quiz_key(quiz)
    assert set(key) == set(questions) and len(questions) in (2, 3)
    assert [v.status for v in exercises.quiz_verdicts(quiz, key)] == [CORRECT] * len(questions)
    assert [v.status for v in exercises.quiz_verdicts(quiz, ...)] == [NOT_ANSWERED] * len(questions)
    assert [v.status for v in exercises.quiz_verdicts(quiz, {1: ...})] == [NOT_ANSWERED] * len(questions)
    for number, question in questions.items():
        assert len(question.choices) == 4
        for letter, (_, why) in question.choices.items():
            if letter != key[number]:
                result = exercises.quiz_verdicts(quiz, {**key, number: letter.upper()})[number - 1]
                assert (result.status, result.hint) == (NOT_YET, f"not {letter}: {why}")
        result = exercises.quiz_verdicts(quiz, {**key, number: "e"})[number - 1]
        assert result.hint == "answer with one letter: a, b, c, d"
    assert {v.hint for v in exercises.quiz_verdicts(quiz, ["a"])} == {
        "answer with a dict of letters, such as {1: 'a', 2: ..., 3: ...}"
    }
    # the right letters are nowhere in the module as they are: only digests
    assert all(q.key not in "abcd" and len(q.key) == 16 for q in questions.values())


# ---- the stored notebooks ---------------------------------------------------------------------


def _read(nn):
    return nbformat.read(str(NOTEBOOKS[nn]), as_version=4)


def test_every_notebook_has_practice_and_a_quiz():
    assert WITH_PRACTICE == sorted(NOTEBOOKS) == sorted(exercises.QUIZZES)
    per_notebook = {nn: sum(e.notebook == nn for e in exercises.EXERCISES.values()) for nn in NOTEBOOKS}
    assert min(per_notebook.values()) >= 1, per_notebook


@pytest.mark.parametrize("nn", WITH_PRACTICE)
def test_stored_notebook_checks_say_correct(nn):
    nb = _read(nn)
    checks = exercises.read_checks(nb)
    expected = {name for name, e in exercises.EXERCISES.items() if e.notebook == nn}
    expected |= {f"quiz {nn}.{number}" for number in exercises.QUIZZES[nn]}
    assert set(checks) == expected
    assert set(checks.values()) == {CORRECT}
    lines = [
        o["data"]["text/plain"]
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if exercises.CHECK_KEY in o.get("metadata", {})
    ]
    assert lines == [f"{name}: correct" for name in checks]  # one line each, in the notebook's order


@pytest.mark.parametrize("nn", WITH_PRACTICE)
def test_each_solution_has_its_stub_and_its_check(nn):
    nb = _read(nn)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert not [c for c in nb.cells if any(t.startswith("stub=") for t in c.metadata.get("tags", []))]
    for cell in solution_cells(nb):
        name, stub = cell.metadata[EXERCISE_KEY]["name"], cell.metadata[EXERCISE_KEY]["stub"]
        assigned = ast.parse(stub).body
        assert len(assigned) == 1 and isinstance(assigned[0], ast.Assign), stub  # one `name = ...`
        value = assigned[0].value  # `...`, or a quiz's {1: ..., 2: ..., 3: ...}
        values = value.values if isinstance(value, ast.Dict) else [value]
        assert all(isinstance(v, ast.Constant) and v.value is Ellipsis for v in values), stub
        check_cell = code[code.index(cell) + 1]
        target = assigned[0].targets[0].id
        quiz = name.removeprefix("quiz-")
        call = f'check_quiz("{quiz}", {target})' if name.startswith("quiz-") else f'check("{name}", {target}'
        assert call in check_cell.source, (name, check_cell.source)
        assert "solution" not in check_cell.metadata.get("tags", [])


@pytest.mark.parametrize("nn", WITH_PRACTICE)
def test_quiz_answers_are_not_in_plain_text(nn):
    nb = _read(nn)
    cell = find_solution(nb, f"quiz-{nn}")
    constants = [n.value for n in ast.walk(ast.parse(cell.source)) if isinstance(n, ast.Constant)]
    assert constants == [nn] and "quiz_key" in cell.source  # no letter typed: the key stays in helpers
    key = exercises.quiz_key(nn)
    text = nbformat.writes(nb)
    assert not re.search(r"""\{\s*1:\s*['"][a-d]['"]""", text)
    assert str(key) not in text and json_key(key) not in text


def json_key(key):
    return "{" + ", ".join(f'"{n}": "{letter}"' for n, letter in key.items()) + "}"


@pytest.mark.parametrize("nn", WITH_PRACTICE)
def test_takeaways_quiz_and_course_link_end_the_notebook(nn):
    nb = _read(nn)
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    takeaways = next(m for m in markdown if "## Key takeaways" in m)
    bullets = [
        line for line in takeaways.split("## Key takeaways")[1].split("##")[0].splitlines() if line.startswith("- ")
    ]
    assert 3 <= len(bullets) <= 5
    quiz_text = next(m for m in markdown if "## Quiz" in m)
    shown = exercises.quiz_markdown(nn)  # rendered from helpers/quizzes/NN.json, the quiz's one copy
    assert shown in quiz_text, f"the quiz cell must show, as rendered from the data:\n{shown}"
    assert markdown.index(quiz_text) >= markdown.index(takeaways) >= len(markdown) - 3
    assert quiz_text.index("## Quiz") > (takeaways.index("## Key takeaways") if quiz_text == takeaways else -1)
    assert helpers.COURSE_URL in markdown[-1]
