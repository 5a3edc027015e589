"""The catalogue services: add, edit, list, remove, and the history of every change."""

from __future__ import annotations

import json

import pytest

from egov_cli.core.errors import Conflict, NotFound, ValidationError
from egov_cli.core.history import ChangeContext
from egov_cli.domain.catalogue import (
    ServiceFilter,
    add_service,
    edit_service,
    list_services,
    remove_service,
    service_history,
)
from egov_cli.domain.departments import add_department
from egov_cli.storage.db import Catalogue, transaction

#: These tests read the messages in English, their message ids.
pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def filled(catalogue: Catalogue, ctx: ChangeContext) -> Catalogue:
    with transaction(catalogue) as s:
        add_department(s, ctx, "32", "Ordnungsamt")
        add_department(s, ctx, "50", "Sozialamt")
        add_service(
            s,
            ctx,
            {
                "name": "Gewerbe Anmeldung",
                "leika_key": "99050012104000",
                "department": "32",
                "level": 3,
            },
        )
        add_service(s, ctx, {"name": "Sondernutzung Straße", "department": "32", "level": 1})
        add_service(s, ctx, {"name": "Ärztliche Bescheinigung", "department": "50", "level": 2})
    return catalogue


def test_a_new_service_is_recorded_in_the_history_with_actor_and_source(filled: Catalogue) -> None:
    with transaction(filled) as s:
        records = service_history(s, "99050012104000")
    assert [(r.action, r.actor, r.source) for r in records] == [("create", "tester", "test")]
    assert json.loads(records[0].new_value or "")["level"] == "3"


def test_editing_records_old_and_new_value_of_each_changed_field(
    filled: Catalogue, ctx: ChangeContext
) -> None:
    with transaction(filled) as s:
        change = edit_service(
            s,
            ctx,
            "99 050 012 104 000",
            {"level": 4, "status": "live", "name": "Gewerbe Anmeldung"},
        )
    assert change.changes == {"level": (3, 4), "status": ("planned", "live")}
    with transaction(filled) as s:
        updates = [
            (r.field, r.old_value, r.new_value)
            for r in service_history(s, "99050012104000")
            if r.action == "update"
        ]
    assert sorted(updates) == [("level", "3", "4"), ("status", "planned", "live")]


def test_an_edit_that_changes_nothing_records_nothing(
    filled: Catalogue, ctx: ChangeContext
) -> None:
    with transaction(filled) as s:
        change = edit_service(s, ctx, "99050012104000", {"level": 3})
        assert change.changes == {}
        assert len(service_history(s, "99050012104000")) == 1


def test_search_ignores_case_and_umlaut_spelling(filled: Catalogue) -> None:
    with transaction(filled) as s:
        by_strasse = list_services(s, ServiceFilter(search="strasse")).rows
        by_ae = list_services(s, ServiceFilter(search="AERZTLICHE")).rows
    assert [r.name for r in by_strasse] == ["Sondernutzung Straße"]
    assert [r.name for r in by_ae] == ["Ärztliche Bescheinigung"]


def test_level_filters_select_exact_below_and_at_least(filled: Catalogue) -> None:
    with transaction(filled) as s:
        assert [r.level for r in list_services(s, ServiceFilter(level=3)).rows] == [3]
        assert sorted(r.level for r in list_services(s, ServiceFilter(below=3)).rows) == [1, 2]
        assert sorted(r.level for r in list_services(s, ServiceFilter(min_level=2)).rows) == [2, 3]


def test_listing_is_sorted_by_department_then_name_and_pages_report_the_total(
    filled: Catalogue,
) -> None:
    with transaction(filled) as s:
        page = list_services(s, ServiceFilter(), limit=2)
    assert page.total == 3
    assert [(r.department, r.name) for r in page.rows] == [
        ("32", "Gewerbe Anmeldung"),
        ("32", "Sondernutzung Straße"),
    ]


def test_a_level_outside_the_scale_is_refused(filled: Catalogue, ctx: ChangeContext) -> None:
    with (
        transaction(filled) as s,
        pytest.raises(ValidationError, match="not on the maturity scale"),
    ):
        add_service(s, ctx, {"name": "X", "level": 7})


def test_an_unknown_department_is_refused_naming_the_known_ones(
    filled: Catalogue, ctx: ChangeContext
) -> None:
    with transaction(filled) as s, pytest.raises(NotFound, match="No department '99'") as info:
        add_service(s, ctx, {"name": "X", "department": "99"})
    assert "32, 50" in (info.value.hint or "")


def test_a_second_service_with_the_same_key_is_a_conflict(
    filled: Catalogue, ctx: ChangeContext
) -> None:
    with transaction(filled) as s, pytest.raises(Conflict, match="belongs to service"):
        add_service(s, ctx, {"name": "Doppelt", "leika_key": "99050012104000"})


def test_removing_keeps_the_history_with_a_delete_record(
    filled: Catalogue, ctx: ChangeContext
) -> None:
    with transaction(filled) as s:
        remove_service(s, ctx, "99050012104000")
    with transaction(filled) as s:
        actions = [r.action for r in service_history(s, "99050012104000")]
        assert actions == ["create", "delete"]
        with pytest.raises(NotFound):
            edit_service(s, ctx, "99050012104000", {"level": 1})


def test_a_failed_command_writes_nothing(filled: Catalogue, ctx: ChangeContext) -> None:
    with pytest.raises(ValidationError), transaction(filled) as s:
        add_service(s, ctx, {"name": "Wird nicht bleiben", "level": 1})
        add_service(s, ctx, {"name": "Fehler", "level": 99})
    with transaction(filled) as s:
        assert list_services(s, ServiceFilter(search="bleiben")).total == 0


def test_listing_ignores_case_and_umlauts_and_puts_services_without_department_last(
    filled: Catalogue, ctx: ChangeContext
) -> None:
    with transaction(filled) as s:
        add_service(s, ctx, {"name": "amtliche Bescheinigung", "department": "32", "level": 0})
        add_service(s, ctx, {"name": "Ohne Amt", "level": 0})
        names = [(r.department, r.name) for r in list_services(s, ServiceFilter()).rows]
    assert names == [
        ("32", "amtliche Bescheinigung"),
        ("32", "Gewerbe Anmeldung"),
        ("32", "Sondernutzung Straße"),
        ("50", "Ärztliche Bescheinigung"),
        (None, "Ohne Amt"),
    ]
