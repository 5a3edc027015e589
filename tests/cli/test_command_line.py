"""The command line as a whole: the command list, short flags, what value options ask for."""

from __future__ import annotations

import subprocess
import sys

import typer
from typer.main import get_command

from egov_cli.cli.app import app
from tests.helpers import egov

# The import command declares its own options (see egov_cli/cli/import_cmd.py).
NOT_YET_NAMED = {"import"}


def _commands() -> dict[str, typer.core.TyperCommand]:
    """Every command of ``egov``, by its path (``services list``)."""
    found: dict[str, typer.core.TyperCommand] = {}

    def walk(cmd: typer.core.TyperCommand | typer.core.TyperGroup, path: list[str]) -> None:
        if isinstance(cmd, typer.core.TyperGroup):
            ctx = typer.Context(cmd)
            for name in cmd.list_commands(ctx):
                walk(cmd.get_command(ctx, name), [*path, name])  # type: ignore[arg-type]
        else:
            found[" ".join(path)] = cmd

    walk(get_command(app), [])  # type: ignore[arg-type]
    return found


def _listed() -> dict[str, str]:
    """The command list of ``egov --help``: name -> short help."""
    lines = egov("--help").stdout.splitlines()
    rows = [line.split(None, 1) for line in lines[lines.index("Befehle:") + 1 :] if line.strip()]
    return {row[0]: row[1] if len(row) > 1 else "" for row in rows}


def test_egov_help_lists_every_command_with_the_start_of_its_own_help() -> None:
    listed = _listed()
    assert list(listed)[:3] == ["init", "import", "export"]
    assert {"services", "departments", "procedures", "reference", "targets", "report"} <= set(
        listed
    )
    for name, short in listed.items():
        own = " ".join(egov(name, "--help").stdout.split("\n\n", 1)[1].split())
        assert own.startswith(short.removesuffix("...").strip()), name


def test_egov_help_loads_no_command_module() -> None:
    probe = (
        "import sys\nsys.argv = ['egov', '--help']\nfrom egov_cli.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('LOADED=' + ','.join(sorted(m for m in sys.modules if m.endswith('_cmd'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert "services" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "LOADED="


def test_enrich_is_a_services_command_and_coverage_a_report() -> None:
    commands = _commands()
    assert {"services enrich", "report coverage"} <= set(commands)
    assert not any(path.startswith("reference ") and "enrich" in path for path in commands)


def test_each_short_flag_means_one_option_across_every_command() -> None:
    meanings: dict[str, set[str]] = {}
    root = get_command(app)
    for cmd in [root, *_commands().values()]:
        for param in cmd.params:
            longs = [o for o in param.opts if o.startswith("--")]
            for short in (o for o in param.opts if len(o) == 2 and o.startswith("-")):
                meanings.setdefault(short, set()).update(longs)
    assert {short: longs for short, longs in meanings.items() if len(longs) > 1} == {}
    assert meanings["-q"] == {"--quiet"}


def test_every_value_option_says_what_it_wants() -> None:
    unnamed = [
        f"{path} {param.opts[0]}"
        for path, cmd in _commands().items()
        if path not in NOT_YET_NAMED
        for param in cmd.params
        if isinstance(param, typer.core.TyperOption) and not param.is_flag and param.metavar is None
    ]
    assert unnamed == []
    assert "--go-live DATUM" in egov("services", "add", "--help").stdout
    assert "--search TEXT" in egov("services", "list", "--help").stdout
    options = egov("services", "edit", "--help").stdout.split("Optionen:")[1]
    assert "<str>" not in options


def test_add_and_edit_offer_the_same_service_fields() -> None:
    commands = _commands()
    options = {
        path: [p.opts[0] for p in commands[path].params if isinstance(p, typer.core.TyperOption)]
        for path in ("services add", "services edit")
    }
    assert options["services edit"] == [
        "--leika", "--name", *options["services add"][1:]
    ]  # fmt: skip
    assert len(options["services add"]) == 29  # 28 fields (the name is an argument) and --json
