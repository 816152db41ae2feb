"""Rule case files: one TOML file of named pass/fail cases per rule code, and a generic runner.

Used by ``tests/lint/test_rule_cases.py`` and usable by anyone who writes a rule. A case file::

    rule = "C001"

    [defaults]                 # merged into every case
    draft = "marketing"        # a shared draft of _drafts.toml, or an inline table
    at = "2025-06-03T10:00:00+02:00"

    [[case]]
    name = "fail_no_consent_columns"
    outcome = "fail"           # pass: the rule reports nothing; fail: it reports something
    contacts = '''
    phone
    +4915112345678
    '''
    rows = [1]                 # optional: exactly these contact rows are reported

A case may give ``draft`` (name or table), ``drafts`` (a list of them), ``contacts``,
``consent``, ``suppression``, ``send_log`` and ``replies`` (CSV text), ``plan`` (campaign.toml
text; the files are called ``draft.json`` - ``draft2.json`` ... - ``contacts.csv`` and
``consent.csv``), ``at``, ``now`` and ``config`` (``[lint]`` settings). Optional expectations
for failing cases: ``rows``, ``count``, ``message`` (a substring of some message), ``severity``,
``components``. Only the rule under test runs. Every case needs a descriptive ``name``; see
``tests/lint/cases/README.md``.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from lint.config import LintConfig
from lint.engine import LintReport, LintRequest, lint
from lint.findings import iter_findings

CASE_KEYS = frozenset(
    {
        "name",
        "outcome",
        "draft",
        "drafts",
        "contacts",
        "consent",
        "suppression",
        "send_log",
        "replies",
        "plan",
        "at",
        "now",
        "config",
        "rows",
        "count",
        "message",
        "severity",
        "components",
        "waivers",
    }
)


@dataclass(frozen=True)
class RuleCase:
    """One named case of a case file."""

    rule: str
    name: str
    outcome: str
    data: dict[str, Any]
    source: Path

    @property
    def id(self) -> str:
        """``C001::fail_no_consent`` (pytest ids)."""
        return f"{self.rule}::{self.name}"


def load_case_file(path: Path) -> list[RuleCase]:
    """The cases of one file, defaults merged in; raises ``ValueError`` on a malformed file."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    rule = data.get("rule")
    if not isinstance(rule, str):
        raise ValueError(f'{path}: missing rule = "CODE"')
    defaults = data.get("defaults", {})
    cases = []
    for raw in data.get("case", []):
        merged = {**defaults, **raw}
        unknown = set(merged) - CASE_KEYS
        if unknown:
            raise ValueError(f"{path}: case {raw.get('name')!r} has unknown keys {sorted(unknown)}")
        if merged.get("outcome") not in ("pass", "fail") or not merged.get("name"):
            raise ValueError(f"{path}: every case needs a name and outcome = pass|fail")
        cases.append(
            RuleCase(rule=rule, name=merged["name"], outcome=merged["outcome"], data=merged, source=path)
        )
    return cases


def load_cases(folder: Path) -> list[RuleCase]:
    """Every case of every ``<CODE>*.toml`` file in ``folder`` (files starting with ``_`` are shared data)."""
    cases: list[RuleCase] = []
    for path in sorted(folder.glob("*.toml")):
        if not path.name.startswith("_"):
            cases += load_case_file(path)
    return cases


def _draft_document(spec: Any, shared: dict[str, Any]) -> dict[str, Any]:
    if isinstance(spec, str):
        if spec not in shared:
            raise ValueError(f"unknown shared draft {spec!r}")
        return dict(shared[spec])
    if isinstance(spec, dict):
        return spec
    raise ValueError(f"a draft must be a name or a table, not {spec!r}")


def _when(value: Any) -> datetime | None:
    if value is None:
        return None
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _dedent(text: str) -> str:
    lines = text.strip("\n").splitlines()
    return "\n".join(line.strip() for line in lines) + "\n"


def run_case(case: RuleCase, workdir: Path, shared_drafts: dict[str, Any]) -> LintReport:
    """Write the case's files into ``workdir`` and lint them with only the rule under test."""
    data = case.data
    drafts = data.get("drafts") or ([data["draft"]] if "draft" in data else [])
    draft_paths = []
    for index, spec in enumerate(drafts, start=1):
        path = workdir / ("draft.json" if index == 1 else f"draft{index}.json")
        path.write_text(
            json.dumps(_draft_document(spec, shared_drafts), ensure_ascii=False, indent=2), encoding="utf-8"
        )
        draft_paths.append(path)
    files: dict[str, Path | None] = {}
    for key, name in (
        ("contacts", "contacts.csv"),
        ("consent", "consent.csv"),
        ("suppression", "suppression.csv"),
        ("send_log", "send_log.csv"),
        ("replies", "replies.csv"),
    ):
        files[key] = None
        if key in data:
            files[key] = workdir / name
            files[key].write_text(_dedent(data[key]), encoding="utf-8")  # type: ignore[union-attr]
    plan = None
    if "plan" in data:
        plan = workdir / "campaign.toml"
        plan.write_text(data["plan"], encoding="utf-8")
    waivers = None
    if "waivers" in data:
        waivers = workdir / "waivers.toml"
        waivers.write_text(data["waivers"], encoding="utf-8")
    config = LintConfig.model_validate(
        {
            **data.get("config", {}),
            "suppression": files["suppression"],
            "send_log": files["send_log"],
            "replies": files["replies"],
        }
    )
    at = _when(data.get("at"))
    return lint(
        LintRequest(
            drafts=tuple(draft_paths) if plan is None else (),
            contacts=files["contacts"] if plan is None else None,
            consent=files["consent"] if plan is None else None,
            plan=plan,
            at=at,
            now=_when(data.get("now")) or at,
            config=config,
            select=(case.rule,),
            waivers=waivers,
        )
    )


def case_problems(case: RuleCase, report: LintReport) -> list[str]:
    """What differs from the case's expectations (empty when the case holds)."""
    mine = [f for f in iter_findings(report.findings) if f.code == case.rule]
    crashed = [f.message for f in mine if f.origin == "internal-error"]
    if crashed:
        return crashed
    shown = "; ".join(f"{f.target.row or f.target.component}: {f.message}" for f in mine)
    if case.outcome == "pass":
        return [f"expected no {case.rule} finding, got: {shown}"] if mine else []
    if not mine:
        return [f"expected a {case.rule} finding, got none"]
    problems = []
    data = case.data
    if "rows" in data and sorted({f.target.row for f in mine if f.target.row is not None}) != sorted(
        data["rows"]
    ):
        problems.append(f"expected rows {data['rows']}, got: {shown}")
    if "count" in data and len(mine) != data["count"]:
        problems.append(f"expected {data['count']} findings, got {len(mine)}: {shown}")
    if "message" in data and not any(data["message"] in f.message for f in mine):
        problems.append(f"expected a message containing {data['message']!r}, got: {shown}")
    if "severity" in data and {f.severity.value for f in mine} != {data["severity"]}:
        problems.append(
            f"expected severity {data['severity']}, got {sorted({f.severity.value for f in mine})}"
        )
    if "components" in data and sorted({f.target.component or "" for f in mine}) != sorted(
        data["components"]
    ):
        problems.append(f"expected components {data['components']}, got: {shown}")
    return problems
