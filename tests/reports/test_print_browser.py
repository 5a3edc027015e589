"""The HTML reports printed by a real browser (headless Chromium): A4 pages, a running header and
footer, a sane page count, and no table wider than the printed page.

The reports are built from the demo catalogue (about 120 services, a target, a year of history).
Skipped where Chromium is not installed (CI installs Debian's package: .ci/run).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from egov_cli.demo import build_demo
from egov_cli.reports.builders import ReportOptions, build, report_names
from egov_cli.reports.render import html
from egov_cli.storage.db import open_catalogue, transaction
from egov_cli.storage.migrate import init_catalogue

pypdf = pytest.importorskip("pypdf")

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
A4_POINTS = (595, 842)
REPORTS = ("readiness", "targets", "overdue", "changes", "sdg", "council", "coverage")
#: Printable width of the page in CSS pixels: A4 (210 mm) less 15 mm margins left and right.
PRINTABLE_MM = 180

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed"),
    pytest.mark.slow,
    pytest.mark.sqlite_only,
]

#: Injected into a test copy only (the shipped report forbids scripts): lays the page out at the
#: printed width with the print rules applied, and writes every table wider than the page into
#: the DOM.
MEASURE = """
<style>body{width:%(mm)dmm !important}</style>
<script>
window.addEventListener("load", () => {
  const page = document.body.clientWidth;
  const wide = [...document.querySelectorAll("table")]
    .filter(t => t.getBoundingClientRect().width > page + 1)
    .map(t => t.previousElementSibling ? t.previousElementSibling.textContent : "?");
  const out = document.createElement("pre");
  out.id = "measured";
  out.textContent = JSON.stringify({page: page, tables: document.querySelectorAll("table").length, wide: wide});
  document.body.appendChild(out);
});
</script>
"""


@pytest.fixture(scope="module")
def demo_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every report of the demo catalogue as HTML (German)."""
    folder = tmp_path_factory.mktemp("demo")
    init_catalogue(str(folder / "demo.db"))
    catalogue = open_catalogue(str(folder / "demo.db"))
    with transaction(catalogue) as session:
        build_demo(session, "tester", NOW)
    reports = {}
    with transaction(catalogue) as session:
        for name in report_names():
            report = build(name, session, "demo.db", NOW, ReportOptions())
            reports[name] = html.render(report, "de")
    catalogue.engine.dispose()
    return reports


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


@pytest.mark.parametrize("name", REPORTS)
def test_the_printed_html_report_has_a4_pages_with_header_footer_and_a_sane_page_count(
    name: str, demo_reports: dict[str, str], tmp_path: Path
) -> None:
    page = tmp_path / f"{name}.html"
    page.write_text(demo_reports[name], encoding="utf-8")
    pdf = tmp_path / f"{name}.pdf"
    _chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())

    reader = pypdf.PdfReader(pdf)
    rows = demo_reports[name].count("<tr>")
    assert 1 <= len(reader.pages) <= 3 + rows // 15, "fewer than 15 table rows a page"
    for p in reader.pages:
        assert (round(float(p.mediabox.width)), round(float(p.mediabox.height))) == A4_POINTS
    first = reader.pages[0].extract_text()
    assert f"Seite 1 von {len(reader.pages)}" in first
    assert "Erstellt mit egov-cli" in first


@pytest.mark.parametrize("name", REPORTS)
def test_no_table_of_the_html_report_is_wider_than_the_printed_page(
    name: str, demo_reports: dict[str, str], tmp_path: Path
) -> None:
    text = demo_reports[name]
    # The test copy: print rules applied on screen, the CSP lifted, the measuring script added.
    text = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", text)
    text = text.replace("@media print{", "@media all{")
    text = text.replace("</head>", MEASURE % {"mm": PRINTABLE_MM} + "</head>")
    page = tmp_path / f"{name}-measure.html"
    page.write_text(text, encoding="utf-8")

    dom = _chromium(tmp_path, "--dump-dom", page.as_uri()).stdout
    found = re.search(r'<pre id="measured">(.*?)</pre>', dom, re.S)
    assert found, "the measuring script did not run"
    measured = found.group(1).replace("&quot;", '"')
    assert '"wide":[]' in measured, measured
