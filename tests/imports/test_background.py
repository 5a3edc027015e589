"""Work on a thread: its value, or its error, reaches the command."""

from __future__ import annotations

import pytest

from egov_cli.core.errors import FileError
from egov_cli.imports.background import Background


def test_the_value_of_background_work_is_returned() -> None:
    assert Background(lambda: 6 * 7, "test").result() == 42


def test_an_error_in_background_work_is_raised_where_the_result_is_asked_for() -> None:
    def fail() -> int:
        raise FileError("amt32.xlsx is empty (0 bytes).")

    work = Background(fail, "test")
    with pytest.raises(FileError, match=r"amt32\.xlsx is empty"):
        work.result()
