"""The federal OZG/LeiKa reference catalogue (to be completed): filling in what a key tells."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def fill_from_reference(values: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """``values`` with empty reference fields filled from the LeiKa key; warnings.

    Fields the caller gave win. (Placeholder until the reference catalogue ships.)
    """
    return dict(values), []
