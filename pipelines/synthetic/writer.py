"""Files: the send log (JSONL and CSV) and the webhook landing files (NDJSON, gzip, a JSON array).

:class:`WebhookSink` receives events with their own timestamps, holds them in day buckets and,
once the simulation clock has passed a day, writes that day out: ordered by timestamp plus a
random delay of up to a day (so a ``read`` often lands before its ``delivered``), changes
sometimes combined, bodies spread over several files and some delivered again later (Meta's
retries). Statuses of one sending number that happen close together are sometimes batched into
one change; a body is never posted before the latest event it carries. Only a few days are
ever held in memory.
"""

from __future__ import annotations

import csv
import gzip
import json
import random
from io import BufferedWriter
from pathlib import Path

from core.schema import SEND_LOG_COLUMNS
from pipelines.synthetic.webhooks import (
    STATUSES_CHANGE_SUFFIX,
    Business,
    body_json,
    entry_json,
    statuses_change_prefix,
)

SendLogRow = tuple[str, str, str, str, str, str, str, str, str, int | None, str, str, str]

DAY = 86400
SHUFFLE_WINDOW = DAY  # a body is posted up to a day after its event (retries, queues, concurrency)
CHANGE, BODY, RETRIED = 0, 1, 2
SINGLE_STATUS = 0.85  # bodies with one status; the rest carry up to 6 ...
BATCH_SECONDS = 120  # ... that happened within two minutes of the first one
COMBINED = 0.02  # changes posted together with the next one (two changes, or two entries)
ARRAY_BODIES = 20  # bodies that go to webhooks/batch.json instead of the NDJSON files
_FLUSH_CHARS = 1 << 20


class SendLogWriter:
    """Send-log rows: most to ``send_log.jsonl``, campaigns exported from spreadsheets to CSV."""

    def __init__(self, directory: Path, with_csv: bool) -> None:
        self.paths = [directory / "send_log.jsonl"]
        self._jsonl = self.paths[0].open("w", encoding="utf-8", newline="\n")
        self._csv_file = None
        if with_csv:
            self.paths.append(directory / "send_log.csv")
            self._csv_file = self.paths[1].open("w", encoding="utf-8", newline="")
            self._csv = csv.writer(self._csv_file)
            self._csv.writerow(SEND_LOG_COLUMNS)

    def write(self, to_csv: bool, row: SendLogRow) -> None:
        """One row; ``error_code`` None is written as null (JSONL) or an empty cell (CSV)."""
        if to_csv and self._csv_file is not None:
            self._csv.writerow(["" if value is None else value for value in row])
        else:
            self._jsonl.write(
                json.dumps(dict(zip(SEND_LOG_COLUMNS, row, strict=True)), ensure_ascii=False) + "\n"
            )

    def close(self) -> None:
        """Close both files."""
        self._jsonl.close()
        if self._csv_file is not None:
            self._csv_file.close()


class _Ndjson:
    """One landing file, plain or gzip (gzip with a zero mtime, so reruns are byte-identical)."""

    def __init__(self, path: Path, compressed: bool) -> None:
        self.path = path
        self._raw: BufferedWriter = path.open("wb")
        self._out: gzip.GzipFile | BufferedWriter = (
            gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, mtime=0, compresslevel=6)
            if compressed
            else self._raw
        )
        self._lines: list[str] = []
        self._chars = 0

    def write(self, line: str) -> None:
        self._lines.append(line)
        self._chars += len(line)
        if self._chars > _FLUSH_CHARS:
            self.flush()

    def flush(self) -> None:
        if self._lines:
            self._out.write(("\n".join(self._lines) + "\n").encode())
            self._lines.clear()
            self._chars = 0

    def close(self) -> None:
        self.flush()
        if self._out is not self._raw:
            self._out.close()
        self._raw.close()


