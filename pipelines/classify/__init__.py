"""Classify inbound WhatsApp replies: opt-out, complaint, opt-in, help, in many languages.

Usage::

    from pipelines.classify import load_lexicon

    lexicon = load_lexicon()                       # pipelines/lexicons/*.toml
    result = lexicon.classify_text("STOP sending me messages")
    result.opt_out, result.scope, result.tier      # True, "all", Tier.LEADING
    lexicon.classify_button("STOP_PROMO", "Stop promotions").scope   # "marketing"

Tiers (compliance-rules §7.2). All matching happens on :func:`normalize`-d text.

* ``exact``: the whole message is an entry. Definitive.
* ``leading``: the message opens with an optional run of prefixes ("please", "I want to", "请",
  "我要"), then an entry, then nothing but fillers ("please", "now", "sending me messages", "了"),
  category words or the same category's entries, up to the end or to a sentence break of the
  original text ("STOP. Never message me again"). Definitive.
* ``contains``: an opt-out entry anywhere else, on word boundaries for Latin/Cyrillic scripts and
  as a plain substring for Han, Arabic, Devanagari and Thai. Only ``review``: a person decides.

Opt-in and help entries match in the exact and leading tiers only; complaint phrases match
anywhere. Entries of one character, or of two characters outside CJK (T, N, TD, TC), match in the
exact tier only.

Lexicon file format, one file per language, ``pipelines/lexicons/<language>.toml`` (every list
is optional; unknown keys are an error)::

    language = "en"          # must equal the file name
    name = "English"         # optional, for people
    priority = 0             # optional, default 100: when several files list the same entry,
                             # the lowest priority (then language code) is reported as its language

    [opt_out]
    keywords = ["STOP", "UNSUBSCRIBE"]   # every tier; scope "all"
    anchored = ["END", "REMOVE"]         # exact/leading only: common words inside sentences
    exact_only = ["TD"]                  # only as the whole message
    marketing = ["STOP PROMOTIONS"]      # every tier; scope "marketing"

    [complaint]
    phrases = ["SPAM", "WHO GAVE YOU MY NUMBER"]

    [opt_in]
    keywords = ["START"]

    [help]
    keywords = ["HELP"]

    [leading]
    prefixes = ["PLEASE", "I WANT TO"]
    fillers = ["PLEASE", "NOW", "ME", "MESSAGES"]
    marketing_words = ["PROMOTIONS", "ADS"]   # allowed after a keyword; make the scope "marketing"

Entries are written in any case, with or without accents and punctuation: they are normalised the
same way as the messages. Prefixes, fillers and marketing words of all files apply to the
keywords of all files (people mix languages). Within a file an entry may be in only one of
opt_out, opt_in, help, prefixes/fillers and marketing_words; across files an entry may be in only
one of opt_out, opt_in and help, and marketing-only in every file or in none. Complaint phrases
may overlap anything. When files disagree on an opt-out entry's tier limit, the strictest wins.
"""

from __future__ import annotations

from pipelines.classify.lexicon import ENGINE_VERSION, Lexicon, load_lexicon
from pipelines.classify.model import Classification, Tier
from pipelines.classify.normalization import normalize

__all__ = ["ENGINE_VERSION", "Classification", "Lexicon", "Tier", "load_lexicon", "normalize"]
