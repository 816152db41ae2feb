"""Running the selected rules on a run's inputs: hooks, per-variant audiences, crashes as findings.

A rule that raises does not make the run pass silently: its exception becomes an error finding
that names the rule (``origin = internal-error``), so the run fails and the bug is visible.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TypeVar

import polars as pl

from core.errors import InputError, UsageError
from lint.base import Rule
from lint.context import RunContext
from lint.findings import Finding, Severity, Target, findings_frame
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.parallel import thread_map
from lint.variants import are_variants, variant_index

LOG = logging.getLogger(__name__)
T = TypeVar("T")


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
class RuleFindings:
    """What one rule reported: findings as objects (plan, drafts, crashes) and contact frames."""

    objects: list[Finding] = field(default_factory=list)
    frames: list[pl.DataFrame] = field(default_factory=list)


class RuleRunner:
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
    def _guard(rule: type[Rule], where: str, call: Callable[[], T], found: RuleFindings) -> T | None:
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

    def run(self, rule: type[Rule]) -> RuleFindings:
        hooks = rule.hooks()
        instance = rule()
        ctx = self.ctx
        found = RuleFindings()
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
