"""Helpers of the rules that judge the send as a whole (S002, S003, S005)."""

from __future__ import annotations

import polars as pl

from lint.context import RunContext


def plan_file(ctx: RunContext) -> str | None:
    """The file a finding about the whole send is attached to: the plan, else the contact list."""
    if ctx.plan is not None:
        return ctx.plan.display
    return ctx.contacts.display if ctx.contacts is not None else None


def recipients_in(ctx: RunContext, *sets: str) -> int:
    """How many valid contacts of the run have their number region or stated country in these sets."""
    if ctx.contacts is None:
        return 0
    counted = ctx.contacts.frame.select((pl.col("valid") & ctx.in_regions(*sets)).sum())
    return int(counted.item())


def plural(count: int, word: str) -> str:
    """``1 recipient``, ``3 recipients``, ``1,200 recipients``."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"
