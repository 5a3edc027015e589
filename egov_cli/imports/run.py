"""The import use case: :func:`run_import` brings one spreadsheet into the catalogue.

In order: the file is checked (``reading.check_input``: missing, unknown or unsafe files are
refused), its cells read and its header found, its rows parsed against the catalogue's maturity
scale, planned against the catalogue (``plan``), compared with it (``compare``) and, unless it
is a dry run, written (``write``), all in one transaction. With ``on_error="abort"`` any
problem raises ``InputRejected`` listing every problem, before anything is written; with
``on_error="skip"`` the valid rows are written and the result lists the rejected ones (also
written to ``options.rejects`` once the import is committed, if given).

Given a catalogue, the import runs in a transaction of its own, run again from the start (the
file read again) if it collides with a concurrent writer. Given a session, it runs in that
session's transaction, which the caller commits.

Speed (``benchmarks/bench_import.py``, 100,000 rows): the file's cells are read on a thread
while the database modules load and the reference and the catalogue are read
(:class:`~egov_cli.imports.background.Background`); a SQLite catalogue's services are read on a
thread of their own from the start (``early``: 0.13 s of the upsert when it was introduced,
about 4 %); these two save waiting, not work, and show in the wall time only. The cyclic
garbage collector is paused for the import (:func:`collector_paused`).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from egov_cli.core.errors import InputRejected, Problem
from egov_cli.i18n import _
from egov_cli.imports.background import Background
from egov_cli.imports.early import EarlyRead, import_fields, start_early_read
from egov_cli.imports.options import ImportOptions
from egov_cli.imports.reading import OpenedFile, check_input, open_file
from egov_cli.imports.result import ImportResult, RejectedRow, column_map_json
from egov_cli.values.fold import fold

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from sqlmodel import Session

    from egov_cli.storage.db import Catalogue

#: Called with the number of rows read since the last call, while the file's rows are parsed.
Progress = Callable[[int], None]


def run_import(
    where: Catalogue | Session | str,
    path: Path,
    options: ImportOptions | None = None,
    *,
    progress: Progress | None = None,
) -> ImportResult:
    """Import the spreadsheet at ``path`` into the catalogue ``where``: an opened catalogue, a
    catalogue's path or URL (opened here once the file is being read: the modules the
    database needs load meanwhile), or the session of a transaction the caller holds. See the
    module docstring."""
    options = options or ImportOptions()
    with collector_paused(), _early_read(where) as early:
        checked = check_input(path)
        read = options.read_options()
        # The file's cells are read on a thread (the reader works outside the
        # interpreter) while the modules load and the reference and catalogue are read.
        opening = Background(partial(open_file, checked, read), "egov-read")
        from egov_cli.core.models import utcnow
        from egov_cli.domain.reference import load_reference
        from egov_cli.storage.db import Catalogue, open_catalogue, run_transaction, transaction

        load_reference()  # read once per process: the plan looks up every key in it
        if not isinstance(where, Catalogue | str):
            at = options.at or utcnow()
            result, headers = _import(
                where, opening.result(), replace(options, at=at), None, progress
            )
            return result
        catalogue = open_catalogue(where) if isinstance(where, str) else where
        tried = False

        def work(session: Session) -> tuple[ImportResult, list[str]]:
            nonlocal tried
            # Another attempt (after a concurrent writer) reads the file again.
            opened = open_file(checked, read) if tried else opening.result()
            tried = True
            # The time of the changes: now, with the write lock held (see ``transaction``).
            at = options.at or utcnow()
            return _import(session, opened, replace(options, at=at), early, progress)

        if options.dry_run:
            with transaction(catalogue, write=False) as session:
                result, headers = work(session)
        else:
            result, headers = run_transaction(catalogue, work)
    if options.rejects is not None and result.rejected_rows and not options.dry_run:
        beside = _write_rejects(options.rejects, headers, result.rejected_rows)
        result = replace(
            result,
            rejects=str(options.rejects),
            rejects_csv=None if beside is None else str(beside),
        )
    return result


def _import(
    session: Session,
    opened: OpenedFile,
    options: ImportOptions,
    early: EarlyRead | None,
    progress: Progress | None,
) -> tuple[ImportResult, list[str]]:
    """Parse, plan, compare and (unless a dry run) write, in ``session``; the result and the
    file's header cells (for the rejects file)."""
    from egov_cli.domain.scale import load_scale
    from egov_cli.imports.compare import compare, listed
    from egov_cli.imports.known import load_known
    from egov_cli.imports.plan import Planner
    from egov_cli.imports.write import write_import

    in_file = {column.field for column in opened.header[1].columns}
    known = load_known(session, early, fields=import_fields(in_file))
    scale = load_scale(session)
    data = opened.parse(scale, progress)
    allowed = set(scale.numbers)
    for name in ("level", "target_level"):  # parsed against the same scale; nothing slipped by?
        column = data.values.get(name)
        if column is not None:
            for value in [v for v in column if v is not None and v not in allowed]:
                scale.check(value, name)
    planner = Planner(data, known, options)
    plan = planner.plan()
    if options.profile is not None:
        present = {fold(entry.header) for entry in data.column_map}
        for header in options.mapping:
            if fold(header) not in present:
                planner.warnings.append(
                    _(
                        "import profile {name!r} no longer fits the file: it has no column "
                        "{header!r}. Check the file, or save the profile anew with "
                        "--save-profile."
                    ).format(name=options.profile, header=header)
                )
    problems = sorted(
        [*data.problems, *(p for ps in planner.problems.values() for p in ps)],
        key=lambda p: p.row or 0,
    )
    if problems and options.on_error == "abort":
        raise InputRejected(problems, column_map=column_map_json(data.column_map))
    rejected_rows = [
        RejectedRow(number, row_problems, data.raw_row(number))
        for number, row_problems in _by_row(problems).items()
    ]
    headers = data.headers
    # The file's cells and values are not needed from here on: less memory while writing.
    data.raw = None
    comparison = compare(plan, known, planner)
    data.values = {}
    result = ImportResult(
        file_name=data.file_name,
        sha256=data.sha256,
        sheet=data.sheet,
        header_row=data.header_row,
        mode=options.mode,
        dry_run=options.dry_run,
        import_id=None,
        rows=data.data_rows,
        created=len(comparison.new_positions),
        changed=len(comparison.changed),
        unchanged=comparison.unchanged,
        rejected=len(rejected_rows),
        new_departments=sorted(planner.new_departments),
        new_procedures=sorted(planner.new_procedures),
        changed_procedures=comparison.procedure_changes,
        new_services=[],
        changes=[],
        rejected_rows=rejected_rows,
        unknown_headers=list(data.unknown_headers),
        column_map=list(data.column_map),
        warnings=planner.warnings,
    )
    if not options.dry_run:
        assert options.at is not None
        import_id, records = write_import(
            session, result, plan, planner, known, comparison,
            actor=options.actor, at=options.at, sizes=options.sizes,
        )  # fmt: skip
        result = replace(result, import_id=import_id, history_records=records)
        if options.save_profile:
            _save_profile(session, options)
    # The long lists once the writing is done (on a big import they would take memory
    # while it writes).
    new_services, changes = listed(plan, known, comparison)
    return replace(result, new_services=new_services, changes=changes), headers


