"""HTTP channels: Slack-compatible incoming webhook, signed JSON webhook, DingTalk, WeCom, Feishu.

Each builder returns the request (URL, headers, body bytes); :func:`post` sends it with httpx and
turns the answer into success or a :class:`DeliveryError` (retryable for network errors, 429, 5xx
and the bots' "too many requests" codes).

Signatures:

- generic webhook: header ``X-Wagate-Timestamp: <unix seconds>`` and
  ``X-Wagate-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + body)>``;
- DingTalk: ``&timestamp=<ms>&sign=<base64 HMAC-SHA256(secret, "<ms>\\n<secret>")>`` on the URL;
- Feishu: ``timestamp`` and ``sign = base64 HMAC-SHA256(key="<s>\\n<secret>", msg="")`` in the body.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

import httpx

from alerts.messages import Message
from alerts.notify.base import DeliveryError

# bot error codes that mean "slow down" (DingTalk, WeCom, Feishu)
_RATE_LIMITED = {130101, 45009, 11232, 9499}
WECOM_LIMIT = 4000  # the markdown content limit is 4096 bytes; keep a margin


@dataclass(frozen=True, slots=True)
class Request:
    """One HTTP POST, ready to send."""

    url: str
    body: bytes
    headers: dict[str, str]
    bot: bool = False  # the answer carries an error code even with HTTP 200


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def slack(url: str, message: Message) -> Request:
    """Slack incoming webhook (also Mattermost, Rocket.Chat and other Slack-compatible hooks)."""
    return Request(
        url, _json({"text": f"*{message.title}*\n{message.text}"}), {"Content-Type": "application/json"}
    )


def webhook(url: str, payload: dict[str, Any], secret: str, timestamp: int) -> Request:
    """A generic JSON webhook signed with HMAC-SHA256 over ``"<timestamp>." + body``."""
    body = _json(payload)
    signature = sign_webhook(secret, timestamp, body)
    headers = {
        "Content-Type": "application/json",
        "X-Wagate-Timestamp": str(timestamp),
        "X-Wagate-Signature": f"sha256={signature}",
    }
    return Request(url, body, headers)


def sign_webhook(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 a receiver recomputes to check a generic webhook."""
    return hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def dingtalk(url: str, message: Message, secret: str | None, timestamp_ms: int) -> Request:
    """DingTalk group robot, markdown message; signed when the robot has a secret."""
    if secret:
        digest = hmac.new(
            secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
        ).digest()
        sign = quote_plus(base64.b64encode(digest).decode("ascii"))
        url = f"{url}{'&' if '?' in url else '?'}timestamp={timestamp_ms}&sign={sign}"
    text = f"### {message.title}\n\n" + message.text.replace("\n", "  \n")
    body = {"msgtype": "markdown", "markdown": {"title": message.title, "text": text}}
    return Request(url, _json(body), {"Content-Type": "application/json"}, bot=True)


def wecom(url: str, message: Message) -> Request:
    """WeCom (企业微信) group robot, markdown message (cut to the size limit)."""
    content = f"### {message.title}\n{message.text}"
    raw = content.encode("utf-8")
    if len(raw) > WECOM_LIMIT:
        content = raw[: WECOM_LIMIT - 3].decode("utf-8", errors="ignore") + "..."
    body = {"msgtype": "markdown", "markdown": {"content": content}}
    return Request(url, _json(body), {"Content-Type": "application/json"}, bot=True)


def feishu(url: str, message: Message, secret: str | None, timestamp: int) -> Request:
    """Feishu (飞书) custom bot, text message; signed when the bot has a secret."""
    body: dict[str, Any] = {"msg_type": "text", "content": {"text": f"{message.title}\n{message.text}"}}
    if secret:
        key = f"{timestamp}\n{secret}".encode()
        body["timestamp"] = str(timestamp)
        body["sign"] = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")
    return Request(url, _json(body), {"Content-Type": "application/json"}, bot=True)


def post(client: httpx.Client, request: Request) -> None:
    """Send one request; raise :class:`DeliveryError` unless the endpoint accepted it."""
    try:
        response = client.post(request.url, content=request.body, headers=request.headers)
    except httpx.HTTPError as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}", retryable=True) from None
    if response.status_code == 429 or response.status_code >= 500:
        raise DeliveryError(f"HTTP {response.status_code}", retryable=True)
    if response.status_code >= 300:
        raise DeliveryError(f"HTTP {response.status_code}: {response.text[:200]}", retryable=False)
    if request.bot:
        _check_bot(response)


def _check_bot(response: httpx.Response) -> None:
    try:
        data = response.json()
    except ValueError:
        raise DeliveryError(f"unexpected answer: {response.text[:200]}", retryable=False) from None
    if not isinstance(data, dict):
        raise DeliveryError(f"unexpected answer: {response.text[:200]}", retryable=False)
    code = data.get("errcode", data.get("code", data.get("StatusCode", 0)))
    if code in (0, None):
        return
    text = data.get("errmsg") or data.get("msg") or data.get("StatusMessage") or ""
    raise DeliveryError(f"bot error {code}: {text}", retryable=code in _RATE_LIMITED)
