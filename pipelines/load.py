"""Merge the staging tables into raw, inside the caller's transaction.

Contacts get their keyed pseudonym in SQL (HMAC spelt out with sha256, see core.phones) and their
region from libphonenumber once per new number; raw rows carry the key so that core and marts
never need the number again.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import polars as pl
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE

from core.phones import ContactKeyer, region_of
from core.warehouse import Warehouse
from pipelines.sqlfiles import run_block, statements

STAGED_COUNTS = {
    "status_events": "SELECT count(*) FROM stg_status WHERE reason IS NULL",
    "inbound_messages": "SELECT count(*) FROM stg_inbound WHERE reason IS NULL",
    "user_preferences": "SELECT count(*) FROM stg_pref WHERE reason IS NULL",
    "business_events": "SELECT count(*) FROM stg_business",
    "send_log": "SELECT count(*) FROM stg_send WHERE reason IS NULL",
}


@dataclass(frozen=True, slots=True)
class Merged:
    """Counts of one merge."""

    staged: dict[str, int]
    new: dict[str, int]
    quarantined: int
    affected_contacts: int
    per_file: dict[int, tuple[int, int, int]]  # file_id -> (records, new, quarantined)


def merge(wh: Warehouse, keyer: ContactKeyer, *, run_id: str, now: str) -> Merged:
    """Append new staged rows to raw, record the quarantine, and list the affected contacts."""
    sql = statements("load")
    wh.execute(sql["numbers"])
    wh.execute(sql["keys"].replace("{contact_key}", keyer.sql_expression("ident")), keyer.sql_params())
    _add_contacts(wh, sql)
    staged = {table: int(wh.scalar(query)) for table, query in STAGED_COUNTS.items()}
    for name in (
        "status_duplicates",
        "insert_status",
        "insert_inbound",
        "insert_pref",
        "insert_business",
        "insert_send",
    ):
        run_block(wh, sql[name], {"now": now})
    new = {str(table): int(count) for table, count in wh.rows(sql["new_counts"], {"now": now})}
    wh.execute(sql["quarantine"], {"run_id": run_id, "now": now})
    quarantined = int(wh.scalar("SELECT count(*) FROM stg_quarantine"))
    per_file = {
        int(row[0]): (int(row[1]), int(row[2]), int(row[3])) for row in wh.rows(sql["per_file"], {"now": now})
    }
    run_block(wh, sql["release"])
    wh.execute(sql["affected"], {"now": now})
    affected = int(wh.scalar("SELECT count(*) FROM affected"))
    return Merged(staged, new, quarantined, affected, per_file)


def _add_contacts(wh: Warehouse, sql: dict[str, str]) -> None:
    """Place new people in a region: by calling code in SQL, libphonenumber only for shared codes."""
    wh.register("calling_codes", _calling_codes())
    wh.execute(sql["unknown_contacts"])
    shared = wh.frame(sql["shared_code_contacts"])["ident"].to_list()
    regions = pl.DataFrame(
        {"ident": shared, "region": [region_of(ident) for ident in shared]},
        schema={"ident": pl.String, "region": pl.String},
    )
    wh.register("shared_regions", regions)
    wh.execute(sql["insert_contacts"])


@cache
def _calling_codes() -> pl.DataFrame:
    codes = sorted(COUNTRY_CODE_TO_REGION_CODE.items())
    return pl.DataFrame(
        {
            "prefix": [str(code) for code, _ in codes],
            "code": [code for code, _ in codes],
            # several regions: left NULL, resolved per number prefix by core.phones.region_of
            "region": [
                regions[0] if len(regions) == 1 and regions[0] != "001" else None for _, regions in codes
            ],
        },
        schema={"prefix": pl.String, "code": pl.Int32, "region": pl.String},
    )
