"""Both languages hold every string the code uses; numbers and dates follow the language."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from core.queries import RATES
from dashboard.i18n import Text, strings

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"
EN, ZH = Text("en"), Text("zh")


def test_english_and_chinese_have_the_same_keys() -> None:
    assert set(strings("en")) == set(strings("zh"))


def test_every_literal_key_in_the_code_exists() -> None:
    used: set[str] = set()
    for path in DASHBOARD.rglob("*.py"):
        used |= set(
            re.findall(r"""\bt\(\s*["']([a-z_]+\.[A-Za-z0-9_.]+)["']""", path.read_text(encoding="utf-8"))
        )
    assert used, "the scan found no keys"
    assert sorted(key for key in used if key not in strings("en")) == []


def test_every_metric_has_a_name_and_a_definition_in_both_languages() -> None:
    for lang in ("en", "zh"):
        for rate, (num, den) in RATES.items():
            for key in (f"metric.{rate}", f"definition.{rate}", f"metric.{num}", f"metric.{den}"):
                assert strings(lang)[key]  # type: ignore[arg-type]


def test_chinese_uses_the_glossary_terms() -> None:
    assert ZH("metric.block_rate_est") == "屏蔽率（估算）"
    assert ZH("metric.read_rate") == "已读率（打开率）"
    assert ZH("metric.response_rate") == "回复率（互动率）"
    assert ZH("metric.delivery_rate") == "送达率"
    assert ZH("nav.campaigns") == "营销活动与消息模板"
    assert "退订/屏蔽名单（禁发名单）" in ZH("compliance.suppression")


def test_block_rate_is_labelled_an_estimate_everywhere() -> None:
    assert "estimated" in EN("metric.block_rate_est").lower()
    assert "estimate" in EN("definition.block_rate_est").lower()
    assert "估算" in ZH("definition.block_rate_est")


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [(EN, 1234567, "1,234,567"), (ZH, 1234567, "1,234,567"), (EN, None, "–"), (EN, 12.6, "13")],
)
def test_counts(text: Text, value: float | None, expected: str) -> None:
    assert text.count(value) == expected


def test_rates_and_points() -> None:
    assert EN.pct(0.90312) == "90.3%"
    assert EN.pct(0.0071, 2) == "0.71%"
    assert EN.pct(None) == "–"
    assert EN.points(-0.0123) == "-1.2 pp"
    assert ZH.points(0.004) == "+0.4 个百分点"


def test_dates_follow_the_language() -> None:
    assert EN.day(date(2026, 10, 5)) == "5 Oct 2026"
    assert ZH.day(date(2026, 10, 5)) == "2026年10月5日"
    assert ZH.date_range(date(2026, 10, 1), date(2026, 10, 7)) == "2026年10月1日 – 2026年10月7日"
    assert EN.date_range(None, None) == "All time"
    moment = datetime(2026, 10, 5, 23, 30, tzinfo=UTC)
    assert ZH.moment(moment, "Asia/Shanghai") == "2026年10月6日 07:30 (Asia/Shanghai)"


def test_durations() -> None:
    assert EN.duration(42) == "42 s"
    assert EN.duration(5400) == "1.5 h"
    assert ZH.duration(90) == "1.5 分钟"
    assert ZH.duration(3 * 86400) == "3.0 天"


def test_missing_translation_falls_back_to_english_then_the_key() -> None:
    assert ZH("no.such.key") == "no.such.key"
