"""Targets: adding, editing and removing them, with defaults and every change on record."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from egov_cli.core.errors import Conflict, NotFound, ValidationError
from egov_cli.core.history import ChangeContext, history_of
from egov_cli.domain.departments import add_department
from egov_cli.domain.targets import (
    add_target,
    edit_target,
    find_target,
    list_targets,
    parse_share,
    remove_target,
)
from egov_cli.storage.db import Catalogue, transaction

TODAY = date(2026, 11, 25)


@pytest.fixture
def with_dept(catalogue: Catalogue, ctx: ChangeContext) -> Catalogue:
    with transaction(catalogue) as s:
        add_department(s, ctx, "32", "Ordnungsamt")
    return catalogue


def test_a_target_defaults_to_the_end_and_start_of_the_current_year(
    with_dept: Catalogue, ctx: ChangeContext
) -> None:
    with transaction(with_dept) as s:
        t = add_target(s, ctx, "Online 2026", today=TODAY, threshold_level=3, goal_count=120)
    assert (t.start_date, t.due_date, t.kind) == (date(2026, 1, 1), date(2026, 12, 31), "level")


def test_the_start_defaults_to_the_first_of_january_of_the_due_year(
    with_dept: Catalogue, ctx: ChangeContext
) -> None:
    with transaction(with_dept) as s:
        t = add_target(
            s,
            ctx,
            "2027",
            today=TODAY,
            threshold_level=3,
            goal_share=0.8,
            due_date=date(2027, 6, 30),
        )
    assert (t.start_date, t.goal_share, t.goal_count) == (date(2027, 1, 1), 0.8, None)


def test_a_digitales_amt_target_counts_against_50_or_30_for_a_bezirk(
    with_dept: Catalogue, ctx: ChangeContext
) -> None:
    with transaction(with_dept) as s:
        city = add_target(s, ctx, "Digitales Amt", today=TODAY, kind="digitales-amt")
        bezirk = add_target(s, ctx, "DA Bezirk", today=TODAY, kind="digitales-amt", bezirk=True)
    assert (city.kind, city.goal_count, bezirk.goal_count) == ("digitales_amt", 50, 30)


def test_a_level_target_needs_a_threshold_and_exactly_one_goal(
    with_dept: Catalogue, ctx: ChangeContext
) -> None:
    with transaction(with_dept) as s:
        with pytest.raises(ValidationError) as no_level:
            add_target(s, ctx, "X", today=TODAY, goal_count=5)
        with pytest.raises(ValidationError) as no_goal:
            add_target(s, ctx, "X", today=TODAY, threshold_level=3)
        with pytest.raises(ValidationError) as both:
            add_target(s, ctx, "X", today=TODAY, threshold_level=3, goal_count=5, goal_share=0.5)
        with pytest.raises(ValidationError) as off_scale:
            add_target(s, ctx, "X", today=TODAY, threshold_level=7, goal_count=5)
    assert no_level.value.message == "Ein Reifegrad-Ziel braucht eine Schwelle."
    assert no_goal.value.message == "Ziel 'X' hat keine Zielgröße."
    assert both.value.message == "Zielgröße doppelt: --count und --share schließen sich aus."
    assert off_scale.value.message.startswith("min-level 7 gehört nicht zum Reifegradmodell")


@pytest.mark.usefixtures("english")
def test_an_unknown_department_in_the_scope_is_refused(
    with_dept: Catalogue, ctx: ChangeContext
) -> None:
    with transaction(with_dept) as s, pytest.raises(NotFound) as exc:
        add_target(s, ctx, "X", today=TODAY, threshold_level=3, goal_count=5, department="99")
    assert exc.value.message == "No department '99'."


def test_a_second_target_of_the_same_name_conflicts(
    with_dept: Catalogue, ctx: ChangeContext
) -> None:
    with transaction(with_dept) as s:
        add_target(s, ctx, "Online", today=TODAY, threshold_level=3, goal_count=5)
        with pytest.raises(Conflict) as exc:
            add_target(s, ctx, "Online", today=TODAY, threshold_level=3, goal_count=9)
    assert exc.value.message == "Ein Ziel 'Online' gibt es schon."


def test_a_due_date_before_the_start_is_refused(with_dept: Catalogue, ctx: ChangeContext) -> None:
    with transaction(with_dept) as s, pytest.raises(ValidationError) as exc:
        add_target(
            s, ctx, "X", today=TODAY, threshold_level=3, goal_count=5,
            start_date=date(2026, 7, 1), due_date=date(2026, 6, 30),
        )  # fmt: skip
    assert exc.value.message == "Beginn 01.07.2026 liegt nach dem Fälligkeitsdatum 30.06.2026."


@pytest.mark.parametrize(
    ("text", "share"), [("0.8", 0.8), ("0,8", 0.8), ("80%", 0.8), ("80 %", 0.8), ("75", 0.75)]
)
def test_a_share_is_read_as_a_fraction_or_a_percentage(text: str, share: float) -> None:
    assert parse_share(text) == pytest.approx(share)


def test_a_share_above_100_percent_is_refused() -> None:
    with pytest.raises(ValidationError) as exc:
        parse_share("120 %")
    assert exc.value.message == "Anteil '120 %' liegt nicht zwischen 0 und 100 %."


def test_create_edit_and_remove_are_recorded_in_the_history(
    with_dept: Catalogue, ctx: ChangeContext
) -> None:
    later = ChangeContext("tester", "test", at=datetime(2026, 11, 26, 9, 0, tzinfo=UTC))
    with transaction(with_dept) as s:
        t = add_target(
            s, ctx, "Online", today=TODAY, threshold_level=3, goal_count=5, department="32"
        )
        target_id = t.id
        assert target_id is not None
    with transaction(with_dept) as s:
        _, changes = edit_target(s, later, "online", {"goal_share": 0.5, "name": "Online 32"})
        assert changes == {"name": ("Online", "Online 32"), "goal_count": (5, None),
                           "goal_share": (None, 0.5)}  # fmt: skip
    with transaction(with_dept) as s:
        remove_target(s, later, "Online 32")
        assert list_targets(s) == []
        records = history_of(s, "target", target_id)
    assert [(r.action, r.field, r.old_value, r.new_value) for r in records[1:]] == [
        ("update", "name", "Online", "Online 32"),
        ("update", "goal_count", "5", None),
        ("update", "goal_share", None, "0.5"),
        ("delete", None, records[-1].old_value, None),
    ]
    assert records[0].action == "create"
    assert json.loads(records[0].new_value or "")["scope_department"] == "32"
    assert json.loads(records[-1].old_value or "")["name"] == "Online 32"


def test_editing_to_an_existing_name_conflicts_and_changes_nothing(
    with_dept: Catalogue, ctx: ChangeContext
) -> None:
    with transaction(with_dept) as s:
        add_target(s, ctx, "A", today=TODAY, threshold_level=3, goal_count=5)
        add_target(s, ctx, "B", today=TODAY, threshold_level=3, goal_count=5)
    with pytest.raises(Conflict), transaction(with_dept) as s:
        edit_target(s, ctx, "B", {"name": "A"})
    with transaction(with_dept) as s:
        assert [t.name for t in list_targets(s)] == ["A", "B"]


def test_an_unknown_target_names_the_known_ones(with_dept: Catalogue, ctx: ChangeContext) -> None:
    with transaction(with_dept) as s:
        add_target(s, ctx, "Online", today=TODAY, threshold_level=3, goal_count=5)
        with pytest.raises(NotFound) as exc:
            find_target(s, "Offline")
    assert exc.value.message == "Kein Ziel 'Offline'."
    assert exc.value.hint == "Vorhandene Ziele: Online. Anlegen mit 'egov targets add NAME'."
