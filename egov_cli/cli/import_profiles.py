"""``egov import profiles list|show NAME|remove NAME``: the saved import profiles.

Profiles are looked after under ``egov import`` because that is where they are made and used
(``--save-profile``, ``--profile``): the officer finds them in ``egov import --help``.
"""

from __future__ import annotations

import typer

from egov_cli.cli import output
from egov_cli.cli.state import State
from egov_cli.i18n import _

#: ``egov import profiles list|show NAME|remove NAME``: the saved import profiles.
PROFILES = "profiles"


def profiles(st: State, words: list[str], json: bool) -> None:
    """``egov import profiles list|show NAME|remove NAME``."""
    from egov_cli.domain.profiles import get_profile, list_profiles, remove_profile

    action, names = (words[0], words[1:]) if words else ("list", [])
    if action == "list" and not names:
        with st.session() as session:
            profiles = list_profiles(session)
        if json:
            output.print_json({"profiles": [{"name": p.name, **p.settings()} for p in profiles]})
            return
        if not profiles:
            output.message(
                _("No import profiles. Save one: egov import FILE --save-profile NAME"),
                quiet=st.quiet,
            )
        for p in profiles:
            columns = ", ".join(f"{h} -> {f}" for h, f in p.mapping.items()) or "-"
            output.plain(f"{p.name}: {columns}")
        return
    if action in ("show", "remove") and len(names) == 1:
        if action == "show":
            with st.session() as session:
                shown = get_profile(session, names[0])
        else:
            shown = st.run_write(
                lambda session: remove_profile(
                    session, st.change_context("import profiles remove"), names[0]
                )
            )
        if json:
            output.print_json({"name": shown.name, **shown.settings()})
            return
        if action == "remove":
            output.message(
                _("Import profile removed: {name}").format(name=shown.name), quiet=st.quiet
            )
        output.plain(f"{shown.name}:")
        for header, name in shown.mapping.items():
            output.plain(f"  {header} -> {name}")
        for name, words_of in shown.value_maps.items():
            for word, value in words_of.items():
                output.plain(f"  {name}: {word} = {value}")
        for label, setting in (
            (_("sheet"), shown.sheet),
            (_("header row"), shown.header_row),
            (_("base URL"), shown.base_url),
        ):
            if setting is not None:
                output.plain(f"  {label}: {setting}")
        return
    raise typer.BadParameter(
        _("Use: egov import profiles list | show NAME | remove NAME."), param_hint="profiles"
    )
