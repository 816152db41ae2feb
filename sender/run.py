"""`wagate send` without the command line: gate → campaign → ledger and resume → checks → loop.

:func:`open_campaign` runs the gate and builds the campaign (or says why it is refused);
:func:`send` resumes the campaign's ledger, settles unknown outcomes, and runs the loop;
:func:`resume_status` reads a ledger without taking it (for `--dry-run`).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import sqlite3
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal, Protocol

import polars as pl
from pydantic import ValidationError

from core import audit
from core.config import Settings
from core.errors import UsageError
from core.history import WarehouseHistory
from core.send_config import SendSettings
from core.warehouse import snapshot_path
from sender.campaign import build_campaign
from sender.checks import PreSendChecks
from sender.client import ClientOptions, CloudApiClient
from sender.gate import GateOutcome, input_files, open_gate
from sender.ledger import STATES, Ledger, ledger_path
from sender.loop import ApiClient, LoopOptions, LoopParts, send_campaign, todo_states
from sender.model import Campaign
from sender.pacing import ReachCounter
from sender.resume import Reconciled, reconcile
from sender.sendlog import SendLog, recover_open_logs
from sender.tally import Stop, Tally

Clock = Callable[[], datetime]
Result = Literal["completed", "stopped", "interrupted"]
DAY = timedelta(hours=24)


class SendHistory(Protocol):
    """What the sender reads from the warehouse (``core.history.WarehouseHistory``)."""

    def suppressed(self, numbers: pl.Series) -> pl.DataFrame:
        """Active suppression entries of these numbers."""
        ...

    def sends(self, numbers: pl.Series, since: datetime) -> pl.DataFrame:
        """Accepted sends to these numbers since then."""
        ...

    def reach(self, since: datetime) -> int:
        """Distinct recipients with an accepted or held send since then (all campaigns)."""
        ...

    def callbacks(self, keys: Sequence[str]) -> pl.DataFrame:
        """Statuses whose biz_opaque_callback_data is one of the keys: key, wamid, status, at."""
        ...


@dataclass(frozen=True, slots=True)
class SendRequest:
    """What the operator asked for (the `wagate send` options)."""

    plan: Path
    accept_warnings: bool = False
    resend_unknown: bool = False
    retry_rejected: bool = False
    rate: float | None = None
    concurrency: int | None = None
    api_url: str | None = None
    wait: bool | None = None  # None: [send] wait_for_deferred


@dataclass(frozen=True, slots=True)
class SendSummary:
    """How a run went, for the summary table and `--format json`."""

    campaign: str
    result: Result
    stop: Stop | None
    tally: Tally
    reconciled: Reconciled
    ledger: dict[str, int]  # messages per state over the whole campaign, after this run
    ledger_path: Path
    send_log: Path | None
    lint_report: str
    excluded: int
    elapsed: float
    api_url: str

    @property
    def exit_code(self) -> int:
        """0 completed, 1 stopped early, 130 interrupted."""
        return {"completed": 0, "stopped": 1, "interrupted": 130}[self.result]


def workspace_history(settings: Settings) -> WarehouseHistory | None:
    """The warehouse's history when the workspace has one (else the sender works without it)."""
    path = settings.warehouse_path
    return WarehouseHistory(settings) if path.exists() or snapshot_path(path).exists() else None


def send_log_root(settings: Settings) -> Path:
    """Where send logs go: ``[send] send_log_dir``, else ``<landing>/sendlogs``."""
    configured = settings.send.send_log_dir
    return settings.resolve(configured) if configured else settings.landing_path / "sendlogs"


def campaign_ledger_path(settings: Settings, campaign: str) -> Path:
    """The ledger file of a campaign in this workspace."""
    return ledger_path(settings.resolve(settings.send.ledger_dir), campaign)


def open_campaign(
    request: SendRequest,
    settings: Settings,
    *,
    now: datetime | None = None,
    history: SendHistory | None = None,
    dry_run: bool = False,
) -> tuple[GateOutcome, Campaign | None]:
    """Run the gate; build the campaign when it passes (None when refused)."""
    gate = open_gate(
        request.plan, settings, accept_warnings=request.accept_warnings, now=now, history=history
    )
    if gate.passing is None:
        return gate, None
    return gate, build_campaign(gate, settings, dry_run=dry_run)


