"""Creating and upgrading catalogues through the Alembic migrations shipped in the package."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import exc as sa_exc
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from egov_cli.core.errors import DatabaseError, SchemaMismatch
from egov_cli.core.os_reason import os_reason
from egov_cli.i18n import _
from egov_cli.storage.db import (
    HEAD_REVISION,
    REVISIONS,
    Catalogue,
    check_revision,
    current_revision,
    database_error,
    describe,
    make_engine,
    sqlite_path,
    transaction,
)

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def _alembic_config(engine: Engine, connection: object) -> object:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def script_head() -> str:
    """The head revision of the shipped migrations (must equal db.HEAD_REVISION)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    return str(head)


def _run_upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    with engine.begin() as conn:
        command.upgrade(_alembic_config(engine, conn), revision)  # type: ignore[arg-type]


@dataclass(frozen=True)
class InitResult:
    location: str
    created: bool
    upgraded_from: str | None
    revision: str
    backup: str | None = None


def _foreign_tables(engine: Engine) -> list[str]:
    """The tables and views of a database without an egov schema version (none: empty)."""
    with engine.connect() as conn:
        found = inspect(conn)
        return sorted({*found.get_table_names(), *found.get_view_names()})


def init_catalogue(target: str, *, force: bool = False) -> InitResult:
    """Create the catalogue (and its folder) if new; upgrade it if older. Seeds the scale.

    A database that holds tables but is no egov catalogue (another program's) is refused
    unless ``force``: egov's tables would be added to it without anyone asking."""
    path = sqlite_path(target)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(
                _("Cannot create the folder {folder}: {reason}.").format(
                    folder=path.parent, reason=os_reason(exc)
                ),
                _("Choose another place with --db or EGOV_DB."),
            ) from exc
    engine = make_engine(target)
    try:
        before = current_revision(engine)
        if before is not None and before not in REVISIONS:
            check_revision(before, describe(target))  # raises: newer than this program
        if before == HEAD_REVISION:
            return InitResult(describe(target), False, None, HEAD_REVISION)
        foreign = _foreign_tables(engine) if before is None else []
        if foreign and not force:
            shown = ", ".join(foreign[:5]) + (
                " " + _("and {count} more").format(count=len(foreign) - 5)
                if len(foreign) > 5
                else ""
            )
            raise DatabaseError(
                _("{name} is not an egov catalogue and not empty: it holds {tables}.").format(
                    name=describe(target), tables=shown
                ),
                _(
                    "Nothing was changed. Give egov a new file or an empty database with --db; "
                    "add --force only to add egov's tables to this database."
                ),
            )
        backup = _backup_before_upgrade(target) if before is not None else None
        _run_upgrade(engine)
        if before is None:
            from egov_cli.domain.scale import seed_default_scale

            with transaction(Catalogue(target, engine)) as session:
                seed_default_scale(session)
    except sa_exc.DBAPIError as exc:
        raise database_error(exc, describe(target)) from exc
    finally:
        engine.dispose()
    return InitResult(
        describe(target), before is None, before, HEAD_REVISION, str(backup) if backup else None
    )


def upgrade_catalogue(target: str) -> InitResult:
    """Upgrade an existing catalogue to this program's schema, writing a backup first."""
    engine = make_engine(target)
    try:
        before = current_revision(engine)
    except sa_exc.DBAPIError as exc:
        raise database_error(exc, describe(target)) from exc
    finally:
        engine.dispose()
    if before is None:
        raise SchemaMismatch(
            _("{name} is not an egov catalogue.").format(name=describe(target)),
            _("Create one with 'egov init'."),
        )
    return init_catalogue(target)


def _backup_before_upgrade(target: str) -> Path | None:
    """Copy a SQLite catalogue beside itself before its schema changes."""
    path = sqlite_path(target)
    if path is None:
        return None  # a server database is backed up by its administrators (or 'egov db dump')
    from egov_cli.storage.backup import backup_sqlite, unused_name

    revision = current_revision(make_engine(target)) or "new"
    destination = unused_name(path.with_name(f"{path.stem}.before-upgrade-{revision}{path.suffix}"))
    backup_sqlite(path, destination)
    return destination
