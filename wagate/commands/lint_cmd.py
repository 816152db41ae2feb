"""`wagate lint`, `wagate rules` and `wagate explain CODE`: the pre-send compliance check."""

from __future__ import annotations

import hashlib
import io
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, cast

import click

from core.audit import files_sha256
from core.config import Settings
from core.errors import InputError, UsageError
from core.pauses import active_template_pauses
from lint import LintReport, LintRequest, lint, load_lint_config
from lint.audience import write_audience
from lint.docs import explain, rules_table
from lint.formats import FORMATS, LANGUAGES, write_report
from lint.history import History
from wagate.commands.audit_cmd import record_lint_run


def _warehouse_history(settings: Settings) -> History | None:
    """The workspace's suppression list and send history, when it has a warehouse."""
    if not settings.warehouse_path.exists():
        return None
    # imported here: DuckDB is only loaded for a workspace that has a warehouse
    from core.history import WarehouseHistory

    return WarehouseHistory(settings)


def _send_time(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"--at {text!r} is not an ISO-8601 time", hint="e.g. 2025-06-02T10:00+08:00"
        ) from None
    if moment.tzinfo is None:
        raise UsageError(f"--at {text!r} has no UTC offset", hint="e.g. 2025-06-02T10:00+08:00 or ...Z")
    return moment


