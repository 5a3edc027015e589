"""The report registry: report name -> builder, one common signature, plus report-run records.

Every builder is called as ``builder(session, catalogue_label, now, options) -> Report``:

- ``session``: an open read session on the catalogue;
- ``catalogue_label``: where the data comes from, for the header (``Catalogue.label``);
- ``now``: the clock (aware UTC); the report's ``generated_at``, and "today" for due dates,
  pace and forecasts. Tests pin it;
- ``options``: :class:`ReportOptions`, the same dataclass for every report (each report uses
  the fields that concern it and ignores the rest). Nothing in it depends on the language.

Builders are imported lazily (by module path), so that ``egov --help`` imports none of them.

``last_run`` / ``record_run`` keep the :class:`~egov_cli.core.models.ReportRun` rows: the renderer
records one whenever a report is written, and ``changes --since last`` reads the latest.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from egov_cli.core.errors import NotFound
from egov_cli.i18n import _

if TYPE_CHECKING:
    from sqlmodel import Session

    from egov_cli.core.models import ReportRun
    from egov_cli.domain.catalogue import ServiceFilter
    from egov_cli.reports.document import Report

#: The default horizon of the ``overdue`` report's "due soon" list, in days.
DEFAULT_DUE_WITHIN_DAYS = 30


@dataclass(frozen=True)
class ReportOptions:
    """Options of every report (language-independent; the renderer handles ``--lang``).

    Scope filters (readiness, targets' service lists, overdue, changes, sdg): ``department``
    (code or name), ``topic`` (OZG Themenfeld), ``leika_type``, ``sdg_annex2``.

    ``since`` (changes): a date or datetime; ``since_last`` = since the last recorded run of
    the ``changes`` report (``--since last``); neither = the whole history.
    ``due_within_days`` (overdue): also list services due within this many days.
    ``target`` (targets): only the target with this name.
    ``max_rows``: the most rows of a service list (the rest is counted in the table's note).
    """

    department: str | None = None
    topic: str | None = None
    leika_type: str | None = None
    all_levels: bool = False  # coverage: also what the Land or the federation executes
    sdg_annex2: bool | None = None
    since: date | datetime | None = None
    since_last: bool = False
    due_within_days: int = DEFAULT_DUE_WITHIN_DAYS
    target: str | None = None
    max_rows: int = 500

    def service_filter(self) -> ServiceFilter:
        """The scope filters as a service filter."""
        from egov_cli.domain.catalogue import ServiceFilter

        return ServiceFilter(
            department=self.department,
            topic=self.topic,
            leika_type=self.leika_type,
            sdg_annex2=self.sdg_annex2,
        )


#: ``Builder(session, catalogue_label, now, options) -> Report``
Builder = Callable[["Session", str, datetime, ReportOptions], "Report"]


@dataclass(frozen=True)
class ReportSpec:
    name: str
    module: str  # module path; the module's ``build`` has the Builder signature
    help_de: str
    help_en: str


_SPECS: tuple[ReportSpec, ...] = (
    ReportSpec(
        "readiness",
        "egov_cli.reports.readiness",
        "Reifegrad: Kennzahlen, Online-Quote, Verteilung je Amt und Themenfeld, Zielstatus.",
        "Readiness: headline figures, online share, distribution per department and topic, "
        "target status.",
    ),
    ReportSpec(
        "targets",
        "egov_cli.reports.targets",
        "Ziele: Fortschritt, Tempo, Prognose und die Leistungen, die sich noch bewegen müssen.",
        "Targets: progress, pace, forecast and the services that still have to move.",
    ),
    ReportSpec(
        "overdue",
        "egov_cli.reports.overdue",
        "Überfällig: Leistungen nach ihrem Zieldatum unter ihrem Zielreifegrad, und bald fällige.",
        "Overdue: services past their target date below their target level, and those due soon.",
    ),
    ReportSpec(
        "changes",
        "egov_cli.reports.changes",
        "Änderungen seit einem Datum oder dem letzten Bericht: Auf- und Abstiege, neue "
        "Leistungen, live gegangene Leistungen.",
        "Changes since a date or the last report: level ups and downs, new services, go-lives.",
    ),
    ReportSpec(
        "sdg",
        "egov_cli.reports.sdg",
        "SDG-Anhang II: Leistungen unter dem höchsten Reifegrad.",
        "SDG Annex II: services below the top maturity level.",
    ),
    ReportSpec(
        "council",
        "egov_cli.reports.council",
        "Ratsbericht: die drei Zahlen (Leistungen, Online-Dienste, OZG-Leistungen), Fortschritt "
        "seit dem letzten Ratsbericht und seit Jahresbeginn, Ziele, was online ging, was "
        "verspätet ist und warum, je Amt.",
        "Council pack: the three counts (services, online services, OZG services), progress "
        "since the last council report and the start of the year, targets, what went online, "
        "what is late and why, per department.",
    ),
    ReportSpec(
        "coverage",
        "egov_cli.reports.coverage",
        "Abdeckung: Katalog gegen den LeiKa-Referenzkatalog.",
        "Coverage: the catalogue against the LeiKa reference catalogue.",
    ),
)


def _available(spec: ReportSpec) -> bool:
    try:
        return importlib.util.find_spec(spec.module) is not None
    except ModuleNotFoundError:
        return False


def specs() -> tuple[ReportSpec, ...]:
    """The reports this installation can build, in menu order."""
    return tuple(s for s in _SPECS if _available(s))


def report_names() -> tuple[str, ...]:
    return tuple(s.name for s in specs())


def get_builder(name: str) -> Builder:
    """The builder of report ``name`` (raises NotFound naming the known reports)."""
    for spec in specs():
        if spec.name == name:
            module = importlib.import_module(spec.module)
            builder: Builder = module.build
            return builder
    raise NotFound(
        _("No report {name!r}.").format(name=name),
        _("Known reports: {names}.").format(names=", ".join(report_names())),
    )


def build(
    name: str,
    session: Session,
    catalogue_label: str,
    now: datetime,
    options: ReportOptions | None = None,
) -> Report:
    """Build report ``name`` (see the module docstring for the arguments)."""
    return get_builder(name)(session, catalogue_label, _aware(now), options or ReportOptions())


def _aware(now: datetime) -> datetime:
    return now if now.tzinfo else now.replace(tzinfo=UTC)


# --- report runs ------------------------------------------------------------------------------


def last_run(session: Session, report: str) -> datetime | None:
    """When report ``report`` was last written (its latest ReportRun), or None."""
    from sqlalchemy import func
    from sqlmodel import col, select

    from egov_cli.core.models import ReportRun

    latest = session.execute(
        select(func.max(col(ReportRun.generated_at))).where(col(ReportRun.report) == report)
    ).scalar_one_or_none()
    if latest is None:
        return None
    return _aware(latest)


def record_run(
    session: Session,
    report: str,
    *,
    generated_at: datetime,
    actor: str,
    format: str,
    output: str | None = None,
) -> ReportRun:
    """Record that report ``report`` was written (``output``: file path, or None for stdout)."""
    from egov_cli.core.models import ReportRun

    run = ReportRun(
        report=report, generated_at=_aware(generated_at), actor=actor, format=format, output=output
    )
    session.add(run)
    session.flush()
    return run
