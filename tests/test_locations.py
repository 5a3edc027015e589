"""Where the catalogue is, as people see it: credentials in a URL are masked wherever egov shows
the URL, and a location egov cannot use is answered with exit code 2 and a clear message."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import _pg_database
from tests.helpers import egov

SECRETS = ("Sekret-im-Query", "Zweites-Sekret", "Nutzer-Sekret")


def _shown(result: object) -> str:
    return str(getattr(result, "stdout", "")) + str(getattr(result, "stderr", ""))


@pytest.fixture
def secret_url(pg_template: str) -> Iterator[str]:
    """A PostgreSQL catalogue whose URL carries passwords in its query string (the test server
    trusts its clients, so they do not matter to it)."""
    gen = _pg_database(pg_template)
    url = next(gen)
    yield f"{url}?password={SECRETS[0]}&sslpassword={SECRETS[1]}"
    next(gen, None)


@pytest.mark.postgres
def test_db_info_masks_passwords_given_in_the_query_string(secret_url: str) -> None:
    for args in (("db", "info"), ("db", "info", "--json")):
        result = egov("--db", secret_url, *args)
        assert result.exit_code == 0, result.stderr
        assert "password=***" in result.stdout
        assert "sslpassword=***" in result.stdout
        assert not any(secret in _shown(result) for secret in SECRETS)


@pytest.mark.postgres
def test_every_report_format_and_the_json_export_mask_the_catalogue_url(
    secret_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EGOV_NOW", "2026-11-25T09:00:00Z")
    added = egov("--db", secret_url, "services", "add", "Gewerbeanmeldung", "--level", "2")
    assert added.exit_code == 0, added.stderr
    for fmt in ("md", "html", "csv", "json", "xlsx"):
        out = tmp_path / f"bericht.{fmt}"
        result = egov("--db", secret_url, "report", "readiness", "--output", str(out))
        assert result.exit_code == 0, result.stderr
        if fmt == "xlsx":
            with zipfile.ZipFile(out) as book:
                text = "".join(book.read(n).decode("utf-8") for n in book.namelist())
        else:
            text = out.read_text(encoding="utf-8-sig")
        assert "sslpassword=" in text, fmt  # the catalogue is named, its secrets masked
        assert not any(secret in text + _shown(result) for secret in SECRETS), fmt
    shown = egov("--db", secret_url, "report", "readiness", "--format", "rich")
    assert shown.exit_code == 0, shown.stderr
    assert not any(secret in _shown(shown) for secret in SECRETS)
    exported = egov("--db", secret_url, "export", "-", "--format", "json")
    assert exported.exit_code == 0, exported.stderr
    assert "password=***" in exported.stdout
    assert not any(secret in _shown(exported) for secret in SECRETS)


def test_a_connection_error_masks_every_password_of_the_url() -> None:
    url = (
        f"postgresql://egov:{SECRETS[2]}@127.0.0.1:9/egov"
        f"?password={SECRETS[0]}&sslpassword={SECRETS[1]}&connect_timeout=3"
    )
    result = egov("--db", url, "services", "list")
    assert result.exit_code == 7
    assert "postgresql://egov:***@127.0.0.1:9/egov?password=***&sslpassword=***" in result.stderr
    assert not any(secret in _shown(result) for secret in SECRETS)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresq://egov:geheim@dbserver/egov", "nennt die Datenbankart 'postgresq'"),
        ("mysql://egov:geheim@dbserver/egov", "Der Datenbanktreiber für mysql://egov:***@dbserver"),
        ("postgresql://egov:geheim@dbserver:notaport/egov", "Der Port 'notaport'"),
        ("postgres-ql://egov:geheim@dbserver/egov", "ist keine Datenbank-URL"),
    ],
)
def test_a_malformed_database_url_is_a_usage_error_with_a_clear_message(
    url: str, expected: str
) -> None:
    for args in (("services", "list"), ("init",), ("db", "info", "--json")):
        result = egov("--db", url, *args)
        assert result.exit_code == 2, (args, result.stderr)
        assert expected in result.stderr
        assert "geheim" not in _shown(result)
        assert "internal error" not in result.stderr
