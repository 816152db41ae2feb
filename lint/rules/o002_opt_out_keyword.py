"""O002 opt-out-keyword-mismatch."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Finding, Severity
from lint.inbound import inbound_lexicon
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.rules._common import valid_contacts
from lint.rules._instructions import Instruction, instruction_languages, instructions, opt_out_buttons
from lint.rules.t006_language_mismatch import primary


def draft_instructions(draft: Draft, ctx: RunContext) -> list[Instruction]:
    """The opt-out keywords a draft names, in its text and its quick-reply buttons."""
    lexicon = inbound_lexicon()
    return instructions(draft, lexicon) + opt_out_buttons(draft, lexicon, ctx.packs.optout_buttons)


class OptOutKeywordMismatch(Rule):
    """Opt-out keyword the reply handler does not know, or not in the recipient's language.

    What it does:
        Finds the opt-out instructions of a draft that name a keyword - "Reply STOP to opt out",
        "Text STOP or ARRET to unsubscribe", "Responde BAJA para darte de baja", "回复TD退订", or a
        quick-reply button labelled "Stop promotions" - and checks each keyword against the
        lexicon the inbound reply handler uses (``pipelines/lexicons``): a reply consisting of
        the keyword must be taken as an opt-out. A keyword the handler does not know is an
        error on the draft. Then, per contact with a ``language``, it warns when no instruction is
        worded in that language (primary subtags: ``pt-BR`` is ``pt``) and the contact has no
        localised variant: no other draft of the run and no ``x-wagate.translations`` entry in
        that language. A contact who receives this very draft in their own language is warned
        too: the draft is localised but its opt-out instruction is not.

    Why it matters:
        Withdrawing consent must be as easy as giving it (GDPR Art. 7(3)) and the FCC accepts
        revocation "by any reasonable means" (FCC 24-24): an instruction to send a word the
        handler ignores leaves people who followed it still receiving messages, which is the
        most common cause of messages after opt-out. An instruction the reader cannot understand
        is no working opt-out either; Canada expects ARRET beside STOP for French speakers.

    Example:
        A footer ``Reply NOMORE to unsubscribe`` (the handler does not know NOMORE), or ``Reply
        STOP to opt out`` sent to a contact whose ``language`` is ``fr`` with no French variant.

    Use instead:
        Name a keyword the handler knows (STOP, UNSUBSCRIBE, 退订, TD, BAJA, ARRET ...; see
        ``pipelines/lexicons``) or add yours to the lexicon first; add the instruction in the
        recipient's language (``Reply STOP to opt out / Répondez ARRET pour vous désabonner``)
        or a translated variant of the template.

    Configuration:
        Instruction verbs and purposes per language: ``lint/packs/optout_instructions.toml``; the
        keywords the handler knows: ``pipelines/lexicons/*.toml`` (read as data, the same files
        the inbound pipeline uses); opt-out button labels: ``lint/packs/optout.toml``.

    Known gaps:
        Only instructions of the form verb + keyword are found ("Reply X", "回复X"); "to opt out,
        send X" is not. The language of a button is the language the lexicon lists its label
        under. Replies opening with a polite prefix ("please stop") are recognised by the handler
        but such a keyword is judged without the prefix.

    References:
        GDPR Art. 7(3); FCC 24-24 (revocation by any reasonable means); CRTC/CTIA bilingual
        keywords (ARRET/AIDE); compliance-rules.md §7.2, §9.4, §11.4.
    """

    code = "O002"
    name = "opt-out-keyword-mismatch"
    severity = Severity.WARNING
    applies_to = "contact+draft"
    groups = ("opt-out",)
    prepares = (instruction_languages,)
    basis = (
        "GDPR Art. 7(3) (withdrawal as easy as giving); FCC 24-24 (any reasonable means); "
        "CA bilingual ARRET/AIDE"
    )

    def check_draft(self, draft: Draft, ctx: RunContext) -> Iterator[Finding]:
        """Keywords the inbound handler would not take as an opt-out (errors)."""
        seen: set[tuple[str, str]] = set()
        for found in draft_instructions(draft, ctx):
            if found.recognised or (found.keyword, found.component.label) in seen:
                continue
            seen.add((found.keyword, found.component.label))
            yield self.draft_finding(
                draft,
                f"Opt-out instruction '{found.keyword}' is not recognised by the inbound handler; name a "
                "keyword it knows (STOP, UNSUBSCRIBE, 退订 ...) or add it to pipelines/lexicons first.",
                found.component,
                excerpt=found.excerpt,
                severity=Severity.ERROR,
            )

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Contacts whose language no opt-out instruction of the draft is worded in."""
        if draft is None or not contacts.has("language"):
            return None
        found = draft_instructions(draft, ctx)
        worded = sorted({f.language for f in found if f.language})
        if not worded:
            return None
        own = primary(draft.language) if draft.language else None
        # languages the contact gets another variant in (then that variant's instruction counts)
        elsewhere = {primary(d.language) for d in ctx.drafts if d is not draft and d.language}
        elsewhere |= {primary(t) for t in draft.meta.translations}
        elsewhere -= {own} if own else set()
        language = pl.col("language").str.split("-").list.first().str.split("_").list.first()
        frame = valid_contacts(contacts, "language").filter(
            language.is_not_null()
            & (language != "")
            & ~language.is_in(worded)
            & ~language.is_in(sorted(elsewhere))
        )
        keywords = "/".join(dict.fromkeys(f.keyword for f in found))
        message = pl.format(
            "Opt-out instruction '{}' is not in the recipient's language ({}) for {}; add the instruction "
            "in that language or a localised variant.",
            pl.lit(keywords),
            pl.col("language"),
            pl.col("e164"),
        )
        return frame.select("_row", message=message)
