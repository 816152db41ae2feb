"""Every channel against a real local server: payloads, signatures, retries and failures."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from typing import Any

from alerts.config import AlertsSettings, ChannelConfig
from alerts.messages import Notice
from alerts.model import AlertRecord, make_labels
from alerts.notify import Sent, dispatch
from alerts.rules import DEFAULT_RULES, build_rule
from tests.alerts.servers import free_port, http_endpoint, smtp_server

NOW = datetime(2026, 10, 9, 16, 0, tzinfo=UTC)
RULE = build_rule(next(r for r in DEFAULT_RULES if r.name == "complaint_rate_by_campaign"))
RECORD = AlertRecord(
    fingerprint="674c25cd5b0011aa",
    rule=RULE.name,
    labels=make_labels({"campaign": "双十一大促"}),
    state="firing",
    severity="critical",
    episode=1,
    pending_since=NOW - timedelta(hours=1),
    fired_at=NOW,
    paused=True,
    value=0.08,
    threshold=0.025693,
    detail={"n": 600, "x": 48, "baseline": {"scope": "all", "n": 1050, "x": 5, "rate": 0.004762}},
)
FIRING = Notice(RECORD, RULE, "firing")


def send(
    *channels: dict[str, Any], env: dict[str, str] | None = None, **settings: Any
) -> tuple[list[Sent], list[float]]:
    waits: list[float] = []
    config = AlertsSettings(channels=tuple(ChannelConfig.model_validate(c) for c in channels), **settings)
    return dispatch([[FIRING]], config, env or {}, NOW, sleep=waits.append), waits


def test_slack_compatible_webhook_gets_the_text() -> None:
    with http_endpoint((200, "ok")) as hook:
        [sent], _ = send({"name": "slack", "type": "slack", "url": f"{hook.url}/services/T/B/X"})
    assert sent.delivery.ok and sent.delivery.attempts == 1
    [request] = hook.received
    assert request.path == "/services/T/B/X"
    text = request.json()["text"]
    assert text.startswith("*[wagate] FIRING 1 · Complaint rate*")
    assert "campaign=双十一大促: 8.00% (threshold 2.57%, 48/600 delivered, baseline 0.48%" in text
    assert "id 674c25cd5b" in text and "sending paused" in text


def test_generic_webhook_is_signed_with_hmac_sha256() -> None:
    secret = "s3cret-for-test"
    with http_endpoint() as hook:
        [sent], _ = send(
            {"name": "hook", "type": "webhook", "url": f"{hook.url}/wagate", "secret_env": "HOOK_SECRET"},
            env={"HOOK_SECRET": secret},
        )
    assert sent.delivery.ok
    [request] = hook.received
    stamp = request.headers["X-Wagate-Timestamp"]
    assert stamp == str(int(NOW.timestamp()))
    expected = hmac.new(secret.encode(), f"{stamp}.".encode() + request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Wagate-Signature"] == f"sha256={expected}"
    payload = request.json()
    assert payload["status"] == "firing" and payload["version"] == 1
    [alert] = payload["alerts"]
    assert {k: alert[k] for k in ("rule", "state", "labels", "value", "threshold", "paused")} == {
        "rule": "complaint_rate_by_campaign",
        "state": "firing",
        "labels": {"campaign": "双十一大促"},
        "value": 0.08,
        "threshold": 0.025693,
        "paused": True,
    }


def test_dingtalk_markdown_in_chinese_with_signed_url() -> None:
    secret = "SECdingtalk"
    with http_endpoint((200, '{"errcode":0,"errmsg":"ok"}')) as bot:
        [sent], _ = send(
            {
                "name": "dt",
                "type": "dingtalk",
                "url_env": "DT_URL",
                "secret_env": "DT_SECRET",
                "language": "zh",
            },
            env={"DT_URL": f"{bot.url}/robot/send?access_token=abc", "DT_SECRET": secret},
        )
    assert sent.delivery.ok
    [request] = bot.received
    stamp = request.query["timestamp"]
    assert stamp == str(int(NOW.timestamp()) * 1000) and request.query["access_token"] == "abc"
    digest = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
    assert request.query["sign"] == base64.b64encode(digest).decode()
    body = request.json()
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == "[wagate] 触发中 1 · 投诉率"
    assert "营销活动=双十一大促：8.00%（阈值 2.57%，48/600 已送达" in body["markdown"]["text"]
    assert "已暂停发送" in body["markdown"]["text"]


def test_wecom_markdown_and_a_bot_error_fails_without_retry() -> None:
    with http_endpoint((200, '{"errcode":93000,"errmsg":"invalid webhook url"}')) as bot:
        [sent], waits = send(
            {"name": "wc", "type": "wecom", "url": f"{bot.url}/cgi-bin/webhook/send?key=k", "language": "zh"}
        )
    assert not sent.delivery.ok and sent.delivery.attempts == 1 and waits == []
    assert sent.delivery.error == "bot error 93000: invalid webhook url"
    body = bot.received[0].json()
    assert body["msgtype"] == "markdown" and body["markdown"]["content"].startswith(
        "### [wagate] 触发中 1 · 投诉率"
    )


def test_feishu_text_with_signature_in_the_body() -> None:
    secret = "feishu-secret"
    with http_endpoint((200, '{"code":0,"msg":"success"}')) as bot:
        [sent], _ = send(
            {
                "name": "fs",
                "type": "feishu",
                "url": f"{bot.url}/open-apis/bot/v2/hook/t",
                "secret_env": "FS",
                "language": "both",
            },
            env={"FS": secret},
        )
    assert sent.delivery.ok
    body = bot.received[0].json()
    assert body["timestamp"] == str(int(NOW.timestamp()))
    key = f"{body['timestamp']}\n{secret}".encode()
    assert body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    text = body["content"]["text"]
    assert text.index("投诉率") < text.index("Complaint rate")  # both languages, Chinese first


def test_server_errors_are_retried_with_doubling_backoff() -> None:
    with http_endpoint((503, "busy"), (503, "busy"), (200, "ok")) as hook:
        [sent], waits = send(
            {"name": "slack", "type": "slack", "url": hook.url}, attempts=3, backoff_seconds=2.0
        )
    assert sent.delivery.ok and sent.delivery.attempts == 3
    assert waits == [2.0, 4.0]
    assert len(hook.received) == 3


def test_rate_limited_bot_is_retried() -> None:
    with http_endpoint((200, '{"errcode":130101,"errmsg":"send too fast"}'), (200, '{"errcode":0}')) as bot:
        [sent], waits = send({"name": "dt", "type": "dingtalk", "url": bot.url}, backoff_seconds=1.0)
    assert sent.delivery.ok and sent.delivery.attempts == 2 and waits == [1.0]


def test_a_dead_channel_is_reported_and_the_others_still_get_the_message() -> None:
    dead = f"http://127.0.0.1:{free_port()}/hook"
    with http_endpoint() as alive:
        results, waits = send(
            {"name": "dead", "type": "slack", "url": dead},
            {"name": "alive", "type": "slack", "url": alive.url},
            attempts=2,
            backoff_seconds=0.5,
        )
    outcome = {r.delivery.channel: r.delivery for r in results}
    assert (
        not outcome["dead"].ok
        and outcome["dead"].attempts == 2
        and "ConnectError" in (outcome["dead"].error or "")
    )
    assert outcome["alive"].ok and len(alive.received) == 1
    assert waits == [0.5]


def test_a_missing_secret_is_a_failed_delivery_not_a_crash() -> None:
    [sent], _ = send(
        {"name": "hook", "type": "webhook", "url": "http://127.0.0.1:9/x", "secret_env": "NOT_SET"}
    )
    assert not sent.delivery.ok and "NOT_SET" in (sent.delivery.error or "")


def test_channels_filter_by_severity_rule_and_resolved() -> None:
    with http_endpoint() as hook:
        results, _ = send(
            {"name": "only-info", "type": "slack", "url": hook.url, "rules": ["receipts_stale"]},
            {"name": "critical", "type": "slack", "url": hook.url, "min_severity": "critical"},
        )
    assert [r.delivery.channel for r in results] == ["critical"]


def test_email_over_smtp_in_chinese() -> None:
    with smtp_server() as box:
        [sent], _ = send(
            {
                "name": "mail",
                "type": "email",
                "smtp_host": "127.0.0.1",
                "smtp_port": box.port,
                "smtp_security": "none",
                "from": "alerts@exporter.example",
                "to": ["ops@exporter.example", "boss@exporter.example"],
                "language": "zh",
            }
        )
    assert sent.delivery.ok
    [(sender, recipients, mail)] = box.messages
    assert sender == "alerts@exporter.example"
    assert recipients == ["ops@exporter.example", "boss@exporter.example"]
    assert mail["Subject"] == "[wagate] 触发中 1 · 投诉率"
    body = mail.get_content()
    assert "营销活动=双十一大促" in body and "确认：wagate alerts ack 编号" in body


def test_email_to_a_dead_server_is_reported() -> None:
    [sent], waits = send(
        {
            "name": "mail",
            "type": "email",
            "smtp_host": "127.0.0.1",
            "smtp_port": free_port(),
            "smtp_security": "none",
            "from": "a@example.com",
            "to": ["b@example.com"],
        },
        attempts=2,
    )
    assert not sent.delivery.ok and sent.delivery.attempts == 2 and len(waits) == 1
