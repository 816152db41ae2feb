"""The inbound reply lexicon, read by the linter: which words the reply handler takes as an opt-out.

The lexicon files belong to the inbound pipeline (``pipelines/lexicons/<language>.toml``, format
in docs/inbound-classification.md); the linter sits beside the pipelines, not above them, so it
reads the same files as data instead of importing ``pipelines.classify``. What it needs is small:

* :meth:`InboundLexicon.recognises` - would a reply consisting of this keyword be taken as a
  definitive opt-out (O002: the keyword a draft tells people to send);
* :meth:`InboundLexicon.alarming` - does a reply look like an opt-out or a complaint in any tier
  (O004: replies nobody has dealt with).

Normalisation follows the pipeline's (NFKC, case folding, diacritics removed from Latin and
Cyrillic letters, apostrophes deleted, other punctuation and emoji as spaces); a test checks the
two agree on every lexicon entry and on sample replies.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core.errors import ConfigError

LEXICON_FOLDER = Path(__file__).resolve().parent.parent / "pipelines" / "lexicons"
"""The pipeline's lexicon files (installed next to the ``lint`` package)."""

_APOSTROPHES = "'`\u2018\u2019\u02bc"
_EXTRA_FOLDS = {"đ": "d", "ı": "i", "ł": "l", "ø": "o", "ħ": "h", "ŧ": "t", "œ": "oe", "æ": "ae", "ĳ": "ij"}
_FOLDED_RANGES = ((0x00C0, 0x024F), (0x0400, 0x052F), (0x1E00, 0x1EFF))
_ARABIC_OPTIONAL = re.compile("[\u0640\u064b-\u065f\u0670]")
# word characters of space-separated scripts (after normalisation): entries made of these match
# on word boundaries, others (Han, Arabic, Devanagari, Thai) as substrings
_WORD = "0-9a-z\u00b5\u00df-\u024f\u0370-\u03ff\u0400-\u052f\u1e00-\u1eff"
_WORDISH = re.compile(f"^[{_WORD} ]+$")
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")


def _fold_letter(char: str) -> str:
    code = ord(char)
    if not any(first <= code <= last for first, last in _FOLDED_RANGES):
        return char
    bare = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
    return _EXTRA_FOLDS.get(bare, bare)


def _is_word_char(char: str) -> bool:
    return re.match(f"[{_WORD}]", char) is not None


def normalize(text: str) -> str:
    """Text as the reply classifier compares it: ``"Don’t text me — ARRÊT!"`` -> ``"dont text me arret"``."""
    folded = _ARABIC_OPTIONAL.sub("", unicodedata.normalize("NFKC", text).casefold())
    out: list[str] = []
    for char in folded:
        if char in _APOSTROPHES:
            continue
        category = unicodedata.category(char)
        if category in ("Mn", "Mc", "Me"):
            # a mark left on a Latin/Cyrillic letter is a diacritic: dropped; elsewhere it spells
            keep = not (out and _is_word_char(out[-1])) and not 0xFE00 <= ord(char) <= 0xFE0F
            if keep and category != "Me":
                out.append(char)
            continue
        if category[0] in "LN":
            out.append(_fold_letter(char))
        else:
            out.append(" ")
    return " ".join("".join(out).split())


def is_short(entry: str) -> bool:
    """One character, or two outside CJK (T, N, TD): the handler takes these only as the whole reply."""
    length = len(entry.replace(" ", ""))
    return length <= 1 or (length == 2 and not _CJK.search(entry))


def _pattern(entries: Iterable[str]) -> re.Pattern[str] | None:
    parts = []
    for entry in sorted(set(entries), key=lambda e: (-len(e), e)):
        escaped = re.escape(entry)
        parts.append(f"(?<![{_WORD}]){escaped}(?![{_WORD}])" if _WORDISH.match(entry) else escaped)
    return re.compile("|".join(parts)) if parts else None


