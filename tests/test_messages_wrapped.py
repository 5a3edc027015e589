"""Every sentence egov says goes through the catalog: a message or hint given to an error, a
problem, or a warning list as a plain string literal would reach a German screen in English.

The code is read as a syntax tree: a string literal (or f-string) given to the constructor of
any ``EgovError`` or ``Problem``, or appended to a list of warnings or notes, must sit inside
``_()``, ``ngettext()`` or ``N_()``. (Bilingual report labels, ``Label(de, en)``, carry both
languages and are checked against the glossary in ``test_i18n``.)
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import egov_cli
from egov_cli.core import errors

PACKAGE = Path(egov_cli.__file__).parent
TRANSLATED = {"_", "N_", "ngettext", "pgettext"}
#: Lists whose items are shown to the user as they are.
SHOWN_LISTS = re.compile(r"(^|_)(warnings|notes|problems|messages|hints)$")


def _error_names() -> set[str]:
    names: set[str] = set()
    todo: list[type] = [errors.EgovError]
    while todo:
        cls = todo.pop()
        names.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return names | {"Problem"}


def _words(text: str) -> bool:
    """True for text with at least three words of letters (a sentence, not a code or a name)."""
    return len(re.findall(r"[A-Za-z]{2,}", text)) >= 3


def _literals(node: ast.AST) -> Iterator[ast.AST]:
    """The string literals in ``node`` that are not inside a translation call."""
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name) and func.id in TRANSLATED:
            return
        if isinstance(func, ast.Attribute) and func.attr == "format":
            yield from _literals(func.value)
            return
        return  # another call's value: its own business
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if _words(node.value):
            yield node
        return
    if isinstance(node, ast.JoinedStr):
        text = "".join(
            v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
        )
        if _words(text):
            yield node
        return
    if isinstance(node, ast.BinOp | ast.IfExp | ast.BoolOp):
        for child in ast.iter_child_nodes(node):
            yield from _literals(child)


def _callee(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def untranslated(source: str) -> list[tuple[int, str]]:
    """(line, text) of each message literal in ``source`` that does not go through the catalog."""
    names = _error_names()
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        args: list[ast.AST] = []
        name = _callee(node)
        if name in names and isinstance(node.func, ast.Name):  # not sqlite3.DatabaseError
            args = [*node.args, *(k.value for k in node.keywords if k.arg in {"message", "hint"})]
        elif name in {"append", "extend"} and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            owner_name = (
                owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            )
            if SHOWN_LISTS.search(str(owner_name)):
                args = list(node.args)
        for arg in args:
            for literal in _literals(arg):
                text = ast.unparse(literal)
                found.append((literal.lineno, text[:100]))
    return found


def test_every_message_given_to_an_error_or_a_warning_goes_through_the_catalog() -> None:
    slips = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {text}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if "migrations" not in path.parts
        for line, text in untranslated(path.read_text(encoding="utf-8"))
    ]
    assert not slips, "\n".join(slips)


def test_the_check_finds_an_english_sentence_given_to_an_error() -> None:
    source = (
        "raise ValidationError(f'{x!r} is not a date.', 'Write it as 31.12.2026.')\n"
        "warnings.append('row 5: imported once, it repeats row 4')\n"
        "raise ValidationError(_('{x} is not a date.').format(x=x), _('Write it as 31.12.2026.'))\n"
        "self.warnings.append(_('row {n}: imported once').format(n=5))\n"
    )
    assert [line for line, _text in untranslated(source)] == [1, 1, 2]
