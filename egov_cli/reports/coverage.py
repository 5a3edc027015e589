"""The ``coverage`` report: the catalogue against the OZG/LeiKa reference catalogue, per
Themenfeld, and the OZG and LeiKa services a municipality typically executes that the catalogue
lacks or holds below the online threshold.

The counting (scope, matching, the two sides) is in ``domain/coverage.py``. The overview shows
both sides so that every number reconciles: the catalogue's services per Themenfeld of the
catalogue, as the readiness report counts them (= online + below the online threshold = in scope
with their own key + other), and the reference's LeiKa services in scope per Themenfeld of the
reference (= covered + missing; covered = with their own key online + below the online threshold
+ through their Leistungsobjekt or OZG service).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from egov_cli.domain.coverage import (
    Coverage,
    CoverageScope,
    count_coverage,
    topic_filter,
    type_filter,
)
from egov_cli.domain.reference import (
    Reference,
    load_reference,
)
from egov_cli.domain.scale import load_scale
from egov_cli.reports import coverage_lists
from egov_cli.reports.coverage_lists import TOPIC_COL, topic_cell
from egov_cli.reports.document import (
    Col,
    Figure,
    Label,
    Report,
    Section,
    Table,
    level_label,
    scale_labels,
)
from egov_cli.values.fold import german_key

if TYPE_CHECKING:
    from sqlmodel import Session

    from egov_cli.reports.builders import ReportOptions


def build(session: Session, catalogue_label: str, now: datetime, options: ReportOptions) -> Report:
    """The coverage report (the builder signature of ``egov_cli.reports.builders``)."""
    return coverage_report(
        session,
        catalogue_label,
        now,
        topic=options.topic,
        leika_type=options.leika_type,
        all_levels=options.all_levels,
        max_rows=options.max_rows,
    )


def coverage_report(
    session: Session,
    catalogue_label: str,
    now: datetime,
    *,
    topic: str | None = None,
    leika_type: str | None = None,
    all_levels: bool = False,
    reference: Reference | None = None,
    max_rows: int | None = None,
) -> Report:
    ref = reference or load_reference()
    scope = CoverageScope(topic_filter(ref, topic), type_filter(ref, leika_type), all_levels)
    scale = load_scale(session)
    threshold = scale.online_threshold
    coverage = count_coverage(session, ref, scope, threshold)
    at = level_label(scale, threshold) if threshold is not None else Label("keine", "none")
    return Report(
        name="coverage",
        title=Label(
            "Abdeckung gegenüber dem OZG-/LeiKa-Katalog", "Coverage against the OZG/LeiKa catalogue"
        ),
        generated_at=now,
        catalogue=catalogue_label,
        filters=_filters(scope),
        sections=(
            _overview(coverage, ref, at),
            coverage_lists.missing_bundles_section(coverage, max_rows),
            coverage_lists.missing_services_section(coverage, max_rows),
            coverage_lists.below_section(coverage, at, max_rows),
        ),
        scale_labels=scale_labels(scale),
        as_of=now.date(),
    )


def _filters(scope: CoverageScope) -> dict[str, Label]:
    filters: dict[str, Label] = {}
    if scope.topic:
        filters["topic"] = Label(f"Themenfeld {scope.topic}", f"topic {scope.topic}")
    if scope.types:
        types = ", ".join(sorted(scope.types, key=german_key))
        filters["leika_type"] = Label(f"LeiKa-Typ {types}", f"LeiKa type {types}")
    elif scope.all_levels:
        filters["leika_type"] = Label(
            "alle Ebenen (Kommune, Land oder Kommune, Land, Bund)",
            "all tiers (municipality, Land or municipality, Land, federation)",
        )
    else:
        filters["leika_type"] = Label(
            "kommunaler Vollzug (LeiKa-Typen 2b, 3b, 4b, 5; 2, 3, 2/3, 4 prüfen)",
            "municipal execution (LeiKa types 2b, 3b, 4b, 5; 2, 3, 2/3, 4 to check)",
        )
    return filters


def _overview(coverage: Coverage, ref: Reference, at: Label) -> Section:
    total = coverage.total
    services = total("services")
    source_de = "aktualisierte Datei" if ref.source == "updated" else "mitgelieferter Katalog"
    source_en = "updated file" if ref.source == "updated" else "shipped catalogue"
    catalogue_note = Label(
        "Leistungen im Katalog je Themenfeld des Katalogs, gezählt wie im Reifegradbericht: "
        "Leistungen im Katalog = online + unter der Online-Schwelle = mit eigenem "
        "LeiKa-Schlüssel im Umfang + sonst. Sonst: außerhalb des Umfangs, nicht in der "
        "Referenz, ohne LeiKa-Schlüssel oder ein Leistungsobjekt, das über seine Leistungen "
        "zählt.",
        "Services in the catalogue per topic of the catalogue, counted as in the readiness "
        "report: services in the catalogue = online + below the online threshold = with their "
        "own LeiKa key in scope + other. Other: outside the scope, not in the reference, "
        "without a LeiKa key, or a Leistungsobjekt counted through its services.",
    )
    reference_note = Label(
        "LeiKa-Leistungen der Referenz im Umfang je Themenfeld der Referenz: im Umfang = "
        "abgedeckt + fehlend; abgedeckt = mit eigenem Schlüssel online + mit eigenem Schlüssel "
        "unter der Online-Schwelle (nach ihrem Reifegrad; zusammen die Leistungen „mit eigenem "
        "LeiKa-Schlüssel im Umfang“ oben) + über ihr Leistungsobjekt bzw. ihre OZG-Leistung "
        "erfasst; jede Leistung zählt einmal. Abdeckung = abgedeckt ÷ im Umfang. Themenfelder "
        f"laut Referenz (OZG-Umsetzungskatalog, {source_de}, {len(ref.entries)} Zeilen, "
        f"SHA-256 {ref.sha256[:12]}); wo eine Leistung im Katalog ein anderes Themenfeld hat, "
        "zählt sie hier unter dem der Referenz. „Land oder Kommune (prüfen)“: der Vollzug "
        "hängt vom Landesrecht ab.",
        "LeiKa services of the reference in scope per topic of the reference: in scope = "
        "covered + missing; covered = with their own key online + with their own key below the "
        "online threshold (by their level; together the services “with their own LeiKa key in "
        "scope” above) + covered through their Leistungsobjekt or OZG service; each service "
        "counts once. Coverage = covered ÷ in scope. Topics as in the reference "
        f"(OZG-Umsetzungskatalog, {source_en}, {len(ref.entries)} rows, SHA-256 "
        f"{ref.sha256[:12]}); where a service has another topic in the catalogue, it counts "
        "here under the reference's. “Land or municipality (to check)”: execution depends on "
        "state law.",
    )
    catalogue_rows = []
    for topic, c in coverage.catalogue_topics.items():
        other = c["catalogue"] - c["catalogue_in_scope"]
        catalogue_rows.append({"topic": topic_cell(topic), **c, "catalogue_other": other})
    topic_rows = []
    for topic, c in coverage.topics.items():
        share = c["contained"] / c["services"] if c["services"] else None
        topic_rows.append({"topic": topic_cell(topic), **c, "share": share})
    in_scope = total("catalogue_in_scope")
    figures = (
        Figure(
            "catalogue",
            Label(
                "Leistungen im Katalog (wie im Reifegradbericht)",
                "Services in the catalogue (as in the readiness report)",
            ),
            total("catalogue"),
        ),
        Figure(
            "catalogue_online",
            Label("… davon online", "… of which online"),
            total("catalogue_online"),
        ),
        Figure(
            "catalogue_below",
            Label(
                f"… davon unter der Online-Schwelle ({at.de})",
                f"… of which below the online threshold ({at.en})",
            ),
            total("catalogue_below"),
        ),
        Figure(
            "catalogue_in_scope",
            Label(
                "… davon mit eigenem LeiKa-Schlüssel im Umfang",
                "… of which with their own LeiKa key in scope",
            ),
            in_scope,
        ),
        Figure(
            "catalogue_other",
            Label(
                "… davon sonst (außerhalb des Umfangs, nicht in der Referenz, ohne "
                "LeiKa-Schlüssel oder als Leistungsobjekt über seine Leistungen gezählt)",
                "… of which other (outside the scope, not in the reference, without a LeiKa "
                "key or a Leistungsobjekt counted through its services)",
            ),
            total("catalogue") - in_scope,
        ),
        Figure(
            "services",
            Label("LeiKa-Leistungen im Umfang", "LeiKa services in scope"),
            services,
        ),
        Figure("contained", Label("davon abgedeckt", "of which covered"), total("contained")),
        Figure(
            "online",
            Label("… mit eigenem Schlüssel, online", "… with their own key, online"),
            total("online"),
        ),
        Figure(
            "below",
            Label(
                f"… mit eigenem Schlüssel, unter der Online-Schwelle ({at.de})",
                f"… with their own key, below the online threshold ({at.en})",
            ),
            total("below"),
        ),
        Figure(
            "via",
            Label(
                "… über Leistungsobjekt oder OZG-Leistung erfasst",
                "… covered through their Leistungsobjekt or OZG service",
            ),
            total("via"),
        ),
        Figure(
            "missing",
            Label("davon fehlen im Katalog", "of which missing from the catalogue"),
            total("missing"),
        ),
        Figure(
            "share",
            Label("Abdeckung (abgedeckt ÷ im Umfang)", "Coverage (covered ÷ in scope)"),
            total("contained") / services if services else None,
            "share",
        ),
        Figure(
            "bundles", Label("OZG-Leistungen im Umfang", "OZG services in scope"), total("bundles")
        ),
        Figure(
            "bundles_missing",
            Label(
                "OZG-Leistungen ohne Leistung im Katalog", "OZG services with nothing catalogued"
            ),
            total("bundles_missing"),
        ),
    )
    return Section(
        key="overview",
        title=Label("Abdeckung je Themenfeld", "Coverage per topic"),
        figures=figures,
        tables=(
            Table(
                key="catalogue_topics",
                title=Label("Im Katalog je Themenfeld", "In the catalogue per topic"),
                columns=(
                    TOPIC_COL,
                    Col("catalogue", Label("im Katalog", "in the catalogue"), "int"),
                    Col("catalogue_online", Label("online", "online"), "int"),
                    Col("catalogue_below", Label("unter Schwelle", "below threshold"), "int"),
                    Col(
                        "catalogue_in_scope",
                        Label("eigener Schlüssel im Umfang", "own key in scope"),
                        "int",
                    ),
                    Col("catalogue_other", Label("sonst", "other"), "int"),
                ),
                rows=tuple(catalogue_rows),
                note=catalogue_note,
            ),
            Table(
                key="topics",
                title=Label("Referenz (LeiKa) je Themenfeld", "Reference (LeiKa) per topic"),
                columns=(
                    TOPIC_COL,
                    Col("services", Label("im Umfang", "in scope"), "int"),
                    Col("contained", Label("abgedeckt", "covered"), "int"),
                    Col("online", Label("eigener Schlüssel, online", "own key, online"), "int"),
                    Col(
                        "below",
                        Label("eigener Schlüssel, unter Schwelle", "own key, below threshold"),
                        "int",
                    ),
                    Col("via", Label("über Objekt/OZG", "via object/OZG"), "int"),
                    Col("missing", Label("fehlend", "missing"), "int"),
                    Col("share", Label("Abdeckung", "coverage"), "share"),
                    Col("bundles", Label("OZG-Leistungen", "OZG services"), "int"),
                    Col(
                        "bundles_missing",
                        Label("OZG-Leistungen fehlend", "OZG services missing"),
                        "int",
                    ),
                ),
                rows=tuple(topic_rows),
                note=reference_note,
            ),
        ),
    )
