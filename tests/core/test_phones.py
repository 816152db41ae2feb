from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import phonenumbers
import pytest

from core.errors import ConfigError
from core.phones import ContactKeyer, digits_only, mask, parse, region_of, to_e164
from core.warehouse import Warehouse


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("+49 151 2345-6789", "+4915123456789"),
        ("0049 (151) 23456789", "+4915123456789"),
        ("＋８６ １３８ ００１３ ８０００", "+8613800138000"),
        ("4915123456789", "+4915123456789"),
        ("12", None),
    ],
)
def test_to_e164_accepts_numbers_as_people_type_them(typed: str, expected: str | None) -> None:
    assert to_e164(typed) == expected


def test_digits_only_drops_the_00_prefix() -> None:
    assert digits_only("00 86 138") == "86138"


@pytest.mark.parametrize(
    ("number", "region"),
    [
        ("+4915123456789", "DE"),
        ("+8613800138000", "CN"),
        ("+12025550143", "US"),  # Washington DC area code
        ("+14165550123", "CA"),  # Toronto area code
        ("+77012345678", "KZ"),  # +7 shared by RU and KZ
        ("+79161234567", "RU"),
        ("+447700900123", "GB"),
        ("+447797123456", "JE"),  # Jersey mobile inside +44
    ],
)
def test_region_of_resolves_shared_calling_codes(number: str, region: str) -> None:
    assert region_of(number) == region


def test_region_of_agrees_with_phonenumbers_on_valid_numbers() -> None:
    for region in ["US", "CA", "GB", "JE", "GG", "IM", "RU", "KZ", "IT", "VA", "FI", "AX", "AU", "MA"]:
        example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
        if example is None:
            continue
        e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
        assert region_of(e164) == phonenumbers.region_code_for_number(example), e164


def test_parse_reports_validity_and_region() -> None:
    parsed = parse("030 1234567", "DE")
    assert parsed is not None and parsed.region == "DE" and parsed.e164 == "+49301234567"
    assert parse("not a number") is None


def test_mask_keeps_only_country_code_prefix_and_last_two_digits() -> None:
    assert mask("+4915123456734") == "+49 151 ••• ••34"


def test_contact_key_is_hmac_sha256_of_the_number() -> None:
    secret = bytes(range(32))
    expected = hmac.new(secret, b"+4915123456789", hashlib.sha256).hexdigest()[:32]
    assert ContactKeyer(secret).key("+4915123456789") == expected


def test_contact_key_sql_matches_python() -> None:
    keyer = ContactKeyer(b"k" * 40)
    with Warehouse.in_memory() as wh:
        got = wh.scalar(f"SELECT {keyer.sql_expression('$n')}", {**keyer.sql_params(), "n": "+8613800138000"})
    assert got == keyer.key("+8613800138000")


def test_workspace_key_is_created_owner_only_and_reused(tmp_path: Path) -> None:
    path = tmp_path / ".wagate-key"
    first = ContactKeyer.for_workspace(path).key("+4915123456789")
    assert path.stat().st_mode & 0o777 == 0o600
    assert ContactKeyer.for_workspace(path).key("+4915123456789") == first


def test_workspace_key_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / ".wagate-key"
    ContactKeyer.for_workspace(path)
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        ContactKeyer.for_workspace(path)


def test_numbers_in_raw_text_are_masked_but_other_numbers_stay() -> None:
    from core.phones import mask_numbers_in

    text = '{"recipient_id":"4915123456789","timestamp":"1760000000","to":"+86 138 0013 8000","code":131026}'
    masked = mask_numbers_in(text)
    assert "4915123456789" not in masked and "491•••89" in masked
    assert "138 0013 8000" not in masked and "861•••00" in masked
    assert "131026" in masked  # six digits: an error code, not a phone number
