"""The audit log: hash chain, tamper evidence, no numbers or secrets, filters."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from core import audit
from core.config import load_settings


def _settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    return load_settings(tmp_path / "ws", env={})


def test_entries_are_chained_by_the_previous_hash(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    first = audit.record(settings, "lint.run", operator="ana", errors=0)
    second = audit.record(settings, "send.run", operator="ana", campaign="spring")
    assert first.prev == audit.GENESIS
    assert second.prev == first.hash
    lines = audit.log_path(settings).read_text(encoding="utf-8").splitlines()
    data = json.loads(lines[1])
    # the hash is the sha256 of the canonical JSON of every other field, recomputed here by hand
    fields = {k: v for k, v in data.items() if k != "hash"}
    canonical = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert data["hash"] == hashlib.sha256(canonical.encode()).hexdigest()
    assert audit.verify(settings) == audit.Verification(True, 2)


def test_verify_names_an_edited_line(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    for count in (1, 2, 3):
        audit.record(settings, "send.run", operator="ana", accepted=count)
    path = audit.log_path(settings)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = lines[1].replace('"accepted": 2', '"accepted": 20')
    path.write_text("".join(lines), encoding="utf-8")
    result = audit.verify(settings)
    assert not result.ok
    assert result.bad_line == 2
    assert result.entries == 1
    assert "edited" in result.reason


def test_verify_detects_a_removed_line(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    for count in (1, 2, 3):
        audit.record(settings, "send.run", operator="ana", accepted=count)
    path = audit.log_path(settings)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text(lines[0] + lines[2], encoding="utf-8")
    result = audit.verify(settings)
    assert (result.ok, result.bad_line) == (False, 2)


def test_entries_never_hold_a_full_number_or_a_secret(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    audit.record(
        settings,
        "privacy.export",
        operator="ana",
        note="asked by +4915112345678 and 4915112345679",
        access_token="EAAB-secret-value",
        day="2026-01-31",
        report="3f2a9c0d41e7",
    )
    text = audit.log_path(settings).read_text(encoding="utf-8")
    assert "4915112345678" not in text and "4915112345679" not in text
    assert "EAAB-secret-value" not in text
    entry = audit.read(settings)[0]
    assert entry.details["day"] == "2026-01-31"  # dates and hashes are not numbers to hide
    assert entry.details["report"] == "3f2a9c0d41e7"
    assert "+49 151 ••• ••78" in entry.details["note"]


def test_log_file_is_owner_only(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    audit.record(settings, "lint.run", operator="ana")
    assert audit.log_path(settings).stat().st_mode & 0o077 == 0


def test_read_filters_by_time_and_action_family(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    jan, feb, mar = (datetime(2026, m, 10, tzinfo=UTC) for m in (1, 2, 3))
    audit.record(settings, "alerts.ack", operator="a", at=jan)
    audit.record(settings, "alerts.silence", operator="a", at=feb)
    audit.record(settings, "send.run", operator="a", at=feb)
    audit.record(settings, "alertsx.other", operator="a", at=mar)
    assert [e.action for e in audit.read(settings, action="alerts")] == ["alerts.ack", "alerts.silence"]
    in_feb = audit.read(
        settings, start=datetime(2026, 2, 1, tzinfo=UTC), end=datetime(2026, 3, 1, tzinfo=UTC)
    )
    assert [e.action for e in in_feb] == ["alerts.silence", "send.run"]


def test_known_secrets_in_values_are_redacted(tmp_path: Path) -> None:
    from core import redact

    settings = _settings(tmp_path)
    previous = redact.active()
    redact.activate(redact.Redactor.of(["s3cret-app-value-991"]))
    try:
        audit.record(settings, "send.run", api_url="http://u:s3cret-app-value-991@127.0.0.1:9/")
    finally:
        redact.activate(previous)
    text = audit.log_path(settings).read_text(encoding="utf-8")
    assert "s3cret-app-value-991" not in text and "[redacted]" in text
