"""Work on a thread: its value, or its error, reaches the command."""

from __future__ import annotations

import pytest

from egov_cli.cli.background import Background, release
from egov_cli.core.errors import FileError


def test_the_value_of_background_work_is_returned() -> None:
    assert Background(lambda: 6 * 7, "test").result() == 42


def test_an_error_in_background_work_is_raised_where_the_result_is_asked_for() -> None:
    def fail() -> int:
        raise FileError("amt32.xlsx is empty (0 bytes).")

    work = Background(fail, "test")
    with pytest.raises(FileError, match=r"amt32\.xlsx is empty"):
        work.result()


def test_released_objects_are_freed_on_their_own_thread() -> None:
    import threading
    import weakref

    class Cells(list[int]):
        pass

    freed_on: list[str] = []
    cells = Cells(range(1000))
    weakref.finalize(cells, lambda: freed_on.append(threading.current_thread().name))
    box: list[object] = [cells]
    del cells
    release(box).join(10)
    assert box == []
    assert freed_on == ["egov-release"]


def test_the_parts_of_a_released_object_are_freed_on_that_thread_too() -> None:
    import threading
    import weakref
    from dataclasses import dataclass

    class Column(list[int]):
        pass

    @dataclass
    class Parsed:
        keys: Column
        levels: Column

    freed_on: list[str] = []
    parsed = Parsed(Column(range(1000)), Column(range(5)))
    for part in (parsed.keys, parsed.levels):
        weakref.finalize(part, lambda: freed_on.append(threading.current_thread().name))
    box: list[object] = [parsed]
    del parsed, part
    release(box).join(10)
    assert box == []
    assert freed_on == ["egov-release", "egov-release"]
