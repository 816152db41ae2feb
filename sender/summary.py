"""The end-of-run summary: counts by outcome and error code, unknowns and how to settle them,
where the send log and the ledger are. Text for people, a dict for `--format json`."""

from __future__ import annotations

from typing import Any

from core.phones import mask_numbers_in
from sender.run import SendSummary

_UNKNOWN_HELP = (
    "they may have been sent. Let receipts arrive (receiver + `wagate ingest`) and run the same "
    "command again: a receipt carrying the message's key settles it. Only if they stay unknown, "
    "send them again with --resend-unknown (a recipient may then get the message twice)."
)


def summary_dict(summary: SendSummary) -> dict[str, Any]:
    """Everything in the summary as JSON-ready values."""
    tally = summary.tally
    return {
        "campaign": summary.campaign,
        "result": summary.result,
        "stop": None
        if summary.stop is None
        else {
            "kind": summary.stop.kind,
            "message": summary.stop.message,
            "error_code": summary.stop.error_code,
        },
        "run": {
            "messages": tally.total,
            "accepted": tally.accepted,
            "held": tally.held,
            "rejected": tally.rejected,
            "skipped": tally.skipped,
            "deferred": tally.deferred,
            "unknown": tally.unknown,
            "not_handled": max(tally.total - tally.handled, 0),
            "api_calls": tally.calls,
            "retries": tally.retries,
            "errors": [
                {
                    "error_code": code,
                    "title": mask_numbers_in(tally.error_titles.get(code, "")),
                    "answers": count,
                }
                for code, count in sorted(tally.errors.items(), key=lambda item: (-item[1], item[0] or 0))
            ],
            "skip_reasons": dict(tally.skip_reasons),
            "defer_reasons": dict(tally.defer_reasons),
            "elapsed_seconds": round(summary.elapsed, 3),
        },
        "reconciled": {
            "from_send_log": summary.reconciled.from_send_log,
            "from_receipts": summary.reconciled.from_receipts,
        },
        "campaign_totals": summary.ledger,
        "excluded_by_gate": summary.excluded,
        "lint_report": summary.lint_report,
        "send_log": None if summary.send_log is None else str(summary.send_log),
        "ledger": str(summary.ledger_path),
        "api_url": summary.api_url,
    }


def summary_text(summary: SendSummary) -> str:
    """The summary table."""
    tally = summary.tally
    head = {"completed": "completed", "stopped": "STOPPED", "interrupted": "interrupted"}[summary.result]
    lines = [f"campaign {summary.campaign}: {head} in {summary.elapsed:.1f} s"]
    if summary.stop is not None:
        lines.append(f"  {summary.stop.message}")
    lines += ["", "this run             messages"]
    rows: list[tuple[str, int, str]] = [
        ("accepted", tally.accepted, ""),
        ("held (pacing)", tally.held, ""),
        ("rejected", tally.rejected, ""),
        ("skipped", tally.skipped, _reasons(tally.skip_reasons)),
        ("deferred", tally.deferred, _reasons(tally.defer_reasons)),
        ("unknown", tally.unknown, ""),
        ("not handled", max(tally.total - tally.handled, 0), ""),
        ("API calls", tally.calls, f"retries {tally.retries}" if tally.retries else ""),
    ]
    lines += [f"  {name:<16}{count:>10}  {note}".rstrip() for name, count, note in rows]
    if tally.errors:
        lines += ["", "API errors           answers"]
        for code, count in sorted(tally.errors.items(), key=lambda item: (-item[1], item[0] or 0)):
            label = "-" if code is None else str(code)
            title = mask_numbers_in(tally.error_titles.get(code, ""))
            lines.append(f"  {label:<16}{count:>10}  {title}".rstrip())
    rec = summary.reconciled
    if rec.from_send_log or rec.from_receipts:
        lines += [
            "",
            f"settled before sending: {rec.from_send_log} from send logs, {rec.from_receipts} from receipts",
        ]
    totals = ", ".join(f"{state} {count}" for state, count in summary.ledger.items() if count)
    lines += ["", f"campaign so far: {totals or 'nothing yet'}"]
    if summary.excluded:
        lines.append(f"excluded by the gate: {summary.excluded} contacts")
    unknown = summary.ledger.get("unknown", 0)
    if unknown:
        lines.append(f"unknown outcomes: {unknown} — {_UNKNOWN_HELP}")
    deferred = summary.ledger.get("deferred", 0)
    if deferred:
        lines.append(f"deferred: {deferred} — run the same command again after their quiet hours end")
    lines += [
        "",
        f"send log: {summary.send_log or '(no API call this run)'}",
        f"ledger:   {summary.ledger_path}",
        f"lint report: {summary.lint_report}",
    ]
    return "\n".join(lines) + "\n"


def _reasons(counter: dict[str, int]) -> str:
    return ", ".join(f"{reason} {count}" for reason, count in sorted(counter.items(), key=lambda i: -i[1]))
