"""Numbers, counts and dates for people: German by default."""

from __future__ import annotations

from datetime import date

from egov_cli.values.display import count, day, number, percent


def test_a_count_of_one_takes_the_singular_and_larger_counts_german_digits() -> None:
    assert count(1, "Leistung", "Leistungen") == "1 Leistung"
    assert count(0, "Leistung", "Leistungen") == "0 Leistungen"
    assert count(12345, "Leistung", "Leistungen") == "12.345 Leistungen"
    assert count(12345, "service", "services", lang="en") == "12,345 services"


def test_numbers_percentages_and_days_are_written_the_german_way() -> None:
    assert number(1234.5, 1) == "1.234,5"
    assert percent(0.425) == "42,5 %"
    assert day(date(2026, 12, 31)) == "31.12.2026"
