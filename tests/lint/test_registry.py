"""Meta tests: registry, rule docs, case coverage and the generated rules reference stay in sync."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from core.errors import InternalError, UsageError
from lint.base import DOC_SECTIONS, Rule
from lint.docs import explain, render_rules_reference
from lint.findings import Severity
from lint.registry import CODE, doc_sections, problems, resolve, select, validate
from lint.rules import ALL_RULES
from lint.testing import load_case_file, load_cases

CASES_DIR = Path(__file__).parent / "cases"
DOCS = Path(__file__).parents[2] / "docs" / "rules.md"
CASES = load_cases(CASES_DIR)


def test_registry_is_valid_ordered_and_unique() -> None:
    assert problems(ALL_RULES) == []
    codes = [r.code for r in ALL_RULES]
    assert codes == sorted(codes)
    assert len(set(codes)) == len(codes)
    assert len({r.name for r in ALL_RULES}) == len(ALL_RULES)


@pytest.mark.parametrize("rule", ALL_RULES, ids=[r.code for r in ALL_RULES])
def test_every_rule_documents_every_section(rule: type[Rule]) -> None:
    sections = doc_sections(rule)
    assert sections[""], "summary line"
    for name in DOC_SECTIONS:
        assert sections.get(name), f"{rule.code} lacks {name!r}"


@pytest.mark.parametrize("rule", ALL_RULES, ids=[r.code for r in ALL_RULES])
def test_every_rule_has_a_passing_and_a_failing_case(rule: type[Rule]) -> None:
    outcomes = Counter(c.outcome for c in CASES if c.rule == rule.code)
    assert outcomes["pass"] >= 1, f"{rule.code} has no passing case"
    assert outcomes["fail"] >= 1, f"{rule.code} has no failing case"


def test_case_files_name_known_codes_and_match_their_file_name() -> None:
    known = {r.code for r in ALL_RULES}
    for path in CASES_DIR.glob("*.toml"):
        if path.name.startswith("_"):
            continue
        cases = load_case_file(path)
        assert cases, f"{path.name} has no cases"
        assert cases[0].rule in known, f"{path.name} names unknown rule {cases[0].rule}"
        assert path.stem.startswith(cases[0].rule)
        names = [c.name for c in cases]
        assert len(names) == len(set(names)), f"{path.name} repeats a case name"
        assert all(re.match(r"^(pass|fail)_[a-z0-9_]+$", n) for n in names), names


def test_generated_rules_reference_is_current() -> None:
    assert DOCS.read_text(encoding="utf-8") == render_rules_reference(), "run: python3 dev.py docs"


def test_rules_reference_lists_every_code() -> None:
    text = render_rules_reference()
    for rule in ALL_RULES:
        assert f"## {rule.code} {rule.name}" in text


def test_explain_prints_the_rule_documentation() -> None:
    text = explain("o003")
    assert text.startswith("# O003 opted-out")
    assert "## Why it matters" in text
    assert "Cannot be waived" in text


def test_explain_unknown_code_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        explain("Z999")


class _Undocumented(Rule):
    """Checks nothing useful."""

    code = "X001"
    name = "Bad_Name"
    severity = Severity.ERROR
    applies_to = "draft"
    basis = "none"


def test_registry_rejects_a_rule_without_docs_hooks_or_good_metadata() -> None:
    found = problems([_Undocumented])
    assert any("code does not look like" in p for p in found)
    assert any("kebab-case" in p for p in found)
    assert any("implements no check hook" in p for p in found)
    assert any("lacks 'Why it matters:'" in p for p in found)
    with pytest.raises(InternalError):
        validate([_Undocumented])


def test_selectors_accept_code_prefix_name_and_group() -> None:
    assert resolve("C001", ALL_RULES) == {"C001"}
    assert resolve("q", ALL_RULES) == {r.code for r in ALL_RULES if r.code.startswith("Q")}
    assert resolve("missing-opt-out", ALL_RULES) == {"O001"}
    assert resolve("consent", ALL_RULES) == {r.code for r in ALL_RULES if "consent" in r.groups}
    kept = select(ALL_RULES, ["T"], ["T003", "utility-reference"])
    assert [r.code for r in kept] == ["T001", "T002", "T004", "T005", "T006"]


def test_unknown_selector_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown rule selector 'X99'"):
        resolve("X99", ALL_RULES)


def test_codes_follow_the_catalog_families() -> None:
    assert all(CODE.match(r.code) for r in ALL_RULES)
