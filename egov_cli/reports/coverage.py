"""Coverage: the catalogue against the OZG/LeiKa reference catalogue.

Per Themenfeld: the OZG services (bundles) and LeiKa services a municipality typically executes
that the catalogue does not contain yet, and those it contains below the online threshold.

Scope: by default the LeiKa types a municipality executes (2b, 3b, 4b, 5) and those it executes
where state law gives execution to the municipality (2, 3, 2/3, 4: marked "prüfen"). A
``leika_type`` option replaces that scope (e.g. ``5`` or ``2b,5``).

Matching: a reference service counts as contained when the catalogue holds its key; a bare
Leistungsobjekt (digits 9-14 ``000000``) also when the catalogue holds any key of that object,
and a concrete service also when the catalogue holds its bare object (the city catalogued the
object as a whole). An OZG service counts as contained when a catalogue service names its OZG
ID or holds one of its keys. Missing bare objects are listed only where the reference has no
concrete service of that object in scope.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, func, select
from sqlmodel import col

from egov_cli.core.errors import ValidationError
from egov_cli.core.models import Department, Service
from egov_cli.domain.reference import (
    MUNICIPAL,
    POSSIBLY_MUNICIPAL,
    Reference,
    ReferenceEntry,
    known_type_codes,
    load_reference,
    scope_label,
    type_parts,
    type_scope,
)
from egov_cli.domain.scale import load_scale
from egov_cli.reports.document import Col, Figure, Label, Report, Section, Table
from egov_cli.values.fold import fold

if TYPE_CHECKING:
    from sqlmodel import Session

    from egov_cli.reports.builders import ReportOptions

NO_TOPIC = "(ohne Themenfeld)"


@dataclass(frozen=True)
class _Scope:
    topic: str | None
    types: frozenset[str] | None  # None: the municipal default

    def execution(self, entry: ReferenceEntry) -> str | None:
        """The entry's execution scope label source, or None where the entry is out of scope."""
        if self.topic is not None and entry.topic != self.topic:
            return None
        scope = type_scope(entry.leika_type)
        if self.types is None:
            return scope
        if set(type_parts(entry.leika_type)) & self.types:
            return scope or "filtered"
        return None


def _topic_filter(reference: Reference, topic: str | None) -> str | None:
    if not topic:
        return None
    topics = reference.topics()
    wanted = fold(topic)
    for known in topics:
        if fold(known) == wanted:
            return known
    starts = [t for t in topics if fold(t).startswith(wanted)]
    if len(starts) == 1:
        return starts[0]
    raise ValidationError(
        f"Themenfeld {topic!r} is not in the reference catalogue.",
        f"Use one of: {', '.join(topics)}.",
    )


def _type_filter(reference: Reference, leika_type: str | None) -> frozenset[str] | None:
    if not leika_type:
        return None
    wanted = frozenset(type_parts(leika_type))
    present = {p for e in reference.entries for p in type_parts(e.leika_type)}
    unknown = sorted(wanted - set(known_type_codes()) - present)
    if unknown or not wanted:
        raise ValidationError(
            f"LeiKa type {leika_type!r} is not known.",
            "Give one or more types separated by commas, e.g. 5 or 2b,5 "
            f"(in the reference: {', '.join(sorted(present))}).",
        )
    return wanted


def _execution_text(scope: str | None) -> str:
    if scope in (MUNICIPAL, POSSIBLY_MUNICIPAL):
        return scope_label(scope)
    return "laut Filter"


def build(session: Session, catalogue_label: str, now: datetime, options: ReportOptions) -> Report:
    """The coverage report (the builder signature of ``egov_cli.reports.builders``)."""
    return coverage_report(
        session,
        catalogue_label,
        now,
        topic=options.topic,
        leika_type=options.leika_type,
        max_rows=options.max_rows,
    )


def _shown_note(total: int, max_rows: int | None) -> Label | None:
    """Says how many rows of a long list are shown (a list is cut at ``max_rows``, so that the
    printed report stays a document and not a reference catalogue)."""
    if max_rows is None or total <= max_rows:
        return None
    return Label(f"{max_rows} von {total} gezeigt.", f"{max_rows} of {total} shown.")


