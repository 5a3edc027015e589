"""Neutralising text that a spreadsheet program would run as a formula (CSV injection), and
undoing it.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return may be taken as a
formula by Excel or LibreOffice when a CSV file is opened, so a service name could run a formula
on the recipient's machine. The CSV export therefore writes such text with a leading apostrophe
(``=HYPERLINK(...)`` becomes ``'=HYPERLINK(...)``); the import removes it again.

* :func:`neutralise` adds one apostrophe where the text, after any apostrophes it already
  starts with, begins with a dangerous character (``'=x`` becomes ``''=x``).
* :func:`restore` removes exactly that one apostrophe again, and leaves every other text alone.

``restore(neutralise(text)) == text`` for every text. A hand-written ``'=x`` (the usual way to
type such text in Excel) is read as ``=x``.
"""

from __future__ import annotations

#: First characters that make a spreadsheet program read a CSV cell as a formula.
DANGEROUS_START = frozenset("=+-@\t\r")
PREFIX = "'"


def is_dangerous(text: str) -> bool:
    """True where ``text`` (after any leading apostrophes) begins with a formula character."""
    return text.lstrip(PREFIX)[:1] in DANGEROUS_START and text.lstrip(PREFIX) != ""


def neutralise(text: str) -> str:
    """``text`` made safe for a CSV cell: one apostrophe in front where it is needed."""
    if text and (text[0] in DANGEROUS_START or (text[0] == PREFIX and is_dangerous(text))):
        return PREFIX + text
    return text


def restore(text: str) -> str:
    """The text :func:`neutralise` was given: the one added apostrophe removed."""
    if text[:1] == PREFIX and is_dangerous(text):
        return text[1:]
    return text
