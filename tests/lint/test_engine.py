"""The run itself: crashing rules, overrides, selection, waivers and the summary."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from core.errors import ConfigError, InputError, UsageError
from lint import LintConfig, LintRequest, lint
from lint.base import Rule
from lint.context import RunContext
from lint.findings import Finding, Severity
from lint.inputs.drafts import Draft
from lint.rules import ALL_RULES
from tests.lint.helpers import (
    CONFIGURED_LINT,
    GOOD_CONTACTS,
    TUESDAY_NOON_BERLIN,
    write_draft,
    write_text,
)


class _Crashes(Rule):
    """Always crashes.

    What it does: nothing. Why it matters: tests. Example: none. Use instead: none.
    Configuration: none. References: none.
    """

    code = "T999"
    name = "always-crashes"
    severity = Severity.WARNING
    applies_to = "draft"
    basis = "test"

    def check_draft(self, draft: Draft, ctx: RunContext) -> Iterator[Finding]:
        raise ZeroDivisionError("boom")


class _BadInput(_Crashes):
    code = "T998"
    name = "raises-input-error"

    def check_draft(self, draft: Draft, ctx: RunContext) -> Iterator[Finding]:
        raise InputError("this input is broken")


def test_a_crashing_rule_fails_the_run_with_a_named_finding(tmp_path: Path) -> None:
    draft = write_draft(tmp_path)
    rules = (*ALL_RULES, _Crashes)
    report = lint(LintRequest(drafts=(draft,), rules=rules, at=TUESDAY_NOON_BERLIN))
    crashed = [f for f in report.iter_findings() if f.origin == "internal-error"]
    assert len(crashed) == 1
    assert crashed[0].code == "T999"
    assert crashed[0].rule == "always-crashes"
    assert crashed[0].severity is Severity.ERROR  # even though the rule itself only warns
    assert "ZeroDivisionError: boom" in crashed[0].message
    assert report.summary.internal_errors == 1
    assert report.exit_code == 1


def test_an_input_error_inside_a_rule_stops_the_run(tmp_path: Path) -> None:
    draft = write_draft(tmp_path)
    with pytest.raises(InputError, match="this input is broken"):
        lint(LintRequest(drafts=(draft,), rules=(*ALL_RULES, _BadInput)))


def _broken_pack() -> object:
    raise ValueError("pack file has a typo")


class _BrokenPack(_Crashes):
    """Loads a broken pack (prepared early by the engine, then again by the rule).

    What it does: nothing. Why it matters: tests. Example: none. Use instead: none.
    Configuration: none. References: none.
    """

    code = "T997"
    name = "broken-pack"
    prepares = (_broken_pack,)

    def check_draft(self, draft: Draft, ctx: RunContext) -> Iterator[Finding]:
        _broken_pack()
        return iter(())


def test_a_pack_that_fails_while_prepared_is_still_reported_by_its_rule(tmp_path: Path) -> None:
    # the early, background load must not swallow the problem: the rule meets it and fails the run
    draft = write_draft(tmp_path)
    report = lint(LintRequest(drafts=(draft,), rules=(*ALL_RULES, _BrokenPack), at=TUESDAY_NOON_BERLIN))
    crashed = [f for f in report.iter_findings() if f.origin == "internal-error"]
    assert [f.code for f in crashed] == ["T997"]
    assert "pack file has a typo" in crashed[0].message
    assert report.exit_code == 1


def test_clean_inputs_exit_zero(tmp_path: Path) -> None:
    draft = write_draft(tmp_path)
    contacts = write_text(tmp_path, "contacts.csv", GOOD_CONTACTS)
    config = LintConfig(**CONFIGURED_LINT)
    report = lint(LintRequest(drafts=(draft,), contacts=contacts, config=config, at=TUESDAY_NOON_BERLIN))
    assert [f.message for f in report.iter_findings()] == []
    assert report.exit_code == 0
    assert report.summary.contacts_passing == 1


def test_summary_counts_blocked_contacts_once(tmp_path: Path) -> None:
    draft = write_draft(tmp_path)
    contacts = write_text(tmp_path, "contacts.csv", "phone\n+4915123456789\n+49 151\n")
    config = LintConfig(**CONFIGURED_LINT)
    report = lint(LintRequest(drafts=(draft,), contacts=contacts, config=config, at=TUESDAY_NOON_BERLIN))
    # row 1: no consent (C001, C002 not: no grant); row 2: invalid number (N001)
    assert report.summary.contacts == 2
    assert report.summary.contacts_blocked == 2
    assert report.summary.by_code == {"C001": 1, "N001": 1}


def test_severity_override_by_name(tmp_path: Path) -> None:
    draft = write_draft(tmp_path)
    contacts = write_text(tmp_path, "contacts.csv", GOOD_CONTACTS)
    config = LintConfig(severity={"default-quiet-hours": Severity.ERROR}, **CONFIGURED_LINT)
    sunday = TUESDAY_NOON_BERLIN.replace(day=1)
    report = lint(LintRequest(drafts=(draft,), contacts=contacts, config=config, at=sunday))
    assert [(f.code, f.severity) for f in report.iter_findings()] == [("Q008", Severity.ERROR)]


def test_per_country_ignore_only_affects_that_country(tmp_path: Path) -> None:
    draft = write_draft(tmp_path)
    contacts = write_text(tmp_path, "contacts.csv", "phone\n+4915123456789\n+8613800138000\n")
    config = LintConfig(countries={"de": {"ignore": ["C001"]}})  # type: ignore[dict-item]
    report = lint(
        LintRequest(
            drafts=(draft,), contacts=contacts, config=config, at=TUESDAY_NOON_BERLIN, select=("C001",)
        )
    )
    assert [f.target.row for f in report.iter_findings()] == [2]


def test_select_and_ignore_from_request_and_config(tmp_path: Path) -> None:
    draft = write_draft(tmp_path, {"name": "Bad Name", "components": [{"type": "BODY", "text": "{{1}} hi"}]})
    config = LintConfig(ignore=("T003",))
    report = lint(LintRequest(drafts=(draft,), config=config, select=("T",)))
    assert {f.code for f in report.iter_findings()} == {"T001", "T002"}


def test_unknown_selector_in_config_is_a_config_error(tmp_path: Path) -> None:
    draft = write_draft(tmp_path)
    with pytest.raises(ConfigError, match="unknown rule selector 'Q099'"):
        lint(LintRequest(drafts=(draft,), config=LintConfig(ignore=("Q099",))))


def test_unknown_rule_option_is_a_config_error(tmp_path: Path) -> None:
    draft = write_draft(tmp_path)
    with pytest.raises(ConfigError, match="N005 has no option 'max_days'"):
        lint(LintRequest(drafts=(draft,), config=LintConfig(options={"N005": {"max_days": 3}})))


def test_nothing_to_lint_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="nothing to lint"):
        lint(LintRequest())


WAIVERS = """
[[waiver]]
code = "N003"
selector = "contact:+4930123456"
reason = "Landline of a shop that has WhatsApp Business on it; checked by phone"
expires = 2099-12-31
approved_by = "li.wei@example.com"

