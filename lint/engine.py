"""The lint run: read inputs, run the selected rules, apply overrides and waivers, summarise.

A rule that raises does not make the run pass silently: its exception becomes an error finding
that names the rule (``origin = internal-error``), so the run fails and the bug is visible.
Input problems (:class:`~core.errors.InputError`) are not rule bugs and stop the run instead.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from core.errors import ConfigError, UsageError
from lint.base import Rule
from lint.config import LintConfig
from lint.context import WINDOW_STEP, RunContext
from lint.findings import (
    Finding,
    Severity,
    Summary,
    empty_findings,
    iter_findings,
    sort_findings,
)
from lint.history import FileHistory, History, NoHistory
from lint.inputs.consent import ConsentBook, inline_events, load_consent_events
from lint.inputs.contacts import ContactSet, load_contacts
from lint.inputs.drafts import Draft, load_draft
from lint.inputs.plan import Plan, load_plan
from lint.packs import Packs, load_packs
from lint.parallel import default_workers
from lint.registry import resolve_all, select
from lint.runner import RuleRunner
from lint.waivers import apply_waivers, load_waivers

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class LintRequest:
    """What to lint. Paths are shown in reports as written here."""

    drafts: tuple[Path, ...] = ()
    contacts: Path | None = None
    consent: Path | None = None
    plan: Path | None = None
    at: datetime | None = None
    now: datetime | None = None
    config: LintConfig = field(default_factory=LintConfig)
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    history: History | None = None
    waivers: Path | None = None
    rules: tuple[type[Rule], ...] | None = None  # default: lint.rules.ALL_RULES
    workers: int | None = None  # threads running rules; default: the machine's cores, at most 4


@dataclass(frozen=True)
class LintReport:
    """The outcome of a run."""

    findings: pl.DataFrame
    summary: Summary
    drafts: tuple[Draft, ...]
    contacts: ContactSet | None
    rules: tuple[type[Rule], ...]
    at: datetime

    def iter_findings(self) -> Iterable[Finding]:
        """Findings as value objects, in report order."""
        return iter_findings(self.findings)

    @property
    def exit_code(self) -> int:
        """0 without error findings, 1 with at least one."""
        return self.summary.exit_code


def _send_times(at: datetime | None, plan: Plan | None, now: datetime) -> tuple[datetime, ...]:
    if at is not None:
        return (at,)
    if plan is not None and plan.send_at is not None:
        return (plan.send_at,)
    if plan is not None and plan.window is not None:
        start, end = plan.window
        times = []
        while start < end:
            times.append(start)
            start += WINDOW_STEP
        return tuple(times)
    return (now,)


def _check_config(config: LintConfig, rules: Sequence[type[Rule]]) -> None:
    """Selectors and options in the configuration must name real rules."""
    try:
        resolve_all(config.select, rules)
        resolve_all(config.ignore, rules)
        resolve_all(config.severity, rules)
        for override in config.countries.values():
            resolve_all(override.ignore, rules)
            resolve_all(override.severity, rules)
    except UsageError as exc:
        raise ConfigError(f"linter settings: {exc.message}", hint=exc.hint) from None
    known = {r.code: r for r in rules}
    for code, options in config.options.items():
        rule = known.get(code.upper())
        if rule is None:
            raise ConfigError(f"linter settings: options for unknown rule {code!r}")
        extra = sorted(set(options) - set(rule.options))
        if extra:
            accepted = ", ".join(rule.options) or "none"
            raise ConfigError(
                f"linter settings: {rule.code} has no option {extra[0]!r} (options: {accepted})"
            )


def _severity_map(selectors: dict[str, Severity], rules: Sequence[type[Rule]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for selector, severity in selectors.items():
        for code in resolve_all([selector], rules):
            out[code] = severity.value
    return out


def _overrides(
    findings: pl.DataFrame, config: LintConfig, rules: Sequence[type[Rule]], contacts: ContactSet | None
) -> pl.DataFrame:
    """Per-country ignores and severities (contact findings), then global severities."""
    rule_only = pl.col("origin") == "rule"
    if config.countries and contacts is not None and findings.height:
        places = contacts.frame.select(
            row="_row", _place=pl.coalesce(pl.col("region"), pl.col("country_iso"))
        )
        findings = findings.join(places, on="row", how="left", maintain_order="left")
        contact = (pl.col("kind") == "contact") & rule_only
        for region, override in config.countries.items():
            here = contact & (pl.col("_place") == region).fill_null(False)
            ignored = sorted(resolve_all(override.ignore, rules))
            findings = findings.filter(~(here & pl.col("code").is_in(ignored)))
            for code, severity in _severity_map(override.severity, rules).items():
                findings = findings.with_columns(
                    severity=pl.when(here & (pl.col("code") == code))
                    .then(pl.lit(severity))
                    .otherwise("severity")
                )
        findings = findings.drop("_place")
    mapping = _severity_map(config.severity, rules)
    if mapping:
        findings = findings.with_columns(
            severity=pl.when(rule_only & pl.col("code").is_in(list(mapping)))
            .then(pl.col("code").cast(pl.String).replace_strict(mapping, default=None).cast(pl.Categorical))
            .otherwise("severity")
        )
    return findings


def _summary(findings: pl.DataFrame, contacts: ContactSet | None, drafts: int, waived: int) -> Summary:
    counts = {str(k): n for k, n in findings.group_by("severity").len().iter_rows()}
    blocked = (
        findings.filter((pl.col("kind") == "contact") & (pl.col("severity") == "error"))["row"].n_unique()
        if findings.height
        else 0
    )
    total = contacts.size if contacts else 0
    return Summary(
        errors=int(counts.get("error", 0)),
        warnings=int(counts.get("warning", 0)),
        infos=int(counts.get("info", 0)),
        contacts=total,
        contacts_blocked=blocked,
        contacts_passing=total - blocked,
        drafts=drafts,
        waived=waived,
        internal_errors=findings.filter(pl.col("origin") == "internal-error").height,
        by_code={str(code): int(n) for code, n in findings.group_by("code").len().iter_rows()},
    )


def _prepare(rules: Sequence[type[Rule]]) -> None:
    """Call the selected rules' pack loaders (cached), so the rules find their data ready."""
    for loader in dict.fromkeys(loader for rule in rules for loader in rule.prepares):
        try:
            loader()
        except Exception:
            LOG.debug("preparing %s failed; the rule will report it", loader, exc_info=True)


