"""`wagate send CAMPAIGN.toml`: lint, then send an approved template to the plan's audience."""

from __future__ import annotations

import asyncio
import io
import json
import signal
import sys
from datetime import timedelta
from pathlib import Path

import click

from core.config import Settings
from core.phones import mask, mask_numbers_in
from lint.formats import write_report
from sender import dryrun
from sender.checks import PreSendChecks
from sender.client import missing_token
from sender.gate import GateOutcome
from sender.model import Campaign, Exclusion
from sender.progress import SendProgress
from sender.run import (
    SendHistory,
    SendRequest,
    SendSummary,
    open_campaign,
    resume_status,
    send,
    with_overrides,
    workspace_history,
)
from sender.summary import summary_dict, summary_text
from sender.tally import Tally
from wagate.context import Context

EXCLUSIONS_SHOWN = 20


@click.command("send")
@click.argument("plan", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--dry-run", is_flag=True, help="Print who would get what and when, cost and duration; send nothing."
)
@click.option(
    "--accept-warnings", is_flag=True, help="Send although the linter found warnings (errors never pass)."
)
@click.option(
    "--resend-unknown",
    is_flag=True,
    help="Send again the messages whose outcome stayed unknown (a recipient may get one twice).",
)
@click.option(
    "--retry-rejected", is_flag=True, help="Try again the messages the API rejected in earlier runs."
)
@click.option(
    "--rate", type=float, metavar="N", help="Messages per second (1-1000; default [send] rate_per_second)."
)
@click.option("--concurrency", type=int, metavar="N", help="API requests in flight at most.")
@click.option(
    "--api-url", metavar="URL", help="Graph API base URL, e.g. http://127.0.0.1:8787 for the emulator."
)
@click.option(
    "--no-wait",
    is_flag=True,
    help="Leave deferred messages (quiet hours) for a later run instead of waiting.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def send_command(
    obj: Context,
    plan: Path,
    dry_run: bool,
    accept_warnings: bool,
    resend_unknown: bool,
    retry_rejected: bool,
    rate: float | None,
    concurrency: int | None,
    api_url: str | None,
    no_wait: bool,
    fmt: str,
) -> None:
    """Send the campaign in PLAN through the WhatsApp Cloud API, gated by the linter.

    Plan or draft errors refuse the whole campaign (exit 1, findings printed); contacts with
    errors are left out; warnings need --accept-warnings or a waiver. Running the same command
    again resumes: messages already accepted are never sent twice. The token comes from
    WAGATE_ACCESS_TOKEN. Exit 0 done, 1 refused or stopped early, 2 bad input, 130 interrupted.
    """
    request = SendRequest(
        plan=plan,
        accept_warnings=accept_warnings,
        resend_unknown=resend_unknown,
        retry_rejected=retry_rejected,
        rate=rate,
        concurrency=concurrency,
        api_url=api_url,
        wait=False if no_wait else None,
    )
    settings = with_overrides(obj.settings, request)
    if not dry_run and settings.secrets.access_token is None:
        raise missing_token()  # before the lint: no point judging a campaign that cannot be sent
    history = workspace_history(settings)
    gate, campaign = open_campaign(request, settings, history=history, dry_run=dry_run)
    if campaign is None:
        _refused(gate, fmt)
        raise SystemExit(1)
    if dry_run:
        _dry_run(request, settings, gate, campaign, history, fmt)
        return
    if fmt == "text":
        _print_exclusions(campaign.exclusions)
    summary = _send(request, settings, gate, campaign, history)
    if fmt == "json":
        document = summary_dict(summary)
        document["excluded_contacts"] = [_exclusion_dict(e) for e in campaign.exclusions]
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        click.echo(summary_text(summary), nl=False)
    if summary.stop is not None:
        click.echo(f"error: {summary.stop.message}", err=True)
    if summary.exit_code:
        raise SystemExit(summary.exit_code)


