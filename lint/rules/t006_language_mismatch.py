"""T006 language-mismatch."""

from __future__ import annotations

import re

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.rules._common import valid_contacts


def primary(language: str) -> str:
    """Primary language subtag: ``pt_BR`` -> ``pt``, ``zh-Hans`` -> ``zh``."""
    return re.split(r"[-_]", language.strip().lower(), maxsplit=1)[0]


class LanguageMismatch(Rule):
    """Template is not available in the contact's language.

    What it does:
        Compares the primary language of the draft (``language``, e.g. ``en_US`` -> ``en``) with
        each contact's ``language`` column, and accepts the languages listed in
        ``x-wagate.translations``. Contacts without a language are not checked.

    Why it matters:
        A message the recipient cannot read is not "intelligible" (GDPR Art. 12(1)); its opt-out
        instruction may not be understood either, and India's DPDP notices must be in English or
        a scheduled language.

    Example:
        An ``en_US`` template for a contact with ``language`` = ``pt-BR``.

    Use instead:
        Submit a ``pt_BR`` translation and list it in ``x-wagate.translations``.

    Configuration:
        ``x-wagate.translations`` in the draft; the ``language`` contact column.

    References:
        GDPR Art. 12(1); DPDP Rules 2025 r. 3 (notice languages).
    """

    code = "T006"
    name = "language-mismatch"
    severity = Severity.WARNING
    applies_to = "contact+draft"
    groups = ("template",)
    basis = "GDPR Art. 12(1) intelligible communication; DPDP notice languages"

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Contacts whose language has no translation of the draft."""
        if draft is None or not draft.language or not contacts.has("language"):
            return None
        available = sorted({primary(draft.language), *(primary(t) for t in draft.meta.translations)})
        language = pl.col("language").str.split("-").list.first().str.split("_").list.first()
        missing = language.is_not_null() & (language != "") & ~language.is_in(available)
        message = pl.format(
            "Template not available in {} for {}; message may not be understood (consent/opt-out wording too).",
            pl.col("language"),
            pl.col("e164"),
        )
        return valid_contacts(contacts, "language").filter(missing).select("_row", message=message)
