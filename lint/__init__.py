"""The pre-send compliance linter: drafts, contact lists, consent and plans checked against policy and law.

Public API::

    from lint import LintRequest, lint
    report = lint(LintRequest(drafts=(Path("spring_sale.json"),), contacts=Path("contacts.csv")))
    report.summary.errors, list(report.iter_findings())

Rules live in :mod:`lint.rules` (``ALL_RULES``), one module per code; formats in
:mod:`lint.formats`; rule packs (quiet hours, lexicons, country sets) are TOML data in
``lint/packs/``.
"""

from __future__ import annotations

from lint.config import LintConfig, load_lint_config
from lint.engine import LintReport, LintRequest, lint
from lint.findings import Finding, Severity, Summary, Target

__all__ = [
    "Finding",
    "LintConfig",
    "LintReport",
    "LintRequest",
    "Severity",
    "Summary",
    "Target",
    "lint",
    "load_lint_config",
]
