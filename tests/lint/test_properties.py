"""Property tests: random drafts and contact rows never crash the linter or one of its rules."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import InputError, UsageError
from lint import LintRequest, lint
from lint.formats import FORMATS, render

WORDS = st.sampled_from(
    [
        "sale",
        "20% off",
        "order",
        "{{1}}",
        "{{2}}",
        "{{name}}",
        "{{",
        "}}",
        "STOP",
        "回复TD退订",
        "优惠",
        "vape",
        "https://bit.ly/x",
        "http://1.2.3.4/a",
        "acme.com/x?email=a@b.c",
        "4111 1111 1111 1111",
        "send your password",
        "\n",
        "  ",
        "Acme",
    ]
)
TEXT = st.one_of(st.text(max_size=40), st.lists(WORDS, max_size=8).map(" ".join))
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), TEXT)
EXAMPLE = st.one_of(
    SCALAR,
    st.dictionaries(
        st.sampled_from(["header_text", "body_text", "body_text_named_params", "header_text_named_params"]),
        st.one_of(
            st.lists(TEXT, max_size=3),
            st.lists(st.lists(TEXT, max_size=3), max_size=2),
            st.lists(st.fixed_dictionaries({"param_name": TEXT, "example": TEXT}), max_size=2),
            SCALAR,
        ),
        max_size=3,
    ),
)
BUTTON = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["QUICK_REPLY", "URL", "PHONE_NUMBER", "COPY_CODE", "OTP", "weird"]),
        "text": TEXT,
        "url": TEXT,
        "example": st.one_of(st.lists(TEXT, max_size=2), SCALAR),
    },
)
COMPONENT = st.fixed_dictionaries(
    {"type": st.sampled_from(["HEADER", "BODY", "FOOTER", "BUTTONS", "body", "CAROUSEL"])},
    optional={
        "text": st.one_of(TEXT, SCALAR),
        "format": st.sampled_from(["TEXT", "IMAGE", "text"]),
        "example": EXAMPLE,
        "buttons": st.one_of(st.lists(BUTTON, max_size=12), SCALAR),
    },
)
META = st.fixed_dictionaries(
    {},
    optional={
        "brand": st.one_of(TEXT, st.integers()),
        "purpose": st.sampled_from(["campaign", "opt_out_confirmation", "x"]),
        "unsubscribe_valid_days": st.one_of(st.integers(0, 90), TEXT),
        "translations": st.one_of(st.lists(st.sampled_from(["en", "pt_BR", "zh"]), max_size=2), TEXT),
        "product_category": TEXT,
    },
)
DRAFT = st.one_of(
    st.fixed_dictionaries(
        {"components": st.lists(COMPONENT, max_size=5)},
        optional={
            "name": st.one_of(TEXT, SCALAR),
            "language": st.sampled_from(["en_US", "pt_BR", "zh_CN", ""]),
            "category": st.sampled_from(["MARKETING", "UTILITY", "AUTHENTICATION", "marketing", "promo", ""]),
            "parameter_format": st.sampled_from(["positional", "named", "odd"]),
            "x-wagate": META,
        },
    ),
    st.fixed_dictionaries(
        {"kind": st.just("free_form"), "text": TEXT},
        optional={"category": st.sampled_from(["UTILITY", "MARKETING", "SERVICE"]), "x-wagate": META},
    ),
)
PHONE = st.one_of(
    st.text(alphabet="0123456789 +-().", max_size=18),
    st.sampled_from(
        [
            "+4915123456789",
            "+12025550143",
            "8.61381E+12",
            "+971501234567",
            "＋８６１３８００１３８０００",
            "+80012345678",
        ]
    ),
    st.text(max_size=10),
)
WHEN = st.one_of(
    st.none(),
    st.sampled_from(["2025-01-10", "2025-06-03T08:00:00Z", "2031-01-01", "soon", "2025/02/30"]),
    TEXT,
)
ROW = st.fixed_dictionaries(
    {
        "phone": PHONE,
        "country": st.one_of(st.none(), st.sampled_from(["DE", "us", "中国", "Narnia", "+49", ""])),
        "consent_timestamp": WHEN,
        "consent_method": st.one_of(
            st.none(), st.sampled_from(["checkbox", "web_form", "import_unknown", "keyword_reply"])
        ),
        "basis": st.one_of(st.none(), st.sampled_from(["express", "soft_opt_in", "implied_ebr", "x"])),
        "purposes": st.one_of(
            st.none(), st.sampled_from(["marketing", "utility, marketing", "营销", "order_updates"])
        ),
        "prechecked": st.one_of(st.none(), st.sampled_from(["true", "no", "是", "maybe"])),
        "opted_out_at": WHEN,
        "opt_out_scope": st.one_of(st.none(), st.sampled_from(["all", "marketing", "utility", "?"])),
        "timezone": st.one_of(st.none(), st.sampled_from(["Europe/Berlin", "Mars/Base", "America/New_York"])),
        "language": st.one_of(st.none(), st.sampled_from(["pt-BR", "en", "zh-Hans", "-"])),
        "last_inbound_at": WHEN,
        "wa_reachable": st.one_of(st.none(), st.sampled_from(["false", "true"])),
    }
)
AT = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC))


def _csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _run(draft: dict[str, Any] | None, rows: list[dict[str, Any]] | None, at: datetime) -> None:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        drafts: tuple[Path, ...] = ()
        if draft is not None:
            (base / "draft.json").write_text(json.dumps(draft, ensure_ascii=False), encoding="utf-8")
            drafts = (base / "draft.json",)
        contacts = None
        if rows:
            contacts = base / "contacts.csv"
            contacts.write_text(_csv(rows), encoding="utf-8")
        try:
            report = lint(LintRequest(drafts=drafts, contacts=contacts, at=at, now=at))
        except (InputError, UsageError):
            return  # a one-line input error (exit 2) is an acceptable answer to garbage
        crashed = [f.message for f in report.iter_findings() if f.origin == "internal-error"]
        assert crashed == []
        for fmt in FORMATS:
            render(report, fmt, "zh")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(draft=DRAFT, at=AT)
def test_random_drafts_never_crash(draft: dict[str, Any], at: datetime) -> None:
    _run(draft, None, at)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(draft=DRAFT, rows=st.lists(ROW, min_size=1, max_size=6), at=AT)
def test_random_contact_rows_with_a_draft_never_crash(
    draft: dict[str, Any], rows: list[dict[str, Any]], at: datetime
) -> None:
    _run(draft, rows, at)
