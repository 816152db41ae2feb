"""The rule base class: one rule per module, its documentation in its docstring.

A rule is a class with explicit metadata (``code``, ``name``, ``severity``, ``applies_to``,
``groups``, ``basis``) and up to three hooks; it implements the ones it needs:

* :meth:`Rule.check_draft` - per draft, yields :class:`~lint.findings.Finding` objects;
* :meth:`Rule.check_contacts` - per contact list (and per draft unless ``applies_to`` is
  ``contact``), returns a Polars frame with one row per finding: ``_row`` (the contact's data
  row) and ``message``, optionally ``severity`` and ``excerpt``. Work on whole columns: a list
  can have a million rows;
* :meth:`Rule.check_plan` - once per run, yields findings about the plan.

The docstring is the rule's documentation (``wagate explain CODE``, docs/rules.md): a one-line
summary, then the sections of :data:`DOC_SECTIONS`, each a line ``Section:`` followed by text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, ClassVar, Literal

import polars as pl

from lint.findings import Finding, Severity, Target

if TYPE_CHECKING:
    from lint.context import RunContext
    from lint.inputs.contacts import ContactSet
    from lint.inputs.drafts import Component, Draft

AppliesTo = Literal["draft", "contact", "contact+draft", "send-plan"]
DOC_SECTIONS = ("What it does", "Why it matters", "Example", "Use instead", "Configuration", "References")
OPTIONAL_SECTIONS = ("Known gaps",)


class Rule:
    """Base class of every rule. Subclasses set the class attributes and override hooks."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    applies_to: ClassVar[AppliesTo]
    basis: ClassVar[str]
    groups: ClassVar[tuple[str, ...]] = ()
    aliases: ClassVar[tuple[str, ...]] = ()
    waivable: ClassVar[bool] = True
    options: ClassVar[Mapping[str, object]] = {}
    # cached loaders of the rule's pack data (compiled lexicons ...): the engine calls them on a
    # second thread while the inputs are read, so the rule finds them ready
    prepares: ClassVar[tuple[Callable[[], object], ...]] = ()

    def check_draft(self, draft: Draft, ctx: RunContext) -> Iterable[Finding]:
        """Findings about one draft."""
        return ()

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Findings about contacts: a frame with ``_row`` and ``message`` (``None``: nothing to report)."""
        return None

    def check_plan(self, ctx: RunContext) -> Iterable[Finding]:
        """Findings about the run as a whole."""
        return ()

    @classmethod
    def hooks(cls) -> tuple[str, ...]:
        """The hooks this rule implements."""
        return tuple(
            name
            for name in ("check_draft", "check_contacts", "check_plan")
            if getattr(cls, name) is not getattr(Rule, name)
        )

    @classmethod
    def summary(cls) -> str:
        """The first line of the docstring: what the rule reports, in one sentence."""
        return (cls.__doc__ or "").strip().splitlines()[0].strip() if cls.__doc__ else ""

    def draft_finding(
        self,
        draft: Draft,
        message: str,
        component: Component | str | None = None,
        excerpt: str | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        """A finding about ``draft`` (``component``: a component or a label such as ``"name"``)."""
        label = component if isinstance(component, str) or component is None else component.label
        line = None if isinstance(component, str) or component is None else component.line
        return Finding(
            code=self.code,
            severity=severity or self.severity,
            rule=self.name,
            message=message,
            target=Target(kind="draft", file=draft.display, component=label, line=line),
            basis=self.basis,
            excerpt=excerpt,
        )

    def plan_finding(
        self, message: str, file: str | None = None, line: int | None = None, severity: Severity | None = None
    ) -> Finding:
        """A finding about the run (the plan file, or no file)."""
        return Finding(
            code=self.code,
            severity=severity or self.severity,
            rule=self.name,
            message=message,
            target=Target(kind="plan", file=file, line=line),
            basis=self.basis,
        )

    def option(self, ctx: RunContext, key: str) -> object:
        """A rule parameter: ``[lint.options.<CODE>]`` in the config, else the rule's default."""
        return ctx.config.options.get(self.code, {}).get(key, self.options[key])


def contact_messages(frame: pl.DataFrame, message: pl.Expr) -> pl.DataFrame:
    """The frame a contact hook returns: ``_row`` and ``message`` of the rows of ``frame``."""
    return frame.select("_row", message=message)
