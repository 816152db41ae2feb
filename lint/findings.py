"""What the linter reports: severities, targets, findings and the report.

Findings are kept as one Polars frame (:data:`FINDING_SCHEMA`): a million-contact list can give
hundreds of thousands of findings, and the formats stream them from the frame. :class:`Finding`
is the same record as a value object, for draft and plan rules and for the Python API.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

import polars as pl

TargetKind = Literal["contact", "draft", "plan"]
Origin = Literal["rule", "internal-error", "waiver"]


class Severity(StrEnum):
    """How much a finding matters: errors block, warnings need a logged override, infos inform."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """2 for errors, 1 for warnings, 0 for infos."""
        return {"error": 2, "warning": 1, "info": 0}[self.value]


@dataclass(frozen=True, slots=True)
class Target:
    """What a finding is about.

    ``row`` is the 1-based data row of a contact (the header is not counted); ``component`` names
    the part of a draft (``BODY``, ``HEADER``, ``FOOTER``, ``BUTTONS[2]``, ``name``, ``text``);
    ``line`` is the line in the file, used by the SARIF and GitHub formats.
    """

    kind: TargetKind
    file: str | None = None
    row: int | None = None
    component: str | None = None
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found by one rule."""

    code: str
    severity: Severity
    rule: str
    message: str
    target: Target
    basis: str = ""
    excerpt: str | None = None  # the offending text, highlighted by the HTML report
    origin: Origin = "rule"


# Columns with few distinct values are categorical: a million findings repeat the same legal
# basis a million times, and as text that alone would cost hundreds of megabytes.
FINDING_SCHEMA: dict[str, Any] = {
    "code": pl.Categorical,
    "severity": pl.Categorical,
    "rule": pl.Categorical,
    "message": pl.String,
    "kind": pl.Categorical,
    "file": pl.Categorical,
    "row": pl.Int64,
    "component": pl.Categorical,
    "line": pl.Int64,
    "basis": pl.Categorical,
    "excerpt": pl.String,
    "origin": pl.Categorical,
}

KIND_ORDER = {"plan": 0, "draft": 1, "contact": 2}


def empty_findings() -> pl.DataFrame:
    """A findings frame with no rows."""
    return pl.DataFrame(schema=FINDING_SCHEMA)


def findings_frame(findings: Iterable[Finding]) -> pl.DataFrame:
    """Findings as a frame of :data:`FINDING_SCHEMA`."""
    rows = [
        (
            f.code,
            f.severity.value,
            f.rule,
            f.message,
            f.target.kind,
            f.target.file,
            f.target.row,
            f.target.component,
            f.target.line,
            f.basis,
            f.excerpt,
            f.origin,
        )
        for f in findings
    ]
    return pl.DataFrame(rows, schema=FINDING_SCHEMA, orient="row")


def iter_findings(frame: pl.DataFrame) -> Iterator[Finding]:
    """The rows of a findings frame as :class:`Finding` objects."""
    for row in frame.select(list(FINDING_SCHEMA)).iter_rows(named=True):
        yield Finding(
            code=row["code"],
            severity=Severity(row["severity"]),
            rule=row["rule"],
            message=row["message"],
            target=Target(
                kind=row["kind"],
                file=row["file"],
                row=row["row"],
                component=row["component"],
                line=row["line"],
            ),
            basis=row["basis"] or "",
            excerpt=row["excerpt"],
            origin=row["origin"],
        )


def sort_findings(frame: pl.DataFrame) -> pl.DataFrame:
    """Plan findings first, then drafts, then contacts by row; within a target, by code."""
    order = pl.col("kind").cast(pl.String).replace_strict(KIND_ORDER, default=3, return_dtype=pl.Int8)
    return frame.sort(
        [order, pl.col("file"), pl.col("row"), pl.col("component"), pl.col("code"), pl.col("message")],
        nulls_last=False,
        maintain_order=True,
    )


@dataclass(frozen=True, slots=True)
class Summary:
    """Counts a reader (or a CI job) looks at first."""

    errors: int
    warnings: int
    infos: int
    contacts: int
    contacts_blocked: int
    contacts_passing: int
    drafts: int
    waived: int
    internal_errors: int
    by_code: dict[str, int] = field(default_factory=dict)

    @property
    def findings(self) -> int:
        """Number of findings of every severity."""
        return self.errors + self.warnings + self.infos

    @property
    def exit_code(self) -> int:
        """0 without error findings, 1 with at least one."""
        return 1 if self.errors else 0

    def to_dict(self) -> dict[str, Any]:
        """The ``summary`` object of the JSON output."""
        return {
            "findings": self.findings,
            "errors": self.errors,
            "warnings": self.warnings,
            "infos": self.infos,
            "contacts": self.contacts,
            "contacts_blocked": self.contacts_blocked,
            "contacts_passing": self.contacts_passing,
            "drafts": self.drafts,
            "waived": self.waived,
            "internal_errors": self.internal_errors,
            "by_code": dict(sorted(self.by_code.items())),
            "exit_code": self.exit_code,
        }
