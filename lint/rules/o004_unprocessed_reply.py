"""O004 unprocessed-opt-out-reply."""

from __future__ import annotations

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inbound import inbound_lexicon
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.rules._common import valid_contacts

# classifications the inbound pipeline stores (compliance-rules.md §10.3) that mean "opt-out or complaint"
ALARMING_CLASSES = ("optout_exact", "optout_leading", "optout_contains", "complaint", "opt_out", "optout")
_SHOWN = 60  # characters of the reply quoted in the message


class UnprocessedOptOutReply(Rule):
    """A reply nobody has dealt with looks like an opt-out or a complaint.

    What it does:
        Reads the inbound replies of the contacts that nobody has dealt with yet - received
        after the last reply someone reviewed or the pipeline processed, and not reviewed
        themselves - and reports a contact when such a reply matches the opt-out lexicon in
        any tier (the whole reply, its opening words, or an opt-out phrase inside it) or the
        complaint lexicon ("who is this", "I never signed up", "举报" ...), or when the pipeline
        already classified it so (``matched_lexicon``). This rule cannot be waived.

    Why it matters:
        Under the FCC's 2024 order a revocation counts whatever words it uses ("totality of the
        circumstances"), and GDPR Art. 21(2)-(3) makes an objection to direct marketing binding
        at once. A "please don't message me again" sitting in an unread inbox is an opt-out the
        business has received but not honoured; a complaint signals consent that may never
        have existed. Sending another campaign first is how complaints become fines and blocks.

    Example:
        A replies file row ``+4915123456789, 2025-06-01T08:00Z, "who gave you my number??",
        reviewed = no``.

    Use instead:
        Review the reply: record the opt-out (the number goes on the suppression list) or mark
        it reviewed as not an opt-out, then run the lint again.

    Configuration:
        ``replies`` in ``[lint]`` (CSV or JSONL: ``phone``, ``received_at``, ``text``,
        ``reviewed``, ``processed_at``, ``reviewed_by``, ``resolution``, ``matched_lexicon``), or,
        with a warehouse, the replies the pipelines flagged for review (an opt-out word inside a
        sentence) that no later opt-in resolved; the lexicons are ``pipelines/lexicons/*.toml``.

    Known gaps:
        The linter matches replies with a reading of the handler's lexicon, not the handler
        itself: a reply whose opt-out opens a later sentence ("Thanks. END") is caught by the
        handler but not here. From the warehouse the finding quotes the matched word, not the
        reply (the text stays in the raw layer), and complaints are not read from there yet.

    References:
        FCC 24-24 (revocation by any reasonable means); GDPR Art. 21(2)-(3); WhatsApp Business
        Messaging Policy; compliance-rules.md §7.2, §7.3, §10.3.
    """

    code = "O004"
    name = "unprocessed-opt-out-reply"
    severity = Severity.ERROR
    applies_to = "contact"
    groups = ("opt-out",)
    basis = (
        "FCC 24-24 (revocation by any reasonable means; totality of circumstances); GDPR Art. 21(2); "
        "WhatsApp policy"
    )
    waivable = False

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Contacts with an alarming reply nobody has dealt with."""
        replies = ctx.unreviewed_replies()
        if replies is None or replies.height == 0:
            return None
        lexicon = inbound_lexicon()
        texts = replies["text"].unique().drop_nulls().to_list()
        hits = {text: lexicon.alarming(text) for text in texts}
        matched = pl.Series([text for text, hit in hits.items() if hit is not None], dtype=pl.String)
        alarming = replies.filter(
            pl.col("text").is_in(matched.implode())
            | pl.col("matched").is_in(ALARMING_CLASSES).fill_null(False)
        )
        if alarming.height == 0:
            return None
        # the latest alarming reply per number is the one quoted
        latest = alarming.sort("received_at", nulls_last=False).unique("e164", keep="last")
        frame = valid_contacts(contacts).join(
            latest.select("e164", "text"), on="e164", how="inner", maintain_order="left"
        )
        shown = pl.col("text").fill_null("(button or media reply)")
        shown = (
            pl.when(shown.str.len_chars() > _SHOWN).then(shown.str.slice(0, _SHOWN) + "…").otherwise(shown)
        )
        message = pl.format(
            "Unprocessed reply from {} looks like an opt-out/complaint ('{}'); resolve before sending.",
            pl.col("e164"),
            shown,
        )
        return frame.select("_row", message=message)
