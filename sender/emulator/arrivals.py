"""The arrival log: one JSON line per POST /messages, written in batches (never a write per request)."""

from __future__ import annotations

import json
from pathlib import Path

from core.errors import ConfigError
from sender.emulator.config import Arrival


class ArrivalLog:
    """Buffers arrivals and appends them to a JSON-lines file when flushed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._pending: list[Arrival] = []
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("", encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{path}: cannot write the arrival log: {exc.strerror}") from None

    def add(self, arrival: Arrival) -> None:
        """Remember an arrival until the next flush."""
        self._pending.append(arrival)

    def flush(self) -> int:
        """Append what is pending; returns how many lines were written."""
        if not self._pending:
            return 0
        pending, self._pending = self._pending, []
        lines = "".join(
            json.dumps(
                {
                    "monotonic": round(a.monotonic, 6),
                    "wall": round(a.wall, 6),
                    "to": a.to,
                    "http_status": a.http_status,
                    "error_code": a.error_code,
                },
                separators=(",", ":"),
            )
            + "\n"
            for a in pending
        )
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(lines)
        return len(pending)
