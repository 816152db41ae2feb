"""The `[send]` settings: where `wagate send` posts, how fast, and where it keeps its records.

Registered in :mod:`core.config` as ``Settings.send``; ``docs/config.md`` is generated from the
field descriptions below. Environment overrides: ``WAGATE_SEND__RATE_PER_SECOND=200`` etc.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

REACH_TIERS: tuple[int | Literal["unlimited"], ...] = (250, 2000, 10000, 100000, "unlimited")
_VERSION = re.compile(r"^v\d{1,3}\.\d{1,2}$")


class SendSettings(BaseModel):
    """How `wagate send` calls the WhatsApp Cloud API: endpoint, pacing, retries, ledger and send log."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    api_base_url: str = Field(
        "https://graph.facebook.com",
        description="Graph API base URL; point it at `wagate emulator` (e.g. http://127.0.0.1:8787) to send locally.",
    )
    api_version: str = Field("v25.0", description="Graph API version in the request path, e.g. v25.0.")
    phone_number_id: str | None = Field(
        None, description="The sending business phone number's id (a campaign plan may name its own)."
    )
    waba_id: str | None = Field(None, description="WhatsApp Business Account id (template look-ups).")
    rate_per_second: float = Field(
        80.0,
        ge=1,
        le=1000,
        description="Messages per second, evenly spaced (Meta's default throughput is 80; upgraded numbers 1,000).",
    )
    concurrency: int = Field(
        32, ge=1, le=512, description="At most this many API requests in flight (and HTTP connections)."
    )
    pair_interval_seconds: float = Field(
        6.0,
        ge=0,
        description="At least this long between two messages to the same recipient (Meta's pair rate: 1 per 6 s).",
    )
    reach_tier: int | Literal["unlimited"] = Field(
        250,
        description=(
            "Messaging limit of the business portfolio: 250, 2000, 10000, 100000 or 'unlimited' unique "
            "recipients in a rolling 24 h (all campaigns, counted from the warehouse and this run). "
            "The campaign stops cleanly when it is reached; the rest stays pending for a later run."
        ),
    )
    connect_timeout_seconds: float = Field(5.0, gt=0, description="Time to open a connection to the API.")
    read_timeout_seconds: float = Field(
        20.0,
        gt=0,
        description="Time to wait for the API's answer; when it passes, the outcome is unknown (never resent automatically).",
    )
    write_timeout_seconds: float = Field(10.0, gt=0, description="Time to write a request.")
    pool_timeout_seconds: float = Field(
        30.0, gt=0, description="Time to wait for a free connection from the pool."
    )
    max_attempts: int = Field(
        6, ge=1, le=20, description="API calls per message at most, counting retries of retryable errors."
    )
    backoff_base_seconds: float = Field(
        0.5, gt=0, description="First retry waits up to this long (exponential backoff with full jitter)."
    )
    backoff_cap_seconds: float = Field(60.0, gt=0, description="No retry waits longer than this.")
    ledger_dir: str = Field(
        "sends",
        description="Folder of the campaign ledgers (one SQLite file per campaign), relative to the workspace.",
    )
    ledger_sync: Literal["normal", "full"] = Field(
        "normal",
        description=(
            "SQLite synchronous mode of the ledger: 'normal' survives a killed process; 'full' also "
            "survives power loss (one fsync per commit)."
        ),
    )
    send_log_dir: str | None = Field(
        None,
        description="Folder of the send logs (JSONL); default `<landing_dir>/sendlogs`, so `wagate ingest` loads them.",
    )
    suppression_refresh_seconds: float = Field(
        5.0,
        gt=0,
        description="During a send, look for a newer warehouse snapshot (new opt-outs) at most this often.",
    )
    wait_for_deferred: bool = Field(
        True,
        description="Wait for deferred messages (quiet hours) within one run; false leaves them for the next run (`--no-wait`).",
    )
    max_wait_seconds: float = Field(
        86400.0,
        ge=0,
        description="A deferral ending later than this from now is left for a later run instead of waited for.",
    )
    progress_interval_seconds: float = Field(
        10.0,
        gt=0,
        description="How often a one-line progress report is printed when the output is not a terminal.",
    )

    @field_validator("api_version")
    @classmethod
    def _version(cls, value: str) -> str:
        if not _VERSION.match(value):
            raise ValueError(f"api_version must look like v25.0, not {value!r}")
        return value

    @field_validator("api_base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"api_base_url must start with http:// or https://, not {value!r}")
        return value.rstrip("/")

    @field_validator("reach_tier", mode="before")
    @classmethod
    def _tier(cls, value: object) -> int | str:
        text = str(value).strip().lower().replace("_", "").replace(",", "")
        if text == "unlimited":
            return "unlimited"
        if text.isdigit() and int(text) in REACH_TIERS:
            return int(text)
        raise ValueError("reach_tier must be 250, 2000, 10000, 100000 or 'unlimited'")

    @property
    def reach_limit(self) -> int | None:
        """Unique recipients allowed in a rolling 24 h; None when unlimited."""
        return None if self.reach_tier == "unlimited" else int(self.reach_tier)
