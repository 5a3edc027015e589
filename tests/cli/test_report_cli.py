"""The report commands through the CLI: formats, files, language, pinned clock, report run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select

from egov_cli.core.models import ReportRun
from egov_cli.storage.db import open_catalogue, transaction
from tests.helpers import egov

HOSTILE = "<script>alert(1)</script> | a | b |"


@pytest.fixture
def seeded(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("EGOV_NOW", "2026-11-25T09:00:00Z")
    assert egov("departments", "add", "32", "Ordnungsamt").exit_code == 0
    assert egov("departments", "add", "33", "Bürgeramt").exit_code == 0
    for key, dept, level, name in [
        ("99050012104000", "32", "3", "Gewerbe Anmeldung"),
        ("99050012070000", "32", "1", '=HYPERLINK("x")'),
        ("99115005011000", "33", "2", HOSTILE),
        ("99102013002000", "33", "0", "Hundesteuer Festsetzung"),
    ]:
        result = egov("services", "add", name, "--leika", key, "-d", dept, "--level", level)
        assert result.exit_code == 0, result.stderr
    return db_url


def _runs(db_url: str) -> list[tuple[str, str, str | None]]:
    catalogue = open_catalogue(db_url)
    try:
        with transaction(catalogue, write=False) as session:
            rows = session.exec(select(ReportRun).order_by(ReportRun.id)).all()  # type: ignore[arg-type]
            return [(r.report, r.format, r.output) for r in rows]
    finally:
        catalogue.engine.dispose()


def test_a_report_written_to_a_file_has_the_header_and_is_recorded(
    seeded: str, tmp_path: Path
) -> None:
    target = tmp_path / "bereitschaft.md"
    result = egov("report", "readiness", "--output", str(target))
    assert result.exit_code == 0, result.stderr
    text = target.read_text("utf-8")
    assert text.startswith("# ")
    assert "- **Erstellt:** 25.11.2026 10:00 (MEZ/MESZ)" in text
    assert "- **Filter:** alle Leistungen" in text
    assert f"Bericht geschrieben: {target}" in result.stderr
    assert _runs(seeded) == [("readiness", "md", str(target))]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_without_a_terminal_the_report_comes_as_markdown_on_stdout(seeded: str) -> None:
    result = egov("report", "readiness", "--department", "32")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# ")
    assert "| Kennzahl" in result.stdout
    assert _runs(seeded) == [("readiness", "md", None)]


def test_json_in_english_has_the_documented_shape(seeded: str) -> None:
    result = egov("report", "readiness", "--format", "json", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["schema"] == 1
    assert doc["lang"] == "en"
    assert doc["generated_at"] == "2026-11-25T09:00:00+00:00"
    figures = {f["key"]: f for s in doc["sections"] for f in s["figures"]}
    assert any(f["value"] == 4 for f in figures.values())


def test_html_and_xlsx_are_byte_identical_for_the_same_data_and_clock(
    seeded: str, tmp_path: Path
) -> None:
    for fmt in ("html", "xlsx", "csv", "md"):
        first, second = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
        assert egov("report", "targets", "--output", str(first)).exit_code == 0
        assert egov("report", "targets", "-f", fmt, "--output", str(second)).exit_code == 0
        assert first.read_bytes() == second.read_bytes(), fmt


def test_hostile_names_are_escaped_in_every_format(seeded: str, tmp_path: Path) -> None:
    html = tmp_path / "r.html"
    md = tmp_path / "r.md"
    assert egov("targets", "add", "Online 2026", "--min-level", "3", "--count", "4").exit_code == 0
    assert egov("report", "targets", "-f", "html", "-o", str(html)).exit_code == 0
    assert egov("report", "targets", "-f", "md", "-o", str(md)).exit_code == 0
    page = html.read_text("utf-8")
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "\x1b" not in page
    text = md.read_text("utf-8")
    assert r"\<script\>" in text
    assert r"\| a \| b \|" in text


def test_a_wrong_format_is_a_clear_error(seeded: str) -> None:
    result = egov("report", "readiness", "--format", "docx")
    assert result.exit_code == 3
    assert "--format 'docx' ist kein Berichtsformat." in result.stderr


@pytest.mark.parametrize("name", ["bericht.docx", "bericht"])
def test_an_output_file_whose_extension_names_no_format_is_a_usage_error(
    seeded: str, tmp_path: Path, name: str
) -> None:
    target = tmp_path / name
    result = egov("report", "readiness", "--output", str(target))
    assert result.exit_code == 2
    assert "kein Berichtsformat" in result.stderr or "keine Endung" in result.stderr
    assert "--format" in result.stderr
    assert "Traceback" not in result.stderr
    assert not target.exists()
    assert _runs(seeded) == []


def test_a_pinned_clock_must_be_an_iso_time(seeded: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EGOV_NOW", "morgen")
    result = egov("report", "readiness")
    assert result.exit_code == 3
    assert "EGOV_NOW='morgen' ist keine Zeitangabe nach ISO 8601." in result.stderr


def _schedule(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "nightly.toml"
    path.write_text(body, encoding="utf-8")
    return path


SCHEDULE = """
output = "berichte"
formats = ["html", "json"]

