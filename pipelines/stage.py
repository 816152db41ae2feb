"""Staging: read every planned input into the connection's TEMP staging tables.

Clean NDJSON files take the fast path: DuckDB reads them directly, in parallel, with no Python
per record. A file the fast path cannot take whole (a malformed line, a record that is not a
webhook, an appended tail, a landing file, a ``.json`` document) is read by the careful path in
``sources.lines``, which keeps line numbers so every bad record is quarantined with its place.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import polars as pl

from core.errors import WarehouseError
from core.warehouse import Warehouse
from pipelines.export import sql_literal, stage_export
from pipelines.manifest import Action, Planned
from pipelines.sources.csvfile import ALL_COLUMNS, SEND_SCHEMA, read_send_csv
from pipelines.sources.files import Kind
from pipelines.sources.lines import LINE_SCHEMA, LineBatch, Problem, read_document, read_lines
from pipelines.sqlfiles import run_block, script, statements

log = logging.getLogger(__name__)

_SEND_STRUCT = "{" + ",".join(f'"{name}":"VARCHAR"' for name in ALL_COLUMNS) + "}"


@dataclass(slots=True)
class Staged:
    """Where each file's reading stopped, for the manifest."""

    progress: dict[int, tuple[int, int]] = field(default_factory=dict)  # file_id -> (bytes_done, lines_done)


