"""Merge the language files into a few compiled patterns and classify messages with them.

Per message the work is: normalise once, one dictionary lookup (exact tier), one anchored
``fullmatch`` (leading tier for opt-out, opt-in and help together) and a few ``search`` calls
(opt-out entries inside the text, complaint phrases). Entries are never looped over in Python.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from core.errors import ConfigError
from pipelines.classify.lexfile import LexiconFile
from pipelines.classify.model import NOTHING, SCOPE_ALL, SCOPE_MARKETING, Classification, Tier
from pipelines.classify.normalization import BREAK, marked_words
from pipelines.classify.patterns import alternation, is_word_char

OPT_OUT, COMPLAINT, OPT_IN, HELP = "opt_out", "complaint", "opt_in", "help"
_ACTIONS = (OPT_OUT, OPT_IN, HELP)
_GROUPS = {"out": OPT_OUT, "in": OPT_IN, "help": HELP}
# Opt-out tier limits: which tiers an entry may match in.
_ANY_TIER, _NO_CONTAINS, _EXACT_ONLY = 0, 1, 2
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\U00020000-\U0003ffff]")


class _Hit(NamedTuple):
    """One match: its category, the normalised entry, the tier, and (leading tier) what follows it."""

    category: str
    keyword: str
    tier: Tier
    tail: str = ""


@dataclass(frozen=True, slots=True)
class Entry:
    """Where a normalised keyword comes from and what it means."""

    language: str
    marketing: bool = False


def is_short(entry: str) -> bool:
    """Entries of one character, or two non-CJK characters (T, N, TD, TC, قف), are exact-tier only."""
    length = len(entry.replace(" ", ""))
    return length <= 1 or (length == 2 and not _CJK.search(entry))


class _Merger:
    """Collects the files' entries, highest-priority language first, refusing contradictions."""

    def __init__(self) -> None:
        self.entries: dict[str, dict[str, Entry]] = {c: {} for c in (OPT_OUT, COMPLAINT, OPT_IN, HELP)}
        self.limits: dict[str, int] = {}
        self.sources: dict[str, tuple[str, str]] = {}
        self.prefixes: set[str] = set()
        self.fillers: set[str] = set()
        self.marketing_words: set[str] = set()

    def add_file(self, lex: LexiconFile) -> None:
        for words, limit, marketing in (
            (lex.opt_out, _ANY_TIER, False),
            (lex.anchored, _NO_CONTAINS, False),
            (lex.exact_only, _EXACT_ONLY, False),
            (lex.marketing, _ANY_TIER, True),
        ):
            for word in words:
                self._add(OPT_OUT, word, lex, marketing)
                # The most restrictive limit wins: a word too common to match inside a text in
                # one language is just as common in a message written in another.
                self.limits[word] = max(limit, self.limits.get(word, _ANY_TIER))
        for category, words in ((COMPLAINT, lex.complaint), (OPT_IN, lex.opt_in), (HELP, lex.help)):
            for word in words:
                self._add(category, word, lex, False)
        self.prefixes.update(lex.prefixes)
        self.fillers.update(lex.fillers)
        self.marketing_words.update(lex.marketing_words)

    def _add(self, category: str, word: str, lex: LexiconFile, marketing: bool) -> None:
        if category in _ACTIONS:
            other, source = self.sources.setdefault(word, (category, lex.source))
            if other != category:
                raise ConfigError(
                    f"lexicon file {lex.source}: {word!r} is in {category} there but in {other} in {source}",
                    hint="one reply cannot both opt out and opt in or ask for help; remove it from one file",
                )
        known = self.entries[category].get(word)
        if known is None:
            self.entries[category][word] = Entry(lex.language, marketing)
        elif known.marketing != marketing:
            raise ConfigError(
                f"lexicon file {lex.source}: {word!r} is marketing-only in one file and a general opt-out in another",
                hint="list it under [opt_out] marketing everywhere or nowhere",
            )


@dataclass(frozen=True, slots=True)
class _Finder:
    """Finds the leftmost entry inside a text.

    Entries that start with a Latin/Cyrillic letter or digit match only at a word start, so their
    regex runs only when the text has such a one-word entry as a word, or the first two words of
    such a longer entry as consecutive words (set checks done in C). The other entries (Han,
    Arabic, Devanagari, Thai) are substrings and always searched. Without the gate, searching
    every message with every Latin entry was the slowest step of classification.
    """

    starts: frozenset[str]
    singles: frozenset[str]
    pairs: frozenset[tuple[str, str]]
    spaced: re.Pattern[str]
    unspaced: re.Pattern[str]

    @classmethod
    def build(cls, entries: Iterable[str]) -> _Finder:
        """Compile ``entries`` (normalised)."""
        spaced: list[str] = []
        unspaced: list[str] = []
        for entry in entries:
            (spaced if is_word_char(entry[0]) else unspaced).append(entry)
        split = [entry.split(" ") for entry in spaced]
        return cls(
            starts=frozenset(words[0] for words in split),
            singles=frozenset(words[0] for words in split if len(words) == 1),
            pairs=frozenset((words[0], words[1]) for words in split if len(words) > 1),
            spaced=re.compile(alternation(spaced)),
            unspaced=re.compile(alternation(unspaced)),
        )

    def find(self, text: str, words: list[str]) -> str | None:
        """The leftmost entry in ``text`` (``words`` = ``text.split()``), or None."""
        hit = self.unspaced.search(text)
        if not self.starts.isdisjoint(words) and (
            not self.singles.isdisjoint(words) or not self.pairs.isdisjoint(itertools.pairwise(words))
        ):
            spaced = self.spaced.search(text)
            if spaced and (hit is None or spaced.start() < hit.start()):
                hit = spaced
        return hit.group() if hit else None


