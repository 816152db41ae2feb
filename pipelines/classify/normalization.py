"""Text normalisation shared by the lexicon files and the inbound messages.

Both sides go through the same function, so a lexicon entry written as ``"DON'T TEXT ME"`` matches
a reply typed as ``"dont text me!!"`` or ``"Don’t text me 🙏"``.

Steps, in order:

1. Unicode NFKC (full-width ``ＳＴＯＰ`` becomes ``STOP``, ``…`` becomes ``...``) and casefold.
2. Diacritics are removed from Latin and Cyrillic letters only (``ARRÊT`` → ``arret``,
   ``İPTAL`` → ``iptal``, ``hủy`` → ``huy``, ``đ`` → ``d``, ``ł`` → ``l``). Marks on other
   scripts are part of the spelling (Devanagari vowel signs, Thai vowels) and are kept, except
   Arabic short-vowel marks (harakat) and the tatweel, which are optional in Arabic writing.
3. Apostrophes are deleted (``don't`` → ``dont``, ``n'ai`` → ``nai``).
4. Every character that is not a letter, a combining mark or a digit (punctuation, symbols,
   emoji, variation selectors, controls) becomes a space; spaces are collapsed and trimmed.

:func:`normalize_marked` additionally keeps sentence breaks (``. ! ? ;``, newlines, ``。！？``,
``؟``, ``।``) as :data:`BREAK` tokens, which the leading tier needs ("STOP. Never message me
again" opens with a complete opt-out sentence).
"""

from __future__ import annotations

import functools
import re
import unicodedata

BREAK = "#"
"""The token that stands for a sentence break in :func:`normalize_marked` output.

``#`` itself is punctuation, so it never survives normalisation of the text around it.
"""

# Letters that count as "word characters" of the space-separated Latin/Cyrillic/Greek scripts,
# after normalisation. Word-boundary checks and the short-token rule use this class.
WORD_CHARS = "0-9a-z\u00b5\u00df-\u024f\u0370-\u03ff\u0400-\u052f\u1e00-\u1eff"

_BREAK_CHARS = ".!?;\n\r\u2028\u2029\u037e\u061b\u061f\u06d4\u0964\u0965\u3002\uff01\uff1f\uff1b"
_APOSTROPHES = "'`\u2018\u2019\u02bc"
_COMBINING_LATIN = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"

_MARKS = re.compile(f"[{_COMBINING_LATIN}]")
_ORPHAN_MARKS = re.compile(f"([{WORD_CHARS}])[{_COMBINING_LATIN}]+")
_ARABIC_HARAKAT = re.compile("[\u0640\u064b-\u065f\u0670]")
_SENTENCE_BREAKS = re.compile(f"[{re.escape(_BREAK_CHARS)}]+")

# Letters with no Unicode decomposition that people nonetheless type in place of the plain letter.
_EXTRA_FOLDS = {"đ": "d", "ı": "i", "ł": "l", "ø": "o", "ħ": "h", "ŧ": "t", "œ": "oe", "æ": "ae", "ĳ": "ij"}


def _ascii_table() -> dict[int, str | None]:
    """One-pass normalisation of ASCII text: str.translate has a fast path for it."""
    table: dict[int, str | None] = {}
    for code in range(128):
        char = chr(code)
        if char.isalnum():
            table[code] = char.lower()
        elif char in _APOSTROPHES:
            table[code] = None
        elif char in _BREAK_CHARS:
            table[code] = BREAK
        else:
            table[code] = " "
    return table


_ASCII_TABLE = _ascii_table()
_DOUBLE_BREAK = f"{BREAK} {BREAK}"


@functools.cache
def _fold_table() -> dict[str, str]:
    """Precomposed Latin/Cyrillic letter -> the same letter without diacritics."""
    table: dict[str, str] = {}
    for first, last in ((0x00C0, 0x024F), (0x0400, 0x052F), (0x1E00, 0x1EFF)):
        for code in range(first, last + 1):
            char = chr(code)
            bare = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
            bare = _EXTRA_FOLDS.get(bare, bare)
            if bare != char:
                table[char] = bare
    return table


