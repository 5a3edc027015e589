"""The lists of the coverage report: OZG services with nothing catalogued, LeiKa services the
catalogue lacks, and catalogued services below the online threshold, each cut at ``max_rows``
(the rest counted in its note), with the cells the report words itself (Themenfeld, execution,
a missing LeiKa key) in the report's languages."""

from __future__ import annotations

from typing import Any

from egov_cli.domain.coverage import OTHER_LEVELS, Coverage
from egov_cli.domain.reference import MUNICIPAL, POSSIBLY_MUNICIPAL, scope_label
from egov_cli.reports.document import Col, Label, Section, Table

NO_TOPIC_LABEL = Label("ohne Themenfeld", "no topic")
NOT_IN_LEIKA = Label("nicht im LeiKa", "not in LeiKa")
TOPIC_COL = Col("topic", Label("Themenfeld", "Topic"))
EXEC_COL = Col("execution", Label("Vollzug", "Execution"))


def _execution_text(scope: str | None) -> Label:
    if scope == MUNICIPAL:
        return Label(scope_label(scope), "municipality")
    if scope == POSSIBLY_MUNICIPAL:
        return Label(scope_label(scope), "Land or municipality (to check)")
    if scope == OTHER_LEVELS:
        return Label("Land oder Bund", "Land or federation")
    return Label("laut Filter", "by the filter")


def topic_cell(topic: str | None) -> str | Label:
    return NO_TOPIC_LABEL if topic is None else topic


def _worded(rows: list[dict[str, Any]], max_rows: int | None) -> tuple[dict[str, Any], ...]:
    """The first ``max_rows`` rows with the cells the report words itself as Labels."""
    worded = []
    for row in rows[:max_rows]:
        cells = dict(row)
        cells["topic"] = topic_cell(row["topic"])
        cells["execution"] = _execution_text(row["execution"])
        if "leika_key" in cells and cells["leika_key"] is None:
            cells["leika_key"] = NOT_IN_LEIKA
        worded.append(cells)
    return tuple(worded)


def _shown_note(total: int, max_rows: int | None) -> Label | None:
    """Says how many rows of a long list are shown (a list is cut at ``max_rows``, so that the
    printed report stays a document and not a reference catalogue)."""
    if max_rows is None or total <= max_rows:
        return None
    return Label(f"{max_rows} von {total} gezeigt.", f"{max_rows} of {total} shown.")


def missing_bundles_section(coverage: Coverage, max_rows: int | None) -> Section:
    rows = coverage.missing_bundles
    return Section(
        key="missing_bundles",
        title=Label("OZG-Leistungen ohne Leistung im Katalog", "OZG services not catalogued"),
        tables=(
            Table(
                key="missing_bundles",
                title=Label("Fehlende OZG-Leistungen", "Missing OZG services"),
                columns=(
                    TOPIC_COL,
                    Col("ozg_id", Label("OZG-ID", "OZG ID")),
                    Col("ozg_name", Label("OZG-Leistung", "OZG service")),
                    Col("life_event", Label("Lebenslage", "Life event")),
                    Col(
                        "services",
                        Label("LeiKa-Leistungen im Umfang", "LeiKa services in scope"),
                        "int",
                    ),
                    EXEC_COL,
                ),
                rows=_worded(rows, max_rows),
                note=_shown_note(len(rows), max_rows),
            ),
        ),
    )


def missing_services_section(coverage: Coverage, max_rows: int | None) -> Section:
    rows = coverage.missing_services
    return Section(
        key="missing_services",
        title=Label("LeiKa-Leistungen, die im Katalog fehlen", "LeiKa services not catalogued"),
        tables=(
            Table(
                key="missing_services",
                title=Label("Fehlende LeiKa-Leistungen", "Missing LeiKa services"),
                columns=(
                    TOPIC_COL,
                    Col("ozg_id", Label("OZG-ID", "OZG ID")),
                    Col("ozg_name", Label("OZG-Leistung", "OZG service")),
                    Col("leika_key", Label("LeiKa-Schlüssel", "LeiKa key")),
                    Col("name", Label("Leistung", "Service")),
                    Col("leika_type", Label("LeiKa-Typ", "LeiKa type")),
                    EXEC_COL,
                ),
                rows=_worded(rows, max_rows),
                note=_shown_note(len(rows), max_rows),
            ),
        ),
    )


def below_section(coverage: Coverage, at: Label, max_rows: int | None) -> Section:
    rows = coverage.below
    return Section(
        key="below_threshold",
        title=Label(
            f"Im Katalog, aber unter der Online-Schwelle ({at.de})",
            f"Catalogued but below the online threshold ({at.en})",
        ),
        tables=(
            Table(
                key="below_threshold",
                title=Label("Unter der Online-Schwelle", "Below the online threshold"),
                columns=(
                    TOPIC_COL,
                    Col("leika_key", Label("LeiKa-Schlüssel", "LeiKa key")),
                    Col("name", Label("Leistung", "Service")),
                    Col("department", Label("Amt", "Department")),
                    Col("level", Label("Reifegrad", "Level"), "level"),
                    Col("ozg_name", Label("OZG-Leistung", "OZG service")),
                    EXEC_COL,
                ),
                rows=_worded(rows, max_rows),
                note=_joined(BELOW_NOTE, _shown_note(len(rows), max_rows)),
            ),
        ),
    )


BELOW_NOTE = Label(
    "Leistungen mit eigenem LeiKa-Schlüssel im Umfang, nach ihrem Reifegrad.",
    "Services with their own LeiKa key in scope, by their level.",
)


def _joined(first: Label, second: Label | None) -> Label:
    return first if second is None else Label(f"{first.de} {second.de}", f"{first.en} {second.en}")