@dataclass(frozen=True, slots=True)
class Matcher:
    """Compiled form of a set of lexicon files."""

    entries: dict[str, dict[str, Entry]]
    exact: dict[str, str]
    leading: re.Pattern[str]
    contains: _Finder
    complaint: _Finder
    complaint_short: frozenset[str]
    marketing_words: re.Pattern[str]

    def classify(self, text: str | None) -> Classification:
        """Classify one message (see :class:`Classification`)."""
        if not text:
            return NOTHING
        words = marked_words(text)
        if not words:
            return NOTHING
        marked = " ".join(words)
        plain = marked.replace(" " + BREAK, "") if BREAK in marked else marked
        action = self._anchored_action(plain, marked)
        opt_out = action if action and action.category == OPT_OUT else self._inside(OPT_OUT, marked, words)
        complaint = self._complaint(plain, marked, words)
        main = opt_out or complaint or action
        if main is None:
            return NOTHING
        return Classification(
            opt_out=opt_out is not None and opt_out.tier is not Tier.CONTAINS,
            review=opt_out is not None and opt_out.tier is Tier.CONTAINS,
            complaint=complaint is not None,
            opt_in=action is not None and action.category == OPT_IN,
            help=action is not None and action.category == HELP,
            scope=self._scope(opt_out) if opt_out else None,
            language=self.entries[main.category][main.keyword].language,
            keyword=main.keyword,
            tier=main.tier,
        )

    def classify_many(self, texts: Sequence[str | None]) -> list[Classification]:
        """Classify every text, in order."""
        classify = self.classify
        return [classify(text) for text in texts]

    def _anchored_action(self, plain: str, marked: str) -> _Hit | None:
        """Opt-out, opt-in or help in the exact or leading tier."""
        exact = self.exact.get(plain)
        if exact is not None:
            return _Hit(exact, plain, Tier.EXACT)
        match = self.leading.fullmatch(marked)
        if match is None:
            return None
        for group, category in _GROUPS.items():
            keyword = match.group(group)
            if keyword is not None:
                tail = marked[match.end(group) :].split(BREAK, 1)[0]
                return _Hit(category, keyword, Tier.LEADING, tail)
        return None

    def _inside(self, category: str, marked: str, words: list[str]) -> _Hit | None:
        found = self.contains.find(marked, words)
        return _Hit(category, found, Tier.CONTAINS) if found else None

    def _complaint(self, plain: str, marked: str, words: list[str]) -> _Hit | None:
        found = self.complaint.find(marked, words)
        if found:
            return _Hit(COMPLAINT, found, Tier.EXACT if found == plain else Tier.CONTAINS)
        if plain in self.complaint_short:
            return _Hit(COMPLAINT, plain, Tier.EXACT)
        return None

    def _scope(self, hit: _Hit) -> str:
        """``marketing`` when the keyword or the words after it name a category, else ``all``."""
        if self.entries[OPT_OUT][hit.keyword].marketing:
            return SCOPE_MARKETING
        if hit.tail and self.marketing_words.search(hit.tail):
            return SCOPE_MARKETING
        return SCOPE_ALL


def build_matcher(files: Iterable[LexiconFile]) -> Matcher:
    """Merge language files (lower ``priority``, then language code, wins shared keywords)."""
    merger = _Merger()
    for lex in sorted(files, key=lambda f: (f.priority, f.language)):
        merger.add_file(lex)
    entries, limits = merger.entries, merger.limits
    exact = {word: category for category in _ACTIONS for word in entries[category]}
    leading_words = {
        OPT_OUT: [w for w in entries[OPT_OUT] if limits[w] < _EXACT_ONLY and not is_short(w)],
        OPT_IN: [w for w in entries[OPT_IN] if not is_short(w)],
        HELP: [w for w in entries[HELP] if not is_short(w)],
    }
    contains = [w for w in entries[OPT_OUT] if limits[w] == _ANY_TIER and not is_short(w)]
    complaints = list(entries[COMPLAINT])
    return Matcher(
        entries=entries,
        exact=exact,
        leading=_leading_pattern(merger, leading_words),
        contains=_Finder.build(contains),
        complaint=_Finder.build(w for w in complaints if not is_short(w)),
        complaint_short=frozenset(w for w in complaints if is_short(w)),
        marketing_words=re.compile(alternation(merger.marketing_words)),
    )


def _leading_pattern(merger: _Merger, words: dict[str, list[str]]) -> re.Pattern[str]:
    """prefix* keyword (filler | marketing word | same-category keyword)* [sentence break, anything].

    Each filler is matched atomically and the filler loop possessively, so a long run of
    fillers that ends in a non-filler fails in linear time instead of trying every split.
    """
    brk = re.escape(BREAK)
    separator = f"(?: {brk})* ?"
    ignorable = merger.fillers | merger.marketing_words
    branches = []
    for group, category in _GROUPS.items():
        keywords = alternation(words[category])
        tail = alternation(ignorable.union(words[category]))
        branches.append(f"(?P<{group}>{keywords})(?: ?(?>{tail}))*+")
    prefix = alternation(merger.prefixes)
    return re.compile(f"(?:(?>{prefix}){separator})*(?:{'|'.join(branches)})(?: {brk}.*)?", re.DOTALL)
