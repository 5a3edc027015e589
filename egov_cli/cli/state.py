"""What a command knows about its invocation: catalogue, actor, output mode.

The root command imports this module on every start, so the database modules are imported
when a command first opens the catalogue (``egov --help`` loads none of them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

import typer

if TYPE_CHECKING:
    from sqlmodel import Session

    from egov_cli.core.config import Settings
    from egov_cli.core.errors import EgovError
    from egov_cli.core.history import ChangeContext
    from egov_cli.storage.db import Catalogue


T = TypeVar("T")


@dataclass
class State:
    db_option: str | None = None
    actor_option: str | None = None
    quiet: bool = False
    json: bool = False
    _settings: Settings | None = field(default=None, repr=False)
    _catalogue: Catalogue | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from egov_cli.core.config import Settings

            self._settings = Settings.resolve(self.db_option, self.actor_option)
        return self._settings

    def catalogue(self) -> Catalogue:
        """The opened catalogue (checked: exists, schema matches)."""
        if self._catalogue is None:
            from egov_cli.storage.db import open_catalogue

            self._catalogue = open_catalogue(self.settings.db)
        return self._catalogue

    def close(self) -> None:
        """Close the catalogue at the end of the command (SQLite: its file then holds every
        committed change, see ``storage.db.close_catalogue``)."""
        catalogue, self._catalogue = self._catalogue, None
        if catalogue is not None:
            from egov_cli.storage.db import close_catalogue

            close_catalogue(catalogue)

    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        """The command's one transaction: all or nothing."""
        from egov_cli.storage.db import transaction

        with transaction(self.catalogue(), write=write) as session:
            yield session

    def run_write(self, work: Callable[[Session], T]) -> T:
        """The command's one writing transaction, run again from the start if it collides with
        a concurrent writer (bounded; then a clear error and nothing written)."""
        from egov_cli.storage.db import run_transaction

        return run_transaction(self.catalogue(), work)

    def database_fault(self, exc: Exception) -> EgovError | None:
        """The catalogue's user-facing error for a database driver's error that no part of the
        command explained (the export and the import read SQLite through connections of their
        own); None for anything else, which is a bug."""
        if self._settings is None:
            return None
        from egov_cli.storage.db import describe, driver_error

        return driver_error(exc, describe(self.settings.db))

    def change_context(self, source: str, import_id: int | None = None) -> ChangeContext:
        from egov_cli.core.history import ChangeContext

        return ChangeContext(actor=self.settings.actor, source=source, import_id=import_id)


def state(ctx: typer.Context) -> State:
    """The State of the root command (created by the app callback)."""
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State()
    return root.obj


def use_json(ctx: typer.Context, json: bool) -> State:
    """Record that this command answers in JSON (errors too) and return the state."""
    st = state(ctx)
    st.json = st.json or json
    return st
