"""Reading the message frequency disclosed at opt-in (lint.disclosed), in English and Chinese."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lint.disclosed import Disclosed, describe, parse_frequency

DAY, WEEK, MONTH, YEAR = timedelta(days=1), timedelta(days=7), timedelta(days=30), timedelta(days=365)


@pytest.mark.parametrize(
    ("text", "limits"),
    [
        ("up to 4/month", ((4, MONTH),)),
        ("Up to 4 msgs/mo", ((4, MONTH),)),
        ("4 messages per month", ((4, MONTH),)),
        ("2x per week", ((2, WEEK),)),
        ("twice a week", ((2, WEEK),)),
        ("once a week", ((1, WEEK),)),
        ("1 message a day", ((1, DAY),)),
        ("3 texts every week", ((3, WEEK),)),
        ("4 per 30 days", ((4, MONTH),)),
        ("two messages weekly", ((2, WEEK),)),
        ("Weekly", ((1, WEEK),)),
        ("12 msgs/yr", ((12, YEAR),)),
        ("twice a week, max 6/mo", ((2, WEEK), (6, MONTH))),
        ("Message frequency: up to 4 per month. Msg&data rates may apply.", ((4, MONTH),)),
        ("ＵＰ ＴＯ ４／ＭＯＮＴＨ", ((4, MONTH),)),
        ("每周最多2条", ((2, WEEK),)),
        ("每月不超过4条", ((4, MONTH),)),
        ("每月4条", ((4, MONTH),)),
        ("一周两次", ((2, WEEK),)),
        ("每天1条", ((1, DAY),)),
        ("每2周1条", ((1, timedelta(days=14)),)),
        ("最多4条/月", ((4, MONTH),)),
        ("每周最多十二条", ((12, WEEK),)),
    ],
)
def test_common_forms(text: str, limits: tuple[tuple[int, timedelta], ...]) -> None:
    assert parse_frequency(text) == Disclosed(limits)


@pytest.mark.parametrize("text", ["Msg frequency varies", "Recurring messages", "发送频率不定"])
def test_no_number_promised(text: str) -> None:
    assert parse_frequency(text) == Disclosed(())


@pytest.mark.parametrize(
    "text", ["whenever we have news", "a few per month", "", "   ", None, "24/7 support"]
)
def test_unreadable(text: str | None) -> None:
    assert parse_frequency(text) is None


def test_describe() -> None:
    assert describe(4, MONTH) == "4 per 30 days"
    assert describe(1, DAY) == "1 per 1 day"
