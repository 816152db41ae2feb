"""Report renderers: pure functions from a :class:`~lint.engine.LintReport` to text.

``text`` for people, ``json`` (the public contract of ARCHITECTURE.md), ``sarif`` (2.1.0, for
GitHub code scanning), ``github`` (workflow annotations) and ``html`` (a self-contained page in
English or Chinese).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO

from lint.engine import LintReport
from lint.formats.github import render_github
from lint.formats.html import render_html
from lint.formats.json_format import render_json, write_json
from lint.formats.sarif import render_sarif
from lint.formats.text import render_text

Renderer = Callable[[LintReport, str], str]

FORMATS: dict[str, Renderer] = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
    "github": render_github,
    "html": render_html,
}
LANGUAGES = ("en", "zh")


def render(report: LintReport, fmt: str, lang: str = "en") -> str:
    """The report in one of :data:`FORMATS`."""
    return FORMATS[fmt](report, lang)


def write_report(report: LintReport, fmt: str, lang: str, stream: BinaryIO) -> None:
    """Write the report as UTF-8 to a binary stream (JSON in chunks, so huge reports stay small in memory)."""
    if fmt == "json":
        write_json(report, stream)
    else:
        stream.write(render(report, fmt, lang).encode("utf-8"))