@dataclass(frozen=True)
class InboundLexicon:
    """The opt-out and complaint entries of every lexicon file, normalised."""

    opt_out: dict[str, str]  # entry -> language (the lowest-priority file listing it)
    anywhere: frozenset[str]  # opt-out entries the handler also finds inside a longer reply
    leading: frozenset[str]  # opt-out entries it finds at the start of a reply
    complaint: frozenset[str]
    prefixes: frozenset[str]
    trailing: frozenset[str]  # fillers and marketing words allowed after a leading keyword

    def recognises(self, keyword: str) -> bool:
        """Whether a reply consisting of ``keyword`` is a definitive opt-out for the handler."""
        text = normalize(keyword)
        return bool(text) and (text in self.opt_out or self._leading(text) is not None)

    def language(self, keyword: str) -> str | None:
        """The language the handler reports for an opt-out keyword (``None`` if not an entry)."""
        return self.opt_out.get(normalize(keyword))

    def alarming(self, reply: str | None) -> str | None:
        """The opt-out or complaint entry a reply matches in any tier, else ``None``."""
        if not reply:
            return None
        text = normalize(reply)
        if not text:
            return None
        if text in self.opt_out:
            return text
        leading = self._leading(self._without_prefixes(text))
        if leading is not None:
            return leading
        for pattern in (_compiled(self.anywhere), _compiled(self.complaint)):
            found = pattern.search(text) if pattern is not None else None
            if found:
                return found.group(0)
        return None

    def _without_prefixes(self, text: str) -> str:
        changed = True
        while changed:
            changed = False
            for prefix in self.prefixes:
                if text.startswith(prefix + " "):
                    text = text[len(prefix) + 1 :]
                    changed = True
        return text

    def _leading(self, text: str) -> str | None:
        """The entry ``text`` opens with when the rest is only fillers, category words or entries."""
        for entry in sorted(self.leading, key=len, reverse=True):
            if text == entry:
                return entry
            if not text.startswith(entry + " "):
                continue
            rest = text[len(entry) + 1 :].split()
            if all(word in self.trailing or word in self.opt_out for word in rest):
                return entry
        return None


@cache
def _compiled(entries: frozenset[str]) -> re.Pattern[str] | None:
    return _pattern(entries)


def _entries(data: dict[str, object], section: str, key: str) -> list[str]:
    table = data.get(section, {})
    values = table.get(key, []) if isinstance(table, dict) else []
    return (
        [normalize(v) for v in values if isinstance(v, str) and normalize(v)]
        if isinstance(values, list)
        else []
    )


@cache
def inbound_lexicon(folder: Path = LEXICON_FOLDER) -> InboundLexicon:
    """Every ``*.toml`` file of the pipeline's lexicon folder, merged."""
    paths = sorted(folder.glob("*.toml")) if folder.is_dir() else []
    if not paths:
        raise ConfigError(f"the inbound lexicon files are missing ({folder}/*.toml)")
    files = []
    for path in paths:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"lexicon file {path} cannot be read: {exc}") from None
        priority = data.get("priority", 100)
        files.append((priority if isinstance(priority, int) else 100, path.stem, data))
    opt_out: dict[str, str] = {}
    limits: dict[str, int] = {}  # 0: any tier, 1: not inside a text, 2: the whole reply only
    complaint: set[str] = set()
    prefixes: set[str] = set()
    trailing: set[str] = set()
    for _, language, data in sorted(files, key=lambda f: (f[0], f[1])):
        for limit, entries in (
            (0, _entries(data, "opt_out", "keywords") + _entries(data, "opt_out", "marketing")),
            (1, _entries(data, "opt_out", "anchored")),
            (2, _entries(data, "opt_out", "exact_only")),
        ):
            for entry in entries:
                opt_out.setdefault(entry, language)
                # the strictest limit any file gives an entry wins, as in the handler
                limits[entry] = max(limit, limits.get(entry, 0), 2 if is_short(entry) else 0)
        complaint.update(_entries(data, "complaint", "phrases"))
        prefixes.update(_entries(data, "leading", "prefixes"))
        trailing.update(_entries(data, "leading", "fillers") + _entries(data, "leading", "marketing_words"))
    return InboundLexicon(
        opt_out=opt_out,
        anywhere=frozenset(entry for entry, limit in limits.items() if limit == 0),
        leading=frozenset(entry for entry, limit in limits.items() if limit <= 1),
        complaint=frozenset(complaint),
        prefixes=frozenset(prefixes),
        trailing=frozenset(trailing),
    )
