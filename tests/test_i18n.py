"""egov speaks one language per run: German by default, English on request.

The catalog is checked against the code (every message has a German translation with the
same placeholders), Click's headings and parser errors are pinned in both languages (so a
Typer upgrade cannot undo them silently), and every command's help and a set of failing
commands are searched for sentences of the other language.
"""

from __future__ import annotations

import gettext
import json
import os
import re
import string
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from egov_cli import i18n
from egov_cli.cli.app import app
from tests.helpers import egov

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "egov_cli" / "locale" / "de" / "LC_MESSAGES" / "egov.po"


def _catalog() -> Catalog:
    with PO.open("rb") as file:
        return read_po(file)


def _extracted() -> dict[str, int]:
    """Every message id in the code (as ``pybabel extract -F babel.cfg -k N_`` finds them)."""
    with (ROOT / "babel.cfg").open() as file:
        method_map, options_map = parse_mapping_cfg(file)
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    found: dict[str, int] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords
    ):
        msgid = message if isinstance(message, str) else message[0]
        if msgid:
            found.setdefault(f"{msgid}", lineno)
            found[msgid] = lineno
        del filename
    return found


def _fields(text: str) -> list[str]:
    """The placeholders of a format string (``{count}``, ``{value!r}`` -> ``count``, ``value``)."""
    return sorted(name for _t, name, _f, _c in string.Formatter().parse(text) if name is not None)


def test_every_message_in_the_code_has_a_german_translation() -> None:
    catalog = _catalog()
    missing = []
    for msgid in _extracted():
        message = catalog.get(msgid)
        if message is None:
            missing.append(msgid)
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(msgid)
    assert not missing, "untranslated (run pybabel extract/update, see README):\n" + "\n".join(
        missing
    )


def test_no_translation_has_an_unfilled_or_extra_placeholder() -> None:
    wrong = []
    for message in _catalog():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = _fields(ids[-1])
        for text in strings:
            if text and _fields(text) != expected:
                wrong.append(f"{ids[0]!r}: {text!r}")
    assert not wrong, "\n".join(wrong)


def test_the_catalog_holds_no_message_the_code_no_longer_uses() -> None:
    used = set(_extracted())
    stale = [
        m.id
        for m in _catalog()
        if m.id and (m.id if isinstance(m.id, str) else m.id[0]) not in used
    ]
    assert not stale, stale


def test_the_german_catalog_compiles_and_translates_a_plural() -> None:
    translations = gettext.GNUTranslations(__import__("io").BytesIO(i18n.compile_po(PO)))
    one = translations.ngettext("and {count} more problem", "and {count} more problems", 1)
    many = translations.ngettext("and {count} more problem", "and {count} more problems", 5)
    assert (one, many) == ("und {count} weiteres Problem", "und {count} weitere Probleme")


