"""A small city catalogue with a year of backdated history, and a pinned clock.

Level 3 is the threshold used below. At the start of 2026 (1.1. local time) services B and D were
at level 3 or higher; today (25.11.2026) A, B, C, F and G are.

=====  ====  ========  =============================================================  ===========
 svc   dept  created    level history                                                  other
=====  ====  ========  =============================================================  ===========
 A     32    1.12.25   1, 3 on 2.3.26                                                 target 3 by 1.6.26
 B     32    1.12.25   3                                                              SDG, live
 C     50    1.12.25   2, 3 on 1.6.26, 4 on 1.7.26                                    SDG, topic Familie
 D     50    1.12.25   3, 2 on 4.5.26                                                 target 3 by 1.12.26
 E     50    1.12.25   0                                                              SDG, target 2 by 1.10.26
 F     32    1.4.26    3 (created)                                                    topic Familie
 G     32    1.4.26    1, 3 on 1.9.26 (status live on 1.9.26)                         uses procedure P1
=====  ====  ========  =============================================================  ===========
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from egov_cli.core.history import ChangeContext
from egov_cli.domain.catalogue import add_service, edit_service
from egov_cli.domain.departments import add_department
from egov_cli.domain.procedures import add_procedure, edit_procedure
from egov_cli.storage.db import Catalogue, transaction

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
KEYS = {
    "A": "99001001001001",
    "B": "99001001001002",
    "C": "99001001001003",
    "D": "99001001001004",
    "E": "99001001001005",
    "F": "99001001001006",
    "G": "99001001001007",
}


def at(day: date | str) -> ChangeContext:
    """A change context backdated to 10:00 UTC of a day (``2026-03-02``)."""
    d = date.fromisoformat(day) if isinstance(day, str) else day
    return ChangeContext(
        actor="tester", source="test", at=datetime(d.year, d.month, d.day, 10, 0, tzinfo=UTC)
    )


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def city(catalogue: Catalogue) -> Catalogue:
    c0 = at("2025-12-01")
    with transaction(catalogue) as s:
        add_department(s, c0, "32", "Ordnungsamt")
        add_department(s, c0, "50", "Sozialamt")
        add_procedure(s, c0, {"name": "P1", "bayernportal": True, "submits_electronically": True})
        add_procedure(s, c0, {"name": "P2", "bayernportal": True})
        add_procedure(s, c0, {"name": "P3", "bayernportal": False, "submits_electronically": True})

        def svc(letter: str, ctx: ChangeContext, **values: object) -> None:
            add_service(s, ctx, {"name": f"Leistung {letter}", "leika_key": KEYS[letter], **values})

        svc("A", c0, department="32", level=1, target_level=3, target_date=date(2026, 6, 1),
            procedure="P1")  # fmt: skip
        svc("B", c0, department="32", level=3, sdg_annex2=True, status="live", procedure="P1")
        svc("C", c0, department="50", level=2, sdg_annex2=True, topic="Familie", procedure="P2")
        svc("D", c0, department="50", level=3, target_level=3, target_date=date(2026, 12, 1))
        svc("E", c0, department="50", level=0, sdg_annex2=True, target_level=2,
            target_date=date(2026, 10, 1), procedure="P3")  # fmt: skip
        c1 = at("2026-04-01")
        svc("F", c1, department="32", level=3, topic="Familie")
        svc("G", c1, department="32", level=1, procedure="P2")
        edit_service(s, at("2026-03-02"), KEYS["A"], {"level": 3})
        edit_service(s, at("2026-05-04"), KEYS["D"], {"level": 2})
        edit_service(s, at("2026-06-01"), KEYS["C"], {"level": 3})
        edit_service(s, at("2026-07-01"), KEYS["C"], {"level": 4})
        edit_service(s, at("2026-09-01"), KEYS["G"], {"level": 3, "status": "live"})
        # P2 starts submitting electronically in the autumn: Digitales Amt 1 -> 2 procedures
        edit_procedure(s, at("2026-10-05"), "P2", {"submits_electronically": True})
    return catalogue
