"""SARIF 2.1.0, as GitHub code scanning accepts it.

One run, tool ``wagate``; every rule that ran (and every code with a finding) is described in
``tool.driver.rules`` with its summary, full documentation and default level. Each result has a
physical location (file and line; contact findings point at the row's line, draft findings at
the component's line, run-level findings at line 1 of the first input) and a stable
``partialFingerprints`` entry so GitHub can track findings across runs.
"""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import PurePath
from typing import Any

import polars as pl

from lint.base import Rule
from lint.engine import LintReport
from lint.findings import Finding, iter_findings
from lint.registry import doc_sections

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
MAX_RESULTS = 25_000  # GitHub code scanning rejects runs with more results than this
_SHOWN_ROWS = 20
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}
INFORMATION_URI = "https://github.com/wagate/wagate/blob/main/docs/rules.md"


def tool_version() -> str:
    """The installed wagate version (``0.0.0`` when not installed)."""
    try:
        return metadata.version("wagate")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def _uri(path: str) -> str:
    return PurePath(path).as_posix()


def _rule(rule: type[Rule]) -> dict[str, Any]:
    sections = doc_sections(rule)
    full = "\n\n".join(f"{name}: {text}" for name, text in sections.items() if name)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary()},
        "fullDescription": {"text": sections.get("What it does", rule.summary())},
        "help": {"text": full, "markdown": full},
        "helpUri": f"{INFORMATION_URI}#{rule.code.lower()}",
        "defaultConfiguration": {"level": _LEVELS[rule.severity.value]},
        "properties": {"tags": list(rule.groups), "applies-to": rule.applies_to},
    }


def _fallback_file(report: LintReport) -> str:
    if report.drafts:
        return report.drafts[0].display
    if report.contacts is not None:
        return report.contacts.display
    return "wagate.toml"


def _result(finding: Finding, index: dict[str, int], fallback: str) -> dict[str, Any]:
    target = finding.target
    uri = _uri(target.file or fallback)
    identity = f"{finding.code}|{uri}|{target.row}|{target.component}|{finding.message}"
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": index[finding.code],
        "level": _LEVELS[finding.severity.value],
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": uri},
                    "region": {"startLine": max(target.line or 1, 1)},
                }
            }
        ],
        "partialFingerprints": {"wagateFinding/v1": hashlib.sha256(identity.encode()).hexdigest()[:32]},
        "properties": {"kind": target.kind, "basis": finding.basis, "origin": finding.origin},
    }
    if target.row is not None:
        result["properties"]["row"] = target.row
    if target.component is not None:
        result["properties"]["component"] = target.component
    return result


def _grouped_contacts(report: LintReport, index: dict[str, int], fallback: str) -> list[dict[str, Any]]:
    """One result per (code, severity) for contact findings, naming the first rows."""
    contacts = report.findings.filter(pl.col("kind") == "contact").sort("row")
    results = []
    for _, group in contacts.group_by(["code", "severity"], maintain_order=True):
        first = next(iter(iter_findings(group.head(1))))
        rows = group["row"].head(_SHOWN_ROWS).to_list()
        more = group.height - len(rows)
        listed = ", ".join(str(r) for r in rows) + (f" and {more} more" if more else "")
        result = _result(first, index, fallback)
        result["message"] = {"text": f"{group.height} contacts, rows {listed}. First: {first.message}"}
        result["properties"]["contacts"] = group.height
        results.append(result)
    return results


def _results(report: LintReport, index: dict[str, int], fallback: str, limit: int) -> list[dict[str, Any]]:
    findings = report.findings
    if findings.height <= limit:
        return [_result(f, index, fallback) for f in iter_findings(findings)]
    others = [
        _result(f, index, fallback) for f in iter_findings(findings.filter(pl.col("kind") != "contact"))
    ]
    return others + _grouped_contacts(report, index, fallback)


def sarif_document(
    report: LintReport, version: str | None = None, limit: int = MAX_RESULTS
) -> dict[str, Any]:
    """The SARIF log as a dict.

    Above ``limit`` findings (GitHub's cap), contact findings are reported once per rule and
    severity, naming the first rows and the count; the JSON format has every finding.
    """
    from lint.rules import ALL_RULES

    codes = {r.code for r in report.rules} | {str(c) for c in report.findings["code"].unique().to_list()}
    rules = [r for r in ALL_RULES if r.code in codes]
    index = {r.code: i for i, r in enumerate(rules)}
    fallback = _fallback_file(report)
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "wagate",
                        "informationUri": INFORMATION_URI,
                        "version": version or tool_version(),
                        "rules": [_rule(r) for r in rules],
                    }
                },
                "results": _results(report, index, fallback, limit),
                "columnKind": "unicodeCodePoints",
            }
        ],
    }


def render_sarif(
    report: LintReport, lang: str = "en", version: str | None = None, limit: int = MAX_RESULTS
) -> str:
    """SARIF 2.1.0 JSON text."""
    return json.dumps(sarif_document(report, version, limit), ensure_ascii=False, indent=2) + "\n"
