"""`wagate ingest`: load webhook receipts, landing files, send logs and CSV exports."""

from __future__ import annotations

import json
from pathlib import Path

import click

from pipelines.run import ingest as run_ingest
from wagate.context import Context


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def ingest(obj: Context, paths: tuple[Path, ...], fmt: str) -> None:
    """Load PATHS (files or folders; default: the workspace's landing zone) into the warehouse.

    Kinds are detected per file: WhatsApp webhook bodies (.json, .ndjson, .jsonl, optionally .gz),
    the receiver's landing files, send logs (JSON lines or CSV) and CSV exports matched by
    [[ingest.csv_mappings]]. Bad records are quarantined with their reason, never dropped.
    """
    settings = obj.settings
    report = run_ingest(settings, list(paths))
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
    else:
        for line in report.summary_lines():
            click.echo(line)
