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

NEW_TABLES = {
    "status_events": "new_status",
    "inbound_messages": "new_inbound",
    "user_preferences": "new_pref",
    "business_events": "new_business",
    "send_log": "new_send",
}
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


def merge(wh: Warehouse, keyer: ContactKeyer, *, run_id: str, now: str) -> Merged:
    """Append new staged rows to raw, record the quarantine, and list the affected contacts."""
    sql = statements("load")
    wh.execute(sql["numbers"])
    wh.execute(sql["keys"].replace("{contact_key}", keyer.sql_expression("ident")), keyer.sql_params())
    _add_contacts(wh, sql)
    for name in ("new_status", "new_inbound", "new_pref", "new_business", "new_send"):
        wh.execute(sql[name], {"now": now})
    staged = {table: int(wh.scalar(query)) for table, query in STAGED_COUNTS.items()}
    new = {table: int(wh.scalar(f"SELECT count(*) FROM {temp}")) for table, temp in NEW_TABLES.items()}
    run_block(wh, sql["append"])
    wh.execute(sql["quarantine"], {"run_id": run_id, "now": now})
    quarantined = int(wh.scalar("SELECT count(*) FROM stg_quarantine"))
    wh.execute(sql["affected"])
    affected = int(wh.scalar("SELECT count(*) FROM affected"))
    return Merged(staged, new, quarantined, affected)


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
