"""Running slow, self-contained work on a thread while the import does something else.

Speed: the file's cells are read (by a reader that works outside the interpreter) while the
catalogue is read; see :func:`egov_cli.imports.run.run_import`."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Background(Generic[T]):
    """``work()`` running on a daemon thread; :meth:`result` waits for its value or raises its
    error. Worth it only where the work lets go of the interpreter (file reading in a native
    library); a daemon thread does not hold up the exit of a command that fails meanwhile."""

    def __init__(self, work: Callable[[], T], name: str) -> None:
        self._work = work
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._work()
        except BaseException as exc:  # handed to the caller by result()
            self._error = exc

    def result(self) -> T:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]
