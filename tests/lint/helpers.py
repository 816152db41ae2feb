"""Small builders shared by the linter tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MARKETING: dict[str, Any] = {
    "name": "spring_sale",
    "language": "en_US",
    "category": "MARKETING",
    "components": [
        {"type": "HEADER", "format": "TEXT", "text": "Acme spring sale"},
        {
            "type": "BODY",
            "text": "Hi {{1}}, everything is 20% off until Sunday.",
            "example": {"body_text": [["Ana"]]},
        },
        {"type": "FOOTER", "text": "Reply STOP to opt out"},
    ],
    # the 30-day prior price backs the "20% off" claim for EU recipients (P005)
    "x-wagate": {"brand": "Acme", "prior_price_30d": "EUR 50"},
}
TUESDAY_NOON_BERLIN = datetime(2025, 6, 3, 10, 0, tzinfo=UTC)


def write_draft(folder: Path, document: dict[str, Any] | None = None, name: str = "draft.json") -> Path:
    """A draft file (the clean marketing template by default)."""
    path = folder / name
    path.write_text(json.dumps(document or MARKETING, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def write_text(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    """A text file (CSV, TOML ...)."""
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


# a workspace that said where the business is established (S002, S003) and how long it keeps
# consent evidence (D007): what a clean run assumes
CONFIGURED_LINT = {"controller_country": "DE", "evidence_retention_months": 72}
CONFIGURED_TOML = '[lint]\ncontroller_country = "DE"\nevidence_retention_months = 72\n'

GOOD_CONTACTS = (
    "phone,consent_timestamp,consent_method,consent_source,consent_text_version,business_name_shown,purposes\n"
    "+4915123456789,2025-01-10,keyword_reply,wa-keyword-JOIN,v2,Acme,marketing\n"
)
