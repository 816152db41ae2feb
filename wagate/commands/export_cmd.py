"""`wagate export parquet DIR`."""

from __future__ import annotations

from pathlib import Path

import click

from core.warehouse import Warehouse
from pipelines.export import export_parquet
from wagate.context import Context


@click.group()
def export() -> None:
    """Export the warehouse for other engines."""


@export.command("parquet")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.pass_obj
def parquet(obj: Context, directory: Path) -> None:
    """Write the event tables as Hive-partitioned Parquet (day=YYYY-MM-DD) under DIRECTORY.

    The export holds phone numbers: treat it like the warehouse (retention, erasure).
    `wagate ingest DIRECTORY` reads it back without duplicates.
    """
    settings = obj.settings
    with Warehouse.open_snapshot(
        settings.warehouse_path, retry_seconds=settings.warehouse.read_retry_seconds
    ) as wh:
        report = export_parquet(wh, directory)
    for table, rows in report.tables.items():
        click.echo(f"{table:18} {rows:>10,} rows")
    click.echo(f"wrote {report.directory}")
