"""Send grouped notices to the configured channels; record, never raise.

Why not a notification library: Apprise (the best-kept one) covers Slack, email, DingTalk, WeCom
and Feishu, but builds each bot's URL from a token for the vendor's host (no self-hosted gateway,
no loopback test server), has no signed generic JSON webhook and no per-message delivery result
with our own retry policy. Each of these channels is one small POST (or one SMTP session), so
httpx and smtplib do it in a few lines we can test against real local servers.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

import httpx

from alerts.config import AlertsSettings, ChannelConfig
from alerts.messages import Message, Notice, render
from alerts.notify import http
from alerts.notify.base import Delivery, DeliveryError, with_retries
from alerts.notify.email import send_email

SEVERITY_RANK = {"info": 0, "warning": 1, "critical": 2}


@dataclass(frozen=True, slots=True)
class Sent:
    """One message on one channel: the notices it carried and how delivery went."""

    delivery: Delivery
    notices: tuple[Notice, ...]


def select(channel: ChannelConfig, notices: Sequence[Notice], send_resolved: bool) -> list[Notice]:
    """The notices a channel wants (severity, rule list, resolved notices)."""
    resolved_ok = send_resolved if channel.send_resolved is None else channel.send_resolved
    chosen = []
    for notice in notices:
        if SEVERITY_RANK.get(notice.record.severity, 0) < SEVERITY_RANK[channel.min_severity]:
            continue
        if channel.rules and notice.rule.name not in channel.rules:
            continue
        if notice.rule.channels and channel.name not in notice.rule.channels:
            continue
        if notice.kind == "resolved" and not resolved_ok:
            continue
        chosen.append(notice)
    return chosen


def dispatch(
    groups: Sequence[Sequence[Notice]],
    settings: AlertsSettings,
    env: Mapping[str, str],
    now: datetime,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Sent]:
    """Send every group to every channel that wants it, with retries; failures become results."""
    results: list[Sent] = []
    with httpx.Client(timeout=settings.timeout_seconds, follow_redirects=False) as client:
        for group in groups:
            for channel in settings.channels:
                chosen = select(channel, group, settings.send_resolved)
                if not chosen:
                    continue
                message = render(
                    chosen,
                    channel.language or settings.language,
                    title=settings.title,
                    link=settings.dashboard_url,
                )
                delivery = with_retries(
                    channel.name,
                    partial(_send, channel, message, chosen, client, settings, env, now),
                    attempts=settings.attempts,
                    backoff=settings.backoff_seconds,
                    sleep=sleep,
                )
                results.append(Sent(delivery, tuple(chosen)))
    return results


def _secret(name: str | None, env: Mapping[str, str], what: str) -> str | None:
    if not name:
        return None
    value = env.get(name)
    if not value:
        raise DeliveryError(f"environment variable {name} ({what}) is not set", retryable=False)
    return value


def _send(
    channel: ChannelConfig,
    message: Message,
    notices: Sequence[Notice],
    client: httpx.Client,
    settings: AlertsSettings,
    env: Mapping[str, str],
    now: datetime,
) -> None:
    if channel.type == "email":
        password = _secret(channel.password_env, env, "SMTP password")
        send_email(channel, message, password, settings.timeout_seconds)
        return
    url = channel.url or _secret(channel.url_env, env, "URL") or ""
    secret = _secret(channel.secret_env, env, "signing secret")
    stamp = int(now.timestamp())
    if channel.type == "slack":
        request = http.slack(url, message)
    elif channel.type == "webhook":
        request = http.webhook(url, payload(message, notices, now), secret or "", stamp)
    elif channel.type == "dingtalk":
        request = http.dingtalk(url, message, secret, stamp * 1000)
    elif channel.type == "wecom":
        request = http.wecom(url, message)
    else:
        request = http.feishu(url, message, secret, stamp)
    http.post(client, request)


def payload(message: Message, notices: Sequence[Notice], now: datetime) -> dict[str, Any]:
    """The generic webhook's JSON body (documented in docs/alerts.md)."""
    alerts = []
    for n in notices:
        r = n.record
        alerts.append(
            {
                "id": r.short_id,
                "fingerprint": r.fingerprint,
                "rule": r.rule,
                "metric": n.rule.metric,
                "state": n.kind,
                "severity": r.severity,
                "labels": dict(r.labels),
                "value": r.value,
                "threshold": r.threshold,
                "starts_at": r.fired_at.isoformat() if r.fired_at else None,
                "ends_at": r.resolved_at.isoformat() if n.kind == "resolved" and r.resolved_at else None,
                "acknowledged": r.acked_at is not None,
                "paused": r.paused,
                "detail": dict(r.detail),
            }
        )
    status = "firing" if any(n.kind == "firing" for n in notices) else "resolved"
    return {
        "version": 1,
        "source": "wagate",
        "status": status,
        "title": message.title,
        "text": message.text,
        "language": message.language,
        "sent_at": now.isoformat(),
        "alerts": alerts,
    }
