"""``egov demo``: a demo catalogue to try everything on, and its readiness report."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import func, select

from egov_cli.cli import output
from egov_cli.cli.report_output import (
    FormatOpt,
    LangOpt,
    OutputOpt,
    check_lang,
    emit_report,
    report_now,
    resolve_format,
)
from egov_cli.cli.state import State, state
from egov_cli.core.config import is_url
from egov_cli.core.errors import Conflict
from egov_cli.core.models import Service
from egov_cli.demo import build_demo
from egov_cli.i18n import N_, _
from egov_cli.reports.builders import build
from egov_cli.storage.db import (
    Catalogue,
    current_revision,
    describe,
    make_engine,
    open_catalogue,
    transaction,
)
from egov_cli.storage.migrate import init_catalogue

DEFAULT_DEMO_DB = "egov-demo.db"


def demo(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar=N_("CATALOGUE"),
            help=N_(
                "Where to create the demo catalogue: a file (default: egov-demo.db in "
                "the current folder) or an empty PostgreSQL database URL. Never the catalogue of "
                "EGOV_DB."
            ),
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help=N_("Replace an existing demo file."))
    ] = False,
    fmt: FormatOpt = None,
    out: OutputOpt = None,
    lang: LangOpt = None,
) -> None:
    """Build a demo catalogue (about 120 services of a Bavarian city with a year of history
    and a year-end target) and show its readiness report.

    Example: egov demo --db demo.db
    """
    check_lang(lang)
    resolve_format(fmt, out)
    st = state(ctx)
    target = (db or DEFAULT_DEMO_DB).strip()
    now = report_now()
    actor = st.settings.actor
    output.message(_("Creating the demo catalogue ..."), quiet=st.quiet)
    if is_url(target):
        catalogue = _empty_database(target)
        with transaction(catalogue) as session:
            result = build_demo(session, actor, now)
    else:
        path = Path(target).expanduser()
        if path.exists() and not force:
            raise Conflict(
                _("{path} exists already; the demo does not overwrite it.").format(path=path),
                _("Add --force to replace it, or choose another file with --db."),
            )
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        _remove_database_files(temp)
        try:
            catalogue = _new_sqlite(str(temp))
            with transaction(catalogue) as session:
                result = build_demo(session, actor, now)
            _close_sqlite(catalogue)
            _remove_database_files(path, keep_main=True)
            os.replace(temp, path)
        finally:
            _remove_database_files(temp)
        catalogue = open_catalogue(str(path))
    demo_state = State(db_option=target, actor_option=st.actor_option, quiet=st.quiet)
    with transaction(catalogue, write=False) as session:
        report = build("readiness", session, describe(target), now)
    emit_report(demo_state, report, fmt, out, lang)
    catalogue.engine.dispose()
    demo_state.catalogue().engine.dispose()  # close the file completely (no -wal left beside)
    shown = describe(target)
    flag = f'--db "{shown}"' if " " in shown else f"--db {shown}"
    output.message(
        _(
            "Demo catalogue {name}: {services} services, {departments} departments, "
            "{procedures} online services, {changes} dated changes in the last year, "
            "target '{target}'.\n"
            "Next: egov {flag} report targets | egov {flag} services list | "
            "egov {flag} report readiness --format html --output report.html"
        ).format(
            name=shown,
            services=result.services,
            departments=result.departments,
            procedures=result.procedures,
            changes=result.changes,
            target=result.target,
            flag=flag,
        ),
        quiet=st.quiet,
    )


def _new_sqlite(target: str) -> Catalogue:
    init_catalogue(target)
    return open_catalogue(target)


def _empty_database(url: str) -> Catalogue:
    """An initialised, empty catalogue at ``url`` (initialised here if it has no schema)."""
    engine = make_engine(url)
    try:
        revision = current_revision(engine)
    finally:
        engine.dispose()
    if revision is None:
        init_catalogue(url)
    catalogue = open_catalogue(url)
    with catalogue.engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(Service)).scalar_one()
    if count:
        catalogue.engine.dispose()
        raise Conflict(
            _(
                "The catalogue {name} already holds {count} services; the demo needs an empty one."
            ).format(name=describe(url), count=count),
            _("Give the demo an empty database (or a file) with --db."),
        )
    return catalogue


def _close_sqlite(catalogue: Catalogue) -> None:
    """Close every connection: SQLite then folds its write-ahead log into the file and removes
    it, so the file alone is the complete catalogue."""
    catalogue.engine.dispose()


def _remove_database_files(path: Path, *, keep_main: bool = False) -> None:
    """Remove a SQLite file and its -wal / -shm companions (only the companions: keep_main)."""
    base = path
    for suffix in ("-wal", "-shm", "-journal"):
        Path(str(base) + suffix).unlink(missing_ok=True)
    if not keep_main:
        base.unlink(missing_ok=True)
