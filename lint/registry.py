"""The rule registry: checks ``ALL_RULES`` and resolves selectors (code, prefix, name or group).

Selectors work like ruff's and flake8's: ``C001`` (a code), ``C`` or ``C00`` (a code prefix),
``missing-consent`` (a rule name) or ``consent`` (a group). An unknown selector is a usage error,
never silently ignored.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Iterable, Sequence

from core.errors import InternalError, UsageError
from lint.base import DOC_SECTIONS, OPTIONAL_SECTIONS, Rule
from lint.findings import Severity

CODE = re.compile(r"^[NCORQFTPDS][0-9]{3}$")
NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
APPLIES_TO = ("draft", "contact", "contact+draft", "send-plan")


def doc_sections(rule: type[Rule]) -> dict[str, str]:
    """The docstring sections of a rule, by heading (the summary line is under ``""``)."""
    lines = inspect.cleandoc(rule.__doc__ or "").splitlines()
    sections: dict[str, list[str]] = {"": []}
    current = ""
    for line in lines:
        heading = line.strip().rstrip(":")
        if line.strip().endswith(":") and heading in (*DOC_SECTIONS, *OPTIONAL_SECTIONS):
            current = heading
            sections[current] = []
            continue
        sections[current].append(line)
    return {key: textwrap.dedent("\n".join(value)).strip() for key, value in sections.items()}


def problems(rules: Sequence[type[Rule]]) -> list[str]:
    """Everything wrong with a rule tuple (empty when it is fine)."""
    found: list[str] = []
    codes = [r.code for r in rules]
    names = [r.name for r in rules]
    if codes != sorted(codes):
        found.append("ALL_RULES is not ordered by code")
    found += [f"duplicate code {c}" for c in sorted({c for c in codes if codes.count(c) > 1})]
    found += [f"duplicate name {n}" for n in sorted({n for n in names if names.count(n) > 1})]
    for rule in rules:
        where = f"{rule.__name__} ({getattr(rule, 'code', '?')})"
        if not CODE.match(rule.code):
            found.append(f"{where}: code does not look like C001")
        if not NAME.match(rule.name):
            found.append(f"{where}: name is not a kebab-case slug")
        if rule.applies_to not in APPLIES_TO:
            found.append(f"{where}: applies_to must be one of {', '.join(APPLIES_TO)}")
        if not isinstance(rule.severity, Severity) or not rule.basis:
            found.append(f"{where}: needs a Severity and a basis")
        if not rule.hooks():
            found.append(f"{where}: implements no check hook")
        sections = doc_sections(rule)
        if not sections.get(""):
            found.append(f"{where}: the docstring has no summary line")
        found += [f"{where}: docstring lacks '{s}:'" for s in DOC_SECTIONS if not sections.get(s)]
    return found


def validate(rules: Sequence[type[Rule]]) -> tuple[type[Rule], ...]:
    """``rules`` if well-formed, else an :class:`InternalError` listing the problems."""
    found = problems(rules)
    if found:
        raise InternalError("invalid rule registry: " + "; ".join(found))
    return tuple(rules)


def resolve(selector: str, rules: Sequence[type[Rule]]) -> frozenset[str]:
    """Codes a selector names; :class:`UsageError` when it names none."""
    text = selector.strip()
    upper = text.upper()
    if CODE.match(upper) or re.match(r"^[NCORQFTPDS][0-9]{0,2}$", upper):
        found = {r.code for r in rules if r.code.startswith(upper) or upper in r.aliases}
    else:
        lower = text.lower()
        found = {r.code for r in rules if r.name == lower or lower in r.groups}
    if not found:
        raise UsageError(
            f"unknown rule selector {selector!r}",
            hint="use a code (C001), a code prefix (C), a rule name or a group; `wagate rules` lists them",
        )
    return frozenset(found)


def resolve_all(selectors: Iterable[str], rules: Sequence[type[Rule]]) -> frozenset[str]:
    """Union of :func:`resolve` over selectors (comma-separated items are split)."""
    out: set[str] = set()
    for selector in selectors:
        for part in selector.split(","):
            if part.strip():
                out |= resolve(part, rules)
    return frozenset(out)


def select(
    rules: Sequence[type[Rule]], selected: Iterable[str], ignored: Iterable[str]
) -> tuple[type[Rule], ...]:
    """Rules kept by ``--select`` (empty: all) minus ``--ignore``."""
    chosen = list(selected)
    keep = resolve_all(chosen, rules) if chosen else frozenset(r.code for r in rules)
    drop = resolve_all(ignored, rules)
    return tuple(r for r in rules if r.code in keep and r.code not in drop)


def by_code(code: str, rules: Sequence[type[Rule]]) -> type[Rule]:
    """The rule with this code (or alias); :class:`UsageError` when none."""
    upper = code.strip().upper()
    for rule in rules:
        if rule.code == upper or upper in rule.aliases:
            return rule
    raise UsageError(f"unknown rule code {code!r}", hint="`wagate rules` lists every code")
