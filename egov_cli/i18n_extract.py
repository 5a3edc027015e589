"""Babel extraction for egov: the gettext calls, plus the docstrings Typer shows as help.

Typer takes a command's help from its function's docstring, so those docstrings are messages
too. ``babel.cfg`` names :func:`extract`; ``pybabel extract`` calls it for every module.
"""

from __future__ import annotations

import ast
import inspect
import io
from collections.abc import Iterator
from typing import IO, Any

from babel.messages.extract import extract_python

#: Decorator names whose function's docstring is a command's help.
HELP_DECORATORS = ("command", "callback")


def help_text(doc: str) -> str:
    """The help Typer shows for a docstring (cleaned, cut at a form feed): the message id."""
    return inspect.cleandoc(doc).partition("\f")[0].strip()


def extract(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[Any, ...]]:
    """Babel's Python extraction, and the docstring of every ``@x.command``/``@x.callback``."""
    source = fileobj.read()
    yield from extract_python(io.BytesIO(source), keywords, comment_tags, options)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _is_command(node):
            doc = ast.get_docstring(node, clean=False)
            if doc and help_text(doc):
                yield node.lineno, "_", help_text(doc), ["Help text of a command."]


def _is_command(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Decorated as a command or callback, or a public function taking ``ctx: typer.Context``
    first and returning None (a command registered by a call, ``app.command("init")(init)``)."""
    for decorator in node.decorator_list:
        call = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(call, ast.Attribute) and call.attr in HELP_DECORATORS:
            return True
    first = node.args.args[0].annotation if node.args.args else None
    return (
        not node.name.startswith("_")
        and isinstance(node.returns, ast.Constant)
        and node.returns.value is None
        and isinstance(first, ast.Attribute)
        and first.attr == "Context"
        and isinstance(first.value, ast.Name)
        and first.value.id == "typer"
    )
