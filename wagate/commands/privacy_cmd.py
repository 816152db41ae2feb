"""`wagate privacy`: forget a person, export what is held about them, apply retention."""

from __future__ import annotations

import json
from pathlib import Path

import click

from core.errors import UsageError
from pipelines.privacy.access import access_export, write_json
from pipelines.privacy.forget import forget
from pipelines.privacy.person import numbers_from_file
from pipelines.privacy.purge import purge
from wagate.context import Context

_REGION = click.option(
    "--region", default=None, metavar="CC", help="Region for numbers in national format, e.g. DE for 0151 ..."
)
_OPERATOR = click.option("--operator", default=None, help="Who does this (default: the login name).")


@click.group()
def privacy() -> None:
    """Data-subject rights and retention: forget, export, purge (docs/privacy.md)."""


@privacy.command("forget")
@click.argument("numbers", nargs=-1)
@click.option(
    "--file",
    "file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Numbers, one a line (or a CSV's first column).",
)
@click.option("--reason", default=None, help="Why (e.g. the request's reference); kept in the audit log.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_REGION
@_OPERATOR
@click.pass_obj
def forget_command(
    obj: Context,
    numbers: tuple[str, ...],
    file: Path | None,
    reason: str | None,
    fmt: str,
    region: str | None,
    operator: str | None,
) -> None:
    """Erase people everywhere in the workspace (keeps only the pseudonymous proof of an opt-out)."""
    wanted = list(numbers)
    if file is not None:
        try:
            wanted += numbers_from_file(file.read_text(encoding="utf-8-sig"))
        except OSError as exc:
            raise UsageError(f"{file}: cannot read: {exc.strerror}") from None
    if not wanted:
        raise UsageError(
            "name at least one number, or --file FILE", hint="wagate privacy forget +4915112345678"
        )
    report = forget(obj.settings, wanted, default_region=region, reason=reason, operator=operator)
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), indent=1))
        return
    click.echo(
        f"forgot {len(report.contact_keys)} person(s) ({report.found_in_warehouse} found in the warehouse): "
        f"{len(report.files.landing)} landing/send-log file(s) rewritten, "
        f"{report.files.records_removed} record(s) removed, {len(report.files.ledgers)} ledger(s), "
        f"{len(report.exports_rewritten)} export(s), {len(report.files.other)} other file(s) scrubbed"
    )


@privacy.command("export")
@click.argument("number")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None, help="Write to FILE."
)
@_REGION
@click.pass_obj
def export_command(obj: Context, number: str, output: Path | None, region: str | None) -> None:
    """Everything held about one person, as JSON (access request, GDPR Art. 15)."""
    data = access_export(obj.settings, number, default_region=region)
    text = write_json(data, output)
    if output is None:
        click.echo(text, nl=False)
    else:
        click.echo(f"wrote {output} ({len(data['tables'])} table(s))", err=True)


@privacy.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would go; change nothing.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_OPERATOR
@click.pass_obj
def purge_command(obj: Context, dry_run: bool, fmt: str, operator: str | None) -> None:
    """Apply the [retention] periods: delete old ingested files, clear old raw bodies and texts."""
    report = purge(obj.settings, dry_run=dry_run, operator=operator)
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), indent=1))
        return
    verb = "would remove" if dry_run else "removed"
    click.echo(
        f"{verb}: {report.landing_files} landing file(s), {report.send_log_files} send-log file(s), "
        f"{report.raw_bodies} raw bod(ies), {report.inbound_texts} inbound text(s), "
        f"{report.trigger_records} trigger journal record(s)"
    )
