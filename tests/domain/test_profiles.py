"""Import profiles: saved, replaced, listed and removed, each step on record."""

from __future__ import annotations

import pytest
from sqlmodel import select

from egov_cli.core.errors import NotFound, ValidationError
from egov_cli.core.history import ChangeContext
from egov_cli.core.models import ChangeRecord
from egov_cli.domain.profiles import (
    Profile,
    get_profile,
    list_profiles,
    remove_profile,
    save_profile,
)
from egov_cli.storage.db import Catalogue, transaction

AMT32 = Profile(
    name="amt32",
    mapping={"Zuständiges Amt": "department", "Spalte X": "-"},
    value_maps={"status": {"in Arbeit": "in_progress"}},
    sheet="Leistungen",
    header_row=3,
    base_url="https://www.musterstadt.de",
)


def test_a_saved_profile_reads_back_with_every_setting(
    catalogue: Catalogue, ctx: ChangeContext
) -> None:
    with transaction(catalogue) as session:
        _, new = save_profile(session, ctx, AMT32)
    with transaction(catalogue, write=False) as session:
        back = get_profile(session, "amt32")
    assert new is True
    assert back.settings() == AMT32.settings()


def test_saving_under_a_known_name_replaces_the_profile_and_records_old_and_new(
    catalogue: Catalogue, ctx: ChangeContext
) -> None:
    with transaction(catalogue) as session:
        save_profile(session, ctx, AMT32)
        _, new = save_profile(session, ctx, Profile(name="amt32", header_row=1))
    with transaction(catalogue, write=False) as session:
        back = get_profile(session, "amt32")
        actions = session.exec(
            select(ChangeRecord.action).where(ChangeRecord.entity == "profile")
        ).all()
    assert new is False
    assert back.mapping == {}
    assert back.header_row == 1
    assert sorted(actions) == ["create", "update"]


def test_saving_the_same_settings_again_records_nothing(
    catalogue: Catalogue, ctx: ChangeContext
) -> None:
    with transaction(catalogue) as session:
        save_profile(session, ctx, AMT32)
        save_profile(session, ctx, AMT32)
        records = session.exec(select(ChangeRecord).where(ChangeRecord.entity == "profile")).all()
    assert len(records) == 1


def test_a_removed_profile_is_gone_and_its_settings_stay_in_the_history(
    catalogue: Catalogue, ctx: ChangeContext
) -> None:
    with transaction(catalogue) as session:
        save_profile(session, ctx, AMT32)
        remove_profile(session, ctx, "amt32")
    with transaction(catalogue, write=False) as session:
        assert list_profiles(session) == []
        deleted = session.exec(select(ChangeRecord).where(ChangeRecord.action == "delete")).one()
    assert "Zuständiges Amt" in (deleted.old_value or "")


def test_an_unknown_profile_is_not_found_and_the_message_lists_the_saved_ones(
    catalogue: Catalogue, ctx: ChangeContext
) -> None:
    with transaction(catalogue) as session:
        save_profile(session, ctx, AMT32)
        with pytest.raises(NotFound) as caught:
            get_profile(session, "amt33")
    assert "amt33" in caught.value.message
    assert "amt32" in (caught.value.hint or "")


@pytest.mark.parametrize("name", ["", "   ", "x" * 65, "amt\x1b[31m"])
def test_a_profile_name_that_is_empty_too_long_or_has_control_characters_is_refused(
    catalogue: Catalogue, ctx: ChangeContext, name: str
) -> None:
    with transaction(catalogue) as session, pytest.raises(ValidationError):
        save_profile(session, ctx, Profile(name=name))
