"""Reading what users give us: encodings, headers, spreadsheets, drafts, plans, consent files."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from openpyxl import Workbook

from core.errors import InputError
from lint import LintConfig
from lint.inputs.consent import ConsentBook, inline_events, load_consent_events
from lint.inputs.contacts import load_contacts
from lint.inputs.drafts import load_draft
from lint.inputs.plan import load_plan, render_parameters
from lint.packs import load_packs
from tests.lint.helpers import write_draft, write_text

PACKS = load_packs()
CONFIG = LintConfig()


def test_gbk_csv_with_chinese_headers(tmp_path: Path) -> None:
    path = write_text(tmp_path, "contacts.csv", "手机号,国家,姓名\n13800138000,中国,王伟\n", encoding="gbk")
    contacts = load_contacts(path, CONFIG, PACKS)
    row = contacts.frame.row(0, named=True)
    assert (row["e164"], row["country_iso"], row["name"]) == ("+8613800138000", "CN", "王伟")
    assert contacts.headers["phone"] == "手机号"


def test_utf8_bom_header_is_recognised(tmp_path: Path) -> None:
    path = write_text(tmp_path, "contacts.csv", "\ufeffWhatsApp,Country\n+4915123456789,DE\n")
    contacts = load_contacts(path, CONFIG, PACKS)
    assert contacts.frame["e164"].to_list() == ["+4915123456789"]


def test_whatsapp_column_wins_over_a_generic_phone_column(tmp_path: Path) -> None:
    path = write_text(tmp_path, "contacts.csv", "Phone,WhatsApp No.\n+4930123456,+4915123456789\n")
    contacts = load_contacts(path, CONFIG, PACKS)
    assert contacts.headers["phone"] == "WhatsApp No."


def test_configured_header_alias(tmp_path: Path) -> None:
    path = write_text(tmp_path, "contacts.csv", "Tel (mobile)\n+4915123456789\n")
    contacts = load_contacts(path, LintConfig(columns={"phone": ("Tel (mobile)",)}), PACKS)
    assert contacts.frame["valid"].to_list() == [True]


def test_missing_phone_column_names_the_accepted_headers(tmp_path: Path) -> None:
    path = write_text(tmp_path, "contacts.csv", "name,email\nAna,a@example.com\n")
    with pytest.raises(InputError) as caught:
        load_contacts(path, CONFIG, PACKS)
    text = caught.value.one_line()
    assert "no phone column" in text
    assert "手机号" in text and "whatsapp" in text
    assert "\n" not in text


def test_empty_and_header_only_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="the file is empty"):
        load_contacts(write_text(tmp_path, "a.csv", ""), CONFIG, PACKS)
    with pytest.raises(InputError, match="has a header but no rows"):
        load_contacts(write_text(tmp_path, "b.csv", "phone\n"), CONFIG, PACKS)


def test_ragged_csv_names_the_line(tmp_path: Path) -> None:
    path = write_text(tmp_path, "contacts.csv", "phone,name\n+4915123456789,Ana\n+4915123456780,Bo,extra\n")
    with pytest.raises(InputError, match=r"contacts.csv:3: expected 2 fields like the header, found 3"):
        load_contacts(path, CONFIG, PACKS)


def test_undecodable_bytes_are_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_bytes(b"phone\n\x80\x81\xff\xfe\x00\n")
    with pytest.raises(InputError, match="neither UTF-8 nor GBK"):
        load_contacts(path, CONFIG, PACKS)


def test_xlsx_numbers_that_lost_their_plus(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["手机号", "国家"])
    sheet.append([8613800138000, None])  # typed as +86..., stored by Excel as a number
    sheet.append(["+4915123456789", "DE"])
    path = tmp_path / "contacts.xlsx"
    book.save(path)
    contacts = load_contacts(path, CONFIG, PACKS)
    assert contacts.frame["phone"].to_list() == ["8613800138000", "+4915123456789"]
    assert contacts.frame["damage"].to_list() == ["lost_prefix", None]


def test_broken_xlsx_is_an_input_error(tmp_path: Path) -> None:
    path = write_text(tmp_path, "contacts.xlsx", "not a zip")
    with pytest.raises(InputError, match=r"not a readable \.xlsx workbook"):
        load_contacts(path, CONFIG, PACKS)


def test_timestamps_in_several_formats_and_unreadable_ones(tmp_path: Path) -> None:
    text = "phone,同意时间\n+4915123456789,2025-01-10T09:00:00+08:00\n+4915123456780,2025/01/10\n+4915123456781,soon\n"
    contacts = load_contacts(write_text(tmp_path, "c.csv", text), CONFIG, PACKS)
    stamps = contacts.frame["consent_timestamp"].to_list()
    assert stamps[0] == datetime(2025, 1, 10, 1, 0, tzinfo=UTC)
    assert stamps[1] == datetime(2025, 1, 10, tzinfo=UTC)
    assert stamps[2] is None
    assert contacts.frame["consent_timestamp_unreadable"].to_list() == [False, False, True]


def test_malformed_draft_json_names_line_and_column(tmp_path: Path) -> None:
    path = write_text(tmp_path, "draft.json", '{\n  "name": "x",\n  "category": MARKETING\n}\n')
    with pytest.raises(InputError, match=r"draft.json:3:15: invalid JSON"):
        load_draft(path)


def test_unknown_metadata_key_is_rejected(tmp_path: Path) -> None:
    path = write_draft(tmp_path, {"name": "x", "components": [], "x-wagate": {"brnad": "Acme"}})
    with pytest.raises(InputError, match="unknown x-wagate key 'brnad'"):
        load_draft(path)


def test_sidecar_metadata_wins(tmp_path: Path) -> None:
    path = write_draft(
        tmp_path, {"name": "x", "components": [], "x-wagate": {"brand": "Old", "purpose": "campaign"}}
    )
    write_text(tmp_path, "draft.meta.toml", 'brand = "Acme"\nunsubscribe_valid_days = 60\n')
    draft = load_draft(path)
    assert (draft.meta.brand, draft.meta.purpose, draft.meta.unsubscribe_valid_days) == (
        "Acme",
        "campaign",
        60,
    )


def test_template_components_examples_and_lines(tmp_path: Path) -> None:
    document = {
        "name": "t",
        "category": "utility",
        "components": [
            {"type": "BODY", "text": "Order {{1}}", "example": {"body_text": [["A1"]]}},
            {
                "type": "BUTTONS",
                "buttons": [{"type": "URL", "text": "Go", "url": "https://a.com/{{1}}", "example": ["x"]}],
            },
        ],
    }
    draft = load_draft(write_draft(tmp_path, document))
    body, button = draft.components
    assert (draft.category, body.examples, button.label, button.url) == (
        "UTILITY",
        ("A1",),
        "BUTTONS[1]",
        "https://a.com/{{1}}",
    )
    assert body.line is not None and button.line is not None and button.line > body.line


def test_text_file_is_a_free_form_draft(tmp_path: Path) -> None:
    draft = load_draft(write_text(tmp_path, "reply.txt", "Your parcel is on its way.\n"))
    assert (draft.kind, draft.category, draft.components[0].text) == (
        "free_form",
        "SERVICE",
        "Your parcel is on its way.",
    )


def test_consent_events_file_joined_by_number(tmp_path: Path) -> None:
    contacts = load_contacts(write_text(tmp_path, "c.csv", "phone\n+49 151 23456789\n"), CONFIG, PACKS)
    events_path = write_text(
        tmp_path,
        "consent.csv",
        "phone,event,timestamp,purposes\n004915123456789,opt_in,2025-01-01,营销\n+4915123456789,stop,2025-02-01,\n",
    )
    events = load_consent_events(events_path, CONFIG, PACKS, "consent.csv")
    assert events["event"].to_list() == ["grant", "withdraw"]
    assert events["purposes"].to_list()[0] == ["marketing"]
    book = ConsentBook(pl.concat([inline_events(contacts), events]))
    assert book.in_force().index.height == 0  # the later withdrawal covers every purpose


def test_unknown_consent_event_names_its_line(tmp_path: Path) -> None:
    path = write_text(tmp_path, "consent.csv", "phone,event\n+4915123456789,grant\n+4915123456789,maybe\n")
    with pytest.raises(InputError, match=r"consent.csv:3: unknown consent event 'maybe'"):
        load_consent_events(path, CONFIG, PACKS, "consent.csv")


def test_plan_paths_window_and_rendering(tmp_path: Path) -> None:
    plan_path = write_text(
        tmp_path,
        "campaign.toml",
        'draft = "d.json"\ncontacts = "c.csv"\n[window]\nstart = 2025-06-03T08:00:00Z\nend = 2025-06-03T10:00:00Z\n'
        '[parameters]\nbody = ["{{ first_name | upper }}"]\n',
    )
    plan = load_plan(plan_path)
    assert plan.drafts == (tmp_path / "d.json",)
    assert plan.window is not None and plan.window[1].hour == 10
    frame = pl.DataFrame({"_row": [1, 2, 3], "first_name": ["ana", None, "ana"]})
    rendered = render_parameters(plan, frame, {"first_name": "first_name"})
    assert rendered["body.1"].to_list() == ["ANA", "", "ANA"]


def test_plan_expression_with_unknown_column_is_an_input_error(tmp_path: Path) -> None:
    plan = load_plan(write_text(tmp_path, "campaign.toml", '[parameters]\nbody = ["{{ frist_name }}"]\n'))
    frame = pl.DataFrame({"_row": [1], "first_name": ["Ana"]})
    with pytest.raises(InputError, match="uses 'frist_name', which is not a contact column"):
        render_parameters(plan, frame, {"first_name": "first_name"})


def test_plan_send_time_needs_an_offset(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="send_at needs a UTC offset"):
        load_plan(write_text(tmp_path, "campaign.toml", "send_at = 2025-06-03T10:00:00\n"))


@pytest.mark.parametrize(
    "cells",
    [
        # few distinct values over many rows: parsed once each, spread back
        ["yes", None, " Marketing; Order_Updates ", "", "2025-01-10", "yes"] * 50,
        # mostly distinct: parsed row by row
        [f"2025-01-{day:02d}" for day in range(1, 29)] + [None, ""],
    ],
)
def test_cells_parsed_once_per_distinct_value_give_the_row_by_row_answer(cells: list[str | None]) -> None:
    from lint.inputs.values import lower_text, parse_flags, parse_lists, parse_timestamps

    column = pl.Series("c", cells, dtype=pl.String)
    flags = {"yes": True, "": None, None: None}
    assert parse_flags(column).to_list() == [flags.get(c) for c in cells]
    assert lower_text(column).to_list() == [
        (c.strip().lower() or None) if c is not None else None for c in cells
    ]
    lists = {c: v for c, v in zip(cells, parse_lists(column).to_list(), strict=True)}
    assert lists.get(" Marketing; Order_Updates ", ["marketing", "order_updates"]) == [
        "marketing",
        "order_updates",
    ]
    assert lists.get("yes", ["yes"]) == ["yes"]
    assert [lists[c] is None for c in cells] == [c is None or not c.strip() for c in cells]
    stamps, unreadable = parse_timestamps(column)
    for cell, stamp, bad in zip(cells, stamps.to_list(), unreadable.to_list(), strict=True):
        if cell and cell.startswith("2025-01-"):
            assert stamp == datetime.fromisoformat(cell).replace(tzinfo=UTC) and not bad
        elif cell and cell.strip():
            assert stamp is None and bad  # "yes" is no time: flagged, not silently empty
        else:
            assert stamp is None and not bad
