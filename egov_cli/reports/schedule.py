"""The schedule of ``egov report run SCHEDULE.toml``: which reports, in which formats, where.

A schedule file (TOML, UTF-8)::

    output = "berichte"             # folder for the files (relative to this file); required
    language = "de"                 # de (default) or en
    formats = ["html", "pdf"]       # default formats of every report (default: html)
    fail_on = "at-risk"             # optional default of --fail-on: at-risk or missed

    [filters]                       # optional filters for every report
    department = "33"

    [[report]]
    name = "readiness"

    [[report]]
    name = "changes"
    formats = ["md", "json"]        # overrides the default formats
    since = "last"                  # filters of this report (override [filters])

Filters: ``department``, ``topic``, ``leika_type``, ``sdg`` (true/false), ``since`` (a date
``2026-01-01`` or ``last``), ``due_within_days`` (a whole number), ``target`` (a target name).
Every error names the file and the key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from egov_cli.core.errors import FileError, ValidationError
from egov_cli.core.os_reason import os_reason
from egov_cli.i18n import _

FILE_FORMATS = ("md", "html", "pdf", "xlsx", "csv", "json")
LANGS = ("de", "en")
FAIL_ON = ("at-risk", "missed")
TOP_KEYS = ("output", "language", "formats", "fail_on", "filters", "report", "reports")
FILTER_KEYS = ("department", "topic", "leika_type", "sdg", "since", "due_within_days", "target")


@dataclass(frozen=True)
class ScheduledReport:
    name: str
    formats: tuple[str, ...]
    #: keyword arguments of ``egov_cli.reports.builders.ReportOptions``
    options: dict[str, Any] = field(default_factory=dict)
    #: the filters as written, for people
    filters: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Schedule:
    path: Path
    output_dir: Path
    lang: str
    reports: tuple[ScheduledReport, ...]
    fail_on: str | None = None


def _bad(path: Path, key: str, message: str, hint: str) -> ValidationError:
    return ValidationError(
        _("{path}, key {key!r}: {message}").format(path=path, key=key, message=message), hint
    )


def _text(path: Path, key: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _bad(
            path,
            key,
            _("{value!r} is not a text.").format(value=value),
            _('Write {key} = "..." in quotes.').format(key=key),
        )
    return value.strip()


def _formats(path: Path, key: str, value: object) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise _bad(
            path,
            key,
            _("{value!r} is not a list of formats.").format(value=value),
            _('Write e.g. formats = ["html", "xlsx"].'),
        )
    result: list[str] = []
    for item in items:
        fmt = str(item).strip().lower()
        if fmt not in FILE_FORMATS:
            raise _bad(
                path,
                key,
                _("{value!r} is not a report file format.").format(value=item),
                _("Use {allowed}.").format(allowed=", ".join(FILE_FORMATS)),
            )
        if fmt not in result:
            result.append(fmt)
    return tuple(result)


def _filters(path: Path, key: str, table: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    options: dict[str, Any] = {}
    shown: dict[str, str] = {}
    for name, value in table.items():
        where = f"{key}.{name}" if key else name
        if name not in FILTER_KEYS:
            raise _bad(
                path,
                where,
                _("is not a known filter."),
                _("Filters: {names}.").format(names=", ".join(FILTER_KEYS)),
            )
        if name in ("department", "topic", "leika_type", "target"):
            options[name] = _text(path, where, value)
        elif name == "sdg":
            if not isinstance(value, bool):
                raise _bad(
                    path,
                    where,
                    _("{value!r} is not true or false.").format(value=value),
                    _("Write sdg = true."),
                )
            options["sdg_annex2"] = value
        elif name == "due_within_days":
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise _bad(
                    path,
                    where,
                    _("{value!r} is not a whole number of days.").format(value=value),
                    _("Write e.g. due_within_days = 30."),
                )
            options["due_within_days"] = value
        else:  # since
            if isinstance(value, str) and value.strip().lower() == "last":
                options["since_last"] = True
                options["since"] = None
            elif isinstance(value, datetime | date):
                options["since"] = value
                options["since_last"] = False
            else:
                try:
                    options["since"] = date.fromisoformat(str(value).strip())
                    options["since_last"] = False
                except ValueError:
                    raise _bad(
                        path,
                        where,
                        _("{value!r} is not a date or 'last'.").format(value=value),
                        _('Write since = 2026-01-01 or since = "last".'),
                    ) from None
        shown[name] = str(value).lower() if isinstance(value, bool) else str(value)
    return options, shown


def load_schedule(path: Path, known_reports: tuple[str, ...]) -> Schedule:
    """Read and check a schedule file; ``known_reports`` are the report names one may use."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise FileError(
            _("Schedule {path} does not exist.").format(path=path),
            _("Check the path; see reports/nightly.toml for an example."),
        ) from None
    except OSError as exc:
        raise FileError(
            _("Cannot read schedule {path}: {reason}.").format(path=path, reason=os_reason(exc)),
            _("Check its permissions."),
        ) from None
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ValidationError(
            _("Schedule {path} is not UTF-8 text.").format(path=path), _("Save it as UTF-8.")
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(
            _("Schedule {path} is not valid TOML: {reason}.").format(path=path, reason=exc),
            _("Fix the line named; see reports/nightly.toml for an example."),
        ) from None
    for key in data:
        if key not in TOP_KEYS:
            raise _bad(
                path,
                key,
                _("is not a schedule setting."),
                _("Settings: {names}.").format(names=", ".join(TOP_KEYS)),
            )
    if "output" not in data:
        raise _bad(
            path,
            "output",
            _("is missing."),
            _('Name the folder for the reports: output = "berichte".'),
        )
    folder = Path(_text(path, "output", data["output"])).expanduser()
    if not folder.is_absolute():
        folder = path.parent / folder
    lang = _text(path, "language", data.get("language", "de")).lower()
    if lang not in LANGS:
        raise _bad(
            path,
            "language",
            _("{value!r} is not supported.").format(value=lang),
            _('Write language = "de" or "en".'),
        )
    default_formats = _formats(path, "formats", data.get("formats", ["html"]))
    fail_on = data.get("fail_on")
    if fail_on is not None:
        fail_on = _text(path, "fail_on", fail_on).lower()
        if fail_on not in FAIL_ON:
            raise _bad(
                path,
                "fail_on",
                _("{value!r} is not at-risk or missed.").format(value=fail_on),
                _('Write fail_on = "at-risk".'),
            )
    base_filters = data.get("filters", {})
    if not isinstance(base_filters, dict):
        raise _bad(
            path, "filters", _("is not a table."), _("Write [filters] with one filter a line.")
        )
    entries: list[tuple[str, dict[str, Any]]] = []
    listed = data.get("reports", [])
    if not isinstance(listed, list):
        raise _bad(
            path, "reports", _("is not a list."), _('Write reports = ["readiness", "targets"].')
        )
    for i, name in enumerate(listed, start=1):
        entries.append((f"reports[{i}]", {"name": name}))
    tables = data.get("report", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise _bad(
            path,
            "report",
            _("is not a list of [[report]] tables."),
            _('Write [[report]] then name = "readiness".'),
        )
    entries += [(f"report[{i}]", t) for i, t in enumerate(tables, start=1)]
    if not entries:
        raise _bad(
            path,
            "report",
            _("no report is scheduled."),
            _('Add [[report]] with name = "readiness".'),
        )
    reports = []
    for where, table in entries:
        if "name" not in table:
            raise _bad(path, f"{where}.name", _("is missing."), _('Write name = "readiness".'))
        name = _text(path, f"{where}.name", table["name"]).lower()
        if name not in known_reports:
            raise _bad(
                path,
                f"{where}.name",
                _("{value!r} is not a report.").format(value=name),
                _("Reports: {names}.").format(names=", ".join(known_reports)),
            )
        formats = (
            _formats(path, f"{where}.formats", table["formats"])
            if "formats" in table
            else default_formats
        )
        own = {k: v for k, v in table.items() if k not in ("name", "formats")}
        options, shown = _filters(path, "filters", dict(base_filters))
        more, more_shown = _filters(path, where, own)
        reports.append(ScheduledReport(name, formats, {**options, **more}, {**shown, **more_shown}))
    return Schedule(path, folder, lang, tuple(reports), fail_on)


def dated_stem(name: str, day: date) -> str:
    """``readiness-2026-11-25``: the file name of a scheduled report without its extension."""
    return f"{name}-{day.isoformat()}"
