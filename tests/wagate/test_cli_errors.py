"""Bad command lines and bad paths get one clear line and exit 2; nothing prints a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CliResult


def assert_one_line_error(result: CliResult, *fragments: str) -> None:
    assert result.code == 2, result
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) <= 3, result.stderr  # click's usage errors add a usage line and a hint
    for fragment in fragments:
        assert fragment in result.stderr


def test_missing_path(wagate_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert_one_line_error(
        wagate_cli("ingest", str(tmp_path / "nope.ndjson")), "nope.ndjson: no such file or folder"
    )


def test_unsupported_file(wagate_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "notes.txt").write_text("hello")
    assert_one_line_error(wagate_cli("ingest", str(tmp_path / "notes.txt")), "unsupported file type")


def test_nothing_to_ingest_without_landing_zone(wagate_cli) -> None:  # type: ignore[no-untyped-def]
    assert_one_line_error(wagate_cli("ingest"), "nothing to ingest")


def test_metrics_before_any_ingest(wagate_cli) -> None:  # type: ignore[no-untyped-def]
    assert_one_line_error(wagate_cli("metrics"), "no warehouse at", "wagate ingest")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("metrics", "--by", "planet"), "Invalid value for '--by'"),
        (("metrics", "--from", "2026-13-01"), "Invalid value for '--from'"),
        (("metrics", "--format", "xml"), "Invalid value for '--format'"),
        (("ingest", "--format", "yaml"), "Invalid value for '--format'"),
        (("frobnicate",), "No such command"),
    ],
)
def test_usage_errors(wagate_cli, args: tuple[str, ...], fragment: str) -> None:  # type: ignore[no-untyped-def]
    assert_one_line_error(wagate_cli(*args), fragment)


def test_bad_workspace_config(wagate_cli, workspace: Path) -> None:  # type: ignore[no-untyped-def]
    (workspace / "wagate.toml").write_text("[metrics]\nattribution_window_hours = 'soon'\n")
    assert_one_line_error(
        wagate_cli("ingest", str(workspace)), "invalid setting metrics.attribution_window_hours"
    )


def test_bad_environment_setting(wagate_cli, workspace: Path) -> None:  # type: ignore[no-untyped-def]
    import os

    env = {**os.environ, "WAGATE_METRICS__REPORTING_TIMEZONE": "Mars/Olympus"}
    assert_one_line_error(wagate_cli("metrics", env=env), "unknown time zone")


def test_ingest_then_metrics_in_every_format(wagate_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import json

    from tests.pipelines.bodies import send_row, status, write_lines

    write_lines(tmp_path / "in" / "hooks.ndjson", [status("wamid.1", "read", 1_760_000_000, "4915123456789")])
    write_lines(
        tmp_path / "in" / "send.jsonl", [send_row("wamid.1", "+4915123456789", "2025-10-09T08:00:00+00:00")]
    )
    assert wagate_cli("ingest", str(tmp_path / "in")).code == 0
    as_json = json.loads(wagate_cli("metrics", "--by", "country", "--format", "json").stdout)
    assert as_json[0]["country"] == "DE" and as_json[0]["read_rate"] == 1.0
    as_csv = wagate_cli("metrics", "--by", "day", "--format", "csv").stdout.splitlines()
    assert as_csv[0].startswith("day,attempted,accepted") and as_csv[1].startswith("2025-10-09,1,1")
    table = wagate_cli("metrics").stdout
    assert "promo" in table and "delivery_rate" in table


def test_metrics_read_the_published_snapshot_while_a_writer_holds_the_warehouse(
    wagate_cli, tmp_path: Path, workspace: Path
) -> None:  # type: ignore[no-untyped-def]
    import json

    from core.warehouse import Warehouse
    from tests.pipelines.bodies import send_row, status, write_lines

    write_lines(
        tmp_path / "in" / "hooks.ndjson", [status("wamid.1", "delivered", 1_760_000_000, "4915123456789")]
    )
    write_lines(
        tmp_path / "in" / "send.jsonl", [send_row("wamid.1", "+4915123456789", "2025-10-09T08:00:00+00:00")]
    )
    assert wagate_cli("ingest", str(tmp_path / "in")).code == 0
    assert (workspace / "warehouse.snapshot.duckdb").exists()
    with Warehouse.open_writer(workspace / "warehouse.duckdb"):  # a load in progress holds the file
        result = wagate_cli("metrics", "--format", "json")
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)[0]["delivered"] == 1