def _send(
    request: SendRequest,
    settings: Settings,
    gate: GateOutcome,
    campaign: Campaign,
    history: SendHistory | None,
) -> SendSummary:
    progress = SendProgress(
        sys.stderr, campaign=campaign.name, interval=settings.send.progress_interval_seconds
    )

    async def main() -> SendSummary:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()

        def interrupted() -> None:
            click.echo("stopping: finishing the calls in flight (Ctrl-C again to abandon them)", err=True)
            stop.set()
            # a second Ctrl-C falls back to the default handler and abandons the calls in
            # flight; their messages are then unknown, never lost
            loop.remove_signal_handler(signal.SIGINT)

        loop.add_signal_handler(signal.SIGINT, interrupted)
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        try:
            return await send(
                request, settings, gate, campaign, history=history, on_tick=tick, stop_event=stop
            )
        finally:
            loop.remove_signal_handler(signal.SIGINT)
            loop.remove_signal_handler(signal.SIGTERM)

    def tick(tally: Tally) -> None:
        progress.update(tally)

    with progress, _runner() as runner:
        summary = runner.run(main())
    progress.line(summary.tally)
    return summary


def _runner() -> asyncio.Runner:
    """An event loop for the send: uvloop when installed (less CPU per request), else asyncio's."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency except on Windows
        return asyncio.Runner()
    return asyncio.Runner(loop_factory=uvloop.new_event_loop)


def _refused(gate: GateOutcome, fmt: str) -> None:
    """Print the findings (as `wagate lint` does) and why the campaign is refused."""
    if fmt == "json":
        document = {
            "result": "refused",
            "refusal": gate.refusal,
            "lint": json.loads(_lint_bytes(gate, "json")),
        }
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(_lint_bytes(gate, "text"))
        sys.stdout.buffer.flush()
    click.echo(f"error: refused: {gate.refusal}", err=True)


def _lint_bytes(gate: GateOutcome, fmt: str) -> bytes:
    buffer = io.BytesIO()
    write_report(gate.report, fmt, "en", buffer)
    return buffer.getvalue()


def _dry_run(
    request: SendRequest,
    settings: Settings,
    gate: GateOutcome,
    campaign: Campaign,
    history: SendHistory | None,
    fmt: str,
) -> None:
    now = gate.report.at
    status = resume_status(settings, campaign.name)
    # a resumed campaign plans only what the next run would still send
    campaign = status.still_to_do(campaign, request)
    checks = PreSendChecks(settings, campaign, history=history, now=now)
    reach = history.reach(now - timedelta(hours=24)) if history is not None else None
    dry = dryrun.plan_summary(campaign, gate, checks, settings, now, reach=reach)
    if fmt == "json":
        document = dry.to_dict()
        document["ledger"] = {"path": str(status.path), "exists": status.exists, "counts": status.counts}
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    click.echo(dryrun.render_text(dry), nl=False)
    if status.exists:
        done = status.counts["accepted"] + status.counts["held"]
        counts = status.counts
        click.echo(
            f"Resume: the ledger {status.path} already has {done} accepted (never sent again; not planned "
            f"above), {counts['unknown']} unknown, {counts['rejected']} rejected."
        )


def _print_exclusions(exclusions: tuple[Exclusion, ...]) -> None:
    if not exclusions:
        return
    click.echo(f"excluded {len(exclusions)} contact{'s' if len(exclusions) != 1 else ''}:")
    for item in exclusions[:EXCLUSIONS_SHOWN]:
        to = mask(item.to) if item.to else "-"
        click.echo(f"  row {item.row:<6} {to:<16} {','.join(item.codes):<12} {mask_numbers_in(item.reason)}")
    if len(exclusions) > EXCLUSIONS_SHOWN:
        click.echo(f"  ... and {len(exclusions) - EXCLUSIONS_SHOWN} more (--dry-run --format json lists all)")
    click.echo("")


def _exclusion_dict(item: Exclusion) -> dict[str, object]:
    return {
        "row": item.row,
        "to": mask(item.to) if item.to else None,
        "codes": list(item.codes),
        "reason": mask_numbers_in(item.reason),
    }