def _save_profile(session: Session, options: ImportOptions) -> None:
    """The import's reading settings kept as an import profile (``options.save_profile``)."""
    from egov_cli.core.history import ChangeContext
    from egov_cli.domain.profiles import Profile, save_profile

    assert options.save_profile is not None
    assert options.at is not None
    save_profile(
        session,
        ChangeContext(actor=options.actor, source="import", at=options.at),
        Profile(
            name=options.save_profile,
            mapping=dict(options.mapping),
            value_maps={name: dict(words) for name, words in options.value_map.items()},
            sheet=options.sheet,
            header_row=options.header_row,
            base_url=options.base_url,
        ),
    )


def _by_row(problems: list[Problem]) -> dict[int, list[Problem]]:
    rows: dict[int, list[Problem]] = {}
    for problem in problems:
        rows.setdefault(problem.row or 0, []).append(problem)
    return rows


def _write_rejects(path: Path, headers: list[str], rows: list[RejectedRow]) -> Path | None:
    """The rejected rows as read, each with its problems in an error column; the CSV file
    beside the workbook where a cell was too long for it."""
    from egov_cli.imports.reading.rejects import write_rejects

    return write_rejects(
        path,
        headers,
        [
            (
                r.raw,
                "; ".join(p.message + (f" - {p.hint}" if p.hint else "") for p in r.problems),
            )
            for r in rows
        ],
    )


def _early_read(where: Catalogue | Session | str) -> AbstractContextManager[EarlyRead | None]:
    """A SQLite catalogue's services read on a thread from now on (see ``early``), closed when
    the import ends. (A catalogue given by a ``sqlite:///`` URL is read in the transaction:
    taking the URL apart would load the database modules before the read could begin.)"""
    if isinstance(where, str):
        from egov_cli.core.config import is_url

        path = None if is_url(where) else Path(where)
    else:
        from egov_cli.storage.db import Catalogue, sqlite_path

        # A session's transaction may have changed the catalogue: it is read there.
        path = sqlite_path(where.target) if isinstance(where, Catalogue) else None
    if path is None or not path.is_file():
        return nullcontext()
    return start_early_read(path)


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while the import allocates millions of small objects
    that live until it ends (it would walk them again and again for nothing). On the way out,
    what is still alive is frozen while the collector comes back on, then thawed into the
    oldest generation: the next young collection does not walk the import's objects (a third of
    a second after 100,000 rows, when it was introduced)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.enable()
            gc.unfreeze()
