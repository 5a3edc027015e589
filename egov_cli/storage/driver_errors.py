"""The errors of a database driver as people read them: locked, read-only, unreachable, full
or damaged, each with what to do."""

from __future__ import annotations

import re
import sqlite3

from sqlalchemy import exc as sa_exc

from egov_cli.core.config import LOCK_TIMEOUT_ENV, is_url, lock_timeout
from egov_cli.core.errors import DamagedCatalogue, DatabaseError, ReadOnlyCatalogue
from egov_cli.i18n import _
from egov_cli.storage.location import mask_url, opened_read_only

#: A URL inside a driver's message.
_URL_IN_TEXT = re.compile(r"[A-Za-z][\w+.-]*://\S+")

#: Driver messages of a damaged catalogue (SQLite; PostgreSQL's data files).
DAMAGE_MESSAGES = (
    "malformed",  # database disk image is malformed; malformed database schema
    "file is not a database",
    "could not decode to utf-8",
    "database corrupt",
    "invalid page in block",
    "could not read block",
)


def database_error(exc: sa_exc.DBAPIError, label: str) -> DatabaseError:
    """A user-facing error for a driver error (locked, read-only, unreachable, full disk,
    damaged)."""
    return _driver_message_error(str(exc.orig) if exc.orig is not None else str(exc), label)


def driver_error(exc: BaseException, label: str) -> DatabaseError | None:
    """The user-facing error for a database driver's error that reached the command line
    unexplained (a SQLite connection of its own raises sqlite3 errors), else None."""
    if isinstance(exc, sa_exc.DBAPIError):
        return database_error(exc, label)
    if isinstance(exc, sqlite3.Error):
        return _driver_message_error(str(exc), label)
    return None


def _driver_message_error(message: str, label: str) -> DatabaseError:
    lines = message.strip().splitlines()
    detail = _URL_IN_TEXT.sub(lambda m: mask_url(m.group(0)), lines[0] if lines else message)
    lowered = detail.lower()
    if any(m in lowered for m in DAMAGE_MESSAGES):
        return _damaged(detail, label)
    if "readonly" in lowered or "read-only" in lowered or "permission" in lowered:
        return ReadOnlyCatalogue(
            _("Catalogue {name}: {detail}").format(name=label, detail=detail),
            _("The catalogue is opened read-only (mode=ro); open it by its path to change it.")
            if opened_read_only(label)
            else _("The catalogue file or its folder is read-only; check its permissions."),
        )
    if "locked" in lowered or "lock timeout" in lowered:
        hint = _(
            "Another program or egov command holds a lock on the catalogue; egov waited "
            "{seconds:g} s. Try again in a moment, or wait longer with {variable}=SECONDS."
        ).format(seconds=lock_timeout(), variable=LOCK_TIMEOUT_ENV)
    elif "could not serialize" in lowered or "deadlock" in lowered:
        hint = _("Another egov process is writing to the catalogue; try again in a moment.")
    elif "full" in lowered or "no space" in lowered:
        hint = _("The disk is full; free some space. Nothing was written.")
    elif "connect" in lowered or "refused" in lowered or "resolve" in lowered:
        hint = _("Check the database URL and that the server is running.")
    else:
        hint = _("Nothing was written. Check the catalogue with 'egov db info'.")
    return DatabaseError(_("Catalogue {name}: {detail}").format(name=label, detail=detail), hint)


def _damaged(detail: str, label: str) -> DamagedCatalogue:
    if is_url(label) and not label.startswith("sqlite"):
        return DamagedCatalogue(
            _("The catalogue {name} is damaged: {detail}.").format(name=label, detail=detail),
            _(
                "Nothing was written. Ask the database administrator to check the server's data "
                "(amcheck) and to restore the last backup."
            ),
        )
    file = label if not is_url(label) else "FILE"
    message = (
        _("{name} is not a SQLite catalogue, or it is damaged: {detail}.")
        if "not a database" in detail
        else _("The catalogue {name} is damaged: {detail}.")
    )
    return DamagedCatalogue(
        message.format(name=label, detail=detail),
        _(
            'Nothing was written. Check the file: sqlite3 "{file}" "PRAGMA integrity_check". '
            "Then go back to your last copy (a file written by 'egov db backup', or "
            "'egov db restore DUMP' into a new catalogue); "
            'sqlite3 "{file}" ".recover" can rescue what is still readable.'
        ).format(file=file),
    )
