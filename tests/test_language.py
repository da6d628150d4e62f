"""helpers.language: the learner-facing messages come from one table, in English and Korean, chosen
by the notebook (`helpers.set_language`); the table and the helpers' sources stay in step."""

import hashlib
import json
import re
import string
from pathlib import Path

import pytest

import helpers
from helpers import exercises, language
from helpers.course import beside_course
from helpers.exercises import NOT_YET, verdict
from helpers.offline import sources

HELPERS = Path(helpers.__file__).resolve().parent
TABLE = language.messages()
HANGUL = re.compile("[\uac00-\ud7a3]")
# sha256 of quiz_markdown(NN) in English before the Korean came beside it: the English notebooks'
# quiz cells are checked against it, so it must not change.
ENGLISH_QUIZZES = {
    "01": "a76018748e7bb5e0",
    "02": "95607144a93c20b6",
    "03": "d7a0b7c5f7521282",
    "04": "04ff51857b4d6185",
    "05": "0ac66f66eab1001a",
    "06": "966c5f7965724242",
    "07": "3dee84a815f79cc5",
}


@pytest.fixture(autouse=True)
def english_afterwards():
    """Every test here starts and ends in English, so other tests read English messages."""
    helpers.set_language("en")
    yield
    helpers.set_language("en")


def _fields(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def _sources() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(HELPERS.rglob("*.py")))


def test_every_message_is_in_both_languages_with_the_same_fields():
    assert list(language.LANGUAGES) == ["en", "ko"]
    for key, texts in TABLE.items():
        assert set(texts) == set(language.LANGUAGES), key
        assert all(isinstance(t, str) and t.strip() for t in texts.values()), key
        assert _fields(texts["en"]) == _fields(texts["ko"]), key
        assert not HANGUL.search(texts["en"]), key


def test_every_key_said_is_in_the_table_and_every_key_is_used():
    code = _sources()
    said = set(re.findall(r"\b(?:say|message)\(\s*[\"']([^\"']+)[\"']", code))
    assert said and said <= set(TABLE), sorted(said - set(TABLE))
    quoted = set(re.findall(r"[\"']([a-z_]+(?:\.[a-z_]+)*)[\"']", code))
    assert set(TABLE) <= quoted, sorted(set(TABLE) - quoted)


def test_a_language_not_in_the_table_is_one_parameter_error():
    for bad in ["fr", "KO", None, 1]:
        with pytest.raises(helpers.ParameterError) as caught:
            helpers.set_language(bad)
        assert caught.value.parameter == "language" and str(caught.value).endswith(": choose one of en, ko")
    assert language.current_language() == "en"
    with pytest.raises(helpers.ParameterError, match="language='fr'"):
        exercises.quiz_markdown("01", "fr")


def test_say_fills_the_fields_in_the_current_language():
    assert helpers.say("source.hub_unavailable", reason="x") == "the Hub is unavailable: x"
    helpers.set_language("ko")
    assert language.current_language() == "ko"
    assert helpers.say("source.hub_unavailable", reason="x") == "Hub를 사용할 수 없습니다: x"


def test_a_wrong_answer_gets_its_hint_in_the_notebooks_language():
    rows = [{"idx": 0, "sentence1": "short"}, {"idx": 1, "sentence1": "the longest one"}]

    def line(answer):
        return verdict("longest", answer, dataset=rows, column="sentence1").line

    assert line(0) == "longest: not yet: the row with idx 0 has a sentence1 of 5 characters; another row's is longer"
    helpers.set_language("ko")
    result = verdict("longest", 0, dataset=rows, column="sentence1")
    assert result.status == NOT_YET  # the stored status stays English: tests and tools compare it
    assert result.line == "longest: 아직 아님: `idx`가 0인 행의 `sentence1`은 5자입니다. 이보다 긴 행이 있습니다"
    assert verdict("longest", 1, dataset=rows, column="sentence1").line == "longest: 정답"
    assert verdict("longest", ..., dataset=rows, column="sentence1").line == "longest: 아직 답하지 않음"
    assert HANGUL.search(verdict("longest", "x", dataset=rows, column="sentence1").hint)
    helpers.set_language("en")
    assert line(0).startswith("longest: not yet: the row with idx 0")


