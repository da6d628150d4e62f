"""One exception type for bad input: a single clear message, no library traceback."""

import sys


class ParameterError(ValueError):
    """A parameter has a value the project cannot serve.

    The message names the parameter, the value and what is allowed. In Jupyter and under
    papermill it is shown as that one line (IPython's `_render_traceback_` hook), so a
    learner never has to read a library traceback to see what to change.
    """

    def __init__(self, parameter: str, value, allowed: str):
        self.parameter = parameter
        self.value = value
        self.allowed = allowed
        super().__init__(f"{parameter}={value!r}: {allowed}")

    def _render_traceback_(self):
        return [f"ParameterError: {self}"]


def exit_code(command, args) -> int:
    """Run a command-line command: bad input is one line on stderr and exit code 2, Ctrl-C exit 130."""
    try:
        return command(args)
    except ParameterError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
