"""Read and validate one lexicon file (``pipelines/lexicons/<language>.toml``).

The format is described in :mod:`pipelines.classify` and ``docs/inbound-classification.md``.
Every problem is reported as :class:`core.errors.ConfigError` naming the file, because a lexicon
that silently drops a keyword would silently stop honouring opt-outs.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.errors import ConfigError
from pipelines.classify.normalization import normalize

DEFAULT_PRIORITY = 100

_TOP_KEYS = {"language", "name", "priority", "opt_out", "complaint", "opt_in", "help", "leading"}
_SECTION_KEYS: dict[str, tuple[str, ...]] = {
    "opt_out": ("keywords", "anchored", "exact_only", "marketing"),
    "complaint": ("phrases",),
    "opt_in": ("keywords",),
    "help": ("keywords",),
    "leading": ("prefixes", "fillers", "marketing_words"),
}
_HINT = "see docs/inbound-classification.md for the lexicon file format"


@dataclass(frozen=True, slots=True)
class LexiconFile:
    """One language file, with every entry normalised and de-duplicated (order kept)."""

    source: str
    language: str
    priority: int
    opt_out: tuple[str, ...]
    anchored: tuple[str, ...]
    exact_only: tuple[str, ...]
    marketing: tuple[str, ...]
    complaint: tuple[str, ...]
    opt_in: tuple[str, ...]
    help: tuple[str, ...]
    prefixes: tuple[str, ...]
    fillers: tuple[str, ...]
    marketing_words: tuple[str, ...]

    def opt_out_entries(self) -> tuple[str, ...]:
        """Every opt-out entry of the file, whatever its tier limit or scope."""
        return self.opt_out + self.anchored + self.exact_only + self.marketing


def parse_lexicon_file(source: str, stem: str, data: bytes) -> LexiconFile:
    """Parse the bytes of one lexicon file; ``source`` names it in error messages."""
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"lexicon file {source} is not UTF-8 text: {exc}", hint=_HINT) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"lexicon file {source} is not valid TOML: {exc}", hint=_HINT) from exc
    unknown = sorted(set(raw) - _TOP_KEYS)
    if unknown:
        raise _error(source, f"unknown key {unknown[0]!r} (allowed: {', '.join(sorted(_TOP_KEYS))})")
    language = raw.get("language")
    if language != stem:
        raise _error(source, f"'language' must be {stem!r}, the file name without .toml (found {language!r})")
    if not isinstance(raw.get("name", ""), str):
        raise _error(source, "'name' must be a string")
    priority = raw.get("priority", DEFAULT_PRIORITY)
    if not isinstance(priority, int) or isinstance(priority, bool):
        raise _error(source, "'priority' must be an integer")
    lists: dict[str, tuple[str, ...]] = {
        f"{section}.{key}": () for section, keys in _SECTION_KEYS.items() for key in keys
    }
    for section, keys in _SECTION_KEYS.items():
        lists.update(_read_section(source, section, keys, raw.get(section, {})))
    parsed = LexiconFile(
        source=source,
        language=stem,
        priority=priority,
        opt_out=lists["opt_out.keywords"],
        anchored=lists["opt_out.anchored"],
        exact_only=lists["opt_out.exact_only"],
        marketing=lists["opt_out.marketing"],
        complaint=lists["complaint.phrases"],
        opt_in=lists["opt_in.keywords"],
        help=lists["help.keywords"],
        prefixes=lists["leading.prefixes"],
        fillers=lists["leading.fillers"],
        marketing_words=lists["leading.marketing_words"],
    )
    _check_conflicts(parsed)
    return parsed


def _read_section(source: str, section: str, keys: tuple[str, ...], value: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, Mapping):
        raise _error(source, f"[{section}] must be a table")
    unknown = sorted(set(value) - set(keys))
    if unknown:
        raise _error(
            source, f"unknown key '{section}.{unknown[0]}' (allowed in [{section}]: {', '.join(keys)})"
        )
    return {f"{section}.{key}": _read_list(source, f"{section}.{key}", value.get(key, [])) for key in keys}


def _read_list(source: str, where: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _error(source, f"'{where}' must be a list of strings")
    entries: dict[str, None] = {}
    for item in value:
        entry = normalize(item)
        if not entry:
            raise _error(
                source, f"entry {item!r} in '{where}' is empty once punctuation and emoji are removed"
            )
        entries[entry] = None
    return tuple(entries)


def _check_conflicts(parsed: LexiconFile) -> None:
    """Refuse an entry that would mean two incompatible things in the same file."""
    groups = {
        "opt_out": set(parsed.opt_out_entries()),
        "opt_in.keywords": set(parsed.opt_in),
        "help.keywords": set(parsed.help),
        "leading.prefixes/fillers": set(parsed.prefixes) | set(parsed.fillers),
        "leading.marketing_words": set(parsed.marketing_words),
    }
    names = list(groups)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            shared = sorted(groups[first] & groups[second])
            if shared:
                raise _error(parsed.source, f"{shared[0]!r} is listed both in {first} and in {second}")
    plain = set(parsed.opt_out) | set(parsed.anchored) | set(parsed.exact_only)
    both = sorted(plain & set(parsed.marketing))
    if both:
        raise _error(
            parsed.source, f"{both[0]!r} is listed both as a marketing-only and as a general opt-out"
        )


def _error(source: str, problem: str) -> ConfigError:
    return ConfigError(f"lexicon file {source}: {problem}", hint=_HINT)
