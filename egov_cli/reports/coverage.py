"""Coverage: the catalogue against the OZG/LeiKa reference catalogue.

Per Themenfeld: the OZG services (bundles) and LeiKa services a municipality typically executes
that the catalogue does not contain yet, and those it contains below the online threshold.

Scope: by default the LeiKa types a municipality executes (2b, 3b, 4b, 5) and those it executes
where state law gives execution to the municipality (2, 3, 2/3, 4: marked "prüfen"); what the
Land (types ...a) or the federation (1) executes only when asked (``all_levels``). A
``leika_type`` option replaces that scope (e.g. ``5`` or ``2b,5``).

Counting, once each: a LeiKa service in scope is in the catalogue with its own key (then online
or below the online threshold, by its own level), covered through its Leistungsobjekt or its OZG
service (no level of its own), or missing; the three add up to the services in scope. The
catalogue's services are those in scope with their own key plus the others (outside the scope,
not in the reference, or without a LeiKa key), which add up to the catalogue (the readiness
report's count).

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
from egov_cli.values.fold import fold, german_key

if TYPE_CHECKING:
    from sqlmodel import Session

    from egov_cli.reports.builders import ReportOptions

NO_TOPIC = "(ohne Themenfeld)"
NO_TOPIC_LABEL = Label("(ohne Themenfeld)", "(no topic)")
NOT_IN_LEIKA = Label("nicht im LeiKa", "not in LeiKa")
OTHER_LEVELS = "other"  # executed by the Land or the federation (with all_levels)


@dataclass(frozen=True)
class _Scope:
    topic: str | None
    types: frozenset[str] | None  # None: the default (see all_levels)
    all_levels: bool = False  # also what the Land or the federation executes

    def execution(self, entry: ReferenceEntry) -> str | None:
        """The entry's execution scope label source, or None where the entry is out of scope."""
        if self.topic is not None and entry.topic != self.topic:
            return None
        scope = type_scope(entry.leika_type)
        if self.types is None:
            return scope or (OTHER_LEVELS if self.all_levels else None)
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


def _execution_text(scope: str | None) -> Label:
    if scope == MUNICIPAL:
        return Label(scope_label(scope), "municipality")
    if scope == POSSIBLY_MUNICIPAL:
        return Label(scope_label(scope), "Land or municipality (to check)")
    if scope == OTHER_LEVELS:
        return Label("Land oder Bund", "Land or federation")
    return Label("laut Filter", "by the filter")


