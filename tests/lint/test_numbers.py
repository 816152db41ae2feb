"""The vectorised number path must give phonenumbers' verdict on every row."""

from __future__ import annotations

import random

import phonenumbers
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, SUPPORTED_REGIONS, PhoneNumberFormat
from phonenumbers.timezone import time_zones_for_number

from core.phones import parse
from lint.numbers import analyse_numbers, time_zones
from lint.numbers import parse as parse_module
from lint.numbers import validity as validity_module
from lint.numbers.validity import classify

REGIONS = sorted(SUPPORTED_REGIONS)


def _sample(seed: int = 11) -> tuple[list[str | None], list[str | None]]:
    """Example numbers of every region and type in several spellings, mutated copies, random digits."""
    rng = random.Random(seed)
    raws: list[str | None] = []
    regions: list[str | None] = []
    for region in REGIONS:
        for number_type in range(11):
            example = phonenumbers.example_number_for_type(region, number_type)
            if example is None:
                continue
            e164 = phonenumbers.format_number(example, PhoneNumberFormat.E164)
            national = phonenumbers.format_number(example, PhoneNumberFormat.NATIONAL)
            international = phonenumbers.format_number(example, PhoneNumberFormat.INTERNATIONAL)
            for text in (e164, national, international, e164[1:], "00" + e164[1:]):
                raws += [text, text]
                regions += [region, rng.choice(REGIONS)]
            digits = list(e164)
            digits[rng.randrange(2, len(digits))] = str(rng.randrange(10))
            raws.append("".join(digits))
            regions.append(region)
    codes = sorted(COUNTRY_CODE_TO_REGION_CODE)
    for _ in range(800):
        tail = "".join(rng.choice("0123456789") for _ in range(rng.randrange(2, 14)))
        raws += [f"+{rng.choice(codes)}{tail}", tail]
        regions += [None, rng.choice(REGIONS)]
    raws += [
        "",
        None,
        "8.61381E+12",
        "(0151) 2345 6789",
        "＋８６ １３８ ００１３ ８０００",
        "abc",
        "+0123456",
        "011 44 20 7946 0958",
    ]
    regions += [None, None, "CN", "DE", None, None, "DE", "US"]
    return raws, regions


@pytest.fixture(scope="module", params=["per-length", "mixed-lengths"])
def sample(request: pytest.FixtureRequest) -> tuple[list[str | None], list[str | None], pl.DataFrame]:
    """The wide sample analysed with the vectorised path forced on every group.

    In normal runs small groups go to the per-row path; here every group, however small, is
    vectorised, once typing each length apart and once typing all lengths together.
    """
    raws, regions = _sample()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parse_module, "_SMALL_GROUP", 0)
        patch.setattr(validity_module, "_COMMON_LENGTH", 0 if request.param == "per-length" else 10**9)
        result = analyse_numbers(pl.Series(raws, dtype=pl.String), pl.Series(regions, dtype=pl.String))
    return raws, regions, result


_TYPE_NAMES = {v: k for k, v in vars(phonenumbers.PhoneNumberType).items() if not k.startswith("_")}


@pytest.fixture(scope="module")
def reference() -> list[tuple[bool, str | None, str | None, str | None, str | None]]:
    """(valid, E.164, region, type, zones) by the library itself for each row of the sample."""
    raws, regions = _sample()
    out = []
    for raw, region in zip(raws, regions, strict=True):
        parsed = parse(raw, region) if raw is not None else None
        if parsed is None or not parsed.valid:
            out.append((False, None, None, None, None))
            continue
        number = phonenumbers.parse(parsed.e164)
        kind = _TYPE_NAMES[phonenumbers.number_type(number)]
        out.append((True, parsed.e164, parsed.region, kind, "&".join(time_zones_for_number(number))))
    return out


def test_fast_path_agrees_with_phonenumbers_on_a_wide_sample(
    sample: tuple[list[str | None], list[str | None], pl.DataFrame],
    reference: list[tuple[bool, str | None, str | None, str | None, str | None]],
) -> None:
    raws, regions, result = sample
    zones = time_zones(result)
    got = [
        (row["valid"], row["e164"], row["region"], row["number_type"], zone)
        if row["valid"]
        else (False, None, None, None, None)
        for row, zone in zip(result.iter_rows(named=True), zones, strict=True)
    ]
    mismatches = [
        (raw, region, want, have)
        for raw, region, want, have in zip(raws, regions, reference, got, strict=True)
        if want != have
    ]
    assert mismatches == []
    # what remains on the per-row path are the shapes the fast path does not replay
    assert result["path"].value_counts().filter(pl.col("path") == "fast")["count"][0] > len(raws) * 0.85


def test_large_uniform_list_uses_the_fast_path_only() -> None:
    numbers = [f"+86138{i:08d}" for i in range(0, 20000, 7)]
    result = analyse_numbers(pl.Series(numbers), pl.Series([None] * len(numbers), dtype=pl.String))
    assert set(result["path"]) == {"fast"}
    assert result["valid"].all()


def test_excel_damage_is_told_apart() -> None:
    raws = ["8.61381E+12", "8613800138000", "+8613800138000", "12345"]
    result = analyse_numbers(pl.Series(raws), pl.Series([None] * 4, dtype=pl.String))
    assert result["damage"].to_list() == ["scientific", "lost_prefix", None, None]


def test_classify_reads_back_e164() -> None:
    result = classify(pl.Series(["+12025550143", "+14165550123", "+447797123456", None, "+999123"]))
    assert result["region"].to_list() == ["US", "CA", "JE", None, None]
    assert result["valid"].to_list() == [True, True, True, False, False]


_TYPED = st.text(alphabet="0123456789 -()+.", min_size=0, max_size=18)


@settings(max_examples=80, deadline=None)
@given(
    texts=st.lists(_TYPED, min_size=1, max_size=20),
    region=st.sampled_from([None, "DE", "CN", "US", "GB", "IN", "BR", "AR", "IT", "RU", "MX"]),
)
def test_any_typed_text_gets_the_library_verdict(texts: list[str], region: str | None) -> None:
    result = analyse_numbers(
        pl.Series(texts, dtype=pl.String), pl.Series([region] * len(texts), dtype=pl.String)
    )
    for text, row in zip(texts, result.iter_rows(named=True), strict=True):
        expected = parse(text, region)
        assert row["valid"] == (expected.valid if expected else False), text
        if expected and expected.valid:
            assert row["e164"] == expected.e164, text
