"""Shared fixtures: every test gets its own real catalogue (SQLite under tmp_path, or a fresh
PostgreSQL database when EGOV_TEST_DB=postgres). No test can touch a real catalogue."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from egov_cli.core.history import ChangeContext
from egov_cli.storage.db import Catalogue, make_engine, open_catalogue
from egov_cli.storage.migrate import init_catalogue

PG_ADMIN_URL = os.environ.get(
    "EGOV_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKEND = os.environ.get("EGOV_TEST_DB", "sqlite")


def _pg_reachable() -> str | None:
    """None where PostgreSQL answers, else why not."""
    try:
        import psycopg

        url = PG_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(url, connect_timeout=3):
            return None
    except Exception as exc:  # any failure to connect means: skip
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}"


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A migrated PostgreSQL database to clone per test (CREATE DATABASE ... TEMPLATE)."""
    reason = _pg_reachable()
    if reason:
        pytest.skip(reason)
    from sqlalchemy import text

    admin = make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    name = f"egov_tpl_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    init_catalogue(url)
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _pg_database(template: str) -> Iterator[str]:
    from sqlalchemy import text

    admin = make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    name = f"egov_t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(autouse=True)
def _isolated_environment(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test reads the user's catalogue, actor or colour settings."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("EGOV_DB", str(home / "no-catalogue-here.db"))
    monkeypatch.setenv("EGOV_ACTOR", "tester")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("EGOV_LANG", "de")  # German, whatever the machine's locale
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.delenv("EGOV_DEBUG", raising=False)
    from egov_cli import i18n

    i18n.set_language(i18n.resolve())  # a test before may have run in English


@pytest.fixture
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    """This test reads egov's messages in English (their message ids)."""
    from egov_cli import i18n

    monkeypatch.setenv("EGOV_LANG", "en")
    i18n.set_language("en")


@pytest.fixture
def db_url(
    tmp_path: object, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A fresh, initialised catalogue (SQLite file, or PostgreSQL with EGOV_TEST_DB=postgres);
    EGOV_DB points at it."""
    if BACKEND == "postgres" and "sqlite_only" not in request.keywords:
        template = request.getfixturevalue("pg_template")
        gen = _pg_database(template)
        url = next(gen)
        monkeypatch.setenv("EGOV_DB", url)
        yield url
        next(gen, None)
        return
    from pathlib import Path

    path = Path(str(tmp_path)) / "catalogue.db"
    init_catalogue(str(path))
    monkeypatch.setenv("EGOV_DB", str(path))
    yield str(path)


@pytest.fixture
def catalogue(db_url: str) -> Iterator[Catalogue]:
    cat = open_catalogue(db_url)
    yield cat
    cat.engine.dispose()


@pytest.fixture
def ctx() -> ChangeContext:
    return ChangeContext(actor="tester", source="test", at=datetime(2026, 11, 25, 9, 0, tzinfo=UTC))


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
