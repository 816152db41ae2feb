"""What a receiver is told at start: where to land receipts, which secrets, which limits.

Built once at the edge (``wagate receive`` turns its flags and the environment into
:class:`ReceiverOptions`); nothing in the receiver reads the environment on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from core.access import is_loopback
from core.errors import InputError

__all__ = ["ReceiverOptions", "check_exposure", "is_loopback"]

# Meta says payloads can be up to 3 MB; a little headroom so a legitimate body is never refused.
DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024
DEFAULT_ROTATE_SECONDS = 300.0
DEFAULT_ROTATE_BYTES = 64 * 1024 * 1024
DEFAULT_SHUTDOWN_SECONDS = 30


@dataclass(frozen=True, slots=True)
class ReceiverOptions:
    """Everything the receiver needs; secrets are kept out of ``repr`` so they never reach a log."""

    landing_dir: Path
    app_secrets: tuple[bytes, ...] = field(default=(), repr=False)
    verify_token: bytes | None = field(default=None, repr=False)
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    fsync: bool = True  # False only to measure what durability costs (bench/receive)
    rotate_seconds: float = DEFAULT_ROTATE_SECONDS
    rotate_bytes: int = DEFAULT_ROTATE_BYTES
    access_log: bool = True
    shutdown_seconds: int = DEFAULT_SHUTDOWN_SECONDS

    def __post_init__(self) -> None:
        if self.max_body_bytes < 1:
            raise InputError(f"max body size must be positive, got {self.max_body_bytes}")
        if self.rotate_seconds <= 0 or self.rotate_bytes < 1:
            raise InputError("rotation interval and size must be positive")
        if any(not secret for secret in self.app_secrets):
            raise InputError("an app secret is empty", hint="check WAGATE_APP_SECRET (comma-separated)")


def check_exposure(host: str, options: ReceiverOptions) -> None:
    """Refuse to listen beyond this machine without an app secret to check signatures with."""
    if not is_loopback(host) and not options.app_secrets:
        raise InputError(
            f"refusing to listen on {host} without an app secret: anyone could post receipts",
            hint="set WAGATE_APP_SECRET to the App Secret from the App Dashboard (Settings > Basic)",
        )
