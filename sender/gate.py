"""The gate: nothing is sent unless the linter passed the plan.

:func:`open_gate` lints the plan exactly as ``wagate lint --plan`` does (same settings, same
pause flags, same warehouse history) and decides:

* an error about the plan or a draft (including a rule that crashed) refuses the whole campaign;
* an error about a contact excludes that contact, and only that one;
* any warning left after waivers refuses the campaign unless the operator accepts warnings.

When it passes, the gate makes the only :class:`~sender.model.PassingReport` there is: it
carries a private token, and :func:`verify` (the sending loop's first call) rejects a report
made anywhere else. Its digest covers the canonical JSON report and every input file, so a
send log row names exactly what was checked.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl

from core.audit import file_sha256
from core.config import Settings
from core.errors import InternalError
from core.pauses import active_template_pauses
from lint import Finding, LintConfig, LintReport, LintRequest, lint, load_lint_config
from lint.findings import iter_findings
from lint.formats.json_format import render_json_bytes
from lint.history import History
from lint.inputs.plan import Plan, load_plan
from lint.variants import are_variants
from sender.model import Exclusion, PassingReport
from sender.suppressions import RecordingHistory, workspace_history

# Only this module can reach this object; a PassingReport carrying anything else was not made
# by the gate, and the sending loop refuses it.
_TOKEN = object()


@dataclass(frozen=True, slots=True)
class GateOutcome:
    """What the gate decided, and everything the campaign builder needs from the lint run."""

    report: LintReport
    passing: PassingReport | None
    refusal: str | None  # one line: why the whole campaign is refused
    exclusions: tuple[Exclusion, ...]  # contacts with error findings
    warnings: tuple[Finding, ...]  # warnings that count (not waived, not on excluded contacts)
    plan: Plan
    config: LintConfig
    now: datetime | None
    known_suppressions: frozenset[str]  # suppression entries the lint saw (sender.suppressions)
    # the canonical JSON report of a passing gate, rendered once: hashed into the digest here and
    # kept by the audit trail after the send (empty when refused)
    report_json: bytes = b""

    @property
    def passed(self) -> bool:
        """Whether sending may go ahead (for the contacts that were not excluded)."""
        return self.passing is not None


def open_gate(
    plan_path: Path,
    settings: Settings,
    *,
    accept_warnings: bool,
    now: datetime | None = None,
    history: History | None = None,
    allow_free_form: bool = False,
) -> GateOutcome:
    """Lint the plan and decide whether, and to whom, it may be sent.

    Input problems (a missing file, bad TOML) raise :class:`~core.errors.InputError` as they do
    for ``wagate lint``; a campaign the findings refuse comes back with ``refusal`` set.

    ``allow_free_form`` admits a plan of one free-form draft: a service reply (triggered
    messages inside the customer's 24-hour window). The lint still judges it, so T005 excludes
    every contact whose window is closed. ``wagate send`` never sets it: campaigns are templates.
    """
    plan = load_plan(plan_path, str(plan_path))
    paused = tuple(pause.name for pause in active_template_pauses(settings.workspace)) or None
    config = load_lint_config(settings.workspace).updated(paused_templates=paused)
    recorder = RecordingHistory(history if history is not None else workspace_history(settings, config))
    report = lint(LintRequest(plan=plan_path, config=config, now=now, history=recorder))
    blocking, exclusions, warnings = _classify(report)
    refusal = _refusal(plan, report, blocking, warnings, accept_warnings, allow_free_form)
    passing = None
    report_json = b""
    if refusal is None:
        report_json = render_json_bytes(report)
        passing = PassingReport(
            digest=report_digest(report_json, report.at, input_files(plan, config)),
            errors=report.summary.errors,  # all contact-level: any other error refuses
            warnings=len(warnings),
            warnings_accepted=bool(warnings) or report.summary.waived > 0,
            at=report.at,
            _token=_TOKEN,
        )
    return GateOutcome(
        report=report,
        passing=passing,
        refusal=refusal,
        exclusions=exclusions,
        warnings=warnings,
        plan=plan,
        config=config,
        now=now,
        known_suppressions=frozenset(recorder.seen),
        report_json=report_json,
    )


def verify(passing: PassingReport) -> None:
    """Raise unless this report was made by :func:`open_gate` (the sending loop calls it first)."""
    if not isinstance(passing, PassingReport) or passing._token is not _TOKEN:
        raise InternalError(
            "the sender was handed a lint report the gate did not pass; refusing to send",
            hint="build the campaign with sender.gate.open_gate",
        )


def report_digest(report_json: bytes, at: datetime, inputs: Iterable[tuple[str, Path]]) -> str:
    """sha256 of the canonical JSON report, the judged send time and each input file's sha256."""
    digest = hashlib.sha256()
    digest.update(report_json)
    digest.update(f"\nat={at.isoformat()}".encode())
    for role, path in inputs:
        digest.update(f"\n{role}={file_sha256(path)}".encode())
    return digest.hexdigest()


def input_files(plan: Plan, config: LintConfig) -> list[tuple[str, Path]]:
    """Every file the lint read, labelled by role, in a fixed order."""
    files: list[tuple[str, Path]] = [("plan", plan.path)]
    for index, draft in enumerate(plan.drafts, start=1):
        files.append((f"draft{index}", draft))
        sidecar = draft.with_name(f"{draft.stem}.meta.toml")
        if sidecar.exists():
            files.append((f"draft{index}.meta", sidecar))
    if plan.contacts is not None:
        files.append(("contacts", plan.contacts))
    if plan.consent is not None:
        files.append(("consent", plan.consent))
    if config.waivers is not None:
        files.append(("waivers", config.waivers))
    return files


def _classify(report: LintReport) -> tuple[list[Finding], tuple[Exclusion, ...], tuple[Finding, ...]]:
    """(plan/draft errors, excluded contacts, warnings that still count)."""
    findings = report.findings
    errors = findings.filter(pl.col("severity") == "error")
    contact_errors = errors.filter(pl.col("kind") == "contact")
    blocking = list(iter_findings(errors.filter(pl.col("kind") != "contact")))
    exclusions = _exclusions(report, contact_errors)
    excluded_rows = [e.row for e in exclusions]
    counted = findings.filter(
        (pl.col("severity") == "warning")
        & ~((pl.col("kind") == "contact") & pl.col("row").is_in(excluded_rows).fill_null(False))
    )
    return blocking, exclusions, tuple(iter_findings(counted))


def _exclusions(report: LintReport, errors: pl.DataFrame) -> tuple[Exclusion, ...]:
    if errors.height == 0 or report.contacts is None:
        return ()
    grouped = (
        errors.group_by("row", maintain_order=True)
        .agg(
            codes=pl.col("code").cast(pl.String).unique(maintain_order=True), reason=pl.col("message").first()
        )
        .join(report.contacts.frame.select(row="_row", to="e164"), on="row", how="left")
        .sort("row")
    )
    return tuple(
        Exclusion(row=row, to=to, codes=tuple(sorted(codes)), reason=reason)
        for row, codes, reason, to in grouped.select("row", "codes", "reason", "to").iter_rows()
    )


def _refusal(
    plan: Plan,
    report: LintReport,
    blocking: list[Finding],
    warnings: tuple[Finding, ...],
    accept_warnings: bool,
    allow_free_form: bool = False,
) -> str | None:
    if blocking:
        first = blocking[0]
        where = " ".join(p for p in (first.target.file, first.target.component) if p) or first.target.kind
        more = f" (and {len(blocking) - 1} more)" if len(blocking) > 1 else ""
        text = f"{first.code} in {where}: {first.message}"
        return _one_line(f"the linter found {len(blocking)} plan/draft error{_s(blocking)}: {text}{more}")
    if not report.drafts or plan.contacts is None:
        missing = "no template draft" if not report.drafts else "no contact list"
        return f"the plan {plan.display} names {missing}; a campaign needs both"
    free_form = [draft for draft in report.drafts if draft.kind != "template"]
    if free_form and not (allow_free_form and len(report.drafts) == 1):
        return "a campaign sends approved templates only; the plan names a free-form draft"
    if len(report.drafts) > 1 and not are_variants(report.drafts):
        return (
            "a plan with several drafts sends each contact one of them, so they must be language "
            "variants of one template (the same name, different languages)"
        )
    if warnings and not accept_warnings:
        codes = ", ".join(sorted({w.code for w in warnings}))
        return _one_line(
            f"the linter found {len(warnings)} warning{_s(warnings)} ({codes}); "
            "review them, then waive them or pass --accept-warnings"
        )
    return None


def _s(items: list[Finding] | tuple[Finding, ...]) -> str:
    return "" if len(items) == 1 else "s"


def _one_line(text: str) -> str:
    return " ".join(text.split())