def coverage_report(
    session: Session,
    catalogue_label: str,
    now: datetime,
    *,
    topic: str | None = None,
    leika_type: str | None = None,
    reference: Reference | None = None,
    max_rows: int | None = None,
) -> Report:
    ref = reference or load_reference()
    scope = _Scope(_topic_filter(ref, topic), _type_filter(ref, leika_type))
    scale = load_scale(session)
    threshold = scale.online_threshold

    # --- the catalogue, aggregated in SQL -------------------------------------------------
    online = case((col(Service.level) >= threshold, 1), else_=0) if threshold is not None else None
    keyed = session.execute(
        select(
            col(Service.leika_key),
            col(Service.name),
            col(Service.level),
            col(Department.code),
        )
        .select_from(Service)
        .outerjoin(Department, col(Service.department_id) == col(Department.id))
        .where(col(Service.leika_key).is_not(None))
    ).all()
    by_ozg_id = {
        row[0]: (int(row[1]), int(row[2] or 0))
        for row in session.execute(
            select(
                col(Service.ozg_id),
                func.count(),
                func.sum(online) if online is not None else func.sum(0),
            )
            .where(col(Service.ozg_id).is_not(None))
            .group_by(col(Service.ozg_id))
        ).all()
    }
    catalogue_keys: dict[str, tuple[str, int, str | None]] = {
        key: (name, level, dept) for key, name, level, dept in keyed
    }
    catalogue_objects = {key[:8] for key in catalogue_keys}

    # --- the reference in scope -----------------------------------------------------------
    in_scope: list[tuple[ReferenceEntry, str | None]] = []
    for entry in ref.entries:
        execution = scope.execution(entry)
        if execution is not None:
            in_scope.append((entry, execution))
    objects_with_services = {
        e.object_id for e, _ in in_scope if e.key is not None and not e.is_object
    }

    def contained(entry: ReferenceEntry) -> bool:
        if entry.key is None:
            return False
        if entry.key in catalogue_keys:
            return True
        if entry.is_object:
            return entry.object_id in catalogue_objects
        return (entry.key[:8] + "000000") in catalogue_keys

    # OZG services the catalogue touches: by a service's OZG ID or by one of the bundle's keys.
    contained_bundles = {
        e.ozg_id for e, _ in in_scope if e.ozg_id and (e.ozg_id in by_ozg_id or contained(e))
    }

    def covered(entry: ReferenceEntry) -> bool:
        # Keyless rows (OZG services without a LeiKa key) can only be matched by their bundle.
        if entry.key is None:
            return entry.ozg_id in contained_bundles
        return contained(entry)

    bundles: dict[str, dict[str, Any]] = {}
    topics: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    missing_services: list[dict[str, Any]] = []
    below: list[dict[str, Any]] = []
    for entry, execution in in_scope:
        topic_name = entry.topic or NO_TOPIC
        if entry.ozg_id:
            bundle = bundles.setdefault(
                entry.ozg_id,
                {
                    "topic": topic_name,
                    "ozg_id": entry.ozg_id,
                    "ozg_name": entry.ozg_name or "",
                    "life_event": entry.life_event or "",
                    "services": 0,
                    "executions": set(),
                },
            )
            bundle["services"] += 1
            bundle["executions"].add(execution)
        if entry.key is not None and entry.is_object and entry.object_id in objects_with_services:
            continue  # a bare object is counted through its concrete services
        counts = topics[topic_name]
        counts["services"] += 1
        if not covered(entry):
            counts["missing"] += 1
            missing_services.append(
                {
                    "topic": topic_name,
                    "ozg_id": entry.ozg_id or "",
                    "ozg_name": entry.ozg_name or "",
                    "leika_key": entry.key or "nicht im LeiKa",
                    "name": entry.name,
                    "leika_type": entry.leika_type or "",
                    "execution": _execution_text(execution),
                }
            )
            continue
        counts["contained"] += 1
        found = catalogue_keys.get(entry.key or "")
        if found is None:
            continue  # covered through its object or bundle; its level is not its own
        name, level, dept = found
        if threshold is not None and level >= threshold:
            counts["online"] += 1
            continue
        counts["below"] += 1
        below.append(
            {
                "topic": topic_name,
                "leika_key": entry.key,
                "name": name,
                "department": dept or "",
                "level": level,
                "ozg_name": entry.ozg_name or "",
                "execution": _execution_text(execution),
            }
        )

    missing_bundles = []
    for ozg_id, bundle in bundles.items():
        topics[bundle["topic"]]["bundles"] += 1
        if ozg_id in contained_bundles:
            continue
        topics[bundle["topic"]]["bundles_missing"] += 1
        executions = bundle["executions"]
        missing_bundles.append(
            {
                "topic": bundle["topic"],
                "ozg_id": ozg_id,
                "ozg_name": bundle["ozg_name"],
                "life_event": bundle["life_event"],
                "services": bundle["services"],
                "execution": _execution_text(
                    MUNICIPAL
                    if MUNICIPAL in executions
                    else next(iter(sorted(executions, key=str)), None)
                ),
            }
        )

    def order(row: dict[str, Any]) -> tuple[Any, ...]:
        return (row["topic"] == NO_TOPIC, row["topic"], row.get("ozg_name", ""), row["name"])

    missing_services.sort(key=order)
    missing_bundles.sort(key=lambda r: (r["topic"] == NO_TOPIC, r["topic"], r["ozg_name"]))
    below.sort(key=order)

    topic_rows = []
    for name in sorted(topics, key=lambda t: (t == NO_TOPIC, t)):
        c = topics[name]
        topic_rows.append(
            {
                "topic": name,
                "services": c["services"],
                "contained": c["contained"],
                "online": c["online"],
                "below": c["below"],
                "missing": c["missing"],
                "share": c["contained"] / c["services"] if c["services"] else None,
                "bundles": c["bundles"],
                "bundles_missing": c["bundles_missing"],
            }
        )
    total = {
        k: sum(int(topics[t][k]) for t in topics)
        for k in ("services", "contained", "online", "below", "missing", "bundles")
    }
    total_bundles_missing = len(missing_bundles)

    topic_col = Col("topic", Label("Themenfeld", "Topic"))
    exec_col = Col("execution", Label("Vollzug", "Execution"))
    threshold_text = (
        f"{threshold} ({scale.label(threshold)})" if threshold is not None else "keine / none"
    )
    filters: dict[str, str] = {}
    if scope.topic:
        filters["Themenfeld"] = scope.topic
    if scope.types:
        filters["LeiKa-Typ"] = ", ".join(sorted(scope.types))
    else:
        filters["LeiKa-Typ"] = "kommunaler Vollzug (2b, 3b, 4b, 5; 2, 3, 2/3, 4 prüfen)"
    reference_note = Label(
        f"Referenz: {'aktualisierte Datei' if ref.source == 'updated' else 'mitgelieferter OZG-Umsetzungskatalog'} "
        f"({len(ref.entries)} Zeilen, SHA-256 {ref.sha256[:12]}). 'Land oder Kommune (prüfen)': "
        "der Vollzug hängt vom Landesrecht ab.",
        f"Reference: {'updated file' if ref.source == 'updated' else 'shipped OZG-Umsetzungskatalog'} "
        f"({len(ref.entries)} rows, SHA-256 {ref.sha256[:12]}). 'Land oder Kommune (prüfen)': "
        "execution depends on state law.",
    )
    overview = Section(
        key="overview",
        title=Label("Abdeckung je Themenfeld", "Coverage per topic"),
        figures=(
            Figure(
                "services",
                Label("LeiKa-Leistungen im Umfang", "LeiKa services in scope"),
                total["services"],
            ),
            Figure(
                "contained", Label("davon im Katalog", "of which catalogued"), total["contained"]
            ),
            Figure(
                "missing",
                Label("fehlen im Katalog", "missing from the catalogue"),
                total["missing"],
            ),
            Figure(
                "below",
                Label(
                    f"im Katalog unter der Online-Schwelle {threshold_text}",
                    f"catalogued below the online threshold {threshold_text}",
                ),
                total["below"],
            ),
            Figure(
                "share",
                Label("Abdeckung", "Coverage"),
                total["contained"] / total["services"] if total["services"] else None,
                "share",
            ),
            Figure(
                "bundles",
                Label("OZG-Leistungen im Umfang", "OZG services in scope"),
                total["bundles"],
            ),
            Figure(
                "bundles_missing",
                Label(
                    "OZG-Leistungen ohne Leistung im Katalog",
                    "OZG services with nothing catalogued",
                ),
                total_bundles_missing,
            ),
        ),
        tables=(
            Table(
                key="topics",
                title=Label("Je Themenfeld", "Per topic"),
                columns=(
                    topic_col,
                    Col("services", Label("LeiKa-Leistungen", "LeiKa services"), "int"),
                    Col("contained", Label("im Katalog", "catalogued"), "int"),
                    Col("online", Label("davon online", "of which online"), "int"),
                    Col("below", Label("unter Schwelle", "below threshold"), "int"),
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
    bundles_section = Section(
        key="missing_bundles",
        title=Label("OZG-Leistungen ohne Leistung im Katalog", "OZG services not catalogued"),
        tables=(
            Table(
                key="missing_bundles",
                title=Label("Fehlende OZG-Leistungen", "Missing OZG services"),
                columns=(
                    topic_col,
                    Col("ozg_id", Label("OZG-ID", "OZG ID")),
                    Col("ozg_name", Label("OZG-Leistung", "OZG service")),
                    Col("life_event", Label("Lebenslage", "Life event")),
                    Col(
                        "services",
                        Label("LeiKa-Leistungen im Umfang", "LeiKa services in scope"),
                        "int",
                    ),
                    exec_col,
                ),
                rows=tuple(missing_bundles[:max_rows]),
                note=_shown_note(len(missing_bundles), max_rows),
            ),
        ),
    )
    services_section = Section(
        key="missing_services",
        title=Label("LeiKa-Leistungen, die im Katalog fehlen", "LeiKa services not catalogued"),
        tables=(
            Table(
                key="missing_services",
                title=Label("Fehlende LeiKa-Leistungen", "Missing LeiKa services"),
                columns=(
                    topic_col,
                    Col("ozg_id", Label("OZG-ID", "OZG ID")),
                    Col("ozg_name", Label("OZG-Leistung", "OZG service")),
                    Col("leika_key", Label("LeiKa-Schlüssel", "LeiKa key")),
                    Col("name", Label("Leistung", "Service")),
                    Col("leika_type", Label("LeiKa-Typ", "LeiKa type")),
                    exec_col,
                ),
                rows=tuple(missing_services[:max_rows]),
                note=_shown_note(len(missing_services), max_rows),
            ),
        ),
    )
    below_section = Section(
        key="below_threshold",
        title=Label(
            f"Im Katalog, aber unter der Online-Schwelle {threshold_text}",
            f"Catalogued but below the online threshold {threshold_text}",
        ),
        tables=(
            Table(
                key="below_threshold",
                title=Label("Unter der Online-Schwelle", "Below the online threshold"),
                columns=(
                    topic_col,
                    Col("leika_key", Label("LeiKa-Schlüssel", "LeiKa key")),
                    Col("name", Label("Leistung", "Service")),
                    Col("department", Label("Amt", "Department")),
                    Col("level", Label("Reifegrad", "Level"), "level"),
                    Col("ozg_name", Label("OZG-Leistung", "OZG service")),
                    exec_col,
                ),
                rows=tuple(below[:max_rows]),
                note=_shown_note(len(below), max_rows),
            ),
        ),
    )
    return Report(
        name="coverage",
        title=Label(
            "Abdeckung gegenüber dem OZG-/LeiKa-Katalog", "Coverage against the OZG/LeiKa catalogue"
        ),
        generated_at=now,
        catalogue=catalogue_label,
        filters=filters,
        sections=(overview, bundles_section, services_section, below_section),
        scale_labels={lv.level: lv.label for lv in scale.levels},
        as_of=now.date(),
    )