def with_overrides(settings: Settings, request: SendRequest) -> Settings:
    """The settings with the command line's --rate, --concurrency, --api-url and --no-wait applied."""
    changes: dict[str, object] = {}
    if request.rate is not None:
        changes["rate_per_second"] = request.rate
    if request.concurrency is not None:
        changes["concurrency"] = request.concurrency
    if request.api_url is not None:
        changes["api_base_url"] = request.api_url
    if request.wait is not None:
        changes["wait_for_deferred"] = request.wait
    if not changes:
        return settings
    try:
        send = SendSettings.model_validate({**settings.send.model_dump(), **changes})
    except ValidationError as exc:
        first = exc.errors()[0]
        option = _OPTION_OF.get(str(first["loc"][0]), str(first["loc"][0]))
        raise UsageError(f"{option}: {first['msg']}") from None
    return settings.model_copy(update={"send": send})


_OPTION_OF = {
    "rate_per_second": "--rate",
    "concurrency": "--concurrency",
    "api_base_url": "--api-url",
    "wait_for_deferred": "--no-wait",
}


def loop_options(request: SendRequest, settings: Settings, campaign: Campaign) -> LoopOptions:
    """The loop's policy from the [send] settings (overrides applied) and the request."""
    send = settings.send
    return LoopOptions(
        phone_number_id=campaign.phone_number_id,
        rate=send.rate_per_second,
        concurrency=send.concurrency,
        pair_interval=send.pair_interval_seconds,
        max_attempts=send.max_attempts,
        backoff_base=send.backoff_base_seconds,
        backoff_cap=send.backoff_cap_seconds,
        wait_for_deferred=send.wait_for_deferred,
        max_wait=send.max_wait_seconds,
        resend_unknown=request.resend_unknown,
        retry_rejected=request.retry_rejected,
    )


def make_client(settings: Settings, campaign: Campaign) -> CloudApiClient:
    """The Cloud API client for this campaign (token from WAGATE_ACCESS_TOKEN)."""
    send = settings.send
    token = settings.secrets.access_token
    return CloudApiClient(
        ClientOptions(
            base_url=send.api_base_url,
            version=send.api_version,
            phone_number_id=campaign.phone_number_id,
            token=token.get_secret_value() if token is not None else "",
            concurrency=send.concurrency,
            connect_timeout=send.connect_timeout_seconds,
            read_timeout=send.read_timeout_seconds,
            write_timeout=send.write_timeout_seconds,
            pool_timeout=send.pool_timeout_seconds,
        )
    )


