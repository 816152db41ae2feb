"""Notification texts in English and Simplified Chinese (terms from the project glossary).

:func:`render` turns a group of notices into a title and a plain-text body that reads well in a
chat bot, Slack and email alike; channels add their own markup around it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from alerts.model import AlertRecord
from alerts.rules import Rule
from alerts.state import NoticeKind

METRIC_NAMES: dict[str, tuple[str, str]] = {
    "complaint_rate": ("Complaint rate", "投诉率"),
    "opt_out_rate": ("Opt-out rate", "退订率"),
    "block_rate_est": ("Block rate (estimated)", "屏蔽率（估算）"),
    "failure_rate": ("Failure rate", "发送失败率"),
    "template_status": ("Template paused or disabled", "消息模板被暂停或停用"),
    "template_quality": ("Template quality rating down", "消息模板质量评级下降"),
    "phone_quality": ("Sending number flagged or downgraded", "发送号码被标记或降级"),
    "account_status": ("Account restricted", "账号受限或封禁"),
    "sends_after_opt_out": ("Sends after opt-out", "退订后仍发送"),
    "receipts_stale": ("Delivery receipts stalled", "回执停滞"),
}
LABEL_NAMES: dict[str, tuple[str, str]] = {
    "campaign": ("campaign", "营销活动"),
    "template": ("template", "消息模板"),
    "language": ("language", "语言"),
    "category": ("category", "模板类别"),
    "country": ("country", "国家/地区"),
    "phone_number_id": ("number id", "发送号码 ID"),
    "phone_number": ("number", "发送号码"),
    "error_class": ("error class", "错误类别"),
    "waba_id": ("account", "企业账号"),
    "event": ("event", "事件"),
}
ERROR_CLASSES_ZH = {
    "transient": "临时故障",
    "throttle": "限流",
    "config": "配置问题",
    "policy": "政策违规",
    "recipient": "收件人无法接收",
    "opt_out": "退订",
    "quality": "质量/互动限制",
    "window": "24 小时客服窗口",
    "billing": "付款问题",
    "auth": "权限/令牌",
    "unknown": "未知错误码",
}
WORDS: dict[str, tuple[str, str]] = {
    "firing": ("FIRING", "触发中"),
    "resolved": ("RESOLVED", "已恢复"),
    "pending": ("PENDING", "待触发"),
    "silenced": ("silenced", "已静默"),
    "acknowledged": ("acknowledged", "已确认"),
    "critical": ("critical", "严重"),
    "warning": ("warning", "警告"),
    "info": ("info", "提示"),
    "threshold": ("threshold", "阈值"),
    "baseline": ("baseline", "基线"),
    "since": ("since", "开始于"),
    "now": ("now", "当前"),
    "delivered": ("delivered", "已送达"),
    "accepted": ("sent", "已提交"),
    "events": ("event(s)", "次事件"),
    "minutes": ("min without receipts", "分钟无回执"),
    "paused": ("sending paused", "已暂停发送"),
    "alerts": ("alert(s)", "条告警"),
    "ack_hint": (
        "Acknowledge: wagate alerts ack ID · silence: wagate alerts silence RULE --for 2h",
        "确认：wagate alerts ack 编号 · 静默：wagate alerts silence 规则 --for 2h",
    ),
    "unpause_hint": (
        "Resume sending: wagate alerts unpause --campaign NAME (or --template / --phone-number-id)",
        "恢复发送：wagate alerts unpause --campaign 名称（或 --template / --phone-number-id）",
    ),
    "age": ("within {h:g} h of sending", "发送后 {h:g} 小时内"),
}
_RATES = ("complaint_rate", "opt_out_rate", "block_rate_est", "failure_rate")


@dataclass(frozen=True, slots=True)
class Notice:
    """One alert that needs telling, and how (firing or resolved)."""

    record: AlertRecord
    rule: Rule
    kind: NoticeKind


@dataclass(frozen=True, slots=True)
class Message:
    """What a channel sends: a title and a plain-text body."""

    title: str
    text: str
    language: str


def word(key: str, lang: str) -> str:
    """One UI word in a language (en or zh)."""
    en, zh = WORDS[key]
    return zh if lang == "zh" else en


def render(notices: Sequence[Notice], language: str, *, title: str, link: str = "") -> Message:
    """The message for a group of notices in ``en``, ``zh`` or ``both`` (Chinese first)."""
    langs = ("zh", "en") if language == "both" else (language,)
    heads, bodies = [], []
    for lang in langs:
        head, body = _render_one(notices, lang, title, link)
        heads.append(head)
        bodies.append(body)
    return Message(" / ".join(heads), "\n\n".join(bodies), language)


def _render_one(notices: Sequence[Notice], lang: str, title: str, link: str) -> tuple[str, str]:
    firing = sum(1 for n in notices if n.kind == "firing")
    resolved = len(notices) - firing
    counts = []
    if firing:
        counts.append(f"{word('firing', lang)} {firing}")
    if resolved:
        counts.append(f"{word('resolved', lang)} {resolved}")
    rules = sorted({n.rule.metric for n in notices})
    what = (
        "、".join(METRIC_NAMES[m][1] for m in rules)
        if lang == "zh"
        else ", ".join(METRIC_NAMES[m][0] for m in rules)
    )
    head = f"[{title}] {' · '.join(counts)} · {what}"
    lines = [_line(n, lang) for n in notices]
    lines.append("")
    lines.append(word("ack_hint", lang))
    if any(n.record.paused for n in notices):
        lines.append(word("unpause_hint", lang))
    if link:
        lines.append(link)
    return head, "\n".join(lines)


def _line(notice: Notice, lang: str) -> str:
    record, rule = notice.record, notice.rule
    zh = lang == "zh"
    name = METRIC_NAMES[rule.metric][1 if zh else 0]
    labels = ", ".join(f"{_label(k, lang)}={_value(k, v, lang)}" for k, v in record.labels) or "-"
    state = word(notice.kind, lang)
    severity = word(record.severity, lang) if record.severity in WORDS else record.severity
    sep = "：" if zh else ": "
    parts = [f"- {state} [{severity}] {name} · {labels}{sep}{_measure(record, rule, lang)}"]
    stamp = record.fired_at if notice.kind == "firing" else record.resolved_at
    if stamp is not None:
        parts.append(f"{word('since' if notice.kind == 'firing' else 'now', lang)} {_time(stamp)}")
    parts.append(f"id {record.short_id}" if not zh else f"编号 {record.short_id}")
    if record.paused and notice.kind == "firing":
        parts.append(word("paused", lang))
    return " · ".join(parts)


def _label(key: str, lang: str) -> str:
    names = LABEL_NAMES.get(key)
    return key if names is None else names[1 if lang == "zh" else 0]


def _value(key: str, value: str, lang: str) -> str:
    if key == "error_class" and lang == "zh":
        return ERROR_CLASSES_ZH.get(value, value)
    return value


def _measure(record: AlertRecord, rule: Rule, lang: str) -> str:
    zh = lang == "zh"
    value, threshold, detail = record.value, record.threshold, record.detail
    if rule.metric in _RATES:
        base: dict[str, Any] = dict(detail.get("baseline") or {})
        unit = word("accepted" if rule.metric in ("block_rate_est", "failure_rate") else "delivered", lang)
        parts = [
            f"{word('threshold', lang)} {_pct(threshold)}",
            f"{detail.get('x', '?')}/{detail.get('n', '?')} {unit}",
        ]
        if base.get("rate") is not None:
            parts.append(f"{word('baseline', lang)} {_pct(base['rate'])}")
        parts.append(word("age", lang).format(h=rule.age.total_seconds() / 3600))
        return f"{_pct(value)}（{'，'.join(parts)}）" if zh else f"{_pct(value)} ({', '.join(parts)})"
    if rule.metric == "receipts_stale":
        return f"{value or 0:g} {word('minutes', lang)}"
    if rule.metric == "sends_after_opt_out":
        return f"{value or 0:g}" + (" 次" if zh else " send(s)")
    event = detail.get("event") or detail.get("new_quality") or ""
    extra = detail.get("pause_kind") or detail.get("tier") or ""
    count = f"{value or 0:g} {word('events', lang)}"
    return " ".join(str(p) for p in (event, extra, f"({count})") if p)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.2f}%"


def _time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
