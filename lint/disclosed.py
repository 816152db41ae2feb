"""The message frequency a contact was told at opt-in (``frequency_disclosed``), read as numbers.

People write it in many ways; the common English and Chinese forms are understood::

    parse_frequency("Up to 4 msgs/month")     # Disclosed(limits=((4, 30 days),))
    parse_frequency("2x per week")            # ((2, 7 days),)
    parse_frequency("twice a week, max 6/mo") # ((2, 7 days), (6, 30 days))
    parse_frequency("每周最多2条")               # ((2, 7 days),)
    parse_frequency("Msg frequency varies")   # Disclosed(limits=()) - no number was promised
    parse_frequency("whenever")               # None - cannot be read

A month is 30 days and a year 365, as rolling windows (see :mod:`lint.frequency`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

DAY, WEEK, MONTH, YEAR = timedelta(days=1), timedelta(days=7), timedelta(days=30), timedelta(days=365)

_EN_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "once": 1,
    "two": 2,
    "twice": 2,
    "three": 3,
    "thrice": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
}
_ZH_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "兩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_EN_UNITS = {
    "day": DAY,
    "days": DAY,
    "d": DAY,
    "24h": DAY,
    "24 hours": DAY,
    "week": WEEK,
    "weeks": WEEK,
    "wk": WEEK,
    "wks": WEEK,
    "w": WEEK,
    "month": MONTH,
    "months": MONTH,
    "mo": MONTH,
    "mos": MONTH,
    "mth": MONTH,
    "m": MONTH,
    "year": YEAR,
    "years": YEAR,
    "yr": YEAR,
    "yrs": YEAR,
}
_EN_ADVERBS = {"daily": DAY, "weekly": WEEK, "monthly": MONTH, "yearly": YEAR, "annually": YEAR}
_ZH_UNITS = {
    "天": DAY,
    "日": DAY,
    "周": WEEK,
    "週": WEEK,
    "星期": WEEK,
    "礼拜": WEEK,
    "禮拜": WEEK,
    "月": MONTH,
    "年": YEAR,
}

_NUMBER = r"(?P<n>\d+|" + "|".join(sorted(_EN_NUMBERS, key=len, reverse=True)) + r")"
_NOUN = r"(?:\s*(?:x|times?|msgs?|messages?|texts?|sms|notifications?|alerts?|updates?|offers?))*"
_UNIT = r"(?P<unit>" + "|".join(sorted((re.escape(u) for u in _EN_UNITS), key=len, reverse=True)) + r")\b"
_EN_PATTERNS = (
    # "4/month", "4 msgs per month", "2x a week", "once a week", "4 per 30 days"
    re.compile(
        rf"\b{_NUMBER}{_NOUN}\s*(?:/|\bper\b|\ba\b|\ban\b|\beach\b|\bevery\b|\bin\s+an?\b)\s*"
        rf"(?P<k>\d+\s*)?{_UNIT}"
    ),
    # "2 messages weekly", "twice monthly"
    re.compile(rf"\b{_NUMBER}{_NOUN}\s*(?P<adverb>daily|weekly|monthly|yearly|annually)\b"),
)
# "weekly", "daily updates" on their own: one message per period
_EN_ALONE = re.compile(
    r"^(?:(?:up to|max(?:imum)?|about|approx\.?)\s+)?(?P<adverb>daily|weekly|monthly|yearly)\b"
)
_ZH_NUMBER = r"(?P<n>\d+|[零一二两兩三四五六七八九十]+)"
_ZH_UNIT = r"(?P<unit>天|日|周|週|星期|礼拜|禮拜|月|年)"
_ZH_PATTERNS = (
    # "每周最多2条", "每月不超过4条", "一周两次", "每2周1条"
    re.compile(
        rf"(?:每|一)(?P<k>\d+|[一二两兩三四五六七八九十]+)?\s*个?{_ZH_UNIT}\s*"
        rf"(?:最多|至多|不超过|不超過|不多于|上限|约|約|大约|大約|仅|僅|只)?\s*(?:发送|發送|发|發|推送)?\s*"
        rf"{_ZH_NUMBER}\s*(?:条|條|次|封|则|則)"
    ),
    # "2条/周", "最多4条/月"
    re.compile(rf"{_ZH_NUMBER}\s*(?:条|條|次|封|则|則)\s*/\s*{_ZH_UNIT}"),
)
_VARIES = re.compile(r"\bvar(?:ies|y|iable)\b|\brecurring\b|不定期|频率不定|頻率不定|不固定")


@dataclass(frozen=True, slots=True)
class Disclosed:
    """Limits read from a disclosure: at most ``count`` messages per rolling ``window``, each.

    No limits means the disclosure promised no number ("Msg frequency varies").
    """

    limits: tuple[tuple[int, timedelta], ...]


def _zh_number(text: str) -> int:
    """``12``, ``二``, ``两``, ``十二``, ``二十`` as an integer."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_ZH_DIGITS.get(tens, 1) if tens else 1) * 10 + (_ZH_DIGITS.get(ones, 0) if ones else 0)
    return _ZH_DIGITS[text]


def _en_number(text: str) -> int:
    return int(text) if text.isdigit() else _EN_NUMBERS[text]


def _english(text: str) -> list[tuple[int, timedelta]]:
    found: list[tuple[int, timedelta]] = []
    taken: list[tuple[int, int]] = []
    for pattern in _EN_PATTERNS:
        for match in pattern.finditer(text):
            if any(start < match.end() and match.start() < end for start, end in taken):
                continue
            taken.append(match.span())
            groups = match.groupdict()
            if groups.get("adverb"):
                window = _EN_ADVERBS[groups["adverb"]]
            else:
                window = _EN_UNITS[groups["unit"]] * int((groups.get("k") or "1").strip())
            found.append((_en_number(groups["n"]), window))
    if not found:
        alone = _EN_ALONE.match(text)
        if alone:
            found.append((1, _EN_ADVERBS[alone.group("adverb")]))
    return found


def _chinese(text: str) -> list[tuple[int, timedelta]]:
    found: list[tuple[int, timedelta]] = []
    for pattern in _ZH_PATTERNS:
        for match in pattern.finditer(text):
            groups = match.groupdict()
            periods = _zh_number(groups["k"]) if groups.get("k") else 1
            found.append((_zh_number(groups["n"]), _ZH_UNITS[groups["unit"]] * periods))
    return found


def parse_frequency(text: str | None) -> Disclosed | None:
    """The limits a disclosure states.

    ``Disclosed(())`` when it promises no number, ``None`` when it cannot be read.
    """
    if text is None:
        return None
    folded = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    if not folded:
        return None
    limits = _english(folded) + _chinese(folded)
    if limits:
        return Disclosed(tuple(dict.fromkeys(limits)))
    if _VARIES.search(folded):
        return Disclosed(())
    return None


def describe(limit: int, window: timedelta) -> str:
    """``4 per 30 days``."""
    days = window // DAY
    return f"{limit} per {days} day{'s' if days != 1 else ''}"
