"""Progress from the change history: level at a date, pace, forecast, status, burn-up."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from egov_cli.core.history import ChangeContext
from egov_cli.domain.catalogue import ServiceFilter, edit_service
from egov_cli.domain.days import day_start
from egov_cli.domain.level_series import count_at_level
from egov_cli.domain.levels import levels_at
from egov_cli.domain.procedure_counts import count_procedures, procedure_scope_size
from egov_cli.domain.progress import AT_RISK, MISSED, ON_TRACK, progress, service_targets
from egov_cli.domain.targets import add_target
from egov_cli.domain.to_move import procedures_to_move
from egov_cli.imports.options import ImportOptions
from egov_cli.imports.run import run_import
from egov_cli.storage.db import Catalogue, transaction

from .conftest import KEYS, NOW, at

ALL = ServiceFilter()


def _add(cat: Catalogue, name: str, **values: object) -> None:
    with transaction(cat) as s:
        add_target(s, at("2026-01-05"), name, today=date(2026, 1, 5), **values)  # type: ignore[arg-type]


def test_the_level_at_a_date_comes_from_the_earliest_later_update(city: Catalogue) -> None:
    with transaction(city) as s:
        start = levels_at(s, ALL, day_start(date(2026, 1, 1)))
        may = levels_at(s, ALL, datetime(2026, 5, 15, tzinfo=UTC))
        today = levels_at(s, ALL, NOW)
    # 1.1.: A=1 B=3 C=2 D=3 E=0; F and G did not exist yet
    assert start == {0: 1, 1: 1, 2: 1, 3: 2}
    # 15.5.: A=3 B=3 C=2 D=2 E=0 F=3 G=1
    assert may == {0: 1, 1: 1, 2: 2, 3: 3}
    assert today == {0: 1, 2: 1, 3: 4, 4: 1}


def test_counting_at_a_date_respects_the_scope(city: Catalogue) -> None:
    with transaction(city) as s:
        start = day_start(date(2026, 1, 1))
        assert count_at_level(s, ALL, 3, start) == 2
        assert count_at_level(s, ALL, 3) == 5
        assert count_at_level(s, ServiceFilter(department="50"), 3, start) == 1
        assert count_at_level(s, ServiceFilter(department="50"), 3) == 1
        assert count_at_level(s, ServiceFilter(topic="familie"), 3) == 2


def test_a_level_target_reports_start_today_pace_forecast_and_status(city: Catalogue) -> None:
    _add(city, "Online 2026", threshold_level=3, goal_count=10)
    with transaction(city) as s:
        from egov_cli.domain.targets import find_target

        p = progress(s, find_target(s, "Online 2026"), NOW)
    # period: 1.1.2026 00:00 Berlin (31.12.2025 23:00 UTC) to 25.11.2026 09:00 UTC = 328 d 10 h
    weeks = (328 + 10 / 24) / 7
    assert (p.start_count, p.current_count, p.goal, p.remaining) == (2, 5, 10, 5)
    assert p.weeks_elapsed == pytest.approx(weeks, abs=1e-4)
    assert p.weeks_left == pytest.approx(36 / 7, abs=1e-4)
    assert p.pace == pytest.approx(3 / weeks, abs=1e-4)
    assert p.pace_needed == pytest.approx(5 / (36 / 7), abs=1e-4)
    # a count forecast is a whole number, rounded down
    assert p.forecast == math.floor(5 + 3 / weeks * 36 / 7)
    assert p.status == AT_RISK


def test_the_burn_up_starts_at_the_start_count_and_ends_today(city: Catalogue) -> None:
    _add(city, "Online 2026", threshold_level=3, goal_count=6)
    with transaction(city) as s:
        from egov_cli.domain.targets import find_target

        p = progress(s, find_target(s, "Online 2026"), NOW)
    points = dict(p.burnup)
    assert p.burnup[0] == (date(2026, 1, 1), 2)
    assert p.burnup[-1] == (date(2026, 11, 25), 5)
    assert len(p.burnup) == 48  # 47 weekly points from 1.1. (to 19.11.) plus today
    # A reaches 3 on 2.3.; F (created at 3) and G do on 1.4. and 1.9.; D drops on 4.5.; C on 1.6.
    assert points[date(2026, 2, 26)] == 2
    assert points[date(2026, 3, 5)] == 3
    assert points[date(2026, 4, 2)] == 4
    assert points[date(2026, 5, 7)] == 3
    assert points[date(2026, 6, 4)] == 4
    assert points[date(2026, 9, 3)] == 5


def test_a_share_goal_is_rounded_up_from_the_scope(city: Catalogue) -> None:
    _add(city, "Sozialamt", threshold_level=3, goal_share=0.5, department="50")
    with transaction(city) as s:
        from egov_cli.domain.targets import find_target

        p = progress(s, find_target(s, "Sozialamt"), NOW)
    # scope C, D, E: half of 3 is 1.5 -> 2; only C is at 3+ today, D was at the start
    assert (p.scope_size, p.goal, p.start_count, p.current_count) == (3, 2, 1, 1)
    assert p.pace == 0
    assert p.status == AT_RISK


def test_a_target_whose_due_date_passed_unreached_is_missed(city: Catalogue) -> None:
    _add(city, "Halbjahr", threshold_level=3, goal_count=6, due_date=date(2026, 6, 30))
    _add(city, "Erreicht", threshold_level=3, goal_count=5, due_date=date(2026, 6, 30))
    with transaction(city) as s:
        from egov_cli.domain.targets import find_target

        missed = progress(s, find_target(s, "Halbjahr"), NOW)
        reached = progress(s, find_target(s, "Erreicht"), NOW)
    assert (missed.status, missed.weeks_left, missed.pace_needed) == (MISSED, 0, None)
    assert (reached.status, reached.reached, reached.remaining) == (ON_TRACK, True, 0)


def test_a_target_on_pace_is_on_track(city: Catalogue) -> None:
    _add(city, "Klein", threshold_level=3, goal_count=6)
    with transaction(city) as s:
        from egov_cli.domain.targets import find_target

        p = progress(s, find_target(s, "Klein"), NOW)
    assert p.forecast is not None
    assert p.forecast < 6
    assert p.status == AT_RISK
    _add(city, "Machbar", threshold_level=3, goal_count=6, due_date=date(2027, 6, 30),
         start_date=date(2026, 1, 1))  # fmt: skip
    with transaction(city) as s:
        from egov_cli.domain.targets import find_target

        p = progress(s, find_target(s, "Machbar"), NOW)
    assert p.forecast is not None
    assert p.forecast >= 6
    assert p.status == ON_TRACK


def test_digitales_amt_counts_each_procedure_once_from_its_history(city: Catalogue) -> None:
    _add(city, "Digitales Amt", kind="digitales_amt")
    with transaction(city) as s:
        from egov_cli.domain.targets import find_target

        # P1 serves A and B (counted once); P2 submits since 5.10.; P3 is not on BayernPortal
        assert count_procedures(s, ALL) == 2
        assert count_procedures(s, ALL, datetime(2026, 10, 1, tzinfo=UTC)) == 1
        assert count_procedures(s, ServiceFilter(department="50")) == 1
        p = progress(s, find_target(s, "Digitales Amt"), NOW)
    assert (p.goal, p.scope_size, p.start_count, p.current_count) == (50, 3, 1, 2)
    assert p.burnup[0] == (date(2026, 1, 1), 1)
    assert p.burnup[-1] == (date(2026, 11, 25), 2)
    assert p.status == AT_RISK


def test_per_service_targets_are_counted_as_met_overdue_and_due_soon(city: Catalogue) -> None:
    with transaction(city) as s:
        st = service_targets(s, ALL, date(2026, 11, 25), 30)
    # A met (3 of 3), D below 3 due 1.12. (soon), E below 2 since 1.10. (overdue)
    assert (st.total, st.met, st.overdue, st.due_soon, st.open) == (3, 1, 1, 1, 1)


def test_a_reused_id_does_not_inherit_the_history_of_a_removed_service(
    city: Catalogue, ctx: ChangeContext
) -> None:
    from egov_cli.domain.catalogue import add_service, remove_service

    with transaction(city) as s:
        remove_service(s, at("2026-11-01"), KEYS["G"])
        new = add_service(s, ctx, {"name": "Neu", "level": 1})
        edit_service(s, ctx, str(new.service.id), {"level": 1})
        assert count_at_level(s, ALL, 3, datetime(2026, 11, 25, 9, 30, tzinfo=UTC)) == 4


def test_the_count_at_each_week_agrees_with_the_levels_at_that_time(city: Catalogue) -> None:
    from egov_cli.domain.level_series import level_series
    from egov_cli.domain.progress import week_points

    points = week_points(day_start(date(2025, 11, 20)), NOW)
    for flt in (ALL, ServiceFilter(department="32"), ServiceFilter(topic="familie")):
        with transaction(city) as s:
            series = level_series(s, flt, 3, points)
            expected = [
                sum(n for level, n in levels_at(s, flt, t).items() if level >= 3) for t in points
            ]
            size = sum(levels_at(s, flt, NOW).values())
        assert list(series.counts) == expected
        assert (series.scope_size, series.current) == (size, expected[-1])
    # before any service existed nothing counts; F and G count from their creation on 1.4.
    assert series.counts[0] == 0


def test_a_level_change_back_and_forth_within_a_week_leaves_the_count(city: Catalogue) -> None:
    from egov_cli.domain.level_series import level_series

    with transaction(city) as s:
        edit_service(s, at("2026-11-10"), KEYS["E"], {"level": 4})
        edit_service(s, at("2026-11-11"), KEYS["E"], {"level": 0})
        series = level_series(s, ALL, 3, [datetime(2026, 11, 9, tzinfo=UTC),
                                          datetime(2026, 11, 10, 12, tzinfo=UTC), NOW])  # fmt: skip
    assert series.counts == (5, 6, 5)


@pytest.mark.sqlite_only
def test_level_updates_are_read_from_the_partial_covering_index(city: Catalogue) -> None:
    from sqlalchemy import select, text

    from egov_cli.core.models import ChangeRecord
    from egov_cli.domain.level_series import LEVEL_CHANGES

    query = select(ChangeRecord.entity_id, ChangeRecord.old_value).where(LEVEL_CHANGES)
    with transaction(city) as s:
        compiled = query.compile(s.get_bind(), compile_kwargs={"literal_binds": True})
        plan = s.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
    assert "USING COVERING INDEX ix_change_level" in " ".join(str(row) for row in plan)


def test_a_services_own_online_offer_counts_once_for_digitales_amt_from_its_history(
    city: Catalogue, tmp_path: Path
) -> None:
    # A city list gives online-service details per service, naming no procedure: D is linked
    # on BayernPortal and submits electronically from 10.10., F only takes payments online.
    path = tmp_path / "liste.csv"
    path.write_text(
        "LeiKa-Schlüssel;Im BayernPortal verlinkt;Elektronische Einreichung;E-Payment\n"
        f"{KEYS['D']};ja;ja;\n{KEYS['F']};;;ja\n",
        encoding="utf-8",
    )
    with transaction(city) as s:
        run_import(s, path, ImportOptions(actor="tester", at=datetime(2026, 10, 10, tzinfo=UTC)))
    with transaction(city, write=False) as s:
        # P1 and P2, and D's own offer; before 10.10. D stated nothing
        assert count_procedures(s, ALL) == 3
        assert count_procedures(s, ALL, datetime(2026, 10, 1, tzinfo=UTC)) == 1
        assert count_procedures(s, ServiceFilter(department="50")) == 2
        assert procedure_scope_size(s, ALL) == 5
        missing = procedures_to_move(s, ALL, 10)
    assert [(r["name"], r["services"]) for r in missing.rows] == [("Leistung F", 1), ("P3", 1)]
    assert missing.total == 2
