"""The operating system's reasons in the run's language."""

from __future__ import annotations

import errno

from egov_cli.core.os_reason import os_reason


def test_a_known_reason_is_german_by_default() -> None:
    assert os_reason(PermissionError(errno.EACCES, "Permission denied")) == "keine Berechtigung"


def test_a_known_reason_is_english_on_request(english: None) -> None:
    assert os_reason(FileNotFoundError(errno.ENOENT, "No such file")) == "no such file or folder"


def test_an_unknown_reason_keeps_the_system_text() -> None:
    assert os_reason(OSError(errno.EPIPE, "Broken pipe")) == "Broken pipe"
    assert os_reason(OSError("no number")) == "no number"
