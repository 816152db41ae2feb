"""Term lists with exceptions, shared by the content rules (P004, P005, D003)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from lint.text import Hit, compile_terms, find_terms, fold


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Terms to find, and phrases whose words are not a hit ("wine glasses" is not wine)."""

    terms: re.Pattern[str] | None
    exclude: re.Pattern[str] | None = None
    patterns: tuple[re.Pattern[str], ...] = ()

    def hits(self, text: str) -> Iterator[Hit]:
        """Hits of the terms and patterns in ``text`` (folded positions), minus excluded ones."""
        folded = fold(text)
        spans = [(m.start(), m.end()) for m in self.exclude.finditer(folded)] if self.exclude else []
        found = [*find_terms(self.terms, text)]
        found += [Hit(m.group(0), m.start(), m.end()) for p in self.patterns for m in p.finditer(folded)]
        for hit in sorted(found, key=lambda h: h.start):
            if not any(start <= hit.start and hit.end <= end for start, end in spans):
                yield hit

    def first(self, text: str) -> Hit | None:
        """The first hit in ``text``, if any."""
        return next(self.hits(text), None)


def lexicon(terms: Iterable[str], exclude: Iterable[str] = (), patterns: Iterable[str] = ()) -> Lexicon:
    """A :class:`Lexicon` from pack lists (``patterns`` are regexes over folded text)."""
    return Lexicon(
        terms=compile_terms(terms),
        exclude=compile_terms(exclude),
        patterns=tuple(re.compile(p) for p in patterns),
    )
