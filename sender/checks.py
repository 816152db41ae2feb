"""The checks just before each message: suppression, pause flags, quiet hours, frequency caps.

The lint judged the plan at one moment; a campaign runs for minutes or days. Just before each
API call the sending loop asks :meth:`PreSendChecks.check`, in this order:

1. **pause** - a pause flag (``core.pauses``) for the campaign, the template or the sending
   number: ``defer`` with code ``paused`` and no ``until``. A pause stops the whole campaign;
   the loop stops on it (it stays until a person lifts the flag).
2. **suppression** - an opt-out that arrived after the lint and covers the message's category:
   ``skip`` with code ``suppressed``. The list is loaded once and again whenever the warehouse
   publishes a new snapshot (looked for at most every ``[send] suppression_refresh_seconds``).
3. **quiet hours** - the recipient's windows at the actual send time, in every candidate zone:
   ``defer`` with code ``quiet-hours`` until the first moment all of them allow.
4. **frequency caps** - the linter's caps (``lint.frequency``) over the recipient's sends in
   the warehouse plus those of this run (:meth:`PreSendChecks.record_sent`): ``skip`` with the
   cap's rule code.

The loop may call ``check`` a thousand times a second: everything per message is a dictionary
look-up or a few time-zone conversions; files are looked at on a timer, not per message.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl

from core.config import Settings
from core.errors import WarehouseError
from core.pauses import Pause, is_paused
from core.warehouse import snapshot_path
from lint.config import LintConfig, load_lint_config
from lint.frequency import Cap, breached, send_time_caps
from lint.history import History
from lint.packs import load_packs
from lint.rules._quiet import zone
from sender.model import Campaign, Message, Verdict
from sender.quiet import next_allowed
from sender.suppressions import covers, suppression_id, workspace_history

LOG = logging.getLogger(__name__)
PAUSE_CHECK_SECONDS = 0.5
_SAME_SEND = timedelta(seconds=2)  # a send of this run that the warehouse already holds
_Stamp = tuple[tuple[str, int, int, int], ...]


@dataclass(frozen=True, slots=True)
class _Sent:
    at: datetime
    category: str
    template: str


class PreSendChecks:
    """Per-message checks for one campaign; cheap enough for the loop's hot path."""

    def __init__(
        self,
        settings: Settings,
        campaign: Campaign,
        *,
        history: History | None = None,
        clock: Callable[[], float] = time.monotonic,
        config: LintConfig | None = None,
        refresh_seconds: float | None = None,
        now: datetime | None = None,
    ) -> None:
        self._workspace = settings.workspace
        self._campaign = campaign
        self._clock = clock
        self._config = config if config is not None else load_lint_config(settings.workspace)
        self._given = history
        self._settings = settings
        self._refresh = (
            settings.send.suppression_refresh_seconds if refresh_seconds is None else refresh_seconds
        )
        self._watched = _watched_files(settings, self._config)
        self._numbers = pl.Series("e164", sorted({m.to for m in campaign.messages}), dtype=pl.String)
        self._caps = send_time_caps(self._config)
        self._windows = load_packs().windows
        self._blocked: dict[str, list[tuple[str | None, str]]] = {}
        self._history_sends: dict[str, list[_Sent]] = {}
        self._run_sends: dict[str, list[_Sent]] = {}
        self._pauses: dict[str, tuple[float, Pause | None]] = {}
        self._quiet: dict[tuple[tuple[str, ...], tuple[str, ...], int], datetime | None] = {}
        self._stamp: _Stamp = ()
        self._looked_at = clock()
        # the send time the history window is measured from: the latest check's, else the start
        self._now = now if now is not None else datetime.now(UTC)
        self.reloads = 0  # how many times the suppression list and history were (re)loaded
        self._load()

    # -- the hot path ----------------------------------------------------------------------
    def check(self, message: Message, now: datetime) -> Verdict:
        """The verdict for sending ``message`` at ``now`` (an aware datetime)."""
        self._now = now
        self.refresh()
        pause = self._paused(message.template)
        if pause is not None:
            reason = f"{pause.kind} {pause.name} is paused ({pause.reason or 'no reason given'}); lift it with `wagate alerts unpause`"
            return Verdict("defer", reason=reason, code="paused", until=None)
        for scope, _ in self._blocked.get(message.to, ()):
            if covers(scope, message.category):
                return Verdict(
                    "skip",
                    reason=f"opted out (scope {scope or 'all'}) after the lint",
                    code="suppressed",
                )
        if message.quiet_windows and message.time_zones:
            verdict = self._quiet_hours(message, now)
            if verdict is not None:
                return verdict
        cap = self._capped(message, now)
        if cap is not None:
            return Verdict("skip", reason=f"frequency cap: at most {cap.message}", code=cap.code)
        return Verdict.send()

    def record_sent(self, message: Message, at: datetime) -> None:
        """Count a message this run sent (accepted or held) towards the recipient's caps."""
        self._run_sends.setdefault(message.to, []).append(_Sent(at, message.category, message.template))

    # -- reloading -------------------------------------------------------------------------
    def refresh(self, *, force: bool = False) -> bool:
        """Reload the suppression list and send history if a newer snapshot was published.

        Looks at the files at most every ``refresh_seconds`` unless ``force``; True if it reloaded.
        """
        now = self._clock()
        if not force and now - self._looked_at < self._refresh:
            return False
        self._looked_at = now
        if _stamp(self._watched) == self._stamp:
            return False
        try:
            self._load()
        except WarehouseError as exc:
            # a busy or half-written warehouse must not stop a running campaign: keep the list
            # read last time and try again at the next look (the stamp was not updated)
            LOG.warning("suppression list not reloaded, keeping the previous one: %s", exc)
            return False
        return True

    def _load(self) -> None:
        stamp = _stamp(self._watched)
        history = self._given if self._given is not None else workspace_history(self._settings, self._config)
        known = self._campaign.known_suppressions
        blocked: dict[str, list[tuple[str | None, str]]] = {}
        frame = history.suppressed(self._numbers)
        for e164, at, scope, reason in frame.select("e164", "suppressed_at", "scope", "reason").iter_rows():
            entry = suppression_id(e164, at, scope, reason)
            if e164 is not None and entry not in known:
                blocked.setdefault(e164, []).append((scope, entry))
        sends = self._load_sends(history)
        self._blocked, self._history_sends, self._stamp = blocked, sends, stamp
        self.reloads += 1

    def _load_sends(self, history: History) -> dict[str, list[_Sent]]:
        if not self._caps or self._numbers.is_empty():
            return {}
        longest = max(cap.window for cap in self._caps)
        since = self._now - longest - timedelta(days=1)
        sends: dict[str, list[_Sent]] = {}
        frame = history.sends(self._numbers, since)
        for e164, at, category, template in frame.select(
            "e164", "sent_at", "category", "template"
        ).iter_rows():
            if e164 is not None and at is not None:
                sends.setdefault(e164, []).append(_Sent(at, (category or "").lower(), template or ""))
        return sends

    # -- the checks ------------------------------------------------------------------------
    def _paused(self, template: str) -> Pause | None:
        now = self._clock()
        cached = self._pauses.get(template)
        if cached is not None and now - cached[0] < PAUSE_CHECK_SECONDS:
            return cached[1]
        found = is_paused(
            self._workspace,
            campaign=self._campaign.name,
            template=template,
            phone_number_id=self._campaign.phone_number_id,
        )
        self._pauses[template] = (now, found)
        return found

    def _quiet_hours(self, message: Message, now: datetime) -> Verdict | None:
        # window openings fall on whole local minutes, so the answer holds for a whole UTC minute
        minute = int(now.timestamp() // 60)
        key = (message.time_zones, message.quiet_windows, minute)
        if key not in self._quiet:
            if len(self._quiet) > 100_000:
                self._quiet.clear()
            self._quiet[key] = next_allowed(
                [self._windows[k] for k in message.quiet_windows if k in self._windows],
                [z for z in (zone(name) for name in message.time_zones) if z is not None],
                now.replace(second=0, microsecond=0),
            )
        until = self._quiet[key]
        if until is None:
            return Verdict(
                "skip",
                reason="no time in the coming week is inside the recipient's quiet-hour windows in all its zones",
                code="quiet-hours",
            )
        if until <= now:
            return None
        windows = ", ".join(message.quiet_windows)
        return Verdict(
            "defer",
            reason=f"quiet hours ({windows}) in the recipient's zone; allowed from {until.isoformat()}",
            code="quiet-hours",
            until=until,
        )

    def _capped(self, message: Message, now: datetime) -> Cap | None:
        if not self._caps:
            return None
        earlier = _merged(self._history_sends.get(message.to, ()), self._run_sends.get(message.to, ()))
        region = message.subdivision or message.region
        for cap in self._caps:
            previous = [s.at for s in earlier if cap.category is None or s.category == cap.category]
            found = breached((cap,), region, message.category, previous, now)
            if found is not None:
                return found
        return None


def _merged(history: Sequence[_Sent], run: Sequence[_Sent]) -> list[_Sent]:
    """The recipient's sends: the warehouse's, plus this run's that the warehouse does not hold yet.

    A send of this run reaches the warehouse once its send log is ingested; the same template at
    the same recipient within two seconds is that send, not a second one (the pair rate alone
    keeps two real sends six seconds apart).
    """
    if not run:
        return list(history)
    out = list(history)
    for sent in run:
        if not any(h.template == sent.template and abs(h.at - sent.at) <= _SAME_SEND for h in history):
            out.append(sent)
    return out


def _watched_files(settings: Settings, config: LintConfig) -> tuple[Path, ...]:
    """Files whose change means the suppression list may have changed."""
    warehouse = settings.warehouse_path
    files = [snapshot_path(warehouse), warehouse]
    if config.suppression is not None:
        files.append(config.suppression)
    return tuple(files)


def _stamp(paths: Sequence[Path]) -> _Stamp:
    out = []
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            continue
        out.append((str(path), stat.st_mtime_ns, stat.st_ino, stat.st_size))
    return tuple(out)
