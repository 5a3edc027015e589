"""``egov departments``: the departments (Ämter / Fachbereiche) services belong to."""

from __future__ import annotations

from typing import Annotated

import typer

from egov_cli.cli import json_shapes, output
from egov_cli.cli.options import JsonOpt
from egov_cli.cli.state import use_json
from egov_cli.core.errors import ValidationError
from egov_cli.domain.departments import add_department, list_departments, rename_department
from egov_cli.i18n import N_, _

departments_app = typer.Typer(help=N_("Departments (Ämter / Fachbereiche)."), no_args_is_help=True)
Opt = typer.Option


@departments_app.command("list")
def departments_list(ctx: typer.Context, json: JsonOpt = False) -> None:
    """List departments with their number of services.

    Example: egov departments list
    """
    st = use_json(ctx, json)
    with st.session() as session:
        rows = list_departments(session)
    if json:
        output.print_json(json_shapes.departments_list(rows))
        return
    output.table(
        [(d.code, d.name, d.contact, d.services) for d in rows],
        [_("Code"), _("Name"), _("Contact"), _("Services")],
        justify={3: "right"},
    )


@departments_app.command("add")
def departments_add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(metavar=N_("CODE"), help=N_("Short code, e.g. 32."))],
    name: Annotated[str, typer.Argument(metavar=N_("NAME"), help=N_("Name, e.g. Ordnungsamt."))],
    contact: Annotated[
        str | None, Opt("--contact", metavar=N_("CONTACT"), help=N_("Contact person or mailbox."))
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Add a department.

    Example: egov departments add 32 "Ordnungsamt" --contact ordnungsamt@stadt.example
    """
    st = use_json(ctx, json)
    dept = st.run_write(
        lambda session: add_department(
            session, st.change_context("departments add"), code, name, contact
        )
    )
    if json:
        output.print_json(json_shapes.department_added(dept))
    else:
        output.message(
            _("Department added: {code} {name}").format(code=dept.code, name=dept.name),
            quiet=st.quiet,
        )


@departments_app.command("rename")
def departments_rename(
    ctx: typer.Context,
    code: Annotated[
        str, typer.Argument(metavar=N_("CODE"), help=N_("Current code of the department."))
    ],
    name: Annotated[str | None, typer.Argument(metavar=N_("NAME"), help=N_("New name."))] = None,
    new_code: Annotated[
        str | None, Opt("--code", metavar=N_("DEPARTMENT"), help=N_("New code."))
    ] = None,
    contact: Annotated[
        str | None, Opt("--contact", metavar=N_("CONTACT"), help=N_("New contact."))
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Rename a department (name, code or contact); services keep pointing at it.

    Example: egov departments rename 32 "Amt für öffentliche Ordnung"
    """
    st = use_json(ctx, json)
    if name is None and new_code is None and contact is None:
        raise ValidationError(_("Nothing to change."), _("Give a new name, --code or --contact."))
    dept, changes = st.run_write(
        lambda session: rename_department(
            session,
            st.change_context("departments rename"),
            code,
            name=name,
            new_code=new_code,
            contact=contact,
        )
    )
    if json:
        output.print_json(json_shapes.department_renamed(dept, changes))
    else:
        output.message(
            _("Department {code}: {changes}").format(
                code=dept.code, changes=output.changes_text(changes) or _("no change")
            ),
            quiet=st.quiet,
        )
