"""Where the catalogue lives and who is acting: resolved from options, environment and platform."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "egov-cli"
DB_ENV = "EGOV_DB"
ACTOR_ENV = "EGOV_ACTOR"
DEFAULT_DB_FILE = "catalogue.db"
LOCK_TIMEOUT_ENV = "EGOV_LOCK_TIMEOUT"
#: Seconds a command waits for a lock another process holds on the catalogue, by default.
DEFAULT_LOCK_TIMEOUT = 15.0


def default_db_path() -> Path:
    """The SQLite catalogue in the platform's user data directory."""
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False) / DEFAULT_DB_FILE


def is_url(target: str) -> bool:
    """True for a SQLAlchemy URL (``sqlite:///x.db``, ``postgresql+psycopg://...``)."""
    scheme, sep, _ = target.partition("://")
    return bool(sep) and len(scheme) > 1 and all(c.isalnum() or c in "+-." for c in scheme)


def resolve_db(option: str | None = None) -> str:
    """The catalogue location: ``--db``, else ``EGOV_DB``, else the user data directory."""
    value = option or os.environ.get(DB_ENV) or ""
    value = value.strip()
    if not value:
        return str(default_db_path())
    if is_url(value):
        return value
    return str(Path(value).expanduser())


def lock_timeout() -> float:
    """Seconds a command waits for a lock another process holds on the catalogue (a writer on
    SQLite, a table or row lock on PostgreSQL) before it stops: ``EGOV_LOCK_TIMEOUT``, else 15."""
    raw = os.environ.get(LOCK_TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_LOCK_TIMEOUT
    try:
        seconds = float(raw.replace(",", "."))
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= 86_400:
        from egov_cli.core.errors import ValidationError
        from egov_cli.i18n import _

        raise ValidationError(
            _("{variable}={value!r} is not a number of seconds.").format(
                variable=LOCK_TIMEOUT_ENV, value=raw
            ),
            _(
                "Set it to how long to wait for a lock, e.g. {variable}=30, or unset it "
                "(then {seconds} s)."
            ).format(variable=LOCK_TIMEOUT_ENV, seconds=f"{DEFAULT_LOCK_TIMEOUT:g}"),
        )
    return seconds


def default_actor() -> str:
    """Who is acting: ``EGOV_ACTOR``, else the operating-system user."""
    env = os.environ.get(ACTOR_ENV, "").strip()
    if env:
        return env
    try:
        return getpass.getuser()
    except Exception:  # getuser raises various errors where no user name is set
        return "unknown"


@dataclass(frozen=True)
class Settings:
    """What every command needs to know about its environment."""

    db: str
    actor: str

    @classmethod
    def resolve(cls, db: str | None = None, actor: str | None = None) -> Settings:
        return cls(db=resolve_db(db), actor=(actor or "").strip() or default_actor())
