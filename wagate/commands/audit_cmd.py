"""`wagate audit`: list and verify the audit trail, export an evidence pack."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from core import audit
from core.config import Settings
from core.errors import UsageError
from lint import LintReport
from wagate.commands.output import FORMATS, emit
from wagate.context import Context

_DAY = click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"])


@click.group("audit")
def audit_group() -> None:
    """The append-only audit log of who did what and when (docs/privacy.md)."""


@audit_group.command("list")
@click.option("--from", "start", type=_DAY, default=None, help="First day (UTC, YYYY-MM-DD).")
@click.option("--to", "end", type=_DAY, default=None, help="Last day, inclusive.")
@click.option("--action", default=None, help="Only this action or family, e.g. send or privacy.forget.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.pass_obj
def list_command(
    obj: Context, start: datetime | None, end: datetime | None, action: str | None, fmt: str
) -> None:
    """Audit entries, oldest first."""
    first, last = _range(start, end)
    entries = audit.read(obj.settings, start=first, end=last, action=action)
    rows = [
        {
            "seq": e.seq,
            "at": e.at,
            "action": e.action,
            "operator": e.operator,
            "details": e.details if fmt == "json" else json.dumps(e.details, ensure_ascii=False),
        }
        for e in entries
    ]
    emit(rows, fmt, columns=["seq", "at", "action", "operator", "details"])


@audit_group.command("verify")
@click.pass_obj
def verify_command(obj: Context) -> None:
    """Check the hash chain; exit 1 and name the first broken line when it was tampered with."""
    result = audit.verify(obj.settings)
    path = audit.log_path(obj.settings)
    if result.ok:
        click.echo(f"ok: {result.entries} entries, chain intact ({path})")
        return
    click.echo(
        f"BROKEN at line {result.bad_line} of {path}: {result.reason} ({result.entries} good entries before it)"
    )
    raise SystemExit(1)


@audit_group.command("export")
@click.option("--from", "start", type=_DAY, required=True, help="First day (UTC, YYYY-MM-DD).")
@click.option("--to", "end", type=_DAY, required=True, help="Last day, inclusive.")
@click.option("--campaign", default=None, help="Only this campaign's sends.")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, file_okay=False), required=True, help="New folder."
)
@click.pass_obj
def export_command(obj: Context, start: datetime, end: datetime, campaign: str | None, output: Path) -> None:
    """Write the evidence pack: audit entries, lint reports, consent proofs, send logs, opt-out times."""
    # imported here: `wagate lint` records its runs through this module and must not load the pipelines
    from pipelines.privacy.evidence import export_pack

    first, last = _range(start, end)
    assert first is not None and last is not None  # both options are required
    manifest = export_pack(obj.settings, output, start=first, end=last, campaign=campaign)
    chain = "intact" if manifest["verification"]["ok"] else "BROKEN"
    click.echo(
        f"wrote {output}: {len(manifest['files'])} file(s), {manifest['sends']} send(s), chain {chain}"
    )
    for item in manifest["missing"]:
        click.echo(f"warning: missing {item}", err=True)


def record_lint_run(
    settings: Settings, report: LintReport, inputs: Mapping[str, str], fmt: str, report_hash: str
) -> None:
    """Audit a `wagate lint` run: the written report's hash, inputs' hashes (:func:`core.audit.files_sha256`), counts, waivers used."""
    summary = report.summary
    audit.record(
        settings,
        "lint.run",
        report_sha256=report_hash,
        inputs=dict(inputs),
        errors=summary.errors,
        warnings=summary.warnings,
        infos=summary.infos,
        contacts=summary.contacts,
        contacts_blocked=summary.contacts_blocked,
        waived=summary.waived,
        format=fmt,
    )
    if summary.waived:
        audit.record(settings, "override.waiver", report_sha256=report_hash, waived=summary.waived)


def _range(start: datetime | None, end: datetime | None) -> tuple[datetime | None, datetime | None]:
    first = start.replace(tzinfo=UTC) if start is not None else None
    last = None
    if end is not None:
        last = end.replace(tzinfo=UTC)
        if end.hour == end.minute == end.second == 0:
            last += timedelta(days=1)  # a day given alone includes the whole day
    if first and last and first >= last:
        raise UsageError("--from is after --to")
    return first, last