def _topic_cell(topic: str) -> str | Label:
    return NO_TOPIC_LABEL if topic == NO_TOPIC else topic


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
    all_levels: bool = False,
    reference: Reference | None = None,
    max_rows: int | None = None,
) -> Report:
    ref = reference or load_reference()
    scope = _Scope(_topic_filter(ref, topic), _type_filter(ref, leika_type), all_levels)
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
                    "leika_key": entry.key or NOT_IN_LEIKA,
                    "name": entry.name,
                    "leika_type": entry.leika_type or "",
                    "execution": _execution_text(execution),
                }
            )
            continue
        counts["contained"] += 1
        found = catalogue_keys.get(entry.key or "")
        if found is None:
            counts["via"] += 1  # covered through its object or bundle: no level of its own
            continue
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
        return (
            row["topic"] == NO_TOPIC,
            german_key(row["topic"]),
            german_key(row.get("ozg_name", "")),
            german_key(row["name"]),
        )

    missing_services.sort(key=order)
    missing_bundles.sort(
        key=lambda r: (r["topic"] == NO_TOPIC, german_key(r["topic"]), german_key(r["ozg_name"]))
    )
    below.sort(key=order)
    for row in (*missing_services, *missing_bundles, *below):
        row["topic"] = _topic_cell(row["topic"])

    topic_rows = []
    for name in sorted(topics, key=lambda t: (t == NO_TOPIC, german_key(t))):
        c = topics[name]
        topic_rows.append(
            {
                "topic": _topic_cell(name),
                "services": c["services"],
                "contained": c["contained"],
                "online": c["online"],
                "below": c["below"],
                "via": c["via"],
                "missing": c["missing"],
                "share": c["contained"] / c["services"] if c["services"] else None,
                "bundles": c["bundles"],
                "bundles_missing": c["bundles_missing"],
            }
        )
    total = {
        k: sum(int(topics[t][k]) for t in topics)
        for k in ("services", "contained", "online", "below", "via", "missing", "bundles")
    }
    catalogue_total = int(session.execute(select(func.count()).select_from(Service)).scalar_one())
    own_total = total["online"] + total["below"]
    total_bundles_missing = len(missing_bundles)

    topic_col = Col("topic", Label("Themenfeld", "Topic"))
    exec_col = Col("execution", Label("Vollzug", "Execution"))
    at = level_label(scale, threshold) if threshold is not None else Label("keine", "none")
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
    source_de = "aktualisierte Datei" if ref.source == "updated" else "mitgelieferter Katalog"
    source_en = "updated file" if ref.source == "updated" else "shipped catalogue"
    reference_note = Label(
        f"Im Katalog = mit eigenem LeiKa-Schlüssel (online oder unter der Online-Schwelle, nach "
        "ihrem Reifegrad) oder über ihr Leistungsobjekt bzw. ihre OZG-Leistung erfasst; jede "
        "Leistung zählt einmal. Themenfelder laut Referenz (OZG-Umsetzungskatalog, "
        f"{source_de}, {len(ref.entries)} Zeilen, SHA-256 {ref.sha256[:12]}). "
        "„Land oder Kommune (prüfen)“: der Vollzug hängt vom Landesrecht ab.",
        "Catalogued = with its own LeiKa key (online or below the online threshold, by its "
        "level) or covered through its Leistungsobjekt or its OZG service; each service counts "
        "once. Topics as in the reference (OZG-Umsetzungskatalog, "
        f"{source_en}, {len(ref.entries)} rows, SHA-256 {ref.sha256[:12]}). "
        "“Land or municipality (to check)”: execution depends on state law.",
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
                "online",
                Label("… mit eigenem Schlüssel, online", "… with their own key, online"),
                total["online"],
            ),
            Figure(
                "below",
                Label(
                    f"… mit eigenem Schlüssel, unter der Online-Schwelle ({at.de})",
                    f"… with their own key, below the online threshold ({at.en})",
                ),
                total["below"],
            ),
            Figure(
                "via",
                Label(
                    "… über Leistungsobjekt oder OZG-Leistung erfasst",
                    "… covered through their Leistungsobjekt or OZG service",
                ),
                total["via"],
            ),
            Figure(
                "missing",
                Label("davon fehlen im Katalog", "of which missing from the catalogue"),
                total["missing"],
            ),
            Figure(
                "catalogue",
                Label(
                    "Leistungen im Katalog (wie im Reifegradbericht)",
                    "Services in the catalogue (as in the readiness report)",
                ),
                catalogue_total,
            ),
            Figure(
                "catalogue_in_scope",
                Label(
                    "… davon im Umfang mit eigenem Schlüssel",
                    "… of which in scope with their own key",
                ),
                own_total,
            ),
            Figure(
                "catalogue_other",
                Label(
                    "… sonst (außerhalb des Umfangs, nicht in der Referenz, ohne LeiKa-Schlüssel "
                    "oder als Leistungsobjekt über seine Leistungen gezählt)",
                    "… other (outside the scope, not in the reference, without a LeiKa key or a "
                    "Leistungsobjekt counted through its services)",
                ),
                catalogue_total - own_total,
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
            f"Im Katalog, aber unter der Online-Schwelle ({at.de})",
            f"Catalogued but below the online threshold ({at.en})",
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
        scale_labels=scale_labels(scale),
        as_of=now.date(),
    )
