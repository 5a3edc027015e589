"""Target status as reports show it: the status table (with its rule in the note), the figures
counting targets per status and services past their own target date, and a target's scope in
words. The readiness, targets and council reports share them.

Target status values in tables and figures are the codes ``on-track``, ``at-risk``, ``missed``
of kind ``target_status`` (the renderers show ``document.TARGET_STATUS_LABELS``); the rule that
sets them is in ``domain/progress.py``.
"""

from __future__ import annotations

from typing import Any

from egov_cli.domain.progress import Progress, ServiceTargets
from egov_cli.domain.targets import DIGITALES_AMT
from egov_cli.reports.document import Col, Figure, Label, Table
from egov_cli.reports.scope import sdg_label

STATUS_RULE = Label(
    "Regel: verfehlt = Fälligkeitsdatum vorbei und Ziel nicht erreicht; gefährdet = Ziel noch "
    "nicht erreicht und die Prognose zum Fälligkeitsdatum (heutiger Stand + bisheriges Tempo × "
    "verbleibende Wochen) liegt unter dem Ziel; sonst im Plan.",
    "Rule: missed = due date passed and goal not reached; at risk = goal not reached yet and the "
    "forecast for the due date (today's count + pace so far × weeks left) is below the goal; "
    "on track otherwise.",
)

STATUS_COLUMNS = (
    Col("target", Label("Ziel", "Target")),
    Col("scope", Label("Umfang", "Scope")),
    Col("threshold", Label("Schwelle", "Threshold"), "level"),
    Col("goal", Label("Zielwert", "Goal"), "int"),
    Col("start", Label("Stand Beginn", "At start"), "int"),
    Col("current", Label("Stand heute", "Today"), "int"),
    Col("forecast", Label("Prognose (abgerundet)", "Forecast (rounded down)"), "int"),
    Col("due", Label("Fällig", "Due"), "date"),
    Col("status", Label("Status", "Status"), "target_status"),
)


ONLINE_PROCEDURES = Label(
    "Online-Dienste (BayernPortal, elektr. Einreichung)",
    "online procedures (BayernPortal, submitted electronically)",
)
ALL = Label("alle", "all")


#: How a target's scope filters read (``domain.progress.scope_dict``: filter -> value).
_SCOPE_WORDS = {
    "department": Label("Amt {}", "department {}"),
    "topic": Label("Themenfeld {}", "topic {}"),
    "leika_type": Label("LeiKa-Typ {}", "LeiKa type {}"),
}


def _scope_part(key: str, value: str, lang: str) -> str:
    if key == "sdg_annex2":
        return sdg_label(value == "true")(lang)
    words = _SCOPE_WORDS.get(key)
    return words(lang).format(value) if words else value


def scope_text(p: Progress) -> Label:
    """The target's scope in words (``Amt 50, Themenfeld Familie``; ``alle`` / ``all``)."""

    def text(lang: str) -> str:
        parts = [_scope_part(k, v, lang) for k, v in p.scope.items()]
        filters = ", ".join(parts) if parts else ALL(lang)
        return f"{ONLINE_PROCEDURES(lang)}: {filters}" if p.kind == DIGITALES_AMT else filters

    return Label(text("de"), text("en"))


def status_row(p: Progress) -> dict[str, Any]:
    return {
        "target": p.name,
        "scope": scope_text(p),
        "threshold": p.threshold_level,
        "goal": p.goal,
        "start": p.start_count,
        "current": p.current_count,
        "forecast": p.forecast,
        "due": p.due_date,
        "status": p.status,
    }


#: Services past their own target date: a line of its own, never a target's status.
SERVICES_OVERDUE = Label(
    "Leistungen nach ihrem Zieldatum unter ihrem Zielreifegrad (Zielvorgaben je Leistung)",
    "Services past their target date below their target level (per-service targets)",
)
FORECAST_NOTE = Label(
    "Prognosen sind ganze Leistungen, abgerundet.",
    "Forecasts are whole services, rounded down.",
)


def status_table(progresses: list[Progress]) -> Table:
    """The targets with their status (the rule in the note): the same targets, and the same
    statuses, as the figures above it (:func:`status_figures`)."""
    return Table(
        "target_status",
        Label("Zielstatus", "Target status"),
        STATUS_COLUMNS,
        tuple(status_row(p) for p in progresses),
        note=Label(f"{STATUS_RULE.de} {FORECAST_NOTE.de}", f"{STATUS_RULE.en} {FORECAST_NOTE.en}"),
    )


def status_figures(
    progresses: list[Progress], st: ServiceTargets | None = None
) -> tuple[Figure, ...]:
    """How many targets are in each status; then, where per-service target dates are set, how
    many services are past theirs (a line of its own: no target's status)."""
    count = {
        s: sum(1 for p in progresses if p.status == s) for s in ("on-track", "at-risk", "missed")
    }
    figures = [
        Figure("targets", Label("Ziele", "Targets"), len(progresses)),
        Figure("targets_on_track", Label("Ziele im Plan", "Targets on track"), count["on-track"]),
        Figure("targets_at_risk", Label("Ziele gefährdet", "Targets at risk"), count["at-risk"]),
        Figure("targets_missed", Label("Ziele verfehlt", "Targets missed"), count["missed"]),
    ]
    if st is not None and st.total:
        figures.append(Figure("services_overdue", SERVICES_OVERDUE, st.overdue))
    return tuple(figures)
