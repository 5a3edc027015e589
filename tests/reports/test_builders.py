"""Report builders on the small city catalogue (tests/reports/conftest.py), pinned clock."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from egov_cli.core.errors import NotFound
from egov_cli.domain.catalogue import remove_service
from egov_cli.domain.targets import add_target
from egov_cli.reports.builders import ReportOptions, build, last_run, record_run, report_names
from egov_cli.reports.document import Label, Report, Section, Table
from egov_cli.storage.db import Catalogue, transaction

from .conftest import KEYS, NOW, at

LABEL = "city.db"


def _build(cat: Catalogue, name: str, **options: Any) -> Report:
    with transaction(cat) as s:
        return build(name, s, LABEL, NOW, ReportOptions(**options))


def _section(report: Report, key: str) -> Section:
    return next(s for s in report.sections if s.key == key)


def _table(report: Report, key: str) -> Table:
    return next(t for s in report.sections for t in s.tables if t.key == key)


def _filters(report: Report, lang: str = "de") -> dict[str, str]:
    return {k: v(lang) for k, v in report.filters.items()}


def _figures(section: Section) -> dict[str, Any]:
    return {f.key: f.value for f in section.figures}


@pytest.fixture
def with_targets(city: Catalogue) -> Catalogue:
    with transaction(city) as s:
        add_target(s, at("2026-01-05"), "Online 2026", today=date(2026, 1, 5),
                   threshold_level=3, goal_count=10)  # fmt: skip
        add_target(s, at("2026-01-05"), "Sozialamt", today=date(2026, 1, 5),
                   threshold_level=3, goal_count=1, department="50")  # fmt: skip
    return city


def test_the_registry_names_the_reports_and_refuses_unknown_ones(city: Catalogue) -> None:
    assert {"readiness", "targets", "overdue", "changes", "sdg"} <= set(report_names())
    with transaction(city) as s, pytest.raises(NotFound) as exc:
        build("nonsense", s, LABEL, NOW)
    assert exc.value.message == "Kein Bericht 'nonsense'."


def test_readiness_headline_figures_and_level_distribution(with_targets: Catalogue) -> None:
    report = _build(with_targets, "readiness")
    assert (report.name, report.generated_at, report.catalogue) == ("readiness", NOW, LABEL)
    assert report.filters == {}
    assert report.scale_labels[3].de == "Online-Leistung"
    overview = _figures(_section(report, "overview"))
    assert overview["services"] == 7
    assert overview["online"] == 5
    assert overview["online_share"] == pytest.approx(5 / 7)
    assert overview["online_threshold"] == 3
    assert [overview[f"level_{lv}"] for lv in range(5)] == [1, 0, 1, 4, 1]
    chart = _section(report, "overview").charts[0]
    assert chart.series[0].points[3] == (Label("3 Online-Leistung", "3 Online service"), 4.0)


def test_readiness_per_department_and_topic(with_targets: Catalogue) -> None:
    report = _build(with_targets, "readiness")
    departments = {r["department"]: r for r in _table(report, "departments").rows}
    assert departments["32"]["services"] == 4
    assert departments["32"]["online"] == 4
    assert departments["50"]["level_0"] == 1
    assert departments["50"]["online_share"] == pytest.approx(1 / 3)
    topics = {
        getattr(r["topic"], "de", r["topic"]): (r["services"], r["online"])
        for r in _table(report, "topics").rows
    }
    assert topics == {"Familie": (2, 2), "ohne Themenfeld": (5, 3)}


def test_readiness_target_status_and_alerts(with_targets: Catalogue) -> None:
    report = _build(with_targets, "readiness")
    rows = {
        str(getattr(r["target"], "de", r["target"])): r
        for r in _table(report, "target_status").rows
    }
    assert rows["Online 2026"]["status"] == "at-risk"
    assert (rows["Sozialamt"]["current"], rows["Sozialamt"]["status"]) == (1, "on-track")
    # E is past its target date (1.10.) below its target level: a line of its own, no target
    assert set(rows) == {"Online 2026", "Sozialamt"}
    figures = _figures(_section(report, "targets"))
    assert (figures["targets"], figures["targets_at_risk"], figures["targets_missed"]) == (2, 1, 0)
    assert figures["services_overdue"] == 1
    assert report.alerts == ("at-risk", "overdue")
    assert "verfehlt = Fälligkeitsdatum vorbei" in (_table(report, "target_status").note.de)  # type: ignore[union-attr]


def test_readiness_with_a_department_filter(with_targets: Catalogue) -> None:
    report = _build(with_targets, "readiness", department="50")
    assert _filters(report) == {"department": "Amt 50 (Sozialamt)"}
    assert _filters(report, "en") == {"department": "department 50 (Sozialamt)"}
    assert _figures(_section(report, "overview"))["services"] == 3


def test_the_online_share_follows_the_scale_threshold(with_targets: Catalogue) -> None:
    from sqlalchemy import update

    from egov_cli.core.models import MaturityLevel

    with transaction(with_targets) as s:
        s.execute(update(MaturityLevel).where(MaturityLevel.level == 3).values(online=False))  # type: ignore[arg-type]
    overview = _figures(_section(_build(with_targets, "readiness"), "overview"))
    assert (overview["online_threshold"], overview["online"]) == (4, 1)


def test_targets_report_has_progress_burn_up_and_services_to_move(
    with_targets: Catalogue,
) -> None:
    report = _build(with_targets, "targets")
    section = next(s for s in report.sections if s.title.de == "Ziel: Online 2026")
    figures = _figures(section)
    assert (figures["start_count"], figures["current_count"], figures["goal"]) == (2, 5, 10)
    assert figures["status"] == "at-risk"
    burnup = section.charts[0]
    assert burnup.kind == "burnup"
    reached, goal_line, forecast = burnup.series
    assert reached.points[0] == (date(2026, 1, 1), 2.0)
    assert reached.points[-1] == (date(2026, 11, 25), 5.0)
    assert goal_line.points == ((date(2026, 1, 1), 2.0), (date(2026, 12, 31), 10.0))
    assert forecast.points[0] == (date(2026, 11, 25), 5.0)
    to_move = section.tables[0]
    # below 3: D (2), E (0); closest first
    assert [r["name"] for r in to_move.rows] == ["Leistung D", "Leistung E"]
    assert report.alerts == ("at-risk", "overdue")


def test_targets_report_for_one_target_only(with_targets: Catalogue) -> None:
    report = _build(with_targets, "targets", target="Sozialamt")
    assert _filters(report) == {"target": "Ziel „Sozialamt“"}
    assert report.sections[0].key == "overview"
    assert len(report.sections) == 2
    assert report.alerts == ()


def test_a_digitales_amt_target_lists_the_procedures_still_missing(city: Catalogue) -> None:
    with transaction(city) as s:
        add_target(s, at("2026-01-05"), "DA", today=date(2026, 1, 5), kind="digitales_amt")
    report = _build(city, "targets")
    section = next(s for s in report.sections if s.title.de == "Ziel: DA")
    assert _figures(section)["current_count"] == 2
    assert [(r["name"], r["bayernportal"], r["services"]) for r in section.tables[0].rows] == [
        ("P3", False, 1)
    ]


def test_overdue_lists_past_and_soon_due_services(city: Catalogue) -> None:
    report = _build(city, "overdue", due_within_days=10)
    overdue = _table(report, "overdue").rows
    soon = _table(report, "due_soon").rows
    assert [(r["name"], r["days_overdue"]) for r in overdue] == [("Leistung E", 55)]
    assert [(r["name"], r["days_left"]) for r in soon] == [("Leistung D", 6)]
    assert report.alerts == ("overdue",)
    assert _filters(report) == {"due_within_days": "fällig in 10 Tagen"}
    assert _filters(report, "en") == {"due_within_days": "due within 10 days"}
    assert _build(city, "overdue", due_within_days=5).sections[0].tables[1].rows == ()


def test_changes_since_a_date(city: Catalogue) -> None:
    report = _build(city, "changes", since=date(2026, 5, 1))
    ups = [(r["name"], r["before"], r["after"]) for r in _table(report, "level_ups").rows]
    downs = [(r["name"], r["before"], r["after"]) for r in _table(report, "level_downs").rows]
    assert ups == [("Leistung G", 1, 3), ("Leistung C", 2, 4)]  # by department, then name
    assert downs == [("Leistung D", 3, 2)]
    assert _table(report, "new_services").rows == ()
    assert [r["name"] for r in _table(report, "go_lives").rows] == ["Leistung G"]
    assert _filters(report)["since"] == "seit 01.05.2026"
    assert _filters(report, "en")["since"] == "since 2026-05-01"


def test_changes_without_a_date_say_since_when_the_history_begins(city: Catalogue) -> None:
    report = _build(city, "changes")
    assert _figures(report.sections[0])["since"] == date(2025, 12, 1)  # the first record
    assert "since" not in _filters(report)


def test_changes_since_the_start_lists_new_services(city: Catalogue) -> None:
    report = _build(city, "changes", since=date(2026, 3, 15))
    assert [r["name"] for r in _table(report, "new_services").rows] == ["Leistung F", "Leistung G"]
    # G was created after the date: it is new, not a level up
    assert [r["name"] for r in _table(report, "level_ups").rows] == ["Leistung C"]


def test_changes_since_last_uses_the_last_recorded_run(city: Catalogue) -> None:
    with transaction(city) as s:
        assert last_run(s, "changes") is None
        record_run(s, "changes", generated_at=datetime(2026, 8, 1, 6, 0, tzinfo=UTC),
                   actor="cron", format="html", output="out/changes.html")  # fmt: skip
        record_run(s, "readiness", generated_at=datetime(2026, 11, 1, 6, 0, tzinfo=UTC),
                   actor="cron", format="html")  # fmt: skip
        assert last_run(s, "changes") == datetime(2026, 8, 1, 6, 0, tzinfo=UTC)
    report = _build(city, "changes", since_last=True)
    assert [r["name"] for r in _table(report, "level_ups").rows] == ["Leistung G"]
    assert _table(report, "level_downs").rows == ()
    assert _filters(report)["since"] == "seit dem letzten Bericht (01.08.2026 08:00)"


def test_removed_services_show_in_the_changes(city: Catalogue) -> None:
    with transaction(city) as s:
        remove_service(s, at("2026-11-20"), KEYS["E"])
    report = _build(city, "changes", since=date(2026, 11, 1))
    assert [r["leika_key"] for r in _table(report, "removed").rows] == [KEYS["E"]]


def test_sdg_lists_annex_ii_services_below_the_top_level(city: Catalogue) -> None:
    report = _build(city, "sdg")
    figures = _figures(report.sections[0])
    assert (figures["services"], figures["top_level"], figures["at_top"]) == (3, 4, 1)
    assert [(r["name"], r["level"]) for r in _table(report, "below_top").rows] == [
        ("Leistung E", 0),
        ("Leistung B", 3),
    ]
    assert _filters(report) == {"sdg_annex2": "SDG-Anhang II: ja"}


@pytest.mark.parametrize("report_name", ["readiness", "overdue", "changes", "sdg", "targets"])
def test_an_unknown_department_is_named_not_reported_as_zeros(
    city: Catalogue, report_name: str
) -> None:
    with pytest.raises(NotFound) as exc:
        _build(city, report_name, department="99")
    assert exc.value.message == "Kein Amt '99'."
    assert exc.value.hint == "Bekannte Ämter: 32, 50."


def test_an_unknown_topic_or_leika_type_says_so(city: Catalogue) -> None:
    with pytest.raises(NotFound) as topic:
        _build(city, "readiness", topic="Raumfahrt")
    assert topic.value.message == "Kein Themenfeld 'Raumfahrt' im Katalog."
    assert topic.value.hint == "Themenfelder im Katalog: Familie."
    with pytest.raises(NotFound) as kind:
        _build(city, "readiness", leika_type="9")
    assert kind.value.message == "Keine Leistung vom LeiKa-Typ '9' im Katalog."


def test_a_department_filter_may_name_the_department(with_targets: Catalogue) -> None:
    report = _build(with_targets, "readiness", department="sozialamt")
    assert _filters(report) == {"department": "Amt 50 (Sozialamt)"}
    assert _figures(_section(report, "overview"))["services"] == 3


def test_english_reports_name_the_levels_in_english(with_targets: Catalogue) -> None:
    from egov_cli.reports.render import md

    report = _build(with_targets, "readiness")
    assert report.level_names("en")[3] == "Online service"
    assert report.level_names("de")[3] == "Online-Leistung"
    text = md.render(report, "en")
    assert "3 Online service" in text
    assert "Online-Leistung" not in text


def _status_counts(report: Report) -> dict[str, int]:
    figures = _figures(report.sections[0])
    return {s: figures[f"targets_{s.replace('-', '_')}"] for s in ("on-track", "at-risk", "missed")}


@pytest.mark.parametrize("report_name", ["readiness", "targets"])
def test_cards_table_and_alerts_give_each_target_one_status(
    with_targets: Catalogue, report_name: str
) -> None:
    report = _build(with_targets, report_name)
    if report_name == "readiness":
        report = Report(**{**report.__dict__, "sections": (_section(report, "targets"),)})
    statuses = [r["status"] for r in _table(report, "target_status").rows]
    counts = _status_counts(report)
    assert counts == {s: statuses.count(s) for s in counts}
    # a missed target in the alerts is a missed target in the cards and the table, and back
    assert ("missed" in report.alerts) == (counts["missed"] > 0)
    assert ("at-risk" in report.alerts) == (counts["at-risk"] > 0)
    assert counts["missed"] == 0


def test_forecasts_of_counts_are_whole_numbers_rounded_down(with_targets: Catalogue) -> None:
    from egov_cli.domain.progress import whole_count
    from egov_cli.reports.render import md

    assert (whole_count(50.4), whole_count(50.99), whole_count(50.9999999), whole_count(-2)) == (
        50, 50, 51, 0
    )  # fmt: skip
    report = _build(with_targets, "targets")
    rows = _table(report, "target_status").rows
    assert all(isinstance(r["forecast"], int) for r in rows)
    assert "abgerundet" in md.render(report, "de")
    assert "rounded down" in md.render(report, "en")


def test_readiness_gives_the_three_counts_with_what_each_means(with_targets: Catalogue) -> None:
    report = _build(with_targets, "readiness")
    rows = _table(report, "three_counts").rows
    # 7 services; P1 (A, B), P2 (C, G), P3 (E): 3 online procedures; no OZG bundles yet
    assert [(r["count"].de, r["value"]) for r in rows] == [
        ("Leistungen (LeiKa)", 7),
        ("Online-Dienste", 3),
        ("OZG-Leistungen", 0),
    ]
    assert all(r["meaning"].de and r["meaning"].en for r in rows)
    scoped = _table(_build(with_targets, "readiness", department="50"), "three_counts").rows
    assert [r["value"] for r in scoped] == [3, 2, 0]


def test_departments_and_topics_are_in_german_order(city: Catalogue) -> None:
    from egov_cli.domain.catalogue import edit_service

    with transaction(city) as s:
        for letter, topic in (("A", "Wohnen"), ("B", "Öffentliche Ordnung"), ("D", "ämter")):
            edit_service(s, at("2026-11-20"), KEYS[letter], {"topic": topic})
    report = _build(city, "readiness")
    topics = [getattr(r["topic"], "de", r["topic"]) for r in _table(report, "topics").rows]
    assert topics == ["ämter", "Familie", "Öffentliche Ordnung", "Wohnen", "ohne Themenfeld"]


def test_the_services_still_to_move_are_in_german_order(with_targets: Catalogue) -> None:
    from egov_cli.domain.catalogue import add_service

    with transaction(with_targets) as s:
        for name in ("Wohnsitz Anmeldung", "Öffentlicher Auftrag", "amtliche Bestätigung"):
            add_service(s, at("2026-11-20"), {"name": name, "level": 1})
    report = _build(with_targets, "targets")
    section = next(s for s in report.sections if s.title.de == "Ziel: Online 2026")
    names = [r["name"] for r in section.tables[0].rows if r["level"] == 1]
    assert names == ["amtliche Bestätigung", "Öffentlicher Auftrag", "Wohnsitz Anmeldung"]
