"""Rules run side by side on threads: the report must not depend on how many."""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

import polars as pl
import pytest

from lint import LintRequest, lint
from lint.memo import Memo
from lint.parallel import side_by_side, thread_map
from tests.lint.helpers import MARKETING, TUESDAY_NOON_BERLIN, write_draft

# numbers as people type them, in several countries; some broken on purpose
NUMBERS = (
    "+4915123456{:03d}",
    "+86 138 0013 8{:03d}",
    "0049 151 2345 6{:03d}",
    "+1 415 555 2{:03d}",
    "+91 98765 43{:03d}",
    "+971 50 123 4{:03d}",
    "+55 11 96123 4{:03d}",
    "8.61381E+12",
    "12{:03d}",
)
SOURCES = ("wa-JOIN", "web form", "purchased list (expo 2024)", "", "partner shared")
METHODS = ("keyword_reply", "web_form", "checkbox", "", "qr_to_whatsapp")


def _messy_list(folder: Path, rows: int) -> Path:
    rng = random.Random(7)
    lines = [
        "phone,country,consent_timestamp,consent_method,consent_source,consent_text_version,"
        "business_name_shown,purposes,ip,opted_out_at,opt_out_scope"
    ]
    for _ in range(rows):
        number = rng.choice(NUMBERS).format(rng.randrange(1000))
        country = rng.choice(("", "DE", "CN", "US", "IN", "AE", "BR"))
        when = rng.choice(("2025-03-01", "2021-01-05", "", "yesterday", "2024-12-24 08:00"))
        out = rng.choice(("", "", "", "2025-05-01", "2025-01-01T00:00:00Z"))
        scope = rng.choice(("", "marketing", "all", "newsletter"))
        purposes = rng.choice(("marketing", "order_updates", "marketing; order_updates", ""))
        lines.append(
            f"{number},{country},{when},{rng.choice(METHODS)},{rng.choice(SOURCES)},v3,"
            f"{rng.choice(('Acme', '', 'Other Co'))},{purposes},{rng.choice(('203.0.113.7', ''))},{out},{scope}"
        )
    path = folder / "contacts.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_report_is_the_same_on_one_thread_and_on_four(tmp_path: Path) -> None:
    draft = write_draft(tmp_path, MARKETING)
    contacts = _messy_list(tmp_path, 3000)
    reports = [
        lint(LintRequest(drafts=(draft,), contacts=contacts, at=TUESDAY_NOON_BERLIN, workers=workers))
        for workers in (1, 4)
    ]
    single, threaded = (report.findings for report in reports)
    # the list is messy enough that many rules report (the comparison means something)
    assert single["code"].n_unique() >= 12
    assert single.height > 1000
    assert reports[0].summary == reports[1].summary
    assert single.cast({c: pl.String for c, t in single.schema.items() if t == pl.Categorical}).equals(
        threaded.cast({c: pl.String for c, t in threaded.schema.items() if t == pl.Categorical})
    )


def test_a_memo_computes_each_value_once_when_threads_ask_together() -> None:
    memo = Memo()
    calls: list[str] = []
    gate = threading.Barrier(4)

    def slow(key: str) -> str:
        calls.append(key)
        time.sleep(0.05)  # long enough for the other threads to arrive while it computes
        return key.upper()

    def ask(key: str) -> str:
        gate.wait()
        return memo.get(key, lambda: slow(key))

    answers = thread_map(ask, ["a", "a", "b", "a"], workers=4)
    assert answers == ["A", "A", "B", "A"]
    assert sorted(calls) == ["a", "b"]


def test_thread_map_keeps_input_order_and_passes_errors_on() -> None:
    assert thread_map(lambda n: n * n, range(10), workers=3) == [n * n for n in range(10)]
    assert side_by_side(lambda: "first", lambda: "second") == ["first", "second"]

    def boom(n: int) -> int:
        if n == 2:
            raise ValueError("two")
        return n

    with pytest.raises(ValueError, match="two"):
        thread_map(boom, range(4), workers=2)


def test_after_an_error_the_pieces_not_started_are_dropped() -> None:
    started: list[int] = []

    def piece(n: int) -> int:
        started.append(n)
        if n == 0:
            raise KeyError("input problem")
        time.sleep(0.05)
        return n

    with pytest.raises(KeyError):
        thread_map(piece, range(40), workers=2)
    assert len(started) < 40  # the queue was cancelled, not worked through
