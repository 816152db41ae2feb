"""The ``alerts`` schema in the warehouse: current state, history, silences, deliveries, pauses.

The tables are small (one row per alert series, one per transition or delivery), created with
``CREATE ... IF NOT EXISTS`` by whoever evaluates first. Only a writer (``wagate alerts check``,
``wagate watch``, ``alerts ack`` / ``silence``) changes them.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from alerts.model import AlertRecord, Labels, Silence, State
from alerts.state import Transition
from core.warehouse import Warehouse

DDL = """
CREATE SCHEMA IF NOT EXISTS alerts;
CREATE TABLE IF NOT EXISTS alerts.state (
    fingerprint      VARCHAR PRIMARY KEY,
    rule             VARCHAR NOT NULL,
    labels           JSON NOT NULL,
    state            VARCHAR NOT NULL,      -- inactive | pending | firing | resolved
    severity         VARCHAR NOT NULL,
    episode          INTEGER NOT NULL,
    pending_since    TIMESTAMPTZ,
    fired_at         TIMESTAMPTZ,
    last_true_at     TIMESTAMPTZ,
    resolved_at      TIMESTAMPTZ,
    last_eval_at     TIMESTAMPTZ,
    last_notified_at TIMESTAMPTZ,
    notified_state   VARCHAR,
    acked_at         TIMESTAMPTZ,
    acked_by         VARCHAR,
    paused           BOOLEAN NOT NULL,
    value            DOUBLE,
    threshold        DOUBLE,
    detail           JSON
);
CREATE TABLE IF NOT EXISTS alerts.history (
    ts          TIMESTAMPTZ NOT NULL,
    fingerprint VARCHAR NOT NULL,
    rule        VARCHAR NOT NULL,
    labels      JSON NOT NULL,
    episode     INTEGER NOT NULL,
    event       VARCHAR NOT NULL,           -- pending | firing | resolved | inactive | acknowledged | notified
    from_state  VARCHAR,
    value       DOUBLE,
    threshold   DOUBLE,
    note        VARCHAR
);
CREATE TABLE IF NOT EXISTS alerts.silences (
    id         VARCHAR PRIMARY KEY,
    rule       VARCHAR NOT NULL,            -- a rule name, or * for every rule
    matchers   JSON NOT NULL,               -- label -> value, all must be equal
    starts_at  TIMESTAMPTZ NOT NULL,
    ends_at    TIMESTAMPTZ NOT NULL,
    created_by VARCHAR,
    comment    VARCHAR
);
CREATE TABLE IF NOT EXISTS alerts.deliveries (
    ts           TIMESTAMPTZ NOT NULL,
    channel      VARCHAR NOT NULL,
    kind         VARCHAR NOT NULL,          -- firing | resolved | mixed
    fingerprints JSON NOT NULL,
    ok           BOOLEAN NOT NULL,
    attempts     INTEGER NOT NULL,
    error        VARCHAR
);
CREATE TABLE IF NOT EXISTS alerts.pauses (
    ts          TIMESTAMPTZ NOT NULL,
    action      VARCHAR NOT NULL,           -- set | lifted | released (ack/resolve)
    kind        VARCHAR NOT NULL,           -- campaign | template | phone_number_id
    name        VARCHAR NOT NULL,
    fingerprint VARCHAR,
    rule        VARCHAR,
    actor       VARCHAR,
    reason      VARCHAR
);
"""

_STATE_COLUMNS = (
    "fingerprint, rule, labels, state, severity, episode, pending_since, fired_at, last_true_at, resolved_at, "
    "last_eval_at, last_notified_at, notified_state, acked_at, acked_by, paused, value, threshold, detail"
)


def migrate(wh: Warehouse) -> None:
    """Create the alerts schema if it is missing (cheap when it exists)."""
    wh.execute_script(DDL)


def has_schema(wh: Warehouse) -> bool:
    """Whether the alerts tables exist (a reader must not create them)."""
    return bool(
        wh.scalar(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'alerts' AND table_name = 'state'"
        )
    )


def _labels_json(labels: Labels) -> str:
    return json.dumps(dict(labels), ensure_ascii=False, sort_keys=True)


def _labels(text: Any) -> Labels:
    data = json.loads(text) if isinstance(text, str) else (text or {})
    return tuple(sorted((str(k), str(v)) for k, v in data.items()))


def _detail(text: Any) -> Mapping[str, Any]:
    if text is None:
        return {}
    value = json.loads(text) if isinstance(text, str) else text
    return value if isinstance(value, dict) else {}


def load_records(wh: Warehouse) -> dict[str, AlertRecord]:
    """Every stored alert series by fingerprint."""
    records = {}
    for row in wh.dicts(f"SELECT {_STATE_COLUMNS} FROM alerts.state"):
        row["labels"] = _labels(row["labels"])
        row["detail"] = _detail(row["detail"])
        records[row["fingerprint"]] = AlertRecord(**row)
    return records


def save_records(wh: Warehouse, records: Iterable[AlertRecord]) -> None:
    """Insert or replace alert series."""
    for r in records:
        wh.execute(
            f"INSERT OR REPLACE INTO alerts.state ({_STATE_COLUMNS}) VALUES "
            "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
            [
                r.fingerprint,
                r.rule,
                _labels_json(r.labels),
                r.state,
                r.severity,
                r.episode,
                r.pending_since,
                r.fired_at,
                r.last_true_at,
                r.resolved_at,
                r.last_eval_at,
                r.last_notified_at,
                r.notified_state,
                r.acked_at,
                r.acked_by,
                r.paused,
                r.value,
                r.threshold,
                json.dumps(dict(r.detail), ensure_ascii=False, default=str),
            ],
        )


def record_transitions(wh: Warehouse, transitions: Sequence[Transition]) -> None:
    """Append state changes to the history."""
    for t in transitions:
        record_event(
            wh,
            t.at,
            t.fingerprint,
            t.rule,
            t.labels,
            t.episode,
            t.to_state,
            t.from_state,
            t.value,
            t.threshold,
        )


def record_event(
    wh: Warehouse,
    at: datetime,
    fingerprint: str,
    rule: str,
    labels: Labels,
    episode: int,
    event: str,
    from_state: State | None = None,
    value: float | None = None,
    threshold: float | None = None,
    note: str | None = None,
) -> None:
    """Append one history row (a transition, an acknowledgement, a notification)."""
    wh.execute(
        "INSERT INTO alerts.history VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        [at, fingerprint, rule, _labels_json(labels), episode, event, from_state, value, threshold, note],
    )


def history(wh: Warehouse, limit: int = 200) -> list[dict[str, Any]]:
    """The newest history rows, newest first."""
    return wh.dicts(
        "SELECT ts, left(fingerprint, 10) AS id, rule, labels::VARCHAR AS labels, episode, event, from_state, "
        "value, threshold, note FROM alerts.history ORDER BY ts DESC, rule LIMIT $limit",
        {"limit": limit},
    )


def add_silence(
    wh: Warehouse, rule: str, matchers: Labels, starts_at: datetime, ends_at: datetime, by: str, comment: str
) -> Silence:
    """Store a new silence and return it."""
    silence = Silence(secrets.token_hex(4), rule, matchers, starts_at, ends_at, by, comment)
    wh.execute(
        "INSERT INTO alerts.silences VALUES ($1, $2, $3, $4, $5, $6, $7)",
        [silence.id, rule, _labels_json(matchers), starts_at, ends_at, by, comment],
    )
    return silence


def expire_silence(wh: Warehouse, silence_id: str, at: datetime) -> bool:
    """End a silence now; False if no unexpired silence has that id."""
    found = wh.scalar(
        "SELECT count(*) FROM alerts.silences WHERE id = $id AND ends_at > $at", {"id": silence_id, "at": at}
    )
    if not found:
        return False
    wh.execute("UPDATE alerts.silences SET ends_at = $at WHERE id = $id", {"id": silence_id, "at": at})
    return True


def load_silences(wh: Warehouse, at: datetime | None = None) -> list[Silence]:
    """Silences not yet expired at ``at`` (all of them when ``at`` is None), oldest first."""
    rows = wh.dicts(
        "SELECT * FROM alerts.silences WHERE $at IS NULL OR ends_at > $at ORDER BY starts_at, id", {"at": at}
    )
    return [
        Silence(
            r["id"],
            r["rule"],
            _labels(r["matchers"]),
            r["starts_at"],
            r["ends_at"],
            r["created_by"] or "",
            r["comment"] or "",
        )
        for r in rows
    ]


def record_delivery(
    wh: Warehouse,
    at: datetime,
    channel: str,
    kind: str,
    fingerprints: Sequence[str],
    ok: bool,
    attempts: int,
    error: str | None,
) -> None:
    """Log one notification attempt series on one channel."""
    wh.execute(
        "INSERT INTO alerts.deliveries VALUES ($1, $2, $3, $4, $5, $6, $7)",
        [at, channel, kind, json.dumps(list(fingerprints)), ok, attempts, error],
    )


def record_pause(
    wh: Warehouse,
    at: datetime,
    action: str,
    kind: str,
    name: str,
    *,
    fingerprint: str | None = None,
    rule: str | None = None,
    by: str | None = None,
    reason: str | None = None,
) -> None:
    """Log a pause being set, lifted or released."""
    wh.execute(
        "INSERT INTO alerts.pauses VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        [at, action, kind, name, fingerprint, rule, by, reason],
    )


def last_pause_actions(wh: Warehouse) -> dict[tuple[str, str], str]:
    """The latest set/lifted action per (kind, name), to notice flags removed by hand."""
    rows = wh.rows(
        "SELECT kind, name, arg_max(action, ts) FROM alerts.pauses WHERE action IN ('set', 'lifted') GROUP BY 1, 2"
    )
    return {(kind, name): action for kind, name, action in rows}
