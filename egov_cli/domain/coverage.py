"""Coverage: the catalogue counted against the OZG/LeiKa reference catalogue, per Themenfeld.

Scope: by default the LeiKa types a municipality executes (2b, 3b, 4b, 5) and those it executes
where state law gives execution to the municipality (2, 3, 2/3, 4: marked "prüfen"); what the
Land (types ...a) or the federation (1) executes only when asked (``all_levels``). A
``leika_type`` option replaces that scope (e.g. ``5`` or ``2b,5``).

Two sides are counted, each once per service:

- the **reference side**, per Themenfeld of the reference: a LeiKa service in scope is in the
  catalogue with its own key (then online or below the online threshold, by its own level),
  covered through its Leistungsobjekt or its OZG service (no level of its own), or missing; the
  three add up to the services in scope;
- the **catalogue side**, per Themenfeld of the catalogue (what the readiness report counts):
  the catalogue's services, online or below the online threshold, and of them those in scope
  with their own key (the services counted with their own key above) and the others (outside
  the scope, not in the reference, without a LeiKa key, or a bare Leistungsobjekt counted
  through its services).

Matching: a reference service counts as contained when the catalogue holds its key; a bare
Leistungsobjekt (digits 9-14 ``000000``) also when the catalogue holds any key of that object,
and a concrete service also when the catalogue holds its bare object (the city catalogued the
object as a whole). An OZG service counts as contained when a catalogue service names its OZG
ID or holds one of its keys. Missing bare objects are listed only where the reference has no
concrete service of that object in scope.

Lists are in German order (DIN 5007), the rows without a Themenfeld (``None``) last.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, func, select
from sqlmodel import col

from egov_cli.core.errors import ValidationError
from egov_cli.core.models import Department, Service
from egov_cli.domain.reference import (
    MUNICIPAL,
    Reference,
    ReferenceEntry,
    known_type_codes,
    type_parts,
    type_scope,
)
from egov_cli.i18n import _
from egov_cli.values.fold import fold, german_key

if TYPE_CHECKING:
    from sqlmodel import Session

#: Execution of an entry asked for with ``all_levels``: the Land or the federation.
OTHER_LEVELS = "other"
#: Execution of an entry in a scope a ``leika_type`` option gave (no scope of its own).
BY_FILTER = "filtered"

#: The counts of the reference side (per Themenfeld of the reference).
REFERENCE_COUNTS = (
    "services", "contained", "online", "below", "via", "missing", "bundles", "bundles_missing",
)  # fmt: skip
#: The counts of the catalogue side (per Themenfeld of the catalogue).
CATALOGUE_COUNTS = ("catalogue", "catalogue_online", "catalogue_below", "catalogue_in_scope")


@dataclass(frozen=True)
class CoverageScope:
    """Which reference services count: a Themenfeld (None: all), LeiKa types (None: the
    municipal default, see ``all_levels``)."""

    topic: str | None
    types: frozenset[str] | None
    all_levels: bool = False  # also what the Land or the federation executes

    def execution(self, entry: ReferenceEntry) -> str | None:
        """The entry's execution scope (``reference.MUNICIPAL``, ``POSSIBLY_MUNICIPAL``,
        :data:`OTHER_LEVELS`, :data:`BY_FILTER`), or None where the entry is out of scope."""
        if self.topic is not None and entry.topic != self.topic:
            return None
        scope = type_scope(entry.leika_type)
        if self.types is None:
            return scope or (OTHER_LEVELS if self.all_levels else None)
        if set(type_parts(entry.leika_type)) & self.types:
            return scope or BY_FILTER
        return None


def topic_filter(reference: Reference, topic: str | None) -> str | None:
    """The reference's Themenfeld a user means (case and umlaut spelling aside, or the one
    Themenfeld starting so); raises ValidationError naming the known ones."""
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
        _("Themenfeld {topic!r} is not in the reference catalogue.").format(topic=topic),
        _("Use one of: {choices}.").format(choices=", ".join(topics)),
    )


def type_filter(reference: Reference, leika_type: str | None) -> frozenset[str] | None:
    """The LeiKa types of a ``leika_type`` option (``2b,5``); raises ValidationError where one
    is not known."""
    if not leika_type:
        return None
    wanted = frozenset(type_parts(leika_type))
    present = {p for e in reference.entries for p in type_parts(e.leika_type)}
    unknown = sorted(wanted - set(known_type_codes()) - present)
    if unknown or not wanted:
        raise ValidationError(
            _("LeiKa type {type!r} is not known.").format(type=leika_type),
            _(
                "Give one or more types separated by commas, e.g. 5 or 2b,5 "
                "(in the reference: {types})."
            ).format(types=", ".join(sorted(present))),
        )
    return wanted


@dataclass(frozen=True)
class Coverage:
    """The counts and lists of a coverage report. Topics are Themenfeld names, None for none.

    ``topics``: reference side, per Themenfeld of the reference (:data:`REFERENCE_COUNTS`);
    ``catalogue_topics``: catalogue side, per Themenfeld of the catalogue
    (:data:`CATALOGUE_COUNTS`). Rows of the lists are column name -> value, ``execution`` an
    execution scope code (see :meth:`CoverageScope.execution`), ``leika_key`` None for an OZG
    service without a LeiKa key.
    """

    scope: CoverageScope
    threshold: int | None
    topics: dict[str | None, dict[str, int]]
    catalogue_topics: dict[str | None, dict[str, int]]
    missing_services: list[dict[str, Any]]
    missing_bundles: list[dict[str, Any]]
    below: list[dict[str, Any]]

    def total(self, key: str) -> int:
        """A count over every Themenfeld (of its side)."""
        side = self.catalogue_topics if key in CATALOGUE_COUNTS else self.topics
        return sum(counts[key] for counts in side.values())


def topic_order(topic: str | None) -> tuple[bool, tuple[str, str]]:
    """Themenfelder in German order, the rows without one last."""
    return topic is None, german_key(topic)


def count_coverage(
    session: Session, reference: Reference, scope: CoverageScope, threshold: int | None
) -> Coverage:
    """Count the catalogue against ``reference`` in ``scope`` (see the module docstring)."""
    online = case((col(Service.level) >= threshold, 1), else_=0) if threshold is not None else None
    keyed = session.execute(
        select(
            col(Service.leika_key),
            col(Service.name),
            col(Service.level),
            col(Department.code),
            col(Service.topic),
        )
        .select_from(Service)
        .outerjoin(Department, col(Service.department_id) == col(Department.id))
        .where(col(Service.leika_key).is_not(None))
    ).all()
    by_ozg_id = {
        row[0]
        for row in session.execute(
            select(col(Service.ozg_id)).where(col(Service.ozg_id).is_not(None)).distinct()
        ).all()
    }
    catalogue_keys: dict[str, tuple[str, int, str | None, str | None]] = {
        key: (name, level, dept, topic) for key, name, level, dept, topic in keyed
    }
    catalogue_objects = {key[:8] for key in catalogue_keys}

    # --- the catalogue side, per Themenfeld of the catalogue (as the readiness report) ---------
    topic_column = col(Service.topic)
    by_topic = select(
        topic_column, func.count(), func.sum(online) if online is not None else func.sum(0)
    ).select_from(Service)
    if scope.topic is not None:
        by_topic = by_topic.where(func.lower(topic_column) == scope.topic.lower())
    catalogue_topics: dict[str | None, dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(CATALOGUE_COUNTS, 0)
    )
    for topic, count, online_count in session.execute(by_topic.group_by(topic_column)).all():
        counts = catalogue_topics[topic]
        counts["catalogue"] = int(count)
        counts["catalogue_online"] = int(online_count or 0)
        counts["catalogue_below"] = int(count) - int(online_count or 0)

    # --- the reference in scope -----------------------------------------------------------
    in_scope: list[tuple[ReferenceEntry, str]] = []
    for entry in reference.entries:
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
    topics: dict[str | None, dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(REFERENCE_COUNTS, 0)
    )
    missing_services: list[dict[str, Any]] = []
    below: list[dict[str, Any]] = []
    for entry, execution in in_scope:
        topic_name = entry.topic or None
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
                    "leika_key": entry.key,
                    "name": entry.name,
                    "leika_type": entry.leika_type or "",
                    "execution": execution,
                }
            )
            continue
        counts["contained"] += 1
        found = catalogue_keys.get(entry.key or "")
        if found is None:
            counts["via"] += 1  # covered through its object or bundle: no level of its own
            continue
        name, level, dept, catalogue_topic = found
        if scope.topic is None or (catalogue_topic or "").lower() == scope.topic.lower():
            catalogue_topics[catalogue_topic]["catalogue_in_scope"] += 1
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
                "execution": execution,
            }
        )

    missing_bundles = []
    for ozg_id, bundle in bundles.items():
        topics[bundle["topic"]]["bundles"] += 1
        if ozg_id in contained_bundles:
            continue
        topics[bundle["topic"]]["bundles_missing"] += 1
        executions = bundle.pop("executions")
        bundle["execution"] = (
            MUNICIPAL if MUNICIPAL in executions else next(iter(sorted(executions, key=str)))
        )
        missing_bundles.append(bundle)

    def order(row: dict[str, Any]) -> tuple[Any, ...]:
        return (
            *topic_order(row["topic"]),
            german_key(row.get("ozg_name", "")),
            german_key(row["name"]),
        )

    missing_services.sort(key=order)
    missing_bundles.sort(key=lambda r: (*topic_order(r["topic"]), german_key(r["ozg_name"])))
    below.sort(key=order)
    return Coverage(
        scope=scope,
        threshold=threshold,
        topics={t: dict(topics[t]) for t in sorted(topics, key=topic_order)},
        catalogue_topics={
            t: dict(catalogue_topics[t]) for t in sorted(catalogue_topics, key=topic_order)
        },
        missing_services=missing_services,
        missing_bundles=missing_bundles,
        below=below,
    )
