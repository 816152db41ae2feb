"""What an emulator is started with, and the records it keeps of what it was asked to do."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from core.errors import ConfigError
from sender.emulator.profile import Profile

MAX_THROUGHPUT_MPS = 1000


@dataclass(frozen=True, slots=True)
class EmulatorConfig:
    """Everything an emulator needs; secrets are kept out of ``repr``."""

    templates: tuple[Path, ...]  # Meta template JSON (lint's draft format); APPROVED unless "status" says
    access_token: str = field(repr=False)
    app_secret: bytes = field(repr=False)
    webhook_url: str | None
    phone_number_id: str = "106540352242922"
    display_phone_number: str = "15550001234"
    waba_id: str = "102290129340398"
    throughput_mps: int = 80
    profile: Profile = field(default_factory=Profile)
    seed: int = 1
    arrival_log: Path | None = None

    def __post_init__(self) -> None:
        if not self.access_token:
            raise ConfigError("the emulator needs an access token", hint="set WAGATE_ACCESS_TOKEN")
        if not self.app_secret:
            raise ConfigError(
                "the emulator needs an app secret to sign webhooks", hint="set WAGATE_APP_SECRET"
            )
        if not 1 <= self.throughput_mps <= MAX_THROUGHPUT_MPS:
            raise ConfigError(
                f"throughput must be between 1 and {MAX_THROUGHPUT_MPS} messages/s, got {self.throughput_mps}"
            )
        for name in ("phone_number_id", "display_phone_number", "waba_id"):
            value = getattr(self, name)
            if not value.isdigit():
                raise ConfigError(f"{name} must be digits, got {value!r}")


@dataclass(frozen=True, slots=True)
class AcceptedMessage:
    """A message the emulator accepted (answered 200 with a wamid)."""

    wamid: str
    to: str  # as the request gave it
    template: str | None  # None for a session (free-form) message
    language: str | None
    callback_data: str | None  # biz_opaque_callback_data
    accepted_at: datetime  # UTC


@dataclass(frozen=True, slots=True)
class Arrival:
    """One POST /messages as it arrived, whatever the answer."""

    monotonic: float  # time.monotonic() of this process
    wall: float  # Unix seconds
    to: str | None  # None when the body had no usable "to"
    http_status: int
    error_code: int | None


class WebhookStats(NamedTuple):
    """Webhook bodies answered 200, retry attempts made, and bodies given up on."""

    sent: int
    retried: int
    failed: int