@click.command("lint")
@click.argument("drafts", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--contacts", type=click.Path(path_type=Path, dir_okay=False), help="Contact list (CSV or XLSX)."
)
@click.option(
    "--consent", type=click.Path(path_type=Path, dir_okay=False), help="Consent events file (CSV or XLSX)."
)
@click.option(
    "--plan", type=click.Path(path_type=Path, dir_okay=False), help="Campaign plan (campaign.toml)."
)
@click.option(
    "--at",
    "at_text",
    metavar="ISO-TIME",
    help="Planned send time with offset (default: the plan's, else now).",
)
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="text", show_default=True)
@click.option(
    "--lang",
    type=click.Choice(list(LANGUAGES)),
    default="en",
    show_default=True,
    help="HTML report language.",
)
@click.option(
    "--select", multiple=True, metavar="SELECTOR", help="Only these codes, prefixes, names or groups."
)
@click.option(
    "--ignore", multiple=True, metavar="SELECTOR", help="Skip these codes, prefixes, names or groups."
)
@click.option("--waivers", type=click.Path(path_type=Path, dir_okay=False), help="Waivers file (TOML).")
@click.option(
    "--suppression", type=click.Path(path_type=Path, dir_okay=False), help="Suppression list (CSV/XLSX)."
)
@click.option("--send-log", type=click.Path(path_type=Path, dir_okay=False), help="Send history (CSV/JSONL).")
@click.option("--default-region", metavar="XX", help="Region of numbers typed without a country code.")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write the report to a file."
)
@click.option(
    "--write-audience",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the passing contacts here, and the excluded ones to <name>.excluded.csv.",
)
@click.pass_context
def lint_command(
    ctx: click.Context,
    drafts: tuple[Path, ...],
    contacts: Path | None,
    consent: Path | None,
    plan: Path | None,
    at_text: str | None,
    fmt: str,
    lang: str,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    waivers: Path | None,
    suppression: Path | None,
    send_log: Path | None,
    default_region: str | None,
    output: Path | None,
    write_audience: Path | None,
) -> None:
    """Check drafts, contacts, consent and a plan before anything is sent (exit 0 clean, 1 errors, 2 bad input)."""
    # the settings the CLI built once (workspace option, WAGATE_WORKSPACE, ./data)
    settings: Settings = ctx.obj.settings
    workspace = settings.workspace
    paused = tuple(pause.name for pause in active_template_pauses(workspace)) or None
    config = load_lint_config(workspace).updated(
        default_region=default_region, suppression=suppression, send_log=send_log, paused_templates=paused
    )
    request = LintRequest(
        drafts=drafts,
        contacts=contacts,
        consent=consent,
        plan=plan,
        at=_send_time(at_text),
        config=config,
        select=select,
        ignore=ignore,
        waivers=waivers,
        history=_warehouse_history(settings) if suppression is None and send_log is None else None,
    )
    # the inputs' hashes for the audit log are read on a second thread while the lint runs
    with ThreadPoolExecutor(1, thread_name_prefix="audit-hash") as pool:
        hashes = pool.submit(files_sha256, (*drafts, contacts, consent, plan, waivers))
        report = lint(request)
    if output is not None:
        try:
            with output.open("wb") as stream:
                digest = _write_hashed(report, fmt, lang, stream)
        except OSError as exc:
            raise InputError(f"{output}: cannot write the report: {exc.strerror}") from None
    else:
        sys.stdout.flush()
        digest = _write_hashed(report, fmt, lang, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    record_lint_run(settings, report, hashes.result(), fmt, digest)
    if write_audience is not None:
        files = _write_audience_files(report, write_audience)
        click.echo(files, err=True)
    if report.exit_code:
        # wagate.cli.main runs click with standalone_mode=False and drops the code that
        # ctx.exit() returns, so the "errors found" status leaves as SystemExit (not an error)
        raise SystemExit(report.exit_code)


def _write_hashed(report: LintReport, fmt: str, lang: str, stream: BinaryIO) -> str:
    """Write the report and return the sha256 of the bytes written (the audit log's report hash).

    Hashing on the way out costs nothing extra; rendering a million-contact report a second
    time just to hash it would double the run's output work and memory.
    """
    with _HashingWriter(stream) as hashing:
        write_report(report, fmt, lang, cast(BinaryIO, hashing))
    return hashing.hexdigest()


class _HashingWriter(io.RawIOBase):
    """Passes bytes through to a stream and hashes them on a second thread, in order.

    sha256 releases the GIL, so the hash of a 300 MB report is computed while it is written
    instead of after each piece.
    """

    def __init__(self, inner: BinaryIO) -> None:
        super().__init__()
        self.inner = inner
        self._digest = hashlib.sha256()
        self._hasher = ThreadPoolExecutor(1, thread_name_prefix="report-hash")  # one thread: in order

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        # a writable buffer may be reused by the caller once write() returns: hash a copy of it
        self._hasher.submit(self._digest.update, view if view.readonly else bytes(view))
        self.inner.write(view)
        return len(view)

    def close(self) -> None:
        self._hasher.shutdown(wait=True)
        super().close()

    def hexdigest(self) -> str:
        """The sha256 of everything written (waits for the hashing thread)."""
        self._hasher.shutdown(wait=True)
        return self._digest.hexdigest()


def _write_audience_files(report: LintReport, path: Path) -> str:
    files = write_audience(report, path)
    note = (
        f"wrote {files.passing} passing contacts to {files.audience} and {files.excluded_count} excluded "
        f"to {files.excluded}"
    )
    if report.findings.filter(
        (report.findings["kind"] != "contact") & (report.findings["severity"] == "error")
    ).height:
        note += "; draft or plan errors still block the whole campaign"
    return note


@click.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules_command(fmt: str) -> None:
    """List every lint rule: code, name, severity, what it applies to, summary."""
    table = rules_table()
    if fmt == "json":
        keys = ("code", "name", "severity", "applies_to", "summary")
        click.echo(
            json.dumps([dict(zip(keys, row, strict=True)) for row in table], ensure_ascii=False, indent=2)
        )
        return
    for code, name, severity, applies_to, summary in table:
        click.echo(f"{code}  {name:<28} {severity:<8} {applies_to:<14} {summary}")


@click.command("explain")
@click.argument("code")
def explain_command(code: str) -> None:
    """Print the documentation of one rule (e.g. `wagate explain C001`)."""
    click.echo(explain(code), nl=False)
