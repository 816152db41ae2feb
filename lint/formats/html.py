"""The HTML report: one self-contained page a manager can read (English or Chinese).

Summary, blocked contacts by reason, contacts with warnings, draft findings with the offending
text highlighted, and run-level findings. Chinese labels use the project glossary
(发送前合规检查, 联系人名单, 问题, 规则, 豁免 ...); finding messages and legal bases stay as the
rules write them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import jinja2
import polars as pl

from lint.engine import LintReport
from lint.findings import iter_findings
from lint.formats.i18n import LABELS

_SAMPLE_ROWS = 20


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of component text; ``marked`` pieces are what a finding points at."""

    text: str
    marked: bool


def highlight(text: str, excerpts: list[str]) -> list[Segment]:
    """``text`` split so that every occurrence of an excerpt (case-insensitive) is marked."""
    wanted = sorted({e for e in excerpts if e and e.strip()}, key=len, reverse=True)
    if not wanted:
        return [Segment(text, False)]
    pattern = re.compile("|".join(re.escape(e) for e in wanted), re.IGNORECASE)
    segments: list[Segment] = []
    position = 0
    for match in pattern.finditer(text):
        if match.start() > position:
            segments.append(Segment(text[position : match.start()], False))
        segments.append(Segment(match.group(0), True))
        position = match.end()
    if position < len(text):
        segments.append(Segment(text[position:], False))
    return segments


def _contact_groups(findings: pl.DataFrame, severity: str) -> list[dict[str, Any]]:
    chosen = findings.filter((pl.col("kind") == "contact") & (pl.col("severity") == severity))
    groups = []
    for (code,), group in sorted(chosen.group_by(["code"]), key=lambda item: str(item[0][0])):
        rows = group.sort("row").head(_SAMPLE_ROWS).select("row", "message").rows()
        groups.append(
            {
                "code": code,
                "rule": group["rule"][0],
                "contacts": group["row"].n_unique(),
                "basis": group["basis"][0],
                "rows": rows,
            }
        )
    return sorted(groups, key=lambda g: (-int(g["contacts"]), str(g["code"])))


def _drafts(report: LintReport) -> list[dict[str, Any]]:
    out = []
    draft_findings = report.findings.filter(pl.col("kind") == "draft")
    for draft in report.drafts:
        mine = list(iter_findings(draft_findings.filter(pl.col("file") == draft.display)))
        components = []
        for component in draft.components:
            found = [f for f in mine if f.target.component == component.label]
            text = (
                component.text
                if component.kind != "BUTTON"
                else " · ".join(part for part in (component.text, component.url or "") if part)
            )
            components.append(
                {
                    "label": component.label,
                    "segments": highlight(text, [f.excerpt or "" for f in found]),
                    "findings": found,
                }
            )
        labels = {c.label for c in draft.components}
        other = [f for f in mine if f.target.component not in labels]
        out.append({"draft": draft, "components": components, "other": other, "count": len(mine)})
    return out


def _template() -> jinja2.Template:
    source = resources.files("lint").joinpath("templates", "report.html.j2").read_text(encoding="utf-8")
    env = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )
    return env.from_string(source)


def render_html(report: LintReport, lang: str = "en") -> str:
    """The report as one HTML page (``lang``: ``en`` or ``zh``)."""
    template = _template()
    plan = list(iter_findings(report.findings.filter(pl.col("kind") == "plan")))
    return template.render(
        t=LABELS[lang],
        lang=lang,
        report=report,
        summary=report.summary,
        blocked=_contact_groups(report.findings, "error"),
        warned=_contact_groups(report.findings, "warning"),
        informed=_contact_groups(report.findings, "info"),
        drafts=_drafts(report),
        plan=plan,
        at=report.at.isoformat(timespec="minutes"),
        rules=len(report.rules),
    )
