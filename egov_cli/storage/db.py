"""Opening a catalogue: its schema revision checked against this program's, and closing it.

The pieces of opening live in modules of their own: where a catalogue is (``location``), its
engine (``engine``), drivers' errors for people (``driver_errors``) and units of work
(``transactions``). Their public names are importable from here too.
"""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass

from sqlalchemy import exc as sa_exc
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from egov_cli.core.errors import DatabaseError, SchemaMismatch
from egov_cli.i18n import _
from egov_cli.storage.driver_errors import DAMAGE_MESSAGES, database_error, driver_error
from egov_cli.storage.engine import (
    PG_WRITE_LOCK,
    SQLITE_SORT_THREADS,
    WRITE_OPTION,
    is_sqlite,
    make_engine,
)
from egov_cli.storage.location import describe, mask_url, parse_url, sqlite_path, to_url
from egov_cli.storage.transactions import (
    TRANSIENT_MESSAGES,
    is_transient,
    run_transaction,
    transaction,
)

__all__ = [
    "DAMAGE_MESSAGES",
    "HEAD_REVISION",
    "PG_WRITE_LOCK",
    "REVISIONS",
    "SQLITE_SORT_THREADS",
    "TRANSIENT_MESSAGES",
    "WRITE_OPTION",
    "Catalogue",
    "check_revision",
    "close_catalogue",
    "current_revision",
    "database_error",
    "describe",
    "driver_error",
    "is_sqlite",
    "is_transient",
    "make_engine",
    "mask_url",
    "open_catalogue",
    "parse_url",
    "run_transaction",
    "sqlite_path",
    "to_url",
    "transaction",
]

#: The newest schema revision this program knows (the head of ``egov_cli/migrations``).
HEAD_REVISION = "0008"
#: Revisions in order, oldest first; a catalogue at an earlier one can be upgraded.
REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008")


def current_revision(engine: Engine) -> str | None:
    """The catalogue's schema revision, or None where it has none (an empty database)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


@dataclass(frozen=True)
class Catalogue:
    """An opened catalogue: where it is and its engine."""

    target: str
    engine: Engine

    @property
    def label(self) -> str:
        return describe(self.target)


def open_catalogue(target: str) -> Catalogue:
    """Open an existing catalogue whose schema matches this program, else raise a clear error."""
    path = sqlite_path(target)
    if path is not None and not path.exists():
        raise DatabaseError(
            _("No catalogue at {name}.").format(name=describe(target)),
            _(
                "Create one with 'egov init' (or try 'egov demo'), or point --db / EGOV_DB at "
                "an existing catalogue."
            ),
        )
    engine = make_engine(target)
    catalogue = Catalogue(target, engine)
    try:
        revision = current_revision(engine)
    except sa_exc.DBAPIError as exc:
        raise database_error(exc, catalogue.label) from exc
    check_revision(revision, catalogue.label)
    return catalogue


def close_catalogue(catalogue: Catalogue) -> None:
    """Let go of the catalogue's connections. On SQLite, first copy every committed change from
    the ``-wal`` file into the catalogue's file (a checkpoint that waits for nobody), so that a
    plain copy of the file holds everything once egov has ended (unless another program is
    still reading an older state; ``egov db backup`` copies safely at any time). The last
    connection to close removes the ``-wal`` file."""
    engine = catalogue.engine
    if is_sqlite(engine):
        with contextlib.suppress(sa_exc.DBAPIError, sqlite3.Error):
            raw = engine.raw_connection()
            try:
                cursor = raw.cursor()
                cursor.execute("PRAGMA busy_timeout = 0")
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                cursor.close()
            finally:
                raw.close()
    engine.dispose()


def check_revision(revision: str | None, label: str) -> None:
    if revision == HEAD_REVISION:
        return
    if revision is None:
        raise SchemaMismatch(
            _("{name} is not an egov catalogue (it has no schema version).").format(name=label),
            _("Create the catalogue with 'egov init', or check --db / EGOV_DB."),
        )
    if revision in REVISIONS:
        raise SchemaMismatch(
            _("The catalogue {name} has schema {revision}; this egov needs {head}.").format(
                name=label, revision=revision, head=HEAD_REVISION
            ),
            _("Run 'egov db upgrade' (it writes a backup first)."),
        )
    raise SchemaMismatch(
        _(
            "The catalogue {name} has schema {revision}, newer than this egov knows ({head})."
        ).format(name=label, revision=revision, head=HEAD_REVISION),
        _("Upgrade egov-cli ('pip install --upgrade egov-cli'); nothing was changed."),
    )
