"""From a passing gate to the campaign: one exact Cloud API message per passing contact.

Parameters are rendered per contact with the linter's own renderer, so what is sent is what was
checked. A plan with several drafts names language variants of one template: each contact gets
the variant the linter judged it against (:func:`lint.variants.variant_index`: its ``language``
column matched exactly, ``pt-BR`` = ``pt_BR``, else by primary language, ``pt`` -> ``pt_BR``, else
the first draft).

Contacts the lint excluded are listed with their rule codes; the builder adds the few it cannot
send itself (no usable number; a second row with the same number and template).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

import polars as pl

from core.config import Settings
from core.errors import InputError
from lint.base import Rule
from lint.context import RunContext
from lint.findings import Finding
from lint.history import NoHistory
from lint.inputs.drafts import Draft
from lint.inputs.plan import Plan
from lint.packs import load_packs
from lint.variants import variant_index
from sender.gate import GateOutcome
from sender.model import Campaign, Category, Exclusion, Message, idempotency_key
from sender.payload import TemplateSpec, TextSpec, template_spec, text_spec
from sender.quiet import recipient_windows, recipient_zones

_NO_REGION = ("ZZ", "001")


@dataclass(frozen=True, slots=True)
class _Variant:
    """One draft of the plan, ready to fill in."""

    draft: Draft
    spec: TemplateSpec | TextSpec  # TextSpec: a free-form draft (a service reply)
    category: Category
    values: dict[str, list[str | None]] | None  # rendered column -> value per contact row
    windows: list[tuple[str, ...]]  # quiet windows per contact row


def build_campaign(gate: GateOutcome, settings: Settings, *, dry_run: bool = False) -> Campaign:
    """The campaign the gate allows: messages for every passing contact, exclusions for the rest.

    ``dry_run`` lets a workspace without a configured sending number preview the campaign.
    """
    if gate.passing is None:
        raise InputError(f"the campaign is refused: {gate.refusal}")
    plan = gate.plan
    if not plan.name:
        raise InputError(
            f"{plan.display}: the plan has no name; sending needs one (it keys resume and the send log)",
            hint='add name = "spring-sale" at the top of the plan',
        )
    report = gate.report
    contacts = report.contacts
    if contacts is None:  # the gate refuses plans without contacts; kept for the type checker
        raise InputError(f"{plan.display}: the plan names no contact list")
    ctx = RunContext(
        config=gate.config,
        packs=load_packs(),
        now=datetime.now(UTC) if gate.now is None else gate.now,
        send_times=(report.at,),
        drafts=report.drafts,
        contacts=contacts,
        plan=plan,
        history=NoHistory(),
        consent=None,
    )
    accepted = [w for w in gate.warnings if w.target.kind == "contact"]
    variants = [_variant(ctx, report.rules, draft, accepted) for draft in report.drafts]
    choice = _choose_variants(contacts.frame, report.drafts)
    zones = recipient_zones(ctx)
    messages, extra = _messages(plan.name, ctx, variants, choice, zones, gate)
    exclusions = tuple(sorted((*gate.exclusions, *extra), key=lambda e: e.row))
    return Campaign(
        name=plan.name,
        plan_path=plan.path,
        phone_number_id=_phone_number_id(settings, plan, dry_run),
        messages=tuple(messages),
        exclusions=exclusions,
        report=gate.passing,
        known_suppressions=gate.known_suppressions,
    )


def _variant(
    ctx: RunContext, rules: Sequence[type[Rule]], draft: Draft, accepted: Sequence[Finding]
) -> _Variant:
    assert ctx.plan is not None
    free_form = draft.kind == "free_form"
    spec = text_spec(draft) if free_form else template_spec(draft, ctx.plan)
    rendered = None if free_form else ctx.rendered(draft)
    values = None
    if rendered is not None:
        values = {name: rendered[name].to_list() for name in rendered.columns if name != "_row"}
    # a free-form reply is a service conversation whatever the draft declares (docs/metrics.md)
    category = "service" if free_form else draft.category.lower()
    return _Variant(
        draft=draft,
        spec=spec,
        category=cast(Category, category),
        values=values,
        windows=recipient_windows(ctx, rules, draft, accepted),
    )


def _choose_variants(frame: pl.DataFrame, drafts: Sequence[Draft]) -> list[int]:
    """Index of the draft each contact row gets: the linter's own choice (lint.variants)."""
    if len(drafts) == 1:
        return [0] * frame.height
    return [int(i) for i in variant_index(drafts, frame).to_list()]


def _messages(
    name: str,
    ctx: RunContext,
    variants: Sequence[_Variant],
    choice: Sequence[int],
    zones: Sequence[tuple[str, ...]],
    gate: GateOutcome,
) -> tuple[list[Message], list[Exclusion]]:
    assert ctx.contacts is not None
    frame = ctx.contacts.frame.select(
        "_row",
        "e164",
        "valid",
        region=pl.col("region").cast(pl.String),
        country=pl.col("country_iso").cast(pl.String),
        state=_us_state(ctx),
    )
    excluded = {e.row for e in gate.exclusions}
    seen: set[str] = set()
    messages: list[Message] = []
    extra: list[Exclusion] = []
    for position, (row, e164, valid, region, country, state) in enumerate(frame.iter_rows()):
        if row in excluded:
            continue
        if not valid or not e164:
            extra.append(Exclusion(row, e164, ("invalid-number",), "no valid number to send to"))
            continue
        place = region if region and region not in _NO_REGION else country
        variant = variants[choice[position]]
        spec = variant.spec
        key = idempotency_key(name, e164, spec.name, spec.language)
        if key in seen:
            extra.append(
                Exclusion(
                    row, e164, ("duplicate",), "an earlier row already gets this template at this number"
                )
            )
            continue
        seen.add(key)
        values = {c: v[position] or "" for c, v in variant.values.items()} if variant.values else {}
        messages.append(
            Message(
                key=key,
                row=row,
                to=e164,
                region=place,
                time_zones=zones[position],
                campaign=name,
                template=spec.name,
                language=spec.language,
                category=variant.category,
                payload=spec.payload(e164, values),
                quiet_windows=variant.windows[position],
                subdivision=state if place == "US" else None,
            )
        )
    return messages, extra


def _us_state(ctx: RunContext) -> pl.Expr:
    """``US-FL`` from a ``us_state`` of ``FL`` or ``US-FL`` (the reading of Q002), else null."""
    assert ctx.contacts is not None
    if not ctx.contacts.has("us_state"):
        return pl.lit(None, pl.String)
    state = pl.col("us_state").cast(pl.String).str.strip_chars().str.to_uppercase().str.strip_prefix("US-")
    return pl.when(state.str.contains(r"^[A-Z]{2}$").fill_null(False)).then(
        pl.concat_str(pl.lit("US-"), state)
    )


def _phone_number_id(settings: Settings, plan: Plan, dry_run: bool) -> str:
    """The plan's own sending number if it names one, else ``[send] phone_number_id``."""
    for value in (plan.phone_number_id, settings.send.phone_number_id):
        if isinstance(value, str) and value.strip():
            return value.strip()
    if dry_run:
        return "(not configured)"
    raise InputError(
        "no sending number: the workspace has no [send] phone_number_id",
        hint="set phone_number_id under [send] in wagate.toml (the Cloud API id of the sending number)",
    )