[[waiver]]
code = "T003"
selector = "*"
reason = "Template approved by Meta as is"
expires = 2099-12-31
approved_by = "li.wei@example.com"

[[waiver]]
code = "N002"
selector = "row:2"
reason = "Old waiver"
expires = 2024-01-01
approved_by = "li.wei@example.com"
"""


def test_waivers_hide_findings_and_report_unused_and_expired_ones(tmp_path: Path) -> None:
    contacts = write_text(tmp_path, "contacts.csv", "phone\n+4930123456\n+4930123456\n")
    waivers = write_text(tmp_path, "waivers.toml", WAIVERS)
    report = lint(
        LintRequest(
            contacts=contacts, waivers=waivers, select=("N",), at=TUESDAY_NOON_BERLIN, now=TUESDAY_NOON_BERLIN
        )
    )
    found = [(f.code, f.origin, f.target.row) for f in report.iter_findings()]
    # both N003 findings waived; N002 (row 2) still reported because its waiver expired
    assert ("N003", "rule", 1) not in found and ("N003", "rule", 2) not in found
    assert ("N002", "rule", 2) in found
    notices = {f.code: f.message for f in report.iter_findings() if f.origin == "waiver"}
    assert "matches no finding" in notices["T003"]
    assert "expired on 2024-01-01" in notices["N002"]
    assert report.summary.waived == 2


def test_opt_outs_cannot_be_waived(tmp_path: Path) -> None:
    contacts = write_text(tmp_path, "contacts.csv", "phone\n+4915123456789\n")
    waivers = write_text(
        tmp_path,
        "waivers.toml",
        '[[waiver]]\ncode = "O003"\nselector = "*"\nreason = "x"\nexpires = 2099-01-01\napproved_by = "me"\n',
    )
    with pytest.raises(InputError, match="O003 \\(opted-out\\) cannot be waived"):
        lint(LintRequest(contacts=contacts, waivers=waivers))


def test_waiver_without_approver_is_an_input_error(tmp_path: Path) -> None:
    contacts = write_text(tmp_path, "contacts.csv", "phone\n+4915123456789\n")
    waivers = write_text(
        tmp_path,
        "waivers.toml",
        '[[waiver]]\ncode = "N003"\nselector = "*"\nreason = "x"\nexpires = 2099-01-01\n',
    )
    with pytest.raises(InputError, match="waiver 1 has no approved_by"):
        lint(LintRequest(contacts=contacts, waivers=waivers))


def test_findings_frame_is_sorted_plan_draft_contact(tmp_path: Path) -> None:
    draft = write_draft(tmp_path, {"name": "x", "components": [{"type": "BODY", "text": "hello"}]})
    contacts = write_text(tmp_path, "contacts.csv", "phone\n+49 151\n12\n")
    report = lint(LintRequest(drafts=(draft,), contacts=contacts, select=("N001", "T001")))
    kinds = report.findings["kind"].to_list()
    assert kinds == sorted(kinds, key=["plan", "draft", "contact"].index)
    assert report.findings.filter(pl.col("kind") == "contact")["row"].to_list() == [1, 2]
