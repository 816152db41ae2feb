"""Pause flags for a campaign, template or sending number: small files, readable without DuckDB.

They live in core so that the linter and the sender (which sit below alerts) can read them.


A flag is ``<workspace>/pauses/<kind>-<sha1(name)>.json`` (kind: campaign, template or
phone_number_id). Checking one costs three ``open()`` calls at most: no warehouse, no lock, no
waiting for a load. Flags are written to a temporary file, flushed and renamed into place, so a
reader sees the old flag or the new one, never half of one.

A flag stays until a person lifts it (``wagate alerts unpause``): an alert that resolves only
because sending stopped must not restart the damage. The flag lists the alerts behind it; while
one of them fires unacknowledged, :func:`active_template_pauses` reports the template, which is
what the linter blocks on.

This module imports only the standard library (the sender imports it on its hot path).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PAUSE_DIR = "pauses"
KINDS = ("campaign", "template", "phone_number_id")


@dataclass(frozen=True, slots=True)
class PauseAlert:
    """One alert behind a pause flag."""

    id: str
    rule: str
    state: str  # firing | resolved
    acknowledged: bool = False


@dataclass(frozen=True, slots=True)
class Pause:
    """A pause flag: who paused what, when and why."""

    kind: str
    name: str
    paused_at: str
    by: str
    reason: str
    alerts: tuple[PauseAlert, ...] = field(default_factory=tuple)

    @property
    def blocking(self) -> bool:
        """Whether an alert behind the flag still fires and nobody acknowledged it."""
        return any(a.state == "firing" and not a.acknowledged for a in self.alerts)

    def to_json(self) -> dict[str, Any]:
        """The file's content."""
        return {
            "version": 1,
            "kind": self.kind,
            "name": self.name,
            "paused_at": self.paused_at,
            "by": self.by,
            "reason": self.reason,
            "alerts": [
                {"id": a.id, "rule": a.rule, "state": a.state, "acknowledged": a.acknowledged}
                for a in self.alerts
            ],
        }


def pause_dir(workspace: Path) -> Path:
    """The folder of pause flags."""
    return Path(workspace) / PAUSE_DIR


def flag_path(workspace: Path, kind: str, name: str) -> Path:
    """The file of the flag for one campaign, template or number."""
    if kind not in KINDS:
        raise ValueError(f"unknown pause kind {kind!r}; use one of {', '.join(KINDS)}")
    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()
    return pause_dir(workspace) / f"{kind}-{digest}.json"


def is_paused(
    workspace: Path,
    *,
    campaign: str | None = None,
    template: str | None = None,
    phone_number_id: str | None = None,
) -> Pause | None:
    """The pause that stops this send, or None: campaign first, then template, then number.

    The sender calls this before every message; it reads at most three small files.
    """
    for kind, name in (("campaign", campaign), ("template", template), ("phone_number_id", phone_number_id)):
        if name:
            found = read_flag(flag_path(workspace, kind, name))
            if found is not None:
                return found
    return None


def read_flag(path: Path) -> Pause | None:
    """A flag file, or None if there is none (an unreadable flag still pauses: fail safe)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        data = json.loads(text)
        alerts = tuple(
            PauseAlert(str(a["id"]), str(a["rule"]), str(a["state"]), bool(a.get("acknowledged", False)))
            for a in data.get("alerts", [])
        )
        return Pause(
            str(data["kind"]),
            str(data["name"]),
            str(data["paused_at"]),
            str(data.get("by", "")),
            str(data.get("reason", "")),
            alerts,
        )
    except (ValueError, KeyError, TypeError):
        kind = path.name.split("-", 1)[0]
        return Pause(kind, "(unreadable flag)", "", "", f"flag file {path.name} could not be read")


def list_pauses(workspace: Path) -> list[Pause]:
    """Every pause flag, oldest first."""
    folder = pause_dir(workspace)
    if not folder.is_dir():
        return []
    flags = [read_flag(p) for p in sorted(folder.glob("*.json"))]
    return sorted((f for f in flags if f is not None), key=lambda f: (f.paused_at, f.kind, f.name))


def active_template_pauses(workspace: Path) -> list[Pause]:
    """Template flags whose alert still fires unacknowledged: the linter blocks new sends of these."""
    return [p for p in list_pauses(workspace) if p.kind == "template" and p.blocking]


def write_flag(workspace: Path, pause: Pause) -> Path:
    """Write (or replace) a flag atomically: temporary file, fsync, rename."""
    path = flag_path(workspace, pause.kind, pause.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(pause.to_json(), ensure_ascii=False, indent=1) + "\n"
    handle, temporary = tempfile.mkstemp(prefix=".pause-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return path


def remove_flag(workspace: Path, kind: str, name: str) -> bool:
    """Lift a pause; False if there was none."""
    try:
        flag_path(workspace, kind, name).unlink()
    except FileNotFoundError:
        return False
    return True
