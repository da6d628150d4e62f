"""Running this environment's Python as a user would, from the tests: `python -m helpers ...`,
`python -c ...`, `python -m pytest ...`, with its output captured as text."""

import subprocess
import sys


def python(*args: str, env: dict | None = None, cwd=None, timeout: float = 180) -> subprocess.CompletedProcess:
    """`python *args` with this environment's interpreter; never raises on a non-zero exit."""
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def said(capsys, *argv: str, code: int = 0) -> str:
    """`python -m helpers *argv` run in this process (quicker than a new interpreter): checks its exit
    code and returns what it printed, its standard output, or its error line when `code` is not 0."""
    from helpers.running.cli import main

    assert main(list(argv)) == code
    printed = capsys.readouterr()
    return printed.err if code else printed.out