async def send(
    request: SendRequest,
    settings: Settings,
    gate: GateOutcome,
    campaign: Campaign,
    *,
    history: SendHistory | None = None,
    clock: Clock | None = None,
    monotonic: Callable[[], float] = time.monotonic,
    client: ApiClient | None = None,
    on_tick: Callable[[Tally], None] | None = None,
    stop_event: asyncio.Event | None = None,
) -> SendSummary:
    """Resume the campaign's ledger, settle unknowns, send what is left; the ledger is held throughout.

    ``settings`` should already carry the request's overrides (:func:`with_overrides`).
    """
    assert gate.passing is not None  # open_campaign returns a campaign only for a passing gate
    clock = clock or (lambda: datetime.now(UTC))
    options = loop_options(request, settings, campaign)
    started = time.monotonic()
    root = send_log_root(settings)
    with Ledger(campaign_ledger_path(settings, campaign.name), sync=settings.send.ledger_sync) as ledger:
        run_id = uuid.uuid4().hex
        ledger.add_messages(campaign.messages, clock())
        ledger.start_run(run_id, gate.passing.digest, clock())
        recover_open_logs(root, campaign.name)
        log_file = SendLog(root, campaign.name, started=clock())
        own_client = client is None
        api = client or make_client(settings, campaign)
        try:
            reconciled = reconcile(
                campaign,
                ledger,
                send_log_root=root,
                send_log=log_file,
                receipts=history,
                phone_number_id=campaign.phone_number_id,
                clock=clock,
            )
            checks = PreSendChecks(settings, campaign, history=history, clock=monotonic, now=clock())
            parts = LoopParts(
                client=api,
                checks=checks,
                ledger=ledger,
                send_log=log_file,
                reach=_reach(settings, campaign, ledger, history, clock()),
                clock=clock,
                on_tick=on_tick,
            )
            result = await send_campaign(campaign, gate.passing, parts, options, stop_event=stop_event)
        finally:
            if own_client and isinstance(api, CloudApiClient):
                await api.aclose()
            log_file.close()
        outcome: Result = "completed" if result.stop is None else "stopped"
        if result.stop is not None and result.stop.kind == "interrupted":
            outcome = "interrupted"
        ledger.end_run(
            run_id, outcome if result.stop is None else f"{outcome}: {result.stop.message}", clock()
        )
        counts = ledger.counts()
    summary = SendSummary(
        campaign=campaign.name,
        result=outcome,
        stop=result.stop,
        tally=result.tally,
        reconciled=reconciled,
        ledger=counts,
        ledger_path=ledger.path,
        send_log=log_file.path,
        lint_report=gate.passing.digest,
        excluded=len(campaign.exclusions),
        elapsed=time.monotonic() - started,
        api_url=api.url,
    )
    audit.record_send(  # the audit trail, and what the evidence pack needs (docs/privacy.md)
        settings,
        report_hash=summary.lint_report,
        report_json=gate.report_json,
        inputs=input_files(gate.plan, gate.config),  # the files the report hash covers
        warnings_accepted=gate.passing.warnings_accepted,
        campaign=summary.campaign,
        result=summary.result,
        ledger=summary.ledger,
        excluded=summary.excluded,
        send_log=str(summary.send_log or ""),
        api_url=summary.api_url,
    )
    return summary


def _reach(
    settings: Settings, campaign: Campaign, ledger: Ledger, history: SendHistory | None, now: datetime
) -> ReachCounter:
    """Recipients already counted in the rolling 24 h: the warehouse's (all campaigns) plus this
    campaign's recent sends that the warehouse does not hold yet (not ingested)."""
    limit = settings.send.reach_limit
    if limit is None:
        return ReachCounter(None, 0)
    since = now - DAY
    ours = ledger.recent_recipients(since)
    if history is None:
        return ReachCounter(limit, len(ours), ours)
    numbers = pl.Series("e164", sorted({m.to for m in campaign.messages} | ours), dtype=pl.String)
    in_warehouse = set(history.sends(numbers, since)["e164"].to_list())
    base = history.reach(since) + len(ours - in_warehouse)
    return ReachCounter(limit, base, ours | in_warehouse)


@dataclass(frozen=True, slots=True)
class ResumeStatus:
    """A campaign ledger read without taking the campaign (dry run)."""

    path: Path
    exists: bool
    states: dict[str, str]  # message key -> state

    @property
    def counts(self) -> dict[str, int]:
        """Messages per state (every state present)."""
        found = Counter(self.states.values())
        return {state: found.get(state, 0) for state in STATES}

    def still_to_do(self, campaign: Campaign, request: SendRequest) -> Campaign:
        """The campaign with only the messages a run with this request would consider."""
        wanted = todo_states(resend_unknown=request.resend_unknown, retry_rejected=request.retry_rejected)
        todo = tuple(m for m in campaign.messages if self.states.get(m.key, "pending") in wanted)
        return dataclasses.replace(campaign, messages=todo)


def resume_status(settings: Settings, campaign: str) -> ResumeStatus:
    """The state of every message in the campaign's ledger (empty when there is none yet)."""
    path = campaign_ledger_path(settings, campaign)
    if not path.exists():
        return ResumeStatus(path, False, {})
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        rows = db.execute("SELECT key, state FROM messages").fetchall()
    # a run killed between call and record left "intent": the next run will treat it as unknown
    return ResumeStatus(path, True, {key: "unknown" if state == "intent" else state for key, state in rows})
