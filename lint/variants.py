"""Language variants: a plan whose drafts are one template in several languages.

Each contact gets the one variant in its language, so the contact-and-draft rules judge each
contact against the message it will actually receive, and the sender sends that one. The
linter and the sender both call :func:`variant_index`, so they can never pick differently.

Matching, per contact ``language`` column (``pt-BR``, ``pt_br`` and ``PT_BR`` are the same):
the exact locale first, then the same primary language (``pt`` matches ``pt_BR``), else the
first draft of the plan — which T006 then reports as not in the contact's language.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from lint.inputs.drafts import Draft


def _locale(value: str) -> str:
    return value.strip().lower().replace("-", "_")


def _primary(value: str) -> str:
    return _locale(value).split("_", 1)[0]


def are_variants(drafts: Sequence[Draft]) -> bool:
    """Whether these drafts are one template in several languages (same name, distinct languages)."""
    templates = [d for d in drafts if d.kind == "template"]
    if len(templates) < 2 or len(templates) != len(drafts):
        return False
    names = {d.name for d in templates}
    languages = [_locale(d.language or "") for d in templates]
    return len(names) == 1 and None not in names and len(set(languages)) == len(languages)


def variant_index(drafts: Sequence[Draft], contacts: pl.DataFrame) -> pl.Series:
    """Index into ``drafts`` of the variant each contact row receives (0 when there is no better match)."""
    if "language" not in contacts.columns:
        return pl.Series("variant", [0] * contacts.height, dtype=pl.Int32)
    spoken = pl.col("language").cast(pl.String).str.strip_chars().str.to_lowercase().str.replace_all("-", "_")
    primary = spoken.str.split("_").list.first()
    choice: pl.Expr = pl.lit(0, pl.Int32)
    # later matches are wrapped first so that the earliest draft, and exact locales, win
    for index in reversed(range(len(drafts))):
        code = drafts[index].language or ""
        choice = pl.when(primary == _primary(code)).then(pl.lit(index, pl.Int32)).otherwise(choice)
    for index in reversed(range(len(drafts))):
        code = drafts[index].language or ""
        choice = pl.when(spoken == _locale(code)).then(pl.lit(index, pl.Int32)).otherwise(choice)
    return contacts.select(variant=choice.fill_null(0))["variant"]
