"""Neutralising text that a spreadsheet program would run as a formula (CSV injection).

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return may be taken as a
formula by Excel or LibreOffice when a CSV file is opened, so a service name could run a formula
on the recipient's machine. egov therefore writes such text with a leading apostrophe in CSV
(``=HYPERLINK(...)`` becomes ``'=HYPERLINK(...)``). In xlsx every text is written as a text cell
(never a formula), so no prefix is needed there and the workbook holds the text exactly.
Numbers are never text here, so negative numbers stay numbers.

The functions live in :mod:`egov_cli.cellsafety`, shared with the import, which removes the
prefix again (``restore(neutralise(text)) == text`` for every text).
"""

from __future__ import annotations

from egov_cli.cellsafety import DANGEROUS_START, PREFIX, is_dangerous, neutralise, restore

__all__ = ["DANGEROUS_START", "PREFIX", "is_dangerous", "neutralise", "restore"]
