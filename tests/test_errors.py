"""helpers.errors: one error type, shown in Jupyter as its one line."""

from helpers.errors import ParameterError


def test_message_names_parameter_value_and_what_is_allowed():
    error = ParameterError("batch_size", -2, "must be a positive integer")
    assert str(error) == "batch_size=-2: must be a positive integer"
    assert (error.parameter, error.value, error.allowed) == ("batch_size", -2, "must be a positive integer")
    assert isinstance(error, ValueError)


def test_jupyter_shows_one_line_not_a_traceback():
    error = ParameterError("task", "mrcp", "choose one of GLUE's tasks")
    assert error._render_traceback_() == ["ParameterError: task='mrcp': choose one of GLUE's tasks"]