@functools.cache
def _foldable() -> re.Pattern[str]:
    """The letters :func:`_fold_table` changes (most Cyrillic letters are not among them)."""
    return re.compile(f"[{re.escape(''.join(sorted(_fold_table())))}]")


@functools.cache
def _junk() -> re.Pattern[str]:
    """Runs of characters that are neither letters, marks, digits nor BREAK.

    The class is exact for the Basic Multilingual Plane. Outside it, only the emoji/symbol planes
    and tags/private use are treated as junk: a precise astral class makes the regex ~5x slower.
    """
    keep: list[str] = []
    start: int | None = None
    for code in range(0x10000 + 1):
        wanted = code <= 0xFFFF and _is_kept(code)
        if wanted and start is None:
            start = code
        elif not wanted and start is not None:
            keep.append(_char_range(start, code - 1))
            start = None
    keep.append(_char_range(0x10000, 0x1EFFF))
    keep.append(_char_range(0x20000, 0xDFFFF))
    return re.compile(f"[^{''.join(keep)}{re.escape(BREAK)}]+")


def _is_kept(code: int) -> bool:
    category = unicodedata.category(chr(code))
    if category[0] in "LN":
        return True
    # Variation selectors make emoji colourful; enclosing marks (Me) draw keycaps and circles.
    return category in ("Mn", "Mc") and not 0xFE00 <= code <= 0xFE0F


def _char_range(first: int, last: int) -> str:
    if first == last:
        return f"\\U{first:08x}"
    return f"\\U{first:08x}-\\U{last:08x}"


def _fold(text: str) -> str:
    """Steps 1-3 for text that is not pure ASCII, with sentence breaks turned into BREAK."""
    text = unicodedata.normalize("NFKC", text).casefold()
    table = _fold_table()
    text = _foldable().sub(lambda m: table[m.group()], text) if _foldable().search(text) else text
    if _MARKS.search(text):
        # Marks NFKC could not compose with their letter, e.g. the dot casefold leaves on İ.
        text = _ORPHAN_MARKS.sub(r"\1", text)
    text = _ARABIC_HARAKAT.sub("", text)
    for apostrophe in _APOSTROPHES:
        if apostrophe in text:
            text = text.replace(apostrophe, "")
    if BREAK in text:
        text = text.replace(BREAK, " ")
    return _SENTENCE_BREAKS.sub(BREAK, text)


def _clean(text: str) -> str:
    """Steps 1-4, with sentence breaks kept as BREAK characters."""
    if text.isascii():
        return text.translate(_ASCII_TABLE)
    return _junk().sub(" ", _fold(text))


def normalize(text: str) -> str:
    """Normalise a message or a lexicon entry for matching (see the module docstring).

    >>> normalize("ＳＴＯＰ 🛑!!")
    'stop'
    >>> normalize("Don’t text me — ARRÊT, İPTAL")
    'dont text me arret iptal'
    """
    return " ".join(_clean(text).replace(BREAK, " ").split())


def normalize_marked(text: str) -> str:
    """Like :func:`normalize`, but sentence breaks inside the text stay as ``BREAK`` tokens.

    Breaks at the start or end and repeated breaks are dropped, so deleting every
    ``" " + BREAK`` from the result gives exactly ``normalize(text)``.
    """
    return " ".join(marked_words(text))


def marked_words(text: str) -> list[str]:
    """The words of :func:`normalize_marked` (the classifier needs both forms)."""
    cleaned = _clean(text)
    if BREAK not in cleaned:
        return cleaned.split()
    marked = " ".join(cleaned.replace(BREAK, f" {BREAK} ").split())
    while _DOUBLE_BREAK in marked:
        marked = marked.replace(_DOUBLE_BREAK, BREAK)
    if marked.startswith(BREAK):
        marked = marked[1:]
    if marked.endswith(BREAK):
        marked = marked[:-1]
    return marked.split()