# --- the language of the run -------------------------------------------------------------


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, "de"),
        ({"LANG": "C.UTF-8"}, "de"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "de_DE.UTF-8", "LC_MESSAGES": "en_GB.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "de_DE.UTF-8"}, "de"),
        ({"LANG": "en_US.UTF-8", "EGOV_LANG": "de"}, "de"),
        ({"LANG": "de_DE.UTF-8", "EGOV_LANG": "en"}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, "de"),
    ],
)
def test_the_language_comes_from_egov_lang_then_the_locale_then_german(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], expected: str
) -> None:
    for name in ("EGOV_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    result = egov("--nope")
    english = "Error: No such option: --nope" in result.stderr
    german = "Fehler: Unbekannte Option: --nope" in result.stderr
    assert (english, german) == (expected == "en", expected == "de"), result.stderr


def test_lang_before_the_command_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EGOV_LANG", "de")
    assert "services list [OPTIONS]" in egov("--lang", "en", "services", "list", "-h").stdout
    monkeypatch.setenv("EGOV_LANG", "en")
    assert "services list [OPTIONEN]" in egov("--lang=de", "services", "list", "-h").stdout


def test_an_unknown_language_is_refused_with_the_languages_egov_speaks() -> None:
    result = egov("--lang", "fr", "db", "info")
    assert result.exit_code == 2
    assert "Ungültiger Wert für '--lang': 'fr' ist keine Sprache, die egov spricht" in result.stderr


# --- Click's words: pinned, so that a Typer upgrade cannot undo them --------------------


def test_help_headings_are_german_by_default_and_english_on_request() -> None:
    german = egov("targets", "add", "--help").stdout
    for heading in ("Aufruf: ", "targets add [OPTIONEN]", "\nArgumente:\n", "\nOptionen:\n"):
        assert heading in german
    assert "Diese Hilfe anzeigen und beenden." in german
    assert "[Pflicht]" in german
    assert "Befehle:\n" in egov("--help").stdout
    english = egov("--lang", "en", "targets", "add", "--help").stdout
    for heading in ("Usage: ", "targets add [OPTIONS]", "\nArguments:\n", "\nOptions:\n"):
        assert heading in english
    assert "Commands:\n" in egov("--lang", "en", "--help").stdout


@pytest.mark.parametrize(
    ("args", "german", "english"),
    [
        (["--nope"], "Unbekannte Option: --nope", "No such option: --nope"),
        (
            ["services", "lst"],
            "Unbekannter Befehl 'lst'. Meinten Sie 'list'?",
            "No such command 'lst'. Did you mean 'list'?",
        ),
        (["targets", "add"], "Argument 'NAME' fehlt.", "Missing argument 'NAME'."),
        (["db", "backup"], "Argument 'DATEI' fehlt.", "Missing argument 'FILE'."),
        (
            ["services", "list", "--department"],
            "Option '--department' braucht einen Wert.",
            "Option '--department' requires an argument.",
        ),
        (
            ["db", "info", "extra"],
            "Unerwartete zusätzliche Angabe(n) (extra)",
            "Got unexpected extra argument(s) (extra)",
        ),
    ],
)
def test_the_parser_errors_speak_the_run_language(
    args: list[str], german: str, english: str
) -> None:
    de = egov(*args)
    assert de.exit_code == 2, de.stderr
    assert f"Fehler: {german}" in de.stderr

    en = egov("--lang", "en", *args)
    assert en.exit_code == 2
    assert f"Error: {english}" in en.stderr.replace("requires a value.", "requires an argument.")


# --- no sentence of the other language ----------------------------------------------------

#: Frequent English words that no German sentence of egov holds, and vice versa.
ENGLISH_WORDS = frozenset(
    [
        "the",
        "and",
        "is",
        "are",
        "not",
        "of",
        "with",
        "for",
        "from",
        "or",
        "this",
        "that",
        "be",
        "by",
        "on",
        "to",
        "must",
        "will",
        "which",
        "when",
        "Usage",
        "Options",
        "Arguments",
        "Commands",
        "Error",
        "Hint",
        "Example",
        "Show",
        "required",
        "default",
    ]
)
GERMAN_WORDS = frozenset(
    [
        "der",
        "die",
        "das",
        "und",
        "ist",
        "nicht",
        "mit",
        "für",
        "von",
        "oder",
        "ein",
        "eine",
        "einen",
        "kein",
        "keine",
        "wird",
        "werden",
        "Sie",
        "Aufruf",
        "Optionen",
        "Argumente",
        "Befehle",
        "Fehler",
        "Hinweis",
        "Beispiel",
        "Pflicht",
        "Vorgabe",
        "Leistung",
        "Leistungen",
        "Katalog",
        "Ziel",
        "Bericht",
    ]
)

#: What a sentence may hold in either language: options, values, paths, quoted text.
_NOT_WORDS = re.compile(
    r"""--?[\w-]+|<\w+>|'[^']*'|"[^"]*"|\S*[/=_@.:\\]\S*|\b[A-Z_]{2,}\b|\{[^}]*\}"""
)


def foreign_words(text: str, words: frozenset[str]) -> list[str]:
    """The words of ``words`` in ``text``, leaving out options, values, paths and quotes."""
    plain = _NOT_WORDS.sub(" ", text)
    return sorted({w for w in re.findall(r"[^\W\d]+", plain) if w in words})


def _paths(
    command: object, ctx: typer.Context, prefix: tuple[str, ...]
) -> Iterator[tuple[str, ...]]:
    yield prefix
    for name in getattr(command, "list_commands", lambda _c: [])(ctx):
        sub = command.get_command(ctx, name)  # type: ignore[attr-defined]
        yield from _paths(sub, typer.Context(sub, parent=ctx, info_name=name), (*prefix, name))


def every_command() -> list[tuple[str, ...]]:
    root = typer.main.get_command(app)
    return list(_paths(root, typer.Context(root, info_name="egov"), ()))


@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_help_speaks_one_language(lang: str) -> None:
    words = ENGLISH_WORDS if lang == "de" else GERMAN_WORDS
    mixed = {}
    for path in every_command():
        result = egov("--lang", lang, *path, "--help")
        assert result.exit_code == 0, (path, result.stderr)
        found = foreign_words(result.stdout, words)
        if found:
            mixed[" ".join(path) or "egov"] = found
    assert not mixed, mixed


@pytest.mark.parametrize(("lang", "file"), [("de", "DATEI"), ("en", "FILE")])
def test_every_help_names_what_a_value_is_in_the_run_language(lang: str, file: str) -> None:
    for path in every_command():
        shown = egov("--lang", lang, *path, "--help").stdout
        assert "<str>" not in shown, path  # a metavar says what is wanted, not a type
        assert "{" not in shown.splitlines()[0], path
    assert (
        f"db backup [{_options(lang)}] {file}" in egov("--lang", lang, "db", "backup", "-h").stdout
    )


def _options(lang: str) -> str:
    return "OPTIONEN" if lang == "de" else "OPTIONS"


FAILING = [
    ["--nope"],
    ["services", "lst"],
    ["targets", "add"],
    ["services", "show", "99999999999999"],
    ["services", "add", "X", "--go-live", "31.02.2026"],
    ["services", "list", "--below", "x"],
    ["targets", "add", "Online", "--count", "abc", "--min-level", "3"],
    ["targets", "show", "Gibt es nicht"],
    ["report", "changes", "--since", "31.02.2026"],
    ["import", "fehlt.xlsx"],
    ["export", "-", "--format", "xlsx"],
    ["reference", "show", "123"],
    ["departments", "rename", "99", "X"],
    ["db", "restore", "fehlt.jsonl.gz"],
    ["export", "out.pdf"],
]


@pytest.mark.parametrize("lang", ["de", "en"])
def test_failing_commands_speak_one_language(
    db_url: str, lang: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # whatever a command might write lands there
    words = ENGLISH_WORDS if lang == "de" else GERMAN_WORDS
    mixed = {}
    for args in FAILING:
        result = egov("--lang", lang, *args)
        assert result.exit_code != 0, args
        found = foreign_words(result.stderr, words)
        if found:
            mixed[" ".join(args)] = (found, result.stderr)
    assert not mixed, mixed


def test_json_errors_keep_english_keys_and_codes_with_the_message_in_the_run_language(
    db_url: str,
) -> None:
    german = json.loads(egov("services", "show", "99999999999999", "--json").stderr)
    english = json.loads(
        egov("--lang", "en", "services", "show", "99999999999999", "--json").stderr
    )
    assert (
        german.keys()
        == english.keys()
        == {
            "schema",
            "error",
            "exit_code",
            "message",
            "hint",
            "details",
        }
    )
    assert german["error"] == english["error"] == "NotFound"
    assert german["exit_code"] == english["exit_code"] == 4
    assert german["message"] != english["message"]
    assert not foreign_words(german["message"], ENGLISH_WORDS)
    assert not foreign_words(english["message"], GERMAN_WORDS)


# --- installed and checked-out copies alike ------------------------------------------------


def test_a_source_checkout_without_a_compiled_catalog_still_speaks_german(tmp_path: Path) -> None:
    """The ``.mo`` is compiled from the ``.po`` on first use (here: a copy of the package)."""
    import shutil

    copy = tmp_path / "egov_cli"
    shutil.copytree(ROOT / "egov_cli", copy, ignore=shutil.ignore_patterns("*.mo", "__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "EGOV_LANG": "de"}
    result = subprocess.run(
        [sys.executable, "-m", "egov_cli", "--nope"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert "Fehler: Unbekannte Option: --nope" in result.stderr
    assert (copy / "locale" / "de" / "LC_MESSAGES" / "egov.mo").exists()


# --- one glossary for the catalog and the reports' labels ----------------------------------

GLOSSARY = ROOT / "egov_cli" / "locale" / "glossary.toml"

#: Commands, options and paths name things in English in either language.
_CODE = re.compile(r"egov(?: [a-z][\w-]*)*|--?[\w-]+|\S*[/=_@\\]\S*|'[^']*'|\"[^\"]*\"|\{[^}]*\}")


def _glossary() -> dict[str, Any]:
    import tomllib

    with GLOSSARY.open("rb") as file:
        return tomllib.load(file)


def _terms() -> list[dict[str, list[str]]]:
    return list(_glossary()["term"])


def glossary_slips(english: str, german: str) -> list[str]:
    """Where ``german`` does not say a glossary term that ``english`` says, or uses a word to
    avoid."""
    slips = []
    rest = _CODE.sub(" ", english)
    for idiom in _glossary()["idioms"]:
        rest = re.sub(re.escape(idiom), " ", rest, flags=re.IGNORECASE)
    german_text = german.casefold()
    for term in _terms():
        for word in sorted(term["en"], key=len, reverse=True):
            pattern = re.compile(rf"\b{re.escape(word)}\b", re.IGNORECASE)
            if pattern.search(rest):
                rest = pattern.sub(" ", rest)
                if pattern.search(german):
                    continue  # kept as it is in German too (a key, a name)
                if not any(form.casefold() in german_text for form in term["de"]):
                    slips.append(f"{word!r} is not {term['de'][0]!r}")
        slips.extend(
            f"{avoid!r} instead of {term['de'][0]!r}"
            for avoid in term.get("avoid", [])
            if re.search(rf"\b{re.escape(avoid)}", german)
        )
    return slips


def test_the_german_catalog_uses_the_glossary_terms() -> None:
    slips = {}
    for message in _catalog():
        if not message.id or message.fuzzy:
            continue
        english = message.id if isinstance(message.id, str) else message.id[-1]
        german = message.string if isinstance(message.string, str) else message.string[-1]
        if not german:
            continue  # untranslated: the test above says so
        found = glossary_slips(english, german)
        if found:
            slips[english] = (german, found)
    assert not slips, slips


def _report_labels() -> list[tuple[str, str]]:
    """Every ``Label("Deutsch", "English")`` written out in the reports' modules."""
    import ast

    folders = [ROOT / "egov_cli" / "reports", ROOT / "egov_cli" / "exporters"]
    labels = []
    for folder in folders:
        for path in sorted(folder.glob("*.py")):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id == "Label"
                    and len(node.args) == 2
                    and all(
                        isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args
                    )
                ):
                    labels.append((node.args[0].value, node.args[1].value))  # type: ignore[attr-defined]
    return labels


def test_the_report_labels_agree_with_the_glossary() -> None:
    labels = _report_labels()
    assert labels, "no Label(de, en) pairs found in the reports"
    slips = {en: (de, glossary_slips(en, de)) for de, en in labels if glossary_slips(en, de)}
    assert not slips, slips


def test_a_label_that_strays_from_the_glossary_is_found() -> None:
    assert glossary_slips("Services per department", "Leistungen je Abteilung")
    assert glossary_slips("Level before", "Stufe vorher")
    assert not glossary_slips("Level before", "Reifegrad vorher")
