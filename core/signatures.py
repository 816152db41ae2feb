"""Webhook signatures (X-Hub-Signature-256) and the verify token: checked by the receiver, made by the emulator.

Meta signs the raw body bytes with HMAC-SHA256 keyed by the App Secret and sends
``sha256=<lowercase hex>``. During a secret rotation several secrets are configured and a
body signed with any of them is accepted; which one matched is recorded with the receipt.
Every comparison is constant-time, and every configured secret is always tried, so the time
taken does not tell an attacker which secret came close.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from enum import StrEnum

_PREFIX = "sha256="
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


class Verdict(StrEnum):
    """Outcome of a signature check, as counted and logged."""

    VALID = "valid"
    MISSING = "missing"  # no header at all (401)
    MALFORMED = "malformed"  # not sha256=<64 hex digits> (403)
    MISMATCH = "mismatch"  # well formed, signed with no configured secret (403)


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    """The verdict and, when valid, the position of the secret that matched (0 = first)."""

    verdict: Verdict
    secret_index: int | None = None

    @property
    def valid(self) -> bool:
        """Whether the body may be landed."""
        return self.verdict is Verdict.VALID


def sign(body: bytes, secret: bytes) -> str:
    """The header value Meta would send for ``body`` (also used by tests and the benchmark)."""
    return _PREFIX + hmac.new(secret, body, hashlib.sha256).hexdigest()


def check_signature(body: bytes, header: str | None, secrets: tuple[bytes, ...]) -> SignatureCheck:
    """Check ``X-Hub-Signature-256`` against every configured secret."""
    if header is None or not header.strip():
        return SignatureCheck(Verdict.MISSING)
    value = header.strip()
    if value[: len(_PREFIX)].lower() != _PREFIX:
        return SignatureCheck(Verdict.MALFORMED)
    given = value[len(_PREFIX) :].lower()
    if len(given) != 64 or not _HEX_DIGITS.issuperset(given):
        return SignatureCheck(Verdict.MALFORMED)
    matched: int | None = None
    for index, secret in enumerate(secrets):
        expected = hmac.new(secret, body, hashlib.sha256).hexdigest()
        if hmac.compare_digest(expected, given) and matched is None:
            matched = index
    if matched is None:
        return SignatureCheck(Verdict.MISMATCH)
    return SignatureCheck(Verdict.VALID, matched)


def token_matches(given: str | None, expected: bytes | None) -> bool:
    """Constant-time check of the verification handshake's ``hub.verify_token``."""
    if given is None or expected is None:
        return False
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected)
