"""The gate: plan/draft errors refuse, contact errors exclude, warnings need acceptance, the report is sealed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from core.errors import InputError, InternalError
from lint.base import Rule
from lint.context import RunContext
from lint.findings import Finding, Severity
from lint.formats.json_format import render_json_bytes
from lint.inputs.drafts import Draft
from sender.gate import open_gate, verify
from sender.model import PassingReport
from tests.sender.gate_inputs import (
    DE_1,
    DE_2,
    SUNDAY_11_UTC,
    TUESDAY_14_UTC,
    contact,
    marketing,
    workspace,
    write_campaign,
)

BODY = 'body = ["{{ first_name | title }}"]'


def test_a_clean_plan_passes_with_a_sealed_report(tmp_path: Path) -> None:
    settings = workspace(tmp_path)
    plan = write_campaign(tmp_path / "in", [contact(DE_1), contact(DE_2)], parameters=BODY)
    gate = open_gate(plan, settings, accept_warnings=False, now=TUESDAY_14_UTC)
    assert gate.refusal is None
    assert gate.exclusions == ()
    assert gate.passing is not None
    assert (gate.passing.errors, gate.passing.warnings, gate.passing.warnings_accepted) == (0, 0, False)
    assert gate.passing.at == TUESDAY_14_UTC  # the plan's send_at is what the lint judged
    assert len(gate.passing.digest) == 64
    verify(gate.passing)  # does not raise


def test_a_plan_error_refuses_the_whole_campaign_and_names_the_finding(tmp_path: Path) -> None:
    settings = workspace(tmp_path)
    # two body parameters for a template with one variable: T002 about the plan
    plan = write_campaign(
        tmp_path / "in",
        [contact(DE_1)],
        parameters='body = ["{{ first_name }}", "{{ city }}"]',
    )
    gate = open_gate(plan, settings, accept_warnings=True, now=TUESDAY_14_UTC)
    assert gate.passing is None
    assert gate.refusal is not None
    assert "T002" in gate.refusal
    assert "body parameters" in gate.refusal
    assert "\n" not in gate.refusal


def test_a_draft_error_refuses_even_with_accepted_warnings(tmp_path: Path) -> None:
    settings = workspace(tmp_path)
    broken = marketing(
        components=[
            {"type": "HEADER", "format": "TEXT", "text": "Acme spring collection"},
            {
                "type": "BODY",
                "text": "Hi {{1}, the new collection is here.",
                "example": {"body_text": [["Ana"]]},
            },
            {"type": "FOOTER", "text": "Reply STOP to opt out"},
        ]
    )
    plan = write_campaign(tmp_path / "in", [contact(DE_1)], drafts=[broken])
    gate = open_gate(plan, settings, accept_warnings=True, now=TUESDAY_14_UTC)
    assert gate.passing is None
    assert gate.refusal is not None and "T002" in gate.refusal and "draft1.json" in gate.refusal


class _Crashes(Rule):
    """Always crashes.

    What it does: nothing. Why it matters: tests. Example: none. Use instead: none.
    Configuration: none. References: none.
    """

    code = "T999"
    name = "always-crashes"
    severity = Severity.INFO
    applies_to = "draft"
    basis = "test"

    def check_draft(self, draft: Draft, ctx: RunContext) -> Iterator[Finding]:
        raise ZeroDivisionError("boom")


def test_a_crashing_rule_refuses_the_campaign(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import lint.rules

    monkeypatch.setattr(lint.rules, "ALL_RULES", (*lint.rules.ALL_RULES, _Crashes))
    settings = workspace(tmp_path)
    plan = write_campaign(tmp_path / "in", [contact(DE_1)], parameters=BODY)
    gate = open_gate(plan, settings, accept_warnings=True, now=TUESDAY_14_UTC)
    assert gate.passing is None
    assert gate.refusal is not None and "T999" in gate.refusal and "internal error" in gate.refusal


def test_contact_errors_exclude_exactly_those_rows(tmp_path: Path) -> None:
    settings = workspace(tmp_path)
    no_consent = f"{DE_2},,,,,,,ben,Hamburg,A-2"  # C001: no consent at all
    rows = [contact(DE_1), no_consent, contact("+49 151"), contact("+4915123456781")]
    plan = write_campaign(tmp_path / "in", rows, parameters=BODY)
    gate = open_gate(plan, settings, accept_warnings=False, now=TUESDAY_14_UTC)
    assert gate.refusal is None and gate.passing is not None
    assert [e.row for e in gate.exclusions] == [2, 3]
    assert "C001" in gate.exclusions[0].codes
    assert gate.exclusions[0].to == DE_2
    assert gate.exclusions[1].codes == ("N001",)
    assert gate.passing.errors == gate.report.summary.errors > 0


def test_warnings_refuse_unless_accepted(tmp_path: Path) -> None:
    settings = workspace(tmp_path)
    # Sunday 13:00 in Berlin: outside the default courtesy window (Q008, a warning)
    plan = write_campaign(tmp_path / "in", [contact(DE_1)], parameters=BODY, send_at=SUNDAY_11_UTC)

    refused = open_gate(plan, settings, accept_warnings=False, now=TUESDAY_14_UTC)
    assert refused.passing is None
    assert refused.refusal is not None
    assert "Q008" in refused.refusal and "--accept-warnings" in refused.refusal

    accepted = open_gate(plan, settings, accept_warnings=True, now=TUESDAY_14_UTC)
    assert accepted.refusal is None and accepted.passing is not None
    assert accepted.passing.warnings == 1
    assert accepted.passing.warnings_accepted is True
    assert [w.code for w in accepted.warnings] == ["Q008"]


def test_a_waiver_lets_a_warning_pass_without_accepting_it(tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(
        '[[waiver]]\ncode = "Q008"\nselector = "country:DE"\nreason = "Sunday opening announced"\n'
        'expires = 2099-12-31\napproved_by = "li.wei@example.com"\n',
        encoding="utf-8",
    )
    settings = workspace(tmp_path, lint=f'waivers = "{waivers}"')
    plan = write_campaign(tmp_path / "in", [contact(DE_1)], parameters=BODY, send_at=SUNDAY_11_UTC)
    gate = open_gate(plan, settings, accept_warnings=False, now=TUESDAY_14_UTC)
    assert gate.refusal is None and gate.passing is not None
    assert gate.passing.warnings == 0
    assert gate.passing.warnings_accepted is True  # everything left was waived


def test_the_digest_is_stable_and_changes_with_one_byte_of_the_contacts(tmp_path: Path) -> None:
    settings = workspace(tmp_path)
    plan = write_campaign(tmp_path / "in", [contact(DE_1)], parameters=BODY)
    first = open_gate(plan, settings, accept_warnings=False, now=TUESDAY_14_UTC)
    again = open_gate(plan, settings, accept_warnings=False, now=TUESDAY_14_UTC)
    assert first.passing is not None and again.passing is not None
    assert first.passing.digest == again.passing.digest

    contacts = tmp_path / "in" / "contacts.csv"
    text = contacts.read_bytes()
    # one byte of a column no rule reads: the report stays the same, the digest must not
    contacts.write_bytes(text.replace(b"Berlin", b"Berlim"))
    changed = open_gate(plan, settings, accept_warnings=False, now=TUESDAY_14_UTC)
    assert changed.passing is not None
    assert render_json_bytes(changed.report) == render_json_bytes(first.report)
    assert changed.passing.digest != first.passing.digest


def test_a_report_not_made_by_the_gate_fails_verification(tmp_path: Path) -> None:
    forged = PassingReport(digest="0" * 64, errors=0, warnings=0, warnings_accepted=False, at=TUESDAY_14_UTC)
    with pytest.raises(InternalError, match="did not pass"):
        verify(forged)
    settings = workspace(tmp_path)
    plan = write_campaign(tmp_path / "in", [contact(DE_1)], parameters=BODY)
    gate = open_gate(plan, settings, accept_warnings=False, now=TUESDAY_14_UTC)
    assert gate.passing is not None
    with pytest.raises(InternalError):
        verify(replace(gate.passing, _token=object()))


def test_a_missing_plan_file_is_an_input_error(tmp_path: Path) -> None:
    settings = workspace(tmp_path)
    with pytest.raises(InputError, match="no such file"):
        open_gate(tmp_path / "nope.toml", settings, accept_warnings=False)


def test_several_drafts_must_be_language_variants_of_one_template(tmp_path: Path) -> None:
    settings = workspace(tmp_path)
    other = marketing(name="autumn_sale")
    plan = write_campaign(tmp_path / "in", [contact(DE_1)], drafts=[marketing(), other], parameters=BODY)
    gate = open_gate(plan, settings, accept_warnings=True, now=TUESDAY_14_UTC)
    assert gate.passing is None
    assert gate.refusal is not None and "language variants" in gate.refusal
