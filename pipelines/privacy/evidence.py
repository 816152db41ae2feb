"""`wagate audit export`: the evidence pack for a period (and optionally one campaign).

The pack is a folder a data-protection officer, a regulator or Meta's review can read without
wagate: the audit entries, the lint reports that allowed each send, the consent records the
lint read (tied to the report by its hash), the send logs, the opt-out handling times, a
README (English and Chinese) saying what each file proves, and ``manifest.json`` with the
sha256 of every file.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core import audit
from core.config import Settings
from core.errors import InputError
from core.queries import opt_out_latency
from core.warehouse import Warehouse

PACK_FORMAT = "wagate-evidence-pack"

README = """wagate evidence pack / wagate 证据包
=====================================

Period / 期间: {start} to / 至 {end} (UTC){campaign_line}
Made / 生成时间: {made}

audit.jsonl
  EN: Every audited action in the period (lint runs, sends, overrides and waivers, alert
      acknowledgements and silences, erasures, access exports), in order. Each line carries the
      sha256 of the line before it: `verification` in manifest.json says whether the chain was
      intact when the pack was made. People appear only by their keyed pseudonym.
  中文: 期间内所有审计操作（检查运行、发送、豁免与覆盖、告警确认与静默、删除、访问导出），按时间排序。
      每行包含上一行的 sha256 哈希；manifest.json 中的 verification 表明生成证据包时哈希链是否完整。
      个人仅以加密化名出现。

lint-reports/<hash>.json
  EN: The lint report that allowed each send: every check that ran on the templates, contacts
      and consent records, and its findings. The file name is the report hash the send recorded.
  中文: 允许每次发送的合规检查报告：对模板、联系人和同意记录执行的全部检查及结果。文件名即发送时记录的报告哈希。

consent/<campaign>/<label>-<sha256>.<ext>
  EN: The contact list and consent records the lint read for the send (consent proofs of the
      recipients: time, method, source, wording shown). Their sha256 is part of the lint
      report hash, so they are exactly the records the send was allowed on.
  中文: 发送前检查所读取的联系人名单与同意记录（收件人同意证明：时间、方式、来源、展示的文字）。
      其 sha256 已计入检查报告哈希，即发送所依据的正是这些记录。

send-logs/<campaign>/*.jsonl
  EN: What was sent, to whom, when and with which result (one line per attempt), naming the
      lint report that allowed it.
  中文: 发送记录：发给谁、何时、结果如何（每次尝试一行），并注明允许发送的检查报告。

opt-out-handling.csv
  EN: Per day: opt-outs received, median and maximum seconds until each was on the
      suppression list (from the warehouse).
  中文: 每日收到的退订数，以及从收到到加入屏蔽名单所用时间的中位数和最大值（秒）。

manifest.json
  EN: The sha256 of every file of this pack; change any byte and it no longer matches.
  中文: 本证据包中每个文件的 sha256；任何字节改动都会导致不匹配。
"""


def export_pack(
    settings: Settings, out_dir: Path, *, start: datetime, end: datetime, campaign: str | None = None
) -> dict[str, Any]:
    """Write the pack into ``out_dir`` (new or empty); returns the manifest."""
    if out_dir.exists() and any(out_dir.iterdir()):
        raise InputError(f"{out_dir} is not empty", hint="choose a new folder for the evidence pack")
    out_dir.mkdir(parents=True, exist_ok=True)
    entries = [e for e in audit.read(settings, start=start, end=end) if _wanted(e, campaign)]
    sends = [e for e in entries if e.action == "send.run"]
    _write_jsonl(out_dir / "audit.jsonl", [e.to_dict() for e in entries])
    root = audit.log_path(settings).parent
    missing: list[str] = []
    for send in sends:
        _copy_send(root, out_dir, send.details, missing)
    _write_latency(settings, out_dir / "opt-out-handling.csv")
    line = f"\nCampaign / 活动: {campaign}" if campaign else ""
    made = datetime.now(UTC).isoformat()
    readme = README.format(start=start.isoformat(), end=end.isoformat(), campaign_line=line, made=made)
    (out_dir / "README.txt").write_text(readme, encoding="utf-8")
    check = audit.verify(settings)
    manifest = {
        "format": PACK_FORMAT,
        "version": 1,
        "made_at": made,
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "campaign": campaign,
        "sends": len(sends),
        "verification": {
            "ok": check.ok,
            "entries": check.entries,
            "bad_line": check.bad_line,
            "reason": check.reason,
        },
        "missing": missing,
        "files": {str(p.relative_to(out_dir)): _sha256(p) for p in sorted(out_dir.rglob("*")) if p.is_file()},
    }
    (out_dir / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    audit.record(
        settings, "audit.export", period=manifest["period"], campaign=campaign or "", sends=len(sends)
    )
    return manifest


def _wanted(entry: audit.AuditEntry, campaign: str | None) -> bool:
    return campaign is None or entry.details.get("campaign") in (None, campaign)


def _copy_send(root: Path, out_dir: Path, details: dict[str, Any], missing: list[str]) -> None:
    name = str(details.get("campaign", "campaign"))
    report = root / audit.REPORTS_DIR / str(details.get("lint_report_file", ""))
    if report.is_file():
        _copy(report, out_dir / "lint-reports" / report.name)
    else:
        missing.append(f"lint report of {name}")
    for label, item in dict(details.get("inputs") or {}).items():
        kept = root / audit.INPUTS_DIR / str(item.get("kept", ""))
        if item.get("kept") and kept.is_file():
            _copy(kept, out_dir / "consent" / _slug(name) / f"{label}-{kept.name}")
        elif label in ("contacts", "consent"):
            missing.append(f"{label} of {name}")
    log = Path(str(details.get("send_log") or ""))
    if str(log) and log.is_file():
        _copy(log, out_dir / "send-logs" / _slug(name) / log.name)
    elif details.get("send_log"):
        missing.append(f"send log of {name} (purged or moved)")


def _write_latency(settings: Settings, path: Path) -> None:
    rows: list[dict[str, Any]] = []
    if settings.warehouse_path.exists():
        with Warehouse.open_snapshot(
            settings.warehouse_path, retry_seconds=settings.warehouse.read_retry_seconds
        ) as wh:
            rows = opt_out_latency(wh)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["day", "opt_outs", "median_seconds", "max_seconds"])
        for row in rows:
            writer.writerow([row["day"], row["opt_outs"], row["median_seconds"], row["max_seconds"]])


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in text) or "campaign"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
