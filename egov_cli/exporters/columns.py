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

from collections.abc import Callable, Iterator, Sequence
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
) -> Iterator[tuple[Any, ...]]:
    """Stored values of ``columns`` for every service matching ``flt``, as tuples.

    The last value of each tuple is the service's department code (for grouping). One query.
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
    result = session.execute(query)
    for row in result:
        yield tuple(row)


# --- values ------------------------------------------------------------------------------------

Converter = Callable[[Any], Any]


def _text(value: Any) -> Any:
    return None if value is None or value == "" else value


def _date(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date()
    return value


def people_converters(
    columns: Sequence[schema.Column], scale: Scale, lang: str = "de"
) -> list[Converter]:
    """One function per column turning a stored value into what people read in a cell.

    Text stays text (None for empty), numbers stay numbers, dates stay dates; levels, terms and
    flags become the labels the dropdowns offer (and the import reads).
    """
    yes, no = YES_NO[lang]
    levels: dict[Any, str] = {lv.level: level_text(lv.level, scale) for lv in scale.levels}
    flags: dict[Any, str] = {True: yes, False: no}
    converters: list[Converter] = []
    for column in columns:
        kind = column.kind
        if kind == schema.LEVEL:
            converters.append(_lookup(levels))
        elif kind == schema.TERM:
            assert column.terms is not None
            converters.append(_lookup({t.code: t.label(lang) for t in column.terms}))
        elif kind == schema.FLAG:
            converters.append(_lookup(flags))
        elif kind == schema.DATE:
            converters.append(_date)
        elif kind in (schema.INT, schema.ID):
            converters.append(_same)
        else:
            converters.append(_text)
    return converters


def _same(value: Any) -> Any:
    return value


def _lookup(labels: dict[Any, str]) -> Converter:
    """Stored value -> its label (an unknown value as text; None stays None)."""
    get = labels.get

    def convert(value: Any) -> Any:
        return None if value is None else get(value, str(value))

    return convert


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
