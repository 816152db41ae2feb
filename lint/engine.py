"""The lint run: read inputs, run the selected rules, apply overrides and waivers, summarise.

A rule that raises does not make the run pass silently: its exception becomes an error finding
that names the rule (``origin = internal-error``), so the run fails and the bug is visible.
Input problems (:class:`~core.errors.InputError`) are not rule bugs and stop the run instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TypeVar

import polars as pl

from core.errors import ConfigError, InputError, UsageError
from lint.base import Rule
from lint.config import LintConfig
from lint.context import WINDOW_STEP, RunContext
from lint.findings import (
    Finding,
    Severity,
    Summary,
    Target,
    empty_findings,
    findings_frame,
    iter_findings,
    sort_findings,
)
from lint.history import FileHistory, History, NoHistory
from lint.inputs.consent import ConsentBook, inline_events, load_consent_events
from lint.inputs.contacts import ContactSet, load_contacts
from lint.inputs.drafts import Draft, load_draft
from lint.inputs.plan import Plan, load_plan
from lint.packs import Packs, load_packs
from lint.parallel import default_workers, thread_map
from lint.registry import resolve_all, select
from lint.variants import are_variants, variant_index
from lint.waivers import apply_waivers, load_waivers

LOG = logging.getLogger(__name__)
T = TypeVar("T")


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


def _internal_error(rule: type[Rule], exc: BaseException, where: str) -> Finding:
    LOG.debug("rule %s crashed on %s", rule.code, where, exc_info=exc)
    return Finding(
        code=rule.code,
        severity=Severity.ERROR,
        rule=rule.name,
        message=(
            f"internal error in rule {rule.code} ({rule.name}) while checking {where}: "
            f"{type(exc).__name__}: {exc}. Its checks did not run, so this run fails; please report it."
        ),
        target=Target(kind="plan"),
        basis="wagate: a rule that cannot run must never pass silently",
        origin="internal-error",
    )


def _draft_findings(rule: Rule, draft: Draft, ctx: RunContext) -> list[Finding]:
    return list(rule.check_draft(draft, ctx))


@dataclass
class _Found:
    """What one rule reported: findings as objects (plan, drafts, crashes) and contact frames."""

    objects: list[Finding] = field(default_factory=list)
    frames: list[pl.DataFrame] = field(default_factory=list)


class _Runner:
    """Runs the hooks of the selected rules and gathers their findings.

    Rules are independent of each other and spend their time inside Polars, which releases the
    GIL, so several run at once on a pool of threads; their findings are gathered in rule order,
    so the report does not depend on which rule finished first.
    """

    def __init__(self, ctx: RunContext, workers: int) -> None:
        self.ctx = ctx
        self.workers = workers
        self.variants: pl.Series | None = (
            variant_index(ctx.drafts, ctx.contacts.frame)
            if ctx.contacts is not None and are_variants(ctx.drafts)
            else None
        )
        self.objects: list[Finding] = []
        self.frames: list[pl.DataFrame] = []

    def run_all(self, rules: Sequence[type[Rule]]) -> None:
        for found in thread_map(self.run, rules, self.workers):
            self.objects += found.objects
            self.frames += found.frames

    @staticmethod
    def _guard(rule: type[Rule], where: str, call: Callable[[], T], found: _Found) -> T | None:
        try:
            return call()
        except (InputError, UsageError):
            raise
        except Exception as exc:  # a crashing rule must fail the run, visibly
            found.objects.append(_internal_error(rule, exc, where))
            return None
        except BaseException as exc:
            # a panic inside Polars' Rust code arrives as pyo3's PanicException, a BaseException:
            # it is still one rule's crash, reported as such, while Ctrl-C and exits pass through
            if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
                raise
            found.objects.append(_internal_error(rule, exc, where))
            return None

    def run(self, rule: type[Rule]) -> _Found:
        hooks = rule.hooks()
        instance = rule()
        ctx = self.ctx
        found = _Found()
        if "check_plan" in hooks:
            plan = self._guard(rule, "the plan", lambda: list(instance.check_plan(ctx)), found)
            found.objects += plan or []
        if "check_draft" in hooks:
            for draft in ctx.drafts:
                call = partial(_draft_findings, instance, draft, ctx)
                found.objects += self._guard(rule, draft.display, call, found) or []
        if "check_contacts" in hooks and ctx.contacts is not None:
            per_draft: Sequence[Draft | None] = (None,) if rule.applies_to == "contact" else ctx.drafts
            for maybe in per_draft:
                contacts = self._audience(maybe)
                where = contacts.display if maybe is None else f"{contacts.display} with {maybe.display}"
                frame = self._guard(
                    rule, where, partial(instance.check_contacts, contacts, ctx, maybe), found
                )
                if frame is not None and contacts is not ctx.contacts:
                    # a rule reading plan-wide data (rendered parameters) must not speak of other variants' contacts
                    frame = frame.filter(pl.col("_row").is_in(contacts.frame["_row"].implode()))
                if frame is not None and frame.height:
                    found.frames.append(self._contact_findings(rule, frame, maybe))
        return found

    def _audience(self, draft: Draft | None) -> ContactSet:
        """The contacts a draft goes to: all of them, or, for language variants, those in its language."""
        contacts = self.ctx.contacts
        assert contacts is not None
        if draft is None or self.variants is None:
            return contacts
        index = self.ctx.drafts.index(draft)
        return replace(contacts, frame=contacts.frame.filter(self.variants == index).rechunk())

    def _contact_findings(self, rule: type[Rule], frame: pl.DataFrame, draft: Draft | None) -> pl.DataFrame:
        assert self.ctx.contacts is not None
        message = pl.col("message")
        if draft is not None and self.variants is not None:
            message = pl.concat_str(pl.lit(f"[{draft.label} {draft.language}] "), message)
        elif draft is not None and len(self.ctx.drafts) > 1:
            message = pl.concat_str(pl.lit(f"[{draft.label}] "), message)
        severity = pl.col("severity") if "severity" in frame.columns else pl.lit(rule.severity.value)
        excerpt = pl.col("excerpt") if "excerpt" in frame.columns else pl.lit(None, pl.String)
        category = pl.Categorical
        return frame.select(
            code=pl.lit(rule.code).cast(category),
            severity=severity.cast(pl.String).cast(category),
            rule=pl.lit(rule.name).cast(category),
            message=message,
            kind=pl.lit("contact").cast(category),
            file=pl.lit(self.ctx.contacts.display).cast(category),
            row=pl.col("_row").cast(pl.Int64),
            component=pl.lit(None, pl.String).cast(category),
            line=(pl.col("_row") + 1).cast(pl.Int64),
            basis=pl.lit(rule.basis).cast(category),
            excerpt=excerpt.cast(pl.String),
            origin=pl.lit("rule").cast(category),
        )

    def findings(self) -> pl.DataFrame:
        return (
            pl.concat([findings_frame(self.objects), *self.frames])
            if self.frames
            else findings_frame(self.objects)
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
    runner = _Runner(ctx, request.workers or default_workers())
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