[[report]]
name = "readiness"

[[report]]
name = "overdue"
formats = ["csv"]
due_within_days = 60
"""


def test_report_run_writes_dated_files_and_never_overwrites(seeded: str, tmp_path: Path) -> None:
    schedule = _schedule(tmp_path, SCHEDULE)
    first = egov("report", "run", str(schedule))
    assert first.exit_code == 0, first.stderr
    second = egov("report", "run", str(schedule))
    assert second.exit_code == 0, second.stderr
    names = sorted(p.name for p in (tmp_path / "berichte").iterdir())
    assert names == [
        "overdue-2026-11-25-2.csv",
        "overdue-2026-11-25.csv",
        "readiness-2026-11-25-2.html",
        "readiness-2026-11-25-2.json",
        "readiness-2026-11-25.html",
        "readiness-2026-11-25.json",
    ]
    lines = first.stderr.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("2026-11-25 10:00 readiness html geschrieben: ")
    size = (tmp_path / "berichte" / "readiness-2026-11-25.html").stat().st_size
    assert lines[0].endswith(f"readiness-2026-11-25.html ({size} Bytes)")
    assert "\x1b" not in first.stderr
    assert first.stdout == ""
    assert [r[0] for r in _runs(seeded)].count("readiness") == 4


def test_report_run_fails_on_an_at_risk_target_when_asked(seeded: str, tmp_path: Path) -> None:
    added = egov("targets", "add", "Online 2026", "--min-level", "3", "--count", "40")
    assert added.exit_code == 0, added.stderr
    schedule = _schedule(tmp_path, SCHEDULE)
    assert egov("report", "run", str(schedule)).exit_code == 0
    failed = egov("report", "run", str(schedule), "--fail-on", "at-risk")
    assert failed.exit_code == 10
    assert "Ein Ziel ist gefährdet." in failed.stderr
    assert egov("report", "run", str(schedule), "--fail-on", "missed").exit_code == 0


def test_report_run_exits_11_for_a_missed_target(seeded: str, tmp_path: Path) -> None:
    added = egov(
        "targets", "add", "Halbjahr", "--min-level", "3", "--count", "40",
        "--start", "01.01.2026", "--due", "30.06.2026",
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    schedule = _schedule(tmp_path, 'output = "out"\nreports = ["overdue"]\nformats = ["md"]\n')
    failed = egov("report", "run", str(schedule), "--fail-on", "missed")
    assert failed.exit_code == 11
    assert "Ein Ziel ist verfehlt." in failed.stderr
    assert (tmp_path / "out" / "overdue-2026-11-25.md").exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('formats = ["html"]\nreports = ["readiness"]\n', "Schlüssel 'output': fehlt."),
        (
            'output = "x"\nreports = ["budget"]\n',
            "Schlüssel 'reports[1].name': 'budget' ist kein Bericht.",
        ),
        (
            'output = "x"\n[[report]]\nname = "readiness"\nformats = ["docx"]\n',
            "Schlüssel 'report[1].formats': 'docx' ist kein Dateiformat für Berichte.",
        ),
        (
            'output = "x"\n[[report]]\nname = "changes"\nsince = "gestern"\n',
            "Schlüssel 'report[1].since': 'gestern' ist weder ein Datum noch 'last'.",
        ),
        (
            'output = "x"\ncolour = true\nreports = ["readiness"]\n',
            "Schlüssel 'colour': ist keine Einstellung des Zeitplans.",
        ),
    ],
)
def test_schedule_errors_name_the_file_and_the_key(
    seeded: str, tmp_path: Path, body: str, message: str
) -> None:
    schedule = _schedule(tmp_path, body)
    result = egov("report", "run", str(schedule))
    assert result.exit_code == 3
    assert f"{schedule}, {message}" in result.stderr


def test_a_missing_schedule_is_a_file_error(seeded: str, tmp_path: Path) -> None:
    result = egov("report", "run", str(tmp_path / "fehlt.toml"))
    assert result.exit_code == 8
    assert f"Den Zeitplan {tmp_path / 'fehlt.toml'} gibt es nicht." in result.stderr


def test_the_example_schedule_in_reports_is_valid() -> None:
    from egov_cli.core.resources import reports_file
    from egov_cli.reports.schedule import load_schedule

    plan = load_schedule(
        reports_file("nightly.toml"), ("readiness", "targets", "overdue", "changes", "sdg")
    )
    assert [r.name for r in plan.reports] == ["readiness", "targets", "overdue", "changes"]
    assert plan.reports[3].options == {"since_last": True, "since": None}


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="needs named pipes")
def test_a_pipe_given_as_output_is_written_into_not_replaced(tmp_path: Path) -> None:
    import os
    import stat
    import threading

    from egov_cli.cli.report_output import write_atomic

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    write_atomic(fifo, b"# Bericht\n")
    reader.join(timeout=5)
    assert received == [b"# Bericht\n"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_a_folder_given_as_output_is_a_file_error(seeded: str, tmp_path: Path) -> None:
    result = egov("report", "readiness", "--output", str(tmp_path))
    assert result.exit_code == 8
    assert f"{tmp_path} lässt sich nicht schreiben: es ist ein Ordner." in result.stderr


def test_an_output_file_ending_in_pdf_gets_a_real_pdf(seeded: str, tmp_path: Path) -> None:
    target = tmp_path / "bericht.pdf"
    result = egov("report", "readiness", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    data = target.read_bytes()
    assert data.startswith(b"%PDF-")
    assert b"%%EOF" in data[-32:]
    assert _runs(seeded) == [("readiness", "pdf", str(target))]


def test_format_pdf_goes_to_a_pipe_as_pdf_bytes(seeded: str) -> None:
    result = egov("report", "targets", "--format", "pdf")
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes.startswith(b"%PDF-")


def test_report_run_writes_a_scheduled_pdf(seeded: str, tmp_path: Path) -> None:
    schedule = _schedule(
        tmp_path, 'output = "berichte"\nformats = ["pdf"]\nreports = ["readiness", "targets"]\n'
    )
    result = egov("report", "run", str(schedule))
    assert result.exit_code == 0, result.stderr
    written = sorted((tmp_path / "berichte").iterdir())
    assert [p.name for p in written] == ["readiness-2026-11-25.pdf", "targets-2026-11-25.pdf"]
    assert all(p.read_bytes().startswith(b"%PDF-") for p in written)


def test_the_council_pack_is_written_and_its_run_is_remembered_for_the_next_one(
    seeded: str, tmp_path: Path
) -> None:
    first = tmp_path / "rat.md"
    assert egov("report", "council", "-o", str(first)).exit_code == 0
    assert "Jahresbeginn" in first.read_text("utf-8")
    assert "letzter Ratsbericht" not in first.read_text("utf-8")
    second = egov("report", "council", "--format", "md")
    assert second.exit_code == 0, second.stderr
    assert "letzter Ratsbericht" in second.stdout
    assert [r[0] for r in _runs(seeded)] == ["council", "council"]
