"""Paths of the data shipped with egov-cli (``catalogue/`` and ``reports/``).

In a built wheel they live in ``egov_cli/_data/``; in a source checkout beside the package.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent


def data_dir(name: str) -> Path:
    """The shipped folder ``name`` (``catalogue`` or ``reports``)."""
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def catalogue_file(name: str) -> Path:
    return data_dir("catalogue") / name


def reports_file(name: str) -> Path:
    return data_dir("reports") / name