def _load_inputs(
    request: LintRequest, config: LintConfig, packs: Packs, plan: Plan | None
) -> tuple[tuple[Draft, ...], ContactSet | None, ConsentBook | None]:
    draft_paths = request.drafts or (plan.drafts if plan else ())
    drafts = tuple(load_draft(path, str(path)) for path in draft_paths)
    contacts_path = request.contacts or (plan.contacts if plan else None)
    contacts = load_contacts(contacts_path, config, packs, str(contacts_path)) if contacts_path else None
    consent_path = request.consent or (plan.consent if plan else None)
    if contacts is None:
        if consent_path is not None:
            raise UsageError("a consent file needs a contact list", hint="add --contacts FILE")
        return drafts, None, None
    events = [inline_events(contacts)]
    if consent_path is not None:
        events.append(load_consent_events(consent_path, config, packs, str(consent_path)))
    return drafts, contacts, ConsentBook(pl.concat(events))


def lint(request: LintRequest) -> LintReport:
    """Run the linter."""
    from lint.rules import ALL_RULES  # imported here: rules import the engine's helpers

    every = request.rules if request.rules is not None else ALL_RULES
    config = request.config
    _check_config(config, every)
    rules = select(every, (*config.select, *request.select), (*config.ignore, *request.ignore))
    packs = load_packs()
    now = request.now or datetime.now(UTC)
    plan = load_plan(request.plan, str(request.plan)) if request.plan else None
    with ThreadPoolExecutor(1, thread_name_prefix="lint-prepare") as pool:
        pool.submit(_prepare, rules)  # pack data compiled while the inputs are read
        drafts, contacts, consent = _load_inputs(request, config, packs, plan)
    if not drafts and contacts is None:
        raise UsageError("nothing to lint", hint="give draft files, --contacts FILE or --plan FILE")
    history = request.history or (
        FileHistory(config.suppression, config.send_log, config.replies)
        if config.suppression or config.send_log or config.replies
        else NoHistory()
    )
    ctx = RunContext(
        config=config,
        packs=packs,
        now=now,
        send_times=_send_times(request.at, plan, now),
        drafts=drafts,
        contacts=contacts,
        plan=plan,
        history=history,
        consent=consent,
    )
    runner = RuleRunner(ctx, request.workers or default_workers())
    runner.run_all(rules)
    findings = _overrides(runner.findings(), config, every, contacts)
    waived = 0
    waivers_path = request.waivers or config.waivers
    if waivers_path is not None:
        outcome = apply_waivers(
            findings,
            load_waivers(waivers_path, every),
            now.date(),
            str(waivers_path),
            every,
            contacts.frame if contacts else None,
            {d.display: {d.label, Path(d.display).name, Path(d.display).stem, d.display} for d in drafts},
        )
        findings, waived = pl.concat([outcome.findings, outcome.notices]), outcome.waived
    findings = sort_findings(findings if findings.height else empty_findings())
    return LintReport(
        findings=findings,
        summary=_summary(findings, contacts, len(drafts), waived),
        drafts=drafts,
        contacts=contacts,
        rules=rules,
        at=ctx.at,
    )
