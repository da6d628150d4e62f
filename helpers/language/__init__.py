"""The helpers' learner-facing messages, in every language the notebooks come in, from one table.

Every sentence a helper shows a learner (the source line, the comparisons with the course's
figures, the self-checks' verdicts and hints, the quizzes' explanations) is a key of
`messages.json`, `{key: {"en": ..., "ko": ...}}`, formatted with `str.format`. A notebook picks
its language in its setup cell (`helpers.set_language(language)`, its `language` parameter);
the helpers call `say(key, **fields)` and get the message in that language. Errors about bad input
(`ParameterError`) stay English: they name parameters and values, and the command line prints them.
"""

import json
from functools import cache
from pathlib import Path

from ..errors import ParameterError

LANGUAGES = {"en": "English", "ko": "한국어"}
DEFAULT = "en"
TABLE = Path(__file__).resolve().parent / "messages.json"  # the one table, both languages

_current = DEFAULT


def check_language(language) -> str:
    """One of LANGUAGES, else the one-line ParameterError naming `language`."""
    if not isinstance(language, str) or language not in LANGUAGES:
        raise ParameterError("language", language, f"choose one of {', '.join(LANGUAGES)}")
    return language


def set_language(language) -> None:
    """The language every later message comes in (a notebook's setup cell calls it)."""
    global _current
    _current = check_language(language)


def current_language() -> str:
    return _current


@cache
def messages() -> dict[str, dict[str, str]]:
    """The table, read once: {key: {language: text}}."""
    return json.loads(TABLE.read_text(encoding="utf-8"))


def message(key: str, language: str, **fields) -> str:
    """The message `key` in `language`, its {fields} filled in."""
    return messages()[key][check_language(language)].format(**fields)


def say(key: str, **fields) -> str:
    """The message `key` in the current language, its {fields} filled in."""
    return message(key, _current, **fields)
