"""Text helpers shared by the content rules: folding, whole-word term matching, placeholders, URLs."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# Letters and digits of Latin-script languages: a term must not be glued to one of these.
_WORD = r"0-9A-Za-zÀ-ÖØ-öø-ÿĀ-ɏ"
_LATIN_TERM = re.compile(rf"^[{_WORD}\s'’.:%&+/-]+$")

PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
POSITIONAL = re.compile(r"^[0-9]+$")
NAMED = re.compile(r"^[a-z][a-z0-9_]*$")

_URL = re.compile(
    r"(?:(?:https?|ftp)://|www\.)[^\s<>\"'{}]+|"
    r"(?<![@\w.-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,24}|xn--[a-z0-9-]+)(?::\d+)?"
    r"(?:/[^\s<>\"'{}]*)?(?![\w@])",
    re.IGNORECASE,
)
_TRAILING_PUNCT = ".,;:!?)]}'\"。，；：！？）"
# Top-level domains that end a bare "word.word" and make it look like a link.
_COMMON_TLDS = frozenset(
    [
        "com",
        "net",
        "org",
        "io",
        "co",
        "shop",
        "store",
        "info",
        "biz",
        "me",
        "app",
        "link",
        "site",
        "online",
        "top",
        "xyz",
        "cn",
        "de",
        "uk",
        "fr",
        "es",
        "it",
        "br",
        "in",
        "id",
        "ae",
        "sa",
        "mx",
        "ru",
        "tr",
        "vn",
        "us",
        "ca",
        "au",
        "jp",
        "kr",
        "sg",
        "my",
        "ph",
        "th",
        "nl",
        "be",
        "ch",
        "at",
        "pl",
        "pt",
        "se",
        "no",
        "dk",
        "fi",
        "ie",
        "nz",
        "za",
        "ng",
        "eg",
        "ma",
        "ly",
        "gl",
    ]
)


def fold(text: str) -> str:
    """NFKC-normalised and case-folded text, for matching."""
    return unicodedata.normalize("NFKC", text).casefold()


def _escaped(term: str) -> str:
    return re.escape(fold(term).strip()).replace(r"\ ", r"\s+")


def compile_terms(terms: Iterable[str]) -> re.Pattern[str] | None:
    """One regex matching any term: whole words for Latin-script terms, substrings otherwise.

    Longer terms come first so the reported hit is the most specific one. ``None`` for no terms.
    """
    unique = sorted({t for t in terms if t.strip()}, key=lambda t: (-len(t), t))
    if not unique:
        return None
    latin = [_escaped(t) for t in unique if _LATIN_TERM.match(fold(t).strip())]
    other = [_escaped(t) for t in unique if not _LATIN_TERM.match(fold(t).strip())]
    # one pair of word-boundary guards around all Latin terms: a character class compiled once
    # instead of once per term (packs hold thousands of terms; compiling them cost ~0.5 s a run)
    parts = [rf"(?<![{_WORD}])(?:{'|'.join(latin)})(?![{_WORD}])"] if latin else []
    parts += other
    return re.compile("|".join(f"(?:{part})" for part in parts))


@dataclass(frozen=True, slots=True)
class Hit:
    """A match in a text: the matched words, where they are, and a label (category, item ...)."""

    text: str
    start: int
    end: int
    label: str = ""


def find_terms(pattern: re.Pattern[str] | None, text: str) -> Iterator[Hit]:
    """Matches of a :func:`compile_terms` pattern in ``text`` (positions refer to the folded text)."""
    if pattern is None:
        return
    for match in pattern.finditer(fold(text)):
        yield Hit(match.group(0), match.start(), match.end())


def placeholders(text: str) -> list[str]:
    """Placeholder names in order of appearance (``{{1}}`` -> ``"1"``, ``{{ name }}`` -> ``"name"``)."""
    return [m.group(1) for m in PLACEHOLDER.finditer(text)]


def without_placeholders(text: str, replacement: str = " ") -> str:
    """``text`` with every ``{{...}}`` replaced."""
    return PLACEHOLDER.sub(replacement, text)


def find_urls(text: str) -> list[str]:
    """Links in free text: with a scheme, starting with ``www.``, or bare ``host.tld/path``.

    Bare ``word.word`` counts only when its last label is a common top-level domain, so
    ``e.g.`` or ``v1.2`` are not links. Placeholders inside a link are kept.
    """
    masked = PLACEHOLDER.sub(lambda m: "X" * len(m.group(0)), text)
    found = []
    for match in _URL.finditer(masked):
        start, end = match.span()
        url = text[start:end].rstrip(_TRAILING_PUNCT)
        candidate = masked[start : start + len(url)]
        if "://" not in candidate and not candidate.lower().startswith("www."):
            host = candidate.split("/")[0].split(":")[0]
            if host.rsplit(".", 1)[-1].lower() not in _COMMON_TLDS:
                continue
        found.append(url)
    return found


def without_urls(text: str) -> str:
    """``text`` with every link (as :func:`find_urls` sees them) removed."""
    for url in find_urls(text):
        text = text.replace(url, " ")
    return text


def sentences(text: str) -> list[str]:
    """Rough sentence split (Latin and CJK punctuation, new lines)."""
    return [part for part in re.split(r"(?<=[.!?。！？])\s+|\n+", text) if part.strip()]
