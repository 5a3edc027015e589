"""What an export holds: the chosen schema columns, the rows (one SQL query) and their values.

Columns come from the one column schema (:mod:`egov_cli.schema`), the same the import reads, so
a file egov wrote imports back unchanged. Rows are fetched with one query over service,
department and procedure, filtered with the :class:`~egov_cli.services.catalogue.ServiceFilter`
of ``egov services list`` and sorted like it (department code, name, id).

Values are given in two forms:

* for people (xlsx, CSV): level as ``3 - Online-Leistung``, vocabulary terms by their German
  (or English) label, yes/no as ``ja``/``nein`` (``yes``/``no``), dates as dates;
* for machines (JSON): the stored values (level numbers, term codes, booleans, ISO dates).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from egov_cli import schema
from egov_cli.errors import ValidationError

if TYPE_CHECKING:
    from sqlmodel import Session

    from egov_cli.services.catalogue import ServiceFilter
    from egov_cli.services.scale import Scale

LANGS = ("de", "en")
YES_NO = {"de": ("ja", "nein"), "en": ("yes", "no")}
#: Columns whose values come from a list (a dropdown in the workbook).
LIST_KINDS = frozenset({schema.LEVEL, schema.TERM, schema.FLAG})


def select_columns(spec: str | Sequence[str] | None) -> list[schema.Column]:
    """The columns named in ``spec`` (``"leika_key,name,Reifegrad"``), in that order.

    Columns are named by field name or by any header the import understands. None or empty:
    every column of the schema.
    """
    if spec is None:
        return list(schema.COLUMNS)
    names = spec.split(",") if isinstance(spec, str) else list(spec)
    names = [n.strip() for n in names if n.strip()]
    if not names:
        return list(schema.COLUMNS)
    chosen: list[schema.Column] = []
    unknown: list[str] = []
    for name in names:
        column = schema.BY_FIELD.get(name) or schema.match_header(name)
        if column is None:
            unknown.append(name)
        elif column in chosen:
            raise ValidationError(
                f"--columns names {column.field!r} twice ({name!r}).",
                "Name each column once.",
            )
        else:
            chosen.append(column)
    if unknown:
        raise ValidationError(
            f"--columns: unknown column{'s' if len(unknown) > 1 else ''} "
            + ", ".join(repr(u) for u in unknown)
            + ".",
            "Name columns by field or header: " + ", ".join(c.field for c in schema.COLUMNS) + ".",
        )
    return chosen


def level_text(level: int, scale: Scale) -> str:
    """``3 - Online-Leistung``: how the workbook shows a level (the import reads it back)."""
    label = scale.label(level)
    return f"{level} - {label}" if label and label != str(level) else str(level)


def level_texts(scale: Scale) -> list[str]:
    return [level_text(lv.level, scale) for lv in scale.levels]


# --- the query ---------------------------------------------------------------------------------


def _sql_columns(columns: Sequence[schema.Column]) -> list[Any]:
    from sqlmodel import col

    from egov_cli.models import Department, Procedure, Service

    sql: list[Any] = []
    for column in columns:
        name = column.field
        if name == "department":
            sql.append(col(Department.code))
        elif name == "department_name":
            sql.append(col(Department.name))
        elif name == "procedure":
            sql.append(col(Procedure.name))
        elif name in schema.PROCEDURE_ATTRIBUTES:
            sql.append(col(getattr(Procedure, schema.PROCEDURE_ATTRIBUTES[name])))
        else:
            sql.append(col(getattr(Service, name)))
    return sql


def fetch_rows(
    session: Session, columns: Sequence[schema.Column], flt: ServiceFilter | None = None
) -> list[Sequence[Any]]:
    """Stored values of ``columns`` for every service matching ``flt``, one query.

    Each row holds the values in the order of ``columns`` and, last, the service's department
    code (for grouping by department).
    """
    from sqlalchemy import select
    from sqlmodel import col

    from egov_cli.models import Department, Procedure, Service
    from egov_cli.services.catalogue import ServiceFilter, apply_filter

    query = (
        select(*_sql_columns(columns), col(Department.code).label("_department"))
        .select_from(Service)
        .outerjoin(Department, col(Service.department_id) == col(Department.id))
        .outerjoin(Procedure, col(Service.procedure_id) == col(Procedure.id))
    )
    query = apply_filter(query, flt or ServiceFilter()).order_by(
        col(Department.code), col(Service.name), col(Service.id)
    )
    # Core execution on the session's connection: no ORM row processing for a plain select.
    return list(session.connection().execute(query).all())


# --- values ------------------------------------------------------------------------------------
#
# Values are converted a column at a time (dict lookups through map(), list comprehensions),
# which costs a fraction of calling a converter per cell; a 100,000-row export converts in well
# under a second.

Column = list[Any]


def _labels(values: Sequence[Any], labels: dict[Any, Any]) -> Column:
    """Each stored value as its label; an unknown value as text, None stays None."""
    table: dict[Any, Any] = dict(labels)
    table[None] = None
    for value in set(values) - table.keys():
        table[value] = str(value)
    return list(map(table.__getitem__, values))


def _blank_to_none(values: Sequence[Any]) -> Column:
    return [v if v != "" else None for v in values]


def _dates(values: Sequence[Any]) -> Column:
    return [v.date() if isinstance(v, datetime) else v for v in values]


def people_columns(
    rows: Sequence[Sequence[Any]], columns: Sequence[schema.Column], scale: Scale, lang: str = "de"
) -> list[Column]:
    """The rows' values as people read them, column by column (``result[c][r]``).

    Text stays text (None where empty), numbers stay numbers, dates stay dates; levels, terms
    and flags become the labels the dropdowns offer (and the import reads).
    """
    yes, no = YES_NO[lang]
    levels = {lv.level: level_text(lv.level, scale) for lv in scale.levels}
    flags = {True: yes, False: no}
    stored = list(zip(*rows, strict=True)) if rows else [() for _ in range(len(columns) + 1)]
    converted: list[Column] = []
    for column, values in zip(columns, stored, strict=False):
        kind = column.kind
        if kind == schema.LEVEL:
            converted.append(_labels(values, levels))
        elif kind == schema.TERM:
            assert column.terms is not None
            converted.append(_labels(values, {t.code: t.label(lang) for t in column.terms}))
        elif kind == schema.FLAG:
            converted.append(_labels(values, flags))
        elif kind == schema.DATE:
            converted.append(_dates(values))
        elif kind in (schema.INT, schema.ID):
            converted.append(list(values))
        else:
            converted.append(_blank_to_none(values))
    return converted


def people_rows(
    rows: Sequence[Sequence[Any]], columns: Sequence[schema.Column], scale: Scale, lang: str = "de"
) -> list[tuple[Any, ...]]:
    """The rows' values as people read them (see :func:`people_columns`), row by row."""
    return list(zip(*people_columns(rows, columns, scale, lang), strict=True))


def machine_value(value: Any) -> Any:
    """A stored value for JSON: ISO dates, everything else as stored."""
    if isinstance(value, datetime | date):
        return value.isoformat()[:10] if not isinstance(value, datetime) else value.isoformat()
    return value


@dataclass(frozen=True)
class ExportMeta:
    """What the info sheet and the JSON metadata say about an export."""

    generated_at: datetime
    catalogue: str
    filter: dict[str, Any]
    filter_text: str
    row_count: int
    scale: Scale
    lang: str = "de"


def filter_fields(flt: ServiceFilter | None) -> dict[str, Any]:
    """The filters that are set, by name."""
    from dataclasses import fields

    if flt is None:
        return {}
    return {f.name: getattr(flt, f.name) for f in fields(flt) if getattr(flt, f.name) is not None}


def filter_text(flt: ServiceFilter | None, lang: str = "de") -> str:
    values = filter_fields(flt)
    if not values:
        return "alle Leistungen" if lang == "de" else "all services"
    return ", ".join(f"{k}={v}" for k, v in values.items())
