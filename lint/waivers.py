"""Waivers: documented, approved, expiring exceptions to findings (contact lists cannot carry noqa).

The waivers file (TOML) holds one table per waiver::

    [[waiver]]
    code = "T004"
    selector = "draft:order_update"   # or contact:+4915112345678, row:12, country:DE, *
    reason = "Legal reviewed: 'new' refers to the new delivery date, not a product"
    expires = 2025-12-31
    approved_by = "li.wei@example.com"

Selectors: ``*`` (every finding of the code), ``draft:<template name or file name>``,
``contact:<E.164>``, ``row:<data row>``, ``country:<ISO code>`` (region of the number or stated
country). A waiver that matches nothing, or has expired, is reported (a warning) so the file
stays honest; an expired waiver no longer hides anything. Rules marked not waivable (opt-outs)
cannot be waived at all.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from core.errors import InputError, UsageError
from lint.base import Rule
from lint.findings import Finding, Severity, Target, findings_frame
from lint.registry import by_code

_SELECTOR = re.compile(r"^(\*|draft:.+|contact:\+[0-9]{6,15}|row:[0-9]+|country:[A-Za-z]{2})$")
_REQUIRED = ("code", "selector", "reason", "expires", "approved_by")


@dataclass(frozen=True, slots=True)
class Waiver:
    """One waiver of the file."""

    index: int
    line: int | None
    code: str
    selector: str
    reason: str
    expires: date
    approved_by: str


def _expiry(path: Path, index: int, value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InputError(f"{path}: waiver {index}: expires must be a date such as 2025-12-31")


def load_waivers(path: Path, rules: Sequence[type[Rule]]) -> tuple[Waiver, ...]:
    """Read and check a waivers file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
        data = tomllib.loads(text)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: invalid TOML: {exc}") from None
    entries = data.get("waiver", [])
    if not isinstance(entries, list) or set(data) - {"waiver"}:
        raise InputError(f"{path}: expected only [[waiver]] tables")
    lines = [
        text.count("\n", 0, m.start()) + 1 for m in re.finditer(r"^\s*\[\[waiver\]\]", text, re.MULTILINE)
    ]
    waivers = []
    for index, entry in enumerate(entries, start=1):
        missing = [key for key in _REQUIRED if not str(entry.get(key, "")).strip()]
        if missing:
            raise InputError(
                f"{path}: waiver {index} has no {missing[0]}",
                hint=f"every waiver needs {', '.join(_REQUIRED)}",
            )
        try:
            rule = by_code(str(entry["code"]), rules)
        except UsageError:
            raise InputError(f"{path}: waiver {index}: unknown rule code {entry['code']!r}") from None
        if not rule.waivable:
            raise InputError(f"{path}: waiver {index}: {rule.code} ({rule.name}) cannot be waived")
        selector = str(entry["selector"]).strip()
        if not _SELECTOR.match(selector):
            raise InputError(
                f"{path}: waiver {index}: bad selector {selector!r}",
                hint="use *, draft:NAME, contact:+E164, row:N or country:XX",
            )
        waivers.append(
            Waiver(
                index=index,
                line=lines[index - 1] if index - 1 < len(lines) else None,
                code=rule.code,
                selector=selector,
                reason=str(entry["reason"]).strip(),
                expires=_expiry(path, index, entry["expires"]),
                approved_by=str(entry["approved_by"]).strip(),
            )
        )
    return tuple(waivers)


@dataclass(frozen=True, slots=True)
class WaiverOutcome:
    """Findings after waivers, how many were waived, and findings about the waivers themselves."""

    findings: pl.DataFrame
    waived: int
    notices: pl.DataFrame


def _matches(waiver: Waiver, contacts: pl.DataFrame | None, draft_names: dict[str, set[str]]) -> pl.Expr:
    kind, _, value = waiver.selector.partition(":")
    code = (pl.col("code") == waiver.code) & (pl.col("origin") == "rule")
    if waiver.selector == "*":
        return code
    if kind == "draft":
        files = sorted(f for f, names in draft_names.items() if value in names)
        return code & (pl.col("kind") == "draft") & pl.col("file").is_in(files)
    if kind == "row":
        return code & (pl.col("kind") == "contact") & (pl.col("row") == int(value))
    if contacts is None:
        return pl.lit(False)
    if kind == "contact":
        rows = contacts.filter(pl.col("e164") == value)["_row"]
    else:
        region = value.upper()
        rows = contacts.filter((pl.col("region") == region) | (pl.col("country_iso") == region))["_row"]
    return code & (pl.col("kind") == "contact") & pl.col("row").is_in(rows.implode())


def apply_waivers(
    findings: pl.DataFrame,
    waivers: Sequence[Waiver],
    today: date,
    display: str,
    rules: Sequence[type[Rule]],
    contacts: pl.DataFrame | None,
    draft_names: dict[str, set[str]],
) -> WaiverOutcome:
    """Remove waived findings; report expired and unused waivers."""
    names = {r.code: r.name for r in rules}
    notices: list[Finding] = []
    hidden = pl.lit(False)
    for waiver in waivers:
        where = f"waiver {waiver.index} ({waiver.code}, {waiver.selector})"
        target = Target(kind="plan", file=display, line=waiver.line)
        if waiver.expires < today:
            message = f"{where} expired on {waiver.expires.isoformat()}; the findings it covered are reported again."
            notices.append(_notice(waiver, names, message, target))
            continue
        mask = _matches(waiver, contacts, draft_names)
        if findings.select(mask.any()).item() is not True:
            message = f"{where} matches no finding; remove it so the waivers file stays accurate."
            notices.append(_notice(waiver, names, message, target))
            continue
        hidden = hidden | mask
    kept = findings.filter(~hidden)
    return WaiverOutcome(findings=kept, waived=findings.height - kept.height, notices=findings_frame(notices))


def _notice(waiver: Waiver, names: dict[str, str], message: str, target: Target) -> Finding:
    return Finding(
        code=waiver.code,
        severity=Severity.WARNING,
        rule=names[waiver.code],
        message=message,
        target=target,
        basis="wagate waivers policy: every exception is scoped, approved and expires",
        origin="waiver",
    )
