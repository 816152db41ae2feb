"""Compile a word list into one fast regular expression.

A plain ``a|b|c`` alternation of several hundred keywords makes ``re`` try every keyword at every
position of every message. Instead the words are merged into a prefix tree, so the regex branches
on one character at a time, and every top-level branch starts with a literal character, which
lets ``re.search`` skip positions that cannot start a keyword with a fast C scan.

Word boundaries: an edge of a word that is a Latin/Cyrillic/Greek letter or a digit must not touch
another such character in the text ("weekend" does not contain END, "stopping" does not contain
STOP). Edges in other scripts (Han, Arabic, Devanagari, Thai) match as plain substrings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from pipelines.classify.normalization import WORD_CHARS

NEVER = "(?!)"
"""A pattern that matches nothing, for empty word lists."""

_WORD_CHAR = re.compile(f"[{WORD_CHARS}]")
# Checked right after the first character is consumed: the character before it is no word char.
# Putting the check after the literal keeps the literal first, which is what makes search fast.
_LEFT_EDGE = f"(?<![{WORD_CHARS}].)"
_RIGHT_EDGE = f"(?![{WORD_CHARS}])"


@dataclass
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    terminal: bool = False


def is_word_char(char: str) -> bool:
    """Whether ``char`` belongs to a space-separated script (needs word-boundary checks)."""
    return _WORD_CHAR.fullmatch(char) is not None


def alternation(words: Iterable[str]) -> str:
    """A regex (no capturing groups) matching any of ``words``, preferring the longest.

    ``words`` must already be normalised; empty strings are ignored.
    """
    root = _Node()
    for word in words:
        if not word:
            continue
        node = root
        for char in word:
            node = node.children.setdefault(char, _Node())
        node.terminal = True
    if not root.children:
        return NEVER
    branches = []
    for char, child in sorted(root.children.items()):
        left = _LEFT_EDGE if is_word_char(char) else ""
        branches.append(re.escape(char) + left + _subtree(child, char))
    return _group(branches)


def _subtree(node: _Node, last: str) -> str:
    branches = [re.escape(char) + _subtree(child, char) for char, child in sorted(node.children.items())]
    if node.terminal:
        # Last, so that longer keywords win ("stop all" before "stop").
        branches.append(_RIGHT_EDGE if is_word_char(last) else "")
    return _group(branches)


def _group(branches: list[str]) -> str:
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"
