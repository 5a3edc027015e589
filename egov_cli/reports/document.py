"""The shape every report takes, whatever its output format.

A report builder (``egov_cli/reports/<name>.py``) aggregates in SQL and returns a :class:`Report`:
headline figures, tables and charts, with labels in German and English. The renderers
(``egov_cli/reports/render/`` and the Rich view in ``egov_cli/cli``) turn any Report into
md / html / xlsx / csv / json / a terminal view, so a new report needs no new renderer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from egov_cli.domain.scale import Scale

# How a value is shown: plain text, whole number, share (0..1 -> "42,5 %"), decimal, date,
# maturity level (number; its label comes from the report's scale), a service's status
# (planned, in_progress, live ...), a target's status (on-track, at-risk, missed; labels in
# TARGET_STATUS_LABELS), yes/no. Any value may also be a Label: it is shown in the report's
# language (text that the builder words, e.g. a target's scope).
Kind = Literal[
    "text", "int", "share", "decimal", "date", "level", "status", "target_status", "flag"
]


@dataclass(frozen=True)
class Label:
    de: str
    en: str

    def __call__(self, lang: str) -> str:
        return self.de if lang == "de" else self.en


@dataclass(frozen=True)
class Col:
    key: str
    label: Label
    kind: Kind = "text"


@dataclass(frozen=True)
class Figure:
    """One headline figure, e.g. "Online-Quote 42,5 %"."""

    key: str
    label: Label
    value: Any
    kind: Kind = "int"


@dataclass(frozen=True)
class Table:
    key: str
    title: Label
    columns: tuple[Col, ...]
    rows: tuple[dict[str, Any], ...]
    note: Label | None = None


@dataclass(frozen=True)
class Series:
    name: Label
    points: tuple[tuple[Any, float], ...]  # (x, y): x is a category label or a date
    #: How the series is drawn. ``dashed`` (a goal line) and ``dotted`` (a forecast) differ in
    #: their dash pattern, not only in colour, so that they are told apart in print and by
    #: people who do not see colours.
    style: Literal["bar", "line", "dashed", "dotted"] = "bar"


@dataclass(frozen=True)
class Chart:
    """A chart: ``bar`` (categories, e.g. the level distribution) or ``burnup`` (dates)."""

    key: str
    title: Label
    kind: Literal["bar", "burnup"]
    series: tuple[Series, ...]
    x_label: Label | None = None
    y_label: Label | None = None


@dataclass(frozen=True)
class Section:
    key: str
    title: Label
    figures: tuple[Figure, ...] = ()
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()


@dataclass(frozen=True)
class Report:
    name: str  # readiness, targets, overdue, changes, sdg, council, coverage
    title: Label
    generated_at: datetime  # aware UTC; tests pin it
    catalogue: str  # where the data came from (path or URL without password)
    # what was filtered, for the header ("alle Leistungen" when empty): a machine key (json)
    # -> the filter in people's words ("Amt 33 (Bürgeramt)", "seit 31.12.2019")
    filters: dict[str, Label]
    sections: tuple[Section, ...]
    scale_labels: dict[int, Label] = field(default_factory=dict)  # level -> its name
    as_of: date | None = None  # the day the figures refer to (default: generated_at's date)
    # "missed", "at-risk" (targets: what report run --fail-on looks at), "overdue" (services
    # past their own target date); labels in ALERT_LABELS
    alerts: tuple[str, ...] = ()

    def level_names(self, lang: str) -> dict[int, str]:
        """Level -> its name in the report's language."""
        return {level: label(lang) for level, label in self.scale_labels.items()}


def level_label(scale: Scale, level: int) -> Label:
    """A level with its name, ``3 Online-Leistung`` / ``3 Online service``."""
    name = scale_labels(scale).get(level, Label(str(level), str(level)))
    return Label(f"{level} {name.de}", f"{level} {name.en}")


def scale_labels(scale: Scale) -> dict[int, Label]:
    """The scale's level names in German and English, for :attr:`Report.scale_labels`."""
    from egov_cli.domain.scale import level_names

    return {level: Label(de, en) for level, (de, en) in level_names(scale).items()}


#: How a target's status (``egov_cli.domain.progress``: on-track, at-risk, missed) reads.
TARGET_STATUS_LABELS = {
    "on-track": Label("im Plan", "on track"),
    "at-risk": Label("gefährdet", "at risk"),
    "missed": Label("verfehlt", "missed"),
}
#: How a report's alerts read in its header.
ALERT_LABELS = {
    "missed": Label("Ziel verfehlt", "target missed"),
    "at-risk": Label("Ziel gefährdet", "target at risk"),
    "overdue": Label(
        "Leistungen nach ihrem Zieldatum unter ihrem Zielreifegrad",
        "services past their target date below their target level",
    ),
}