class WebhookSink:
    """Orders, batches, duplicates and writes webhook bodies, one simulated day at a time."""

    def __init__(
        self,
        directory: Path,
        rng: random.Random,
        business: Business,
        start: int,
        *,
        files: int,
        compress: bool,
        duplicate_share: float,
        array_stride: int | None,
    ) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._rng, self._start, self._duplicate_share = rng, start, duplicate_share
        self._waba = business.waba_id
        self._prefix = [statuses_change_prefix(business, phone) for phone in range(len(business.phone_ids))]
        self._outputs = [
            _Ndjson(
                directory / f"part-{n:04d}.ndjson{'.gz' if compress and n % 2 else ''}",
                compress and n % 2 == 1,
            )
            for n in range(1, files + 1)
        ]
        self._array_path = directory / "batch.json"
        self._array: list[str] | None = [] if array_stride else None
        self._stride = array_stride or 1
        self._buckets: dict[int, list[tuple[int, int, str]]] = {}
        # sending number -> (first event time, last event time, target size, statuses) of the open batch
        self._batches: dict[int, tuple[int, int, int, list[str]]] = {}
        self._open_day = 0  # days before this one are written
        self._held: str | None = None
        self._last = ""
        self.bodies = 0
        self.duplicates = 0

    # --- intake ------------------------------------------------------------------------------

    def add_status(self, ts: int, phone: int, status: str) -> None:
        """A ``statuses[]`` object of sending number ``phone`` that happened at ``ts``."""
        batch = self._batches.pop(phone, None)
        if batch is not None:
            first, last, size, statuses = batch
            if abs(ts - first) <= BATCH_SECONDS:
                statuses.append(status)
                if len(statuses) < size:
                    self._batches[phone] = (first, max(last, ts), size, statuses)
                else:
                    self._add(max(last, ts), CHANGE, self._statuses_change(phone, statuses))
                return
            self._add(last, CHANGE, self._statuses_change(phone, statuses))
        if self._rng.random() < SINGLE_STATUS:
            self._add(ts, CHANGE, self._statuses_change(phone, [status]))
        else:
            self._batches[phone] = (ts, ts, 2 + self._rng.randrange(5), [status])

    def add_change(self, ts: int, phone: int, change: str) -> None:
        """A whole ``changes[]`` item (inbound message, user preference)."""
        self._add(ts, CHANGE, change)

    def add_body(self, ts: int, body: str) -> None:
        """A whole body (business-management events)."""
        self._add(ts, BODY, body)

    def _statuses_change(self, phone: int, statuses: list[str]) -> str:
        return self._prefix[phone] + ",".join(statuses) + STATUSES_CHANGE_SUFFIX

    def _add(self, ts: int, kind: int, payload: str) -> None:
        key = ts - self._start + int(self._rng.random() * SHUFFLE_WINDOW)
        day = max(key // DAY, self._open_day)
        bucket = self._buckets.get(day)
        if bucket is None:
            bucket = self._buckets[day] = []
        bucket.append((key, kind, payload))

    def advance(self, now: int) -> None:
        """Write out every day that nothing can land in any more (all later events are >= now)."""
        if (self._open_day + 1) * DAY > now - self._start:
            return
        self._close_batches()
        while (self._open_day + 1) * DAY <= now - self._start:
            self._flush(self._open_day)
            self._open_day += 1

    def _close_batches(self) -> None:
        for phone, (_, last, _, statuses) in self._batches.items():
            self._add(last, CHANGE, self._statuses_change(phone, statuses))
        self._batches.clear()

    # --- output ------------------------------------------------------------------------------

    def close(self, malformed_lines: int) -> list[Path]:
        """Write what is left, the broken lines and the JSON array file; returns the files."""
        self._close_batches()
        while self._buckets:
            day = min(self._buckets)
            self._open_day = day
            self._flush(day)
        if malformed_lines:
            target = next((o for o in self._outputs if not o.path.name.endswith(".gz")), self._outputs[0])
            for line in self._malformed(malformed_lines):
                target.write(line)
        paths = [output.path for output in self._outputs]
        for output in self._outputs:
            output.close()
        if self._array is not None:
            array = [json.loads(body) for body in self._array]
            self._array_path.write_text(
                json.dumps(array, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
            paths.append(self._array_path)
        return paths

    def _flush(self, day: int) -> None:
        items = self._buckets.pop(day, None)
        if not items:
            return
        items.sort()
        for _, kind, payload in items:
            if kind == CHANGE:
                self._change(payload, day)
            elif kind == BODY:
                self._body(payload, day)
            else:
                self._write(payload)
        if self._held is not None:
            self._body(body_json([entry_json(self._waba, [self._held])]), day)
            self._held = None

    def _change(self, change: str, day: int) -> None:
        rng, held = self._rng, self._held
        if held is not None:
            self._held = None
            if rng.random() < 0.6:
                entries = [entry_json(self._waba, [held, change])]
            else:
                entries = [entry_json(self._waba, [held]), entry_json(self._waba, [change])]
            self._body(body_json(entries), day)
        elif rng.random() < COMBINED:
            self._held = change
        else:
            self._body(body_json([entry_json(self._waba, [change])]), day)

    def _body(self, body: str, day: int) -> None:
        self.bodies += 1
        array = self._array
        if (
            array is not None
            and len(array) < ARRAY_BODIES
            and self.bodies % self._stride == self._stride // 2
        ):
            array.append(body)
            return
        self._write(body)
        if self._rng.random() < self._duplicate_share:
            retry_at = (day + 1) * DAY + self._rng.randrange(DAY)
            self._buckets.setdefault(day + 1, []).append((retry_at, RETRIED, body))
            self.duplicates += 1

    def _write(self, body: str) -> None:
        self._outputs[self._rng.randrange(len(self._outputs))].write(body)
        self._last = body

    def _malformed(self, count: int) -> list[str]:
        """Lines a landing file really gets: cut-off bodies, proxy error pages, broken JSON."""
        sample = self._last or body_json([entry_json(self._waba, [])])
        shapes = (
            sample[: len(sample) * 2 // 3],
            "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
            sample.replace('"object"', "'object'", 1),
            sample + "}",
            '{"object":"whatsapp_business_account","entry":[{"id":"' + self._waba + '","changes":[',
        )
        return [shapes[n % len(shapes)] for n in range(count)]