def test_quiz_verdicts_explain_in_the_notebooks_language():
    key = exercises.quiz_key("01")
    wrong = next(letter for letter in "abcd" if letter != key[1])
    question = exercises.QUIZZES["01"][1]
    assert exercises.quiz_verdicts("01", {1: wrong})[0].hint == f"not {wrong}: {question.choices[wrong][1]}"
    helpers.set_language("ko")
    results = exercises.quiz_verdicts("01", {1: wrong, 2: "z"})
    assert results[0].line == f"quiz 01.1: 아직 아님: {wrong}는 아닙니다: {question.said('ko')[1][wrong][1]}"
    assert results[1].hint == "문자 하나로 답하세요: a, b, c, d"
    assert results[2].line == "quiz 01.3: 아직 답하지 않음"
    assert exercises.quiz_verdicts("01", ["a"])[0].hint.startswith("{1: 'a', 2: ..., 3: ...}처럼")


@pytest.mark.parametrize("quiz", list(exercises.QUIZZES))
def test_quiz_markdown_in_korean_has_the_same_questions_and_choices(quiz):
    english, korean = exercises.quiz_markdown(quiz), exercises.quiz_markdown(quiz, "ko")
    assert hashlib.sha256(english.encode()).hexdigest()[:16] == ENGLISH_QUIZZES[quiz]
    assert exercises.quiz_markdown(quiz, "en") == english
    assert HANGUL.search(korean) and not HANGUL.search(english)
    for pattern in [r"(?m)^\*\*\d+\. ", r"(?m)^- [a-d]\. "]:
        assert re.findall(pattern, korean) == re.findall(pattern, english)
    for question in exercises.QUIZZES[quiz].values():
        prompt, choices = question.said("ko")
        assert HANGUL.search(prompt) and list(choices) == question.letters
        assert all(HANGUL.search(why) for _, why in choices.values())  # a choice may be code alone


@pytest.mark.parametrize("quiz", list(exercises.QUIZZES))
def test_the_korean_quiz_is_the_one_the_korean_notebook_shows(quiz):
    """The Korean catalogue's quiz cell (notebooks/ko) shows what quiz_markdown(quiz, "ko") renders."""
    catalogue = next((HELPERS.parent / "notebooks" / "ko" / "catalogue").glob(f"{quiz}_*.json"), None)
    if catalogue is None:
        pytest.skip("no Korean catalogue for this notebook")
    cells = json.loads(catalogue.read_text(encoding="utf-8"))["cells"].values()
    assert any(exercises.quiz_markdown(quiz, "ko") in cell["ko"] for cell in cells)


def test_the_reveal_line_in_both_languages():
    assert exercises.REVEAL_LINE == exercises.reveal_line("en") == exercises.reveal_line()
    assert exercises.REVEAL_LINE.startswith("*The worked answer is in the hidden cell below")
    assert exercises.reveal_line("ko") == (
        '*풀이는 아래 숨겨진 셀에 있습니다. 먼저 직접 풀어 본 다음, 그 셀의 "⋯"를 클릭해 펼쳐 보세요.*'
    )


def test_the_source_line_in_korean(capsys):
    helpers.set_language("ko")
    target = helpers.locate("nyu-mll/glue", "sample")
    assert Path(target) == sources.SAMPLE_REPO
    assert capsys.readouterr().out.splitlines() == [
        "nyu-mll/glue의 출처: 내장 샘플(이 프로젝트 자체의 MRPC 형식 문장 쌍이며, 실제 말뭉치가 아닙니다) [요청한 대로]"
    ]
    found = helpers.resolve("nyu-mll/glue", "auto")  # offline in the tests: HF_HUB_OFFLINE=1
    assert found.description.endswith("[Hub를 사용할 수 없습니다: HF_HUB_OFFLINE=1 is set]")
    assert helpers.STANDINS["bert-base-uncased"].describe().startswith("오프라인 대체 모델(토크나이저: uncased BERT")
    helpers.set_language("en")
    assert helpers.resolve("nyu-mll/glue", "sample").description == f"{sources.SAMPLE_WHAT} [asked for]"


def test_the_course_comparison_in_korean(capsys):
    helpers.set_language("ko")
    beside_course("collated_shape", [8, 67], label="shape", task="mrpc")
    beside_course("rows", {"train": 1}, label="rows", task="mrpc")
    assert capsys.readouterr().out.splitlines() == [
        "shape: [8, 67]   (강의의 수치와 같음)",
        "rows: {'train': 1}   (강의, 실제 MRPC: {'train': 3668, 'validation': 408, 'test': 1725})",
    ]
