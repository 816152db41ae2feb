"""The campaign ledger: intents durable before the call, outcomes after, resume, one holder at a time."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.errors import WagateError
from sender.ledger import Ledger, Outcome, ledger_path
from sender.model import Message, idempotency_key

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


def message(to: str, row: int = 1) -> Message:
    return Message(
        key=idempotency_key("autumn", to, "order_shipped", "en_US"),
        row=row,
        to=to,
        region="DE",
        time_zones=("Europe/Berlin",),
        campaign="autumn",
        template="order_shipped",
        language="en_US",
        category="utility",
        payload={"messaging_product": "whatsapp", "to": to},
    )


A = message("+4915120000001", 1)
B = message("+4915120000002", 2)


def state_seen_by_another_connection(path: Path, key: str) -> str:
    with sqlite3.connect(path) as db:
        return str(db.execute("SELECT state FROM messages WHERE key = ?", (key,)).fetchone()[0])


def test_new_messages_start_pending_and_adding_them_again_keeps_their_state(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        ledger.add_messages([A, B], T0)
        ledger.intent(A.key, T0, "digest-1")
        ledger.record(Outcome(A.key, "accepted", T0, wamid="wamid.A"))
        ledger.flush()
        ledger.add_messages([A, B], T0 + timedelta(hours=1))
        entries = ledger.entries()
    assert entries[A.key].state == "accepted"
    assert entries[A.key].wamid == "wamid.A"
    assert entries[A.key].attempts == 1
    assert entries[B.key].state == "pending"
    assert entries[B.key].attempts == 0


def test_the_intent_is_committed_before_the_call_and_the_outcome_waits_for_the_next_commit(
    tmp_path: Path,
) -> None:
    path = tmp_path / "l.sqlite"
    with Ledger(path) as ledger:
        ledger.add_messages([A, B], T0)
        ledger.intent(A.key, T0, "d")
        # another process sees the intent at once: it is durable before the API call
        assert state_seen_by_another_connection(path, A.key) == "intent"
        ledger.record(Outcome(A.key, "accepted", T0, wamid="wamid.A"))
        assert state_seen_by_another_connection(path, A.key) == "intent"  # queued, not yet committed
        ledger.intent(B.key, T0, "d")  # the next intent commits the queued outcome with it
        assert state_seen_by_another_connection(path, A.key) == "accepted"
        assert state_seen_by_another_connection(path, B.key) == "intent"


def test_an_intent_left_by_a_killed_process_becomes_unknown(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    script = textwrap.dedent(
        f"""
        import os, signal
        from datetime import datetime, UTC
        from sender.ledger import Ledger, Outcome
        from tests.sender.test_ledger import A, B
        from pathlib import Path
        ledger = Ledger(Path({str(path)!r}))
        ledger.add_messages([A, B], datetime.now(UTC))
        ledger.intent(A.key, datetime.now(UTC), "d")
        ledger.record(Outcome(A.key, "accepted", datetime.now(UTC), wamid="wamid.A"))
        ledger.intent(B.key, datetime.now(UTC), "d")
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, check=False)
    assert proc.returncode == -9, proc.stderr.decode()
    with Ledger(path) as ledger:
        assert ledger.recover_intents(T0) == 1
        entries = ledger.entries()
    assert entries[A.key].state == "accepted"
    assert entries[B.key].state == "unknown"


def test_a_second_run_of_the_same_campaign_is_refused_while_the_first_holds_the_ledger(
    tmp_path: Path,
) -> None:
    path = tmp_path / "l.sqlite"
    with Ledger(path), pytest.raises(WagateError, match="another `wagate send` is running this campaign"):
        Ledger(path)
    with Ledger(path) as again:  # released on close
        assert again.counts()["pending"] == 0


def test_counts_cover_every_state(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        ledger.add_messages([A, B], T0)
        ledger.record(Outcome(B.key, "skipped", T0, reason="suppressed"))
        ledger.flush()
        counts = ledger.counts()
    assert counts == {
        "pending": 1,
        "intent": 0,
        "accepted": 0,
        "held": 0,
        "rejected": 0,
        "unknown": 0,
        "skipped": 1,
        "deferred": 0,
    }


def test_recent_recipients_are_those_sent_to_since_then(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        ledger.add_messages([A, B], T0)
        ledger.intent(A.key, T0, "d")
        ledger.record(Outcome(A.key, "accepted", T0, wamid="w"))
        ledger.intent(B.key, T0 + timedelta(hours=2), "d")
        ledger.record(Outcome(B.key, "rejected", T0 + timedelta(hours=2), error_code=131026))
        ledger.flush()
        assert ledger.recent_recipients(T0 - timedelta(hours=1)) == {A.to}
        assert ledger.recent_recipients(T0 + timedelta(hours=1)) == set()


def test_a_campaign_name_maps_to_one_safe_file_name(tmp_path: Path) -> None:
    first = ledger_path(tmp_path, "Spring sale / 春季")
    assert first.parent == tmp_path
    assert first.name.startswith("Spring-sale-")
    assert first.suffix == ".sqlite"
    assert ledger_path(tmp_path, "Spring sale / 春季") == first
    assert ledger_path(tmp_path, "Spring sale / 夏季") != first  # same slug, different hash
