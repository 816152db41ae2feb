"""A large warehouse for bench/dashboard, written straight into the warehouse tables with DuckDB SQL.

The Python synthetic generator writes webhook files that a load then parses: right for testing
ingest, far too slow for tens of millions of rows. Here every table the marts read is filled
with INSERT ... SELECT over range(): deterministic (hash-based, no random()), time-ordered like
incremental loads leave it, with shares close to the synthetic traffic (about 90 % delivered,
60 % of those read, 8 % failed, 4 % responses, under 1 % opt-outs). Then the materialised marts
are rebuilt as every load rebuilds them (pipelines.schema.rebuild_facts), and timed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from core.warehouse import Warehouse
from pipelines.schema import migrate, rebuild_facts

COUNTRIES = [
    "BR",
    "US",
    "IN",
    "MX",
    "ID",
    "DE",
    "GB",
    "SA",
    "AE",
    "RU",
    "TR",
    "NG",
    "EG",
    "PK",
    "BD",
    "VN",
    "TH",
    "PH",
    "MY",
    "SG",
    "FR",
    "ES",
    "IT",
    "NL",
    "PL",
    "UA",
    "KE",
    "ZA",
    "AR",
    "CO",
    "CL",
    "PE",
    "CA",
    "AU",
    "JP",
    "KR",
    "HK",
    "TW",
    "MA",
    "DZ",
    "IQ",
    "IR",
    "IL",
    "JO",
    "KW",
    "QA",
    "OM",
    "BH",
    "LK",
    "NP",
    "KH",
    "MM",
    "PT",
    "BE",
    "SE",
    "CH",
    "AT",
    "GR",
    "RO",
    "HU",
    "ZZ",
]
# error codes of failed messages and their weights (most common first), and rejected sends
FAILURES = (131049, 131049, 131049, 131026, 131026, 132015, 131000, 131050, 131047, 131048, 130472)
REJECTIONS = (130429, 130429, 132001, 132015, 131030, 132000, 131056, 100)
NUMBERS = ("379079404526693", "405137443995963", "512390467781021")


@dataclass(frozen=True, slots=True)
class BenchSpec:
    """Size of the generated warehouse."""

    messages: int = 10_000_000
    status_events: int = 30_000_000
    contacts: int = 3_500_000
    campaigns: int = 48
    days: int = 120
    start: datetime = datetime(2026, 6, 1, tzinfo=UTC)


def _h(expr: str, salt: int, modulo: int) -> str:
    # a deterministic pseudo-random integer in [0, modulo) from an integer expression
    return f"(hash({expr} * 7919 + {salt}) % {modulo})::BIGINT"


def build(path: Path, spec: BenchSpec, log: bool = True) -> dict[str, float]:
    """Create ``path`` and fill it; returns seconds per table."""
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".wal").unlink(missing_ok=True)
    timings: dict[str, float] = {}
    with Warehouse.open_writer(path, memory_limit="8GB") as wh:
        migrate(wh)
        for name, sql in _statements(spec).items():
            started = time.perf_counter()
            wh.execute(sql)
            timings[name] = round(time.perf_counter() - started, 1)
            if log:
                print(f"  built {name} in {timings[name]} s", flush=True)
        # what every load that changed anything pays on top of its own work at this size
        started = time.perf_counter()
        rebuild_facts(wh)
        name = "marts.daily_facts + breach_facts"
        timings[name] = round(time.perf_counter() - started, 1)
        if log:
            print(f"  built {name} in {timings[name]} s", flush=True)
        wh.checkpoint()
    return timings


def _statements(spec: BenchSpec) -> dict[str, str]:
    seconds = spec.days * 86400
    start = spec.start.isoformat()
    countries = "[" + ", ".join(f"'{c}'" for c in COUNTRIES) + "]"
    failures = "[" + ", ".join(str(c) for c in FAILURES) + "]"
    rejections = "[" + ", ".join(str(c) for c in REJECTIONS) + "]"
    numbers = "[" + ", ".join(f"'{n}'" for n in NUMBERS) + "]"
    n = spec.messages
    # message i: its contact, campaign (campaigns run in overlapping waves over the period)
    contact = _h("i", 1, spec.contacts)
    camp = f"(({_h('i', 2, 3)} + (i * {spec.campaigns} // {n})) % {spec.campaigns})"
    return {
        "core.contacts": f"""
            INSERT INTO core.contacts
            SELECT md5(c::VARCHAR)[:32], {countries}[1 + {_h("c", 3, len(COUNTRIES))}], NULL
            FROM range({spec.contacts}) t(c)""",
        "core.messages": f"""
            INSERT INTO core.messages
            WITH base AS (
                SELECT i, {contact} AS c, {camp} AS camp,
                       TIMESTAMPTZ '{start}' + to_seconds(i * {seconds} // {n}) AS sent_at,
                       {_h("i", 4, 1000)} AS r1, {_h("i", 5, 1000)} AS r2, {_h("i", 6, 1000)} AS r3
                FROM range({n}) t(i)
            )
            SELECT 'wamid.' || i, md5(c::VARCHAR)[:32], sent_at, sent_at::DATE,
                   'campaign_' || lpad(camp::VARCHAR, 2, '0'),
                   'template_' || lpad((camp * 2 + r3 % 2)::VARCHAR, 3, '0'),
                   CASE WHEN camp % 10 < 6 THEN 'marketing' WHEN camp % 10 < 9 THEN 'utility'
                        ELSE 'authentication' END,
                   ['en_US', 'es', 'pt_BR', 'ar', 'zh_CN'][1 + r3 % 5],
                   {countries}[1 + {_h("c", 3, len(COUNTRIES))}],
                   {numbers}[1 + camp % 3],
                   CASE WHEN r2 < 20 THEN 'held' ELSE 'accepted' END,
                   CASE WHEN r1 < 900 AND r2 % 5 < 3 THEN 3 WHEN r1 < 900 THEN 2 WHEN r1 < 920 THEN 1 ELSE 0 END,
                   r1 < 900, r1 < 900 AND r2 % 5 < 3, r1 >= 920,
                   CASE WHEN r1 >= 920 THEN {failures}[1 + r3 % {len(FAILURES)}] END,
                   r1 >= 920 AND r3 % {len(FAILURES)} = {len(FAILURES) - 1},
                   CASE WHEN r1 < 900 THEN sent_at + INTERVAL 40 SECOND END,
                   CASE WHEN r1 < 900 AND r2 % 5 < 3 THEN sent_at + INTERVAL 2 HOUR END,
                   sent_at + INTERVAL 2 HOUR,
                   r3 < 500, r1 < 900 AND r2 < 60, r1 < 900 AND r2 BETWEEN 60 AND 68,
                   r1 < 900 AND r2 BETWEEN 69 AND 70, false, NULL, NULL
            FROM base""",
        "core.attempts": f"""
            INSERT INTO core.attempts
            SELECT 'row.' || wamid[7:], contact_key, sent_at, day, campaign, template, category, country,
                   phone_number_id, outcome, wamid, NULL
            FROM core.messages WHERE outcome <> 'unattributed'
            UNION ALL
            SELECT 'rej.' || i, md5({_h("i", 9, spec.contacts)}::VARCHAR)[:32], sent, sent::DATE,
                   'campaign_' || lpad(camp::VARCHAR, 2, '0'), 'template_' || lpad((camp * 2)::VARCHAR, 3, '0'),
                   'marketing', {countries}[1 + {_h("i", 7, len(COUNTRIES))}], {numbers}[1 + camp % 3],
                   'rejected', NULL, {rejections}[1 + {_h("i", 8, len(REJECTIONS))}]
            FROM (SELECT i, TIMESTAMPTZ '{start}' + to_seconds(i * 30 * {seconds} // {n}) AS sent,
                         (i * 30 * {spec.campaigns} // {n}) % {spec.campaigns} AS camp
                  FROM range({n} // 30) t(i))""",
        "raw.send_log": f"""
            INSERT INTO raw.send_log
            SELECT row_id, attempted_at, campaign, template, 'en_US', category,
                   '+' || (10000000000 + hash(contact_key) % 89999999999)::VARCHAR, contact_key,
                   phone_number_id, outcome, wamid, error_code, NULL, NULL, NULL, false, false,
                   'jsonl', 'send_log.jsonl', NULL, TIMESTAMPTZ '{start}'
            FROM core.attempts""",
        "raw.status_events": f"""
            INSERT INTO raw.status_events (event_id, wamid, status, ts, contact_key, phone_number_id,
                                           error_code, source, loaded_at)
            SELECT md5(e::VARCHAR), 'wamid.' || (e // 3),
                   CASE e % 3 WHEN 0 THEN 'sent' WHEN 1 THEN (CASE WHEN {_h("e // 3", 4, 1000)} < 900
                        THEN 'delivered' ELSE 'failed' END) ELSE 'read' END,
                   TIMESTAMPTZ '{start}' + to_seconds((e // 3) * {seconds} // {n} + (e % 3) * 60),
                   md5({_h("e // 3", 1, spec.contacts)}::VARCHAR)[:32], {numbers}[1 + e % 3],
                   CASE WHEN e % 3 = 1 AND {_h("e // 3", 4, 1000)} >= 900 THEN 131049 END,
                   'webhook', TIMESTAMPTZ '{start}'
            FROM range({spec.status_events}) t(e)""",
        "core.inbound": """
            INSERT INTO core.inbound
            SELECT 'in.' || wamid, contact_key, sent_at + INTERVAL 1 HOUR, day, 'text', true, false, false,
                   false, false, false, NULL, 'en', NULL, NULL, NULL, wamid, 'context'
            FROM core.messages WHERE responded""",
        "core.consent_signals": """
            INSERT INTO core.consent_signals
            SELECT 'opt.' || wamid, contact_key, CASE WHEN hash(wamid) % 7 = 0 THEN 'review' ELSE 'opt_out' END,
                   CASE WHEN hash(wamid) % 3 = 0 THEN 'all' ELSE 'marketing' END,
                   ['keyword', 'button', 'user_preferences', 'error_131050'][1 + (hash(wamid) % 4)::BIGINT],
                   sent_at + INTERVAL 3 HOUR, sent_at + INTERVAL 3 HOUR,
                   ['en', 'es', 'pt', 'ar', 'zh'][1 + (hash(contact_key) % 5)::BIGINT],
                   sent_at + INTERVAL 3 HOUR + to_seconds(30 + hash(wamid) % 600)
            FROM core.messages WHERE opted_out""",
        "core.suppression": """
            INSERT INTO core.suppression
            SELECT event_id, contact_key, scope, CASE WHEN kind = 'review' THEN 'review' ELSE 'active' END,
                   channel, ts, arrived_at, CASE WHEN hash(event_id) % 20 = 0 THEN arrived_at + INTERVAL 9 DAY END
            FROM core.consent_signals""",
        "core.breaches": """
            INSERT INTO core.breaches
            SELECT a.row_id, a.contact_key, a.attempted_at, s.event_id, s.opted_out_at, s.scope, s.channel
            FROM core.suppression s JOIN core.attempts a
              ON a.contact_key = s.contact_key AND a.attempted_at > s.arrived_at AND a.category = 'marketing'
            WHERE hash(a.row_id) % 50 = 0
            QUALIFY row_number() OVER (PARTITION BY a.row_id ORDER BY s.arrived_at) = 1""",
        "raw.business_events": f"""
            INSERT INTO raw.business_events
            SELECT md5('biz' || i), CASE WHEN i % 4 = 0 THEN 'phone_number_quality_update'
                                         ELSE 'message_template_status_update' END,
                   '687296685041782', TIMESTAMPTZ '{start}' + to_seconds(i * {seconds} // 400),
                   CASE WHEN i % 4 = 0 THEN json_object('display_phone_number', '861312569366' || (i % 3)::VARCHAR,
                            'event', ['FLAGGED', 'UNFLAGGED', 'UPGRADE', 'DOWNGRADE'][1 + i // 4 % 4],
                            'current_limit', ['TIER_2K', 'TIER_10K', 'TIER_100K'][1 + i % 3])
                        ELSE json_object('event', ['APPROVED', 'PAUSED', 'APPROVED', 'REJECTED'][1 + i % 4],
                            'message_template_name', 'template_' || lpad((i % 96)::VARCHAR, 3, '0'),
                            'message_template_language', 'en_US', 'reason', 'NONE',
                            'message_template_category', 'MARKETING') END,
                   NULL, NULL, NULL, TIMESTAMPTZ '{start}'
            FROM range(400) t(i)""",
        "meta.params": """
            INSERT OR REPLACE INTO meta.params VALUES
                ('reporting_timezone', 'UTC'), ('stale_sent_hours', '72.0'),
                ('attribution_window_hours', '72.0'),
                ('newest_receipt', (SELECT max(ts) FROM raw.status_events)::VARCHAR)""",
        "meta.runs": """
            INSERT INTO meta.runs VALUES ('bench', now(), now(), '{}')""",
    }
