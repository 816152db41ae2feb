"""A local WhatsApp Cloud API that behaves like Meta's: validation, limits, signed webhooks.

Start one in-process with :func:`running_emulator` (tests, the demo) or as its own process with
``wagate emulator``; see ``docs/emulator.md``.
"""

from __future__ import annotations

from sender.emulator.app import build_app
from sender.emulator.config import AcceptedMessage, Arrival, EmulatorConfig, WebhookStats
from sender.emulator.profile import Profile, builtin_profiles, load_profile
from sender.emulator.server import EmulatorHandle, running_emulator, serve

__all__ = [
    "AcceptedMessage",
    "Arrival",
    "EmulatorConfig",
    "EmulatorHandle",
    "Profile",
    "WebhookStats",
    "build_app",
    "builtin_profiles",
    "load_profile",
    "running_emulator",
    "serve",
]
