"""Running slow, self-contained work on a thread while the command does something else."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

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


def release(objects: list[Any]) -> threading.Thread:
    """Free ``objects`` (the list is emptied) on a thread of their own. Worth it for large
    structures a command no longer needs just before it waits for something that lets go of
    the interpreter, such as a database commit: they are freed meanwhile. The caller must
    hold no other reference to them (else they are freed where that one goes).

    An object's attributes are let go one at a time: freeing a large structure is one step
    the interpreter does not interrupt, and between such steps the command's own thread gets
    its turn (to start the commit, say) instead of waiting for all of them."""
    thread = threading.Thread(target=_free, args=(objects,), name="egov-release")
    thread.start()
    return thread


def _free(objects: list[Any]) -> None:
    while objects:
        item = objects.pop()
        attributes = getattr(item, "__dict__", None)
        if attributes:
            for name in list(attributes):
                del attributes[name]
        del item
