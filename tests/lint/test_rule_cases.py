"""Every case of every rule case file, run by one generic test (ids like ``C001::fail_no_consent``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lint.testing import RuleCase, case_problems, load_cases, run_case

CASES = load_cases(Path(__file__).parent / "cases")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule_case(case: RuleCase, tmp_path: Path, shared_drafts: dict[str, Any]) -> None:
    report = run_case(case, tmp_path, shared_drafts)
    assert case_problems(case, report) == []