class Stager:
    """Fills the staging tables from a list of planned inputs (each with a file_id)."""

    def __init__(self, wh: Warehouse, items: dict[int, Planned]) -> None:
        self.wh = wh
        self.items = items
        self.careful: set[int] = set()  # file_ids that must take the careful path

    def stage(self) -> Staged:
        """Stage everything; retries files on the careful path when the fast path cannot take them."""
        while True:
            try:
                return self._stage_once()
            except _NeedsCarefulPath as exc:
                log.info("reading %d file(s) line by line for exact quarantine", len(exc.file_ids))
                self.careful |= exc.file_ids

    # -- one attempt -------------------------------------------------------------------------
    def _stage_once(self) -> Staged:
        self.wh.execute_script(script("staging"))
        files = pl.DataFrame(
            {"file_id": list(self.items), "path": [str(p.source.path) for p in self.items.values()]},
            schema={"file_id": pl.Int32, "path": pl.String},
        )
        self.wh.register("stg_files", files)
        staged = Staged()
        self._stage_webhooks(staged)
        self._stage_send_logs(staged)
        for fid, item in self.items.items():
            if item.source.kind is Kind.PARQUET_EXPORT:
                stage_export(self.wh, item.source.path, fid)
                staged.progress[fid] = (item.stat.size, -1)
        self._check_fast_path_quarantine()
        return staged

    def _fast(self, kind: Kind) -> list[int]:
        return [
            fid
            for fid, item in self.items.items()
            if item.source.kind is kind
            and item.source.layout == "lines"
            and item.action is Action.FULL
            and not item.source.still_open
            and fid not in self.careful
        ]

    def _careful_batches(self, kinds: tuple[Kind, ...], staged: Staged) -> tuple[list[LineBatch], list[int]]:
        batches: list[LineBatch] = []
        ids: list[int] = []
        fast = set(self._fast(Kind.WEBHOOKS)) | set(self._fast(Kind.SEND_LOG))
        for fid, item in self.items.items():
            if item.source.kind not in kinds or item.source.layout == "csv" or fid in fast:
                continue
            if item.source.layout == "document":
                batch = read_document(item.source, fid)
            else:
                batch = read_lines(item.source, fid, item.offset, item.first_line)
            staged.progress[fid] = (batch.bytes_done, batch.lines_done)
            self._quarantine_problems(fid, item.source.kind_label, batch.problems)
            batches.append(batch)
            ids.append(fid)
        return batches, ids

    def _register_lines(self, name: str, batches: list[LineBatch]) -> None:
        frames = [b.frame for b in batches if b.frame.height]
        frame = pl.concat(frames) if frames else pl.DataFrame(schema=LINE_SCHEMA)
        self.wh.register(name, frame)

    def _stage_webhooks(self, staged: Staged) -> None:
        fast = self._fast(Kind.WEBHOOKS)
        for fid in fast:
            item = self.items[fid]
            staged.progress[fid] = (item.stat.size, -1)
        careful, _ = self._careful_batches((Kind.WEBHOOKS,), staged)
        landing, _ = self._careful_batches((Kind.LANDING,), staged)
        if not fast and not careful and not landing:
            return
        self._register_lines("careful_lines", careful)
        self._register_lines("landing_lines", landing)
        self._create_fast_view("fast_lines", fast, "json::VARCHAR AS text")
        sql = statements("sources")
        self.wh.execute(sql["webhook_lines"])
        for name in ("careful_problems", "landing_problems"):
            self.wh.execute(sql[name])
        self._run_fast_aware(statements("webhooks"), fast)

    def _stage_send_logs(self, staged: Staged) -> None:
        fast = self._fast(Kind.SEND_LOG)
        for fid in fast:
            staged.progress[fid] = (self.items[fid].stat.size, -1)
        careful, _ = self._careful_batches((Kind.SEND_LOG,), staged)
        csv_frames = []
        for fid, item in self.items.items():
            if item.source.layout != "csv":
                continue
            batch = read_send_csv(item.source, fid)
            staged.progress[fid] = (batch.bytes_done, batch.lines_done)
            self._quarantine_problems(fid, item.source.kind_label, batch.problems)
            csv_frames.append(batch.frame.with_columns(pl.lit(item.source.kind_label).alias("source_kind")))
        if not fast and not careful and not csv_frames:
            return
        self._register_lines("careful_send_lines", careful)
        schema = {**SEND_SCHEMA, "source_kind": pl.String}
        self.wh.register("csv_rows", pl.concat(csv_frames) if csv_frames else pl.DataFrame(schema=schema))
        self._create_fast_view("fast_send_lines", fast, "json::VARCHAR AS text")
        sources, checks = statements("sources"), statements("sendlog")
        self.wh.execute(sources["send_lines"].replace("{send_struct}", _SEND_STRUCT))
        self.wh.execute(sources["send_problems"])
        self._run_fast_aware({"rows": checks["rows"]}, fast)
        if csv_frames:
            run_block(self.wh, sources["send_csv_rows"])
            self.wh.execute(checks["rows"])
        self.wh.execute(checks["quarantine"])
        self.wh.execute(checks["bsp_statuses"])

    def _create_fast_view(self, name: str, file_ids: list[int], select: str) -> None:
        if file_ids:
            # a view cannot take bound parameters: the paths are written as escaped SQL literals
            paths = ", ".join(sql_literal(str(self.items[fid].source.path)) for fid in file_ids)
            self.wh.execute(
                f"""CREATE OR REPLACE TEMP VIEW {name} AS
                SELECT f.file_id, NULL::BIGINT AS line, {select}
                FROM read_ndjson_objects([{paths}], filename = true) j
                JOIN stg_files f ON f.path = j.filename"""
            )
        else:
            self.wh.execute(
                f"CREATE OR REPLACE TEMP VIEW {name} AS "
                "SELECT NULL::INTEGER AS file_id, NULL::BIGINT AS line, NULL::VARCHAR AS text WHERE false"
            )

    def _run_fast_aware(self, sql: dict[str, str], fast: list[int]) -> None:
        try:
            for statement in sql.values():
                self.wh.execute(statement)
        except WarehouseError as exc:
            # only a file DuckDB's reader rejects (malformed JSON, a cut gzip stream) goes to the
            # careful path, which reads what it can and quarantines the rest; other errors are bugs
            culprits = {fid for fid in fast if str(self.items[fid].source.path) in str(exc)}
            if not culprits:
                raise
            raise _NeedsCarefulPath(culprits) from None

    def _check_fast_path_quarantine(self) -> None:
        """Fast-path records have no line numbers: re-read files that quarantined anything."""
        rows = self.wh.rows(
            "SELECT DISTINCT file_id FROM stg_quarantine WHERE line IS NULL AND file_id IS NOT NULL"
        )
        fast = set(self._fast(Kind.WEBHOOKS)) | set(self._fast(Kind.SEND_LOG))
        culprits = {int(row[0]) for row in rows} & fast
        if culprits:
            raise _NeedsCarefulPath(culprits)

    def _quarantine_problems(self, file_id: int, kind: str, problems: list[Problem]) -> None:
        for problem in problems:
            self.wh.execute(
                "INSERT INTO stg_quarantine VALUES ($fid, $line, $kind, $reason, $raw)",
                {
                    "fid": file_id,
                    "line": problem.line,
                    "kind": kind,
                    "reason": problem.reason,
                    "raw": problem.raw_text,
                },
            )


class _NeedsCarefulPath(Exception):
    def __init__(self, file_ids: set[int]) -> None:
        super().__init__(f"{len(file_ids)} file(s)")
        self.file_ids = file_ids
