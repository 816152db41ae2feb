"""Signatures of event bodies: wagate's own header (hex) and the shops' (base64), all HMAC-SHA256.

* ``X-Wagate-Signature: sha256=<hex>`` — the shared secret ``WAGATE_TRIGGERS_SECRET``;
* ``X-Shopify-Hmac-Sha256: <base64>`` — the app's client secret (``WAGATE_SHOPIFY_SECRET``);
* ``X-WC-Webhook-Signature: <base64>`` — the webhook's secret (``WAGATE_WOOCOMMERCE_SECRET``).

The hex form is checked by :func:`core.signatures.check_signature` (constant time, every secret
tried); the base64 form here the same way.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from core.signatures import SignatureCheck, Verdict, check_signature, sign


def sign_base64(body: bytes, secret: bytes) -> str:
    """The base64 HMAC-SHA256 a shop sends (tests and examples)."""
    return base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode("ascii")


def check_base64(body: bytes, header: str | None, secrets: tuple[bytes, ...]) -> SignatureCheck:
    """Check a base64 HMAC-SHA256 header against every secret."""
    if header is None or not header.strip():
        return SignatureCheck(Verdict.MISSING)
    try:
        given = base64.b64decode(header.strip(), validate=True)
    except (binascii.Error, ValueError):
        return SignatureCheck(Verdict.MALFORMED)
    if len(given) != hashlib.sha256().digest_size:
        return SignatureCheck(Verdict.MALFORMED)
    matched: int | None = None
    for index, secret in enumerate(secrets):
        if hmac.compare_digest(hmac.new(secret, body, hashlib.sha256).digest(), given) and matched is None:
            matched = index
    return SignatureCheck(Verdict.MISMATCH) if matched is None else SignatureCheck(Verdict.VALID, matched)


def check_hex(body: bytes, header: str | None, secrets: tuple[bytes, ...]) -> SignatureCheck:
    """Check ``sha256=<hex>`` against every secret."""
    return check_signature(body, header, secrets)


__all__ = ["SignatureCheck", "Verdict", "check_base64", "check_hex", "sign", "sign_base64"]
