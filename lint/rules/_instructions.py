"""Opt-out instructions that name a keyword ("Reply STOP to opt out", "回复TD退订"), found in a draft.

Used by O002. The verbs and purposes per language are data (``packs/optout_instructions.toml``);
which keywords the reply handler understands comes from :mod:`lint.inbound`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from lint.inbound import InboundLexicon
from lint.inputs.drafts import Component, Draft
from lint.packs import read_pack

_QUOTES_OPEN = "\"“”'‘’«「『"
_QUOTES_CLOSE = "\"“”'‘’»」』"
_UPPER = "A-Z0-9À-ÖØ-ÞĀ-Ž"
_KEYWORD = (
    rf"(?:[{_QUOTES_OPEN}](?P<quoted>[^{_QUOTES_OPEN}{_QUOTES_CLOSE}\n]{{1,30}})[{_QUOTES_CLOSE}]"
    rf"|(?P<caps>[{_UPPER}][{_UPPER}-]*(?:[ ][{_UPPER}][{_UPPER}-]*)*)(?![a-zß-öø-ÿ])"
    r"|(?P<han>[\u4e00-\u9fff]{1,8})"
    r"|(?P<word>[^\W_]+))"
)
_JOINER = re.compile(r"\s*(?:/|\bor\b|\bou\b|\bo\b|\boder\b|\batau\b|أو|或者?)\s*", re.IGNORECASE)
# between a keyword and its purpose: a few lower-case words ("STOP at any time to opt out")
_GAP_WORDS = r"(?:[\s,]+[a-zß-öø-ÿ]+){0,3}?[\s,]*"
_NO_SPACES = ("zh", "ar")  # scripts written without spaces: the purpose follows at once


@dataclass(frozen=True, slots=True)
class Instruction:
    """One keyword a draft tells people to send, and where."""

    keyword: str
    language: str  # primary language of the instruction's wording ("" when unknown)
    component: Component
    excerpt: str
    recognised: bool


@dataclass(frozen=True, slots=True)
class _Language:
    code: str
    verb: re.Pattern[str]  # the verb, then the keyword
    purpose: re.Pattern[str]  # matched right after a keyword: a purpose, maybe after a few words
    adjacent: re.Pattern[str]  # the purpose at once (after a lower-case keyword, words are not skipped)


@cache
def instruction_languages() -> tuple[_Language, ...]:
    out = []
    for code, spec in read_pack("optout_instructions")["languages"].items():
        gap = r"\s*" if code in _NO_SPACES else _GAP_WORDS
        out.append(
            _Language(
                code=code,
                verb=re.compile(rf"(?i:{spec['verbs']})\s*[:：]?\s*{_KEYWORD}"),
                purpose=re.compile(rf"{gap}(?i:{spec['purposes']})"),
                adjacent=re.compile(rf"\s*(?i:{spec['purposes']})"),
            )
        )
    return tuple(out)


def _choose(
    words: list[str], start: int, text: str, language: _Language, lexicon: InboundLexicon
) -> tuple[str, int]:
    """The keyword among the leading words of a capitalised run, and where it ends.

    The longest prefix the handler recognises, else the longest one a purpose follows
    ("STOP TO OPT OUT" -> "STOP"), else the first word.
    """
    prefixes = [" ".join(words[:n]) for n in range(len(words), 0, -1)]
    for keyword in prefixes:
        if lexicon.recognises(keyword):
            return keyword, start + len(keyword)
    for keyword in prefixes:
        if language.purpose.match(text, start + len(keyword)):
            return keyword, start + len(keyword)
    return words[0], start + len(words[0])


def _keywords(
    text: str, match: re.Match[str], language: _Language, lexicon: InboundLexicon
) -> list[tuple[str, int]]:
    """The keyword(s) of a verb match with where each ends ("STOP" and "ARRET" in "STOP/ARRET")."""
    han = match.group("han")
    if han:
        # an unquoted Chinese keyword runs into the words after it: keep the lexicon entry it opens with
        entry = next((han[:n] for n in range(len(han), 0, -1) if han[:n] in lexicon.opt_out), None)
        return [(entry, match.start("han") + len(entry))] if entry else []
    if match.group("caps"):
        found = [_choose(match.group("caps").split(" "), match.start("caps"), text, language, lexicon)]
    else:
        name = "quoted" if match.group("quoted") else "word"
        found = [(match.group(name).strip(), match.end())]
    end = found[-1][1] if match.group("caps") else match.end()
    while True:
        joined = _JOINER.match(text, end)
        if not joined:
            break
        more = re.compile(_KEYWORD).match(text, joined.end())
        if not more or not (more.group("quoted") or more.group("caps")):
            break
        if more.group("caps"):
            found.append(_choose(more.group("caps").split(" "), more.start("caps"), text, language, lexicon))
        else:
            found.append((more.group("quoted").strip(), more.end()))
        end = found[-1][1]
    return found


def instructions(draft: Draft, lexicon: InboundLexicon) -> list[Instruction]:
    """Every opt-out instruction with a keyword in the draft's text components.

    A keyword counts when a purpose follows it ("to opt out", "退订") or the handler knows it as
    an opt-out; "Reply YES to confirm" is not an opt-out instruction. When the wording fits
    several languages ("Responde BAJA" is Spanish and Portuguese), those whose purpose follows
    win.
    """
    out: list[Instruction] = []
    for component in draft.texts:
        text = unicodedata.normalize("NFKC", component.text)
        by_place: dict[int, list[tuple[bool, Instruction]]] = {}
        for language in instruction_languages():
            for match in language.verb.finditer(text):
                found = _keywords(text, match, language, lexicon)
                if not found:
                    continue
                # a purpose after the last keyword of "STOP or ARRET to opt out" covers them all;
                # after a lower-case word it must follow at once ("reply to this message to ...")
                purpose = (
                    language.purpose if match.group("caps") or match.group("quoted") else language.adjacent
                )
                followed = purpose.match(text, found[-1][1]) is not None
                excerpt = text[match.start() : found[-1][1]].strip()
                for keyword, end in found:
                    recognised = lexicon.recognises(keyword)
                    own = followed or purpose.match(text, end) is not None
                    if recognised or own:
                        place = by_place.setdefault(end, [])
                        place.append(
                            (own, Instruction(keyword, language.code, component, excerpt, recognised))
                        )
        for candidates in by_place.values():
            best = [found for own, found in candidates if own] or [found for _, found in candidates]
            out += best
    return out


def opt_out_buttons(draft: Draft, lexicon: InboundLexicon, button_words: frozenset[str]) -> list[Instruction]:
    """Quick-reply buttons labelled as an opt-out: a button word of ``packs/optout.toml`` or a known keyword."""
    out = []
    for button in draft.buttons:
        label = button.text.strip()
        if button.button_type != "QUICK_REPLY" or not label:
            continue
        recognised = lexicon.recognises(label)
        if recognised or label.casefold() in button_words:
            out.append(Instruction(label, lexicon.language(label) or "", button, label, recognised))
    return out
