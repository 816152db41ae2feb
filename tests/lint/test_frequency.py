"""The frequency-cap API the linter and the sender share (lint.frequency), checked on hand-worked cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.errors import ConfigError
from lint.config import LintConfig
from lint.engine import LintRequest, lint
from lint.frequency import Cap, breached, count_in_window, send_time_caps

SATURDAY = datetime(2025, 6, 7, 10, 0, tzinfo=UTC)
DAY, WEEK = timedelta(days=1), timedelta(days=7)
TWO_A_WEEK = Cap("F004", "marketing", None, 2, WEEK, "2 marketing messages in 7 days")
ONE_A_DAY_AE = Cap("F002", "marketing", frozenset({"AE"}), 1, DAY, "1 marketing message per day")


def days_before(days: float) -> datetime:
    return SATURDAY - timedelta(days=days)


def test_third_message_in_seven_days_breaches_two_a_week() -> None:
    # Monday and Thursday, then Saturday: 3 in 7 days
    assert breached([TWO_A_WEEK], "DE", "marketing", [days_before(5), days_before(2)], SATURDAY) == TWO_A_WEEK


def test_second_message_in_seven_days_is_allowed() -> None:
    assert breached([TWO_A_WEEK], "DE", "marketing", [days_before(2)], SATURDAY) is None


def test_a_send_exactly_one_window_earlier_no_longer_counts() -> None:
    assert breached([TWO_A_WEEK], None, "marketing", [days_before(7), days_before(2)], SATURDAY) is None
    just_inside = SATURDAY - WEEK + timedelta(seconds=1)
    assert breached([TWO_A_WEEK], None, "marketing", [just_inside, days_before(2)], SATURDAY) == TWO_A_WEEK


def test_daily_cap_boundary() -> None:
    assert breached([ONE_A_DAY_AE], "AE", "marketing", [SATURDAY - DAY], SATURDAY) is None
    almost = SATURDAY - DAY + timedelta(minutes=1)
    assert breached([ONE_A_DAY_AE], "AE", "marketing", [almost], SATURDAY) == ONE_A_DAY_AE


def test_cap_applies_only_to_its_category() -> None:
    previous = [days_before(5), days_before(2)]
    assert breached([TWO_A_WEEK], "DE", "utility", previous, SATURDAY) is None
    assert breached([TWO_A_WEEK], "DE", "MARKETING", previous, SATURDAY) == TWO_A_WEEK
    any_category = Cap("F003", None, None, 2, WEEK, "2 per 7 days")
    assert breached([any_category], None, "utility", previous, SATURDAY) == any_category


def test_cap_applies_only_to_its_regions() -> None:
    previous = [SATURDAY - timedelta(hours=2)]
    assert breached([ONE_A_DAY_AE], "AE", "marketing", previous, SATURDAY) == ONE_A_DAY_AE
    assert breached([ONE_A_DAY_AE], "ae", "marketing", previous, SATURDAY) == ONE_A_DAY_AE
    assert breached([ONE_A_DAY_AE], "DE", "marketing", previous, SATURDAY) is None
    assert breached([ONE_A_DAY_AE], None, "marketing", previous, SATURDAY) is None


def test_a_country_cap_covers_its_subdivisions_but_not_the_reverse() -> None:
    us = Cap("X", "marketing", frozenset({"US"}), 0, DAY, "none")
    florida = Cap("F001", "marketing", frozenset({"US-FL"}), 0, DAY, "none")
    assert us.covers("US-FL", "marketing")
    assert florida.covers("US-FL", "marketing")
    assert not florida.covers("US", "marketing")
    assert not florida.covers("US-TX", "marketing")


def test_first_breached_cap_in_order_is_returned() -> None:
    two_a_week_ae = Cap("F002", "marketing", frozenset({"AE"}), 2, WEEK, "2 marketing messages per week")
    previous = [days_before(3), SATURDAY - timedelta(hours=1)]  # 3 in the week, 2 in the day
    caps = [ONE_A_DAY_AE, two_a_week_ae]
    assert breached(caps, "AE", "marketing", previous, SATURDAY) == ONE_A_DAY_AE
    assert breached(list(reversed(caps)), "AE", "marketing", previous, SATURDAY) == two_a_week_ae


def test_limit_zero_refuses_every_message() -> None:
    never = Cap("F004", "marketing", None, 0, WEEK, "0 marketing messages in 7 days")
    assert breached([never], "DE", "marketing", [], SATURDAY) == never


def test_count_includes_the_new_message_and_planned_later_ones() -> None:
    assert count_in_window([], SATURDAY, WEEK) == 1
    assert count_in_window([days_before(6), days_before(1)], SATURDAY, WEEK) == 3
    # a message already planned for tomorrow shares a 24-hour window with the new one
    assert count_in_window([SATURDAY + timedelta(hours=23)], SATURDAY, DAY) == 2
    assert count_in_window([SATURDAY + DAY], SATURDAY, DAY) == 1
    # the fullest window through `at`: [-3 h, +21 h) holds -3 h, at and +20 h, not -25 h
    hours = [SATURDAY + timedelta(hours=h) for h in (-25, -3, 20)]
    assert count_in_window(hours, SATURDAY, DAY) == 3


def test_send_time_caps_by_default() -> None:
    caps = send_time_caps(LintConfig())
    assert [c.code for c in caps] == ["F001", "F002", "F002", "F002", "F002", "F004"]
    florida = caps[0]
    assert florida.regions == frozenset({"US-FL", "US-OK", "US-MD"})
    assert (florida.limit, florida.window, florida.category) == (3, DAY, "marketing")
    uae = [c for c in caps if c.regions == frozenset({"AE"})]
    assert sorted((c.limit, c.window) for c in uae) == [(1, DAY), (2, WEEK)]
    weekly = caps[-1]
    assert (weekly.limit, weekly.window, weekly.regions) == (2, WEEK, None)
    assert weekly.message == "2 marketing messages in 7 days"


def test_send_time_caps_follow_the_settings() -> None:
    assert "F002" not in {c.code for c in send_time_caps(LintConfig(ignore=("F002",)))}
    assert [c.code for c in send_time_caps(LintConfig(select=("F004",)))] == ["F004"]
    assert send_time_caps(LintConfig(ignore=("frequency",))) == ()
    five = send_time_caps(LintConfig(options={"F004": {"cap": 5}}))[-1]
    assert (five.code, five.limit, five.message) == ("F004", 5, "5 marketing messages in 7 days")


def test_a_cap_that_is_not_a_number_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="F004"):
        send_time_caps(LintConfig(options={"F004": {"cap": "two"}}))


def test_florida_at_send_time_counts_every_marketing_subject() -> None:
    caps = send_time_caps(LintConfig())
    today = [SATURDAY - timedelta(hours=h) for h in (9, 6, 3)]
    assert breached(caps, "US-FL", "marketing", today, SATURDAY) == caps[0]
    # without the state only the weekly cap applies: 4 in 7 days
    found = breached(caps, "US", "marketing", today, SATURDAY)
    assert found is not None and found.code == "F004"
    # a third message today is within Florida's 3, but already over the weekly 2
    assert breached(caps[:1], "US-FL", "marketing", today[:2], SATURDAY) is None
    assert breached(caps, "US-FL", "marketing", today[:2], SATURDAY) == caps[-1]


def test_lint_and_sender_agree_on_who_is_over_the_weekly_cap(tmp_path: Path) -> None:
    """F004 in the linter flags exactly the contacts :func:`breached` refuses at the same time."""
    draft = tmp_path / "draft.json"
    draft.write_text(
        '{"name": "spring_sale", "language": "en_US", "category": "MARKETING", "components": '
        '[{"type": "BODY", "text": "Acme sale: 20% off. Reply STOP to opt out."}]}',
        encoding="utf-8",
    )
    numbers = ["+4915123456789", "+4915123456780", "+4915123456781", "+4915123456782"]
    (tmp_path / "contacts.csv").write_text("phone\n" + "\n".join(numbers) + "\n", encoding="utf-8")
    history = {
        numbers[0]: [days_before(6), days_before(1)],  # 3 with this one: over
        numbers[1]: [days_before(7), days_before(1)],  # the first is out of the window: 2
        numbers[2]: [days_before(1)],  # 2
        numbers[3]: [days_before(6.9), days_before(3), days_before(0.5)],  # 4: over
    }
    rows = ["to,attempted_at,category,template"]
    for number, times in history.items():
        rows += [f"{number},{t.isoformat()},marketing,spring_sale" for t in times]
    (tmp_path / "send_log.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    config = LintConfig(send_log=tmp_path / "send_log.csv")
    report = lint(
        LintRequest(
            drafts=(draft,), contacts=tmp_path / "contacts.csv", at=SATURDAY, config=config, select=("F004",)
        )
    )
    flagged = {f.target.row for f in report.iter_findings()}
    caps = send_time_caps(config)
    refused = {
        row
        for row, number in enumerate(numbers, start=1)
        if breached(caps, "DE", "marketing", history[number], SATURDAY) is not None
    }
    assert flagged == refused == {1, 4}
