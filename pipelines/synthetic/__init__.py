"""Seeded synthetic inputs for the ingest pipelines: WhatsApp webhook bodies and send logs.

``generate(out_dir, SyntheticSpec(...))`` simulates a Chinese exporter's campaigns over a
period and writes what the pipelines would receive::

    out_dir/send_log.jsonl             most send-log rows (columns of docs/metrics.md)
    out_dir/send_log.csv               rows of campaigns exported from a spreadsheet (+08:00 times)
    out_dir/webhooks/part-0001.ndjson.gz  webhook bodies, one per line, exactly as Meta posts them
    out_dir/webhooks/part-0002.ndjson     ... spread over several files, some gzipped
    out_dir/webhooks/batch.json        a JSON array of a few bodies

The same seed and spec always give byte-identical files. Deliberate mess: bodies shuffled
within a day (a ``read`` before its ``delivered``), batched statuses, several changes or
entries per body, retried duplicates (possibly in another file), ~0.5% statuses of messages
another app sent (not in the send log), optional malformed lines. The shares live as named
constants in ``catalog`` (campaigns), ``traffic`` (send errors and failures), ``lifecycle``
(delivery and read), ``replies`` (what recipients do) and ``writer`` (batching, duplicates).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from core.errors import InputError
from core.schema import SEND_LOG_COLUMNS
from pipelines.synthetic.business import business_events
from pipelines.synthetic.people import build_people
from pipelines.synthetic.traffic import Traffic
from pipelines.synthetic.webhooks import build_business
from pipelines.synthetic.writer import ARRAY_BODIES, SendLogWriter, WebhookSink

__all__ = ["SEND_LOG_COLUMNS", "SyntheticSpec", "SyntheticSummary", "generate"]

MESSAGES_PER_PERSON = 2.6  # so that many people are messaged several times


@dataclass(frozen=True, slots=True)
class SyntheticSpec:
    """What to generate.

    ``messages`` is approximate: the agent's answers and 130429 retries add sends, suppressed
    opt-outs remove some, and every campaign gets at least 4 sends even in a tiny spec.
    """

    seed: int = 7
    messages: int = 5_000  # outbound messages (send-log attempts), approximately
    start: datetime = datetime(2026, 10, 1, tzinfo=UTC)
    days: int = 14
    webhook_files: int = 4  # NDJSON files the bodies are spread over
    gzip: bool = True  # gzip every other webhook file (part-0001, part-0003, ...)
    json_array_file: bool = True  # also write webhooks/batch.json (a JSON array of a few bodies)
    csv_send_log: bool = True  # split the send log into send_log.jsonl and send_log.csv
    malformed_lines: int = 0  # broken lines appended to one plain webhook file
    duplicate_share: float = 0.03  # bodies delivered again later (Meta retries)


@dataclass(frozen=True, slots=True)
class SyntheticSummary:
    """What :func:`generate` wrote.

    ``bodies`` counts distinct webhook bodies (the JSON array file included);
    ``duplicate_bodies`` counts the extra retried copies in the NDJSON files. Event counts are
    distinct events: ``status_events`` includes the ``unattributed_statuses`` of messages that
    are not in the send log; ``other_events`` are ``user_preferences`` and business events.
    """

    send_log_rows: int
    accepted: int
    rejected: int
    held: int
    bodies: int
    status_events: int
    inbound_messages: int
    other_events: int
    files: tuple[Path, ...]
    duplicate_bodies: int = 0
    unattributed_statuses: int = 0


def generate(out_dir: Path, spec: SyntheticSpec) -> SyntheticSummary:
    """Simulate the period described by ``spec`` and write its send log and webhook files."""
    _check(spec)
    out_dir.mkdir(parents=True, exist_ok=True)
    start = int(spec.start.timestamp())
    people_rng, traffic_rng, sink_rng = (
        random.Random(f"{spec.seed}:{part}") for part in ("people", "traffic", "sink")
    )
    business = build_business(people_rng)
    people = build_people(people_rng, max(30, int(spec.messages / MESSAGES_PER_PERSON)))
    stride = max(1, spec.messages * 2 // ARRAY_BODIES) if spec.json_array_file else None
    log = SendLogWriter(out_dir, spec.csv_send_log)
    sink = WebhookSink(
        out_dir / "webhooks",
        sink_rng,
        business,
        start,
        files=spec.webhook_files,
        compress=spec.gzip,
        duplicate_share=spec.duplicate_share,
        array_stride=stride,
    )
    try:
        events = business_events(business, start, spec.days)
        for ts, body in events:
            sink.add_body(ts, body)
        counts = Traffic(
            traffic_rng, spec.seed, people, business, log, sink, start=start, days=spec.days
        ).run(spec.messages)
    finally:
        log.close()
        webhook_files = sink.close(spec.malformed_lines)
    return SyntheticSummary(
        send_log_rows=counts.send_log_rows,
        accepted=counts.accepted,
        rejected=counts.rejected,
        held=counts.held,
        bodies=sink.bodies,
        status_events=counts.status_events,
        inbound_messages=counts.inbound_messages,
        other_events=counts.preference_events + len(events),
        files=tuple(sorted([*log.paths, *webhook_files])),
        duplicate_bodies=sink.duplicates,
        unattributed_statuses=counts.unattributed_statuses,
    )


def _check(spec: SyntheticSpec) -> None:
    problems = [
        (spec.messages < 10, f"messages must be at least 10 (got {spec.messages})"),
        (spec.days < 1, f"days must be at least 1 (got {spec.days})"),
        (spec.webhook_files < 1, f"webhook_files must be at least 1 (got {spec.webhook_files})"),
        (spec.malformed_lines < 0, f"malformed_lines cannot be negative (got {spec.malformed_lines})"),
        (
            not 0 <= spec.duplicate_share < 1,
            f"duplicate_share must be in [0, 1) (got {spec.duplicate_share})",
        ),
        (spec.start.tzinfo is None, "start must be timezone-aware, e.g. datetime(2026, 10, 1, tzinfo=UTC)"),
    ]
    for failed, message in problems:
        if failed:
            raise InputError(f"synthetic spec: {message}")
