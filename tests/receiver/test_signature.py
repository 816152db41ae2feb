"""X-Hub-Signature-256 and the verify token, checked without a server."""

from __future__ import annotations

import pytest

from core.errors import InputError
from core.signatures import Verdict, check_signature, token_matches
from pipelines.receiver import ReceiverOptions, check_exposure, is_loopback, sign

# RFC 4231 test case 2: HMAC-SHA256(key="Jefe", "what do ya want for nothing?")
RFC_KEY = b"Jefe"
RFC_DATA = b"what do ya want for nothing?"
RFC_DIGEST = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"


def test_signature_is_hmac_sha256_of_the_raw_bytes_in_lowercase_hex() -> None:
    assert sign(RFC_DATA, RFC_KEY) == "sha256=" + RFC_DIGEST


def test_valid_signature_names_the_secret_that_matched() -> None:
    header = "sha256=" + RFC_DIGEST
    assert check_signature(RFC_DATA, header, (RFC_KEY,)).secret_index == 0
    # during a rotation both secrets are configured; the body was signed with the second
    check = check_signature(RFC_DATA, header, (b"new-secret", RFC_KEY))
    assert check.valid and check.secret_index == 1


def test_upper_case_hex_and_surrounding_spaces_are_accepted() -> None:
    assert check_signature(RFC_DATA, "  SHA256=" + RFC_DIGEST.upper() + " ", (RFC_KEY,)).valid


@pytest.mark.parametrize(
    ("header", "verdict"),
    [
        (None, Verdict.MISSING),
        ("", Verdict.MISSING),
        ("sha1=" + "0" * 40, Verdict.MALFORMED),
        (RFC_DIGEST, Verdict.MALFORMED),  # no "sha256=" prefix
        ("sha256=" + RFC_DIGEST[:-1], Verdict.MALFORMED),  # 63 digits
        ("sha256=" + RFC_DIGEST[:-1] + "g", Verdict.MALFORMED),
        ("sha256=" + "0" * 64, Verdict.MISMATCH),
    ],
)
def test_bad_signatures(header: str | None, verdict: Verdict) -> None:
    check = check_signature(RFC_DATA, header, (RFC_KEY,))
    assert check.verdict is verdict and not check.valid and check.secret_index is None


def test_one_changed_byte_breaks_the_signature() -> None:
    assert check_signature(RFC_DATA + b" ", "sha256=" + RFC_DIGEST, (RFC_KEY,)).verdict is Verdict.MISMATCH


def test_verify_token() -> None:
    assert token_matches("tok", b"tok")
    assert not token_matches("tok2", b"tok")
    assert not token_matches(None, b"tok")
    assert not token_matches("tok", None)  # no token configured: nobody passes


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
def test_loopback_hosts(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "example.com"])
def test_exposed_hosts_need_an_app_secret(host: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert not is_loopback(host)
    with pytest.raises(InputError, match="without an app secret"):
        check_exposure(host, ReceiverOptions(landing_dir=tmp_path))
    check_exposure(host, ReceiverOptions(landing_dir=tmp_path, app_secrets=(b"s",)))


def test_secrets_never_appear_in_repr(tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = repr(ReceiverOptions(landing_dir=tmp_path, app_secrets=(b"hunter2",), verify_token=b"tok-xyz"))
    assert "hunter2" not in text and "tok-xyz" not in text
