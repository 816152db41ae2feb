"""The warehouse: the only module that opens DuckDB.

Writers (the pipelines) open one read-write connection and hold it for a load; DuckDB allows a
single writing process per file, so a second writer gets :class:`WarehouseBusyError`.
Readers (metrics, dashboard, alerts) open short-lived read-only connections and retry for a
bounded time while a writer holds the file.

DuckDB exceptions are converted to :mod:`core.errors` here and nowhere else.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from core.errors import InputError, WarehouseBusyError, WarehouseError

Params = Sequence[Any] | dict[str, Any] | None

_LOCK_MARKERS = ("Could not set lock", "Conflicting lock", "database is locked")


class Warehouse:
    """One DuckDB connection with typed helpers. Use as a context manager."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path | None, *, read_only: bool) -> None:
        self._con = con
        self.path = path
        self.read_only = read_only

    # -- opening -------------------------------------------------------------------------
    @classmethod
    def open_writer(cls, path: Path, *, memory_limit: str = "1500MB", threads: int = 0) -> Warehouse:
        """Open (creating if needed) the warehouse for writing."""
        path.parent.mkdir(parents=True, exist_ok=True)
        # row order inside tables means nothing here (every read that needs an order says so),
        # and letting DuckDB write in any order makes bulk loads noticeably faster
        config: dict[str, Any] = {"memory_limit": memory_limit, "preserve_insertion_order": False}
        if threads:
            config["threads"] = threads
        try:
            con = duckdb.connect(str(path), config=config)
        except duckdb.Error as exc:
            raise _convert(exc, path) from None
        return cls(_utc(con), path, read_only=False)

    @classmethod
    def open_reader(cls, path: Path, *, retry_seconds: float = 5.0) -> Warehouse:
        """Open the warehouse read-only, retrying while a writer holds it."""
        if not path.exists():
            raise InputError(f"no warehouse at {path}", hint="run `wagate ingest` (or `wagate demo`) first")
        deadline = time.monotonic() + retry_seconds
        delay = 0.05
        while True:
            try:
                con = duckdb.connect(str(path), read_only=True)
                return cls(_utc(con), path, read_only=True)
            except duckdb.Error as exc:
                error = _convert(exc, path)
                if not isinstance(error, WarehouseBusyError) or time.monotonic() >= deadline:
                    raise error from None
            time.sleep(delay)
            delay = min(delay * 2, 0.5)

    @classmethod
    def open_snapshot(cls, path: Path, *, retry_seconds: float = 5.0) -> Warehouse:
        """Open the snapshot the last load published (never blocked by a running load), else the warehouse."""
        snapshot = snapshot_path(path)
        if snapshot.exists():
            try:
                return cls(_utc(duckdb.connect(str(snapshot), read_only=True)), snapshot, read_only=True)
            except duckdb.Error as exc:
                raise _convert(exc, snapshot) from None
        return cls.open_reader(path, retry_seconds=retry_seconds)

    def publish_snapshot(self) -> Path:
        """Copy the checkpointed warehouse to its snapshot file, replacing it atomically.

        DuckDB lets one process write a file and nobody else open it meanwhile; readers that open
        the snapshot instead see the state of the last committed load and never wait. Readers that
        already have the old snapshot open keep reading it (the rename leaves their file alive).
        """
        if self.path is None or self.read_only:
            raise WarehouseError("only a file warehouse opened for writing can publish a snapshot")
        self.checkpoint()
        target = snapshot_path(self.path)
        partial = target.with_name(target.name + ".partial")
        shutil.copyfile(self.path, partial)
        with partial.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, target)
        return target

    @classmethod
    def in_memory(cls) -> Warehouse:
        """A throw-away in-memory warehouse (tests, benchmarks' baselines)."""
        return cls(_utc(duckdb.connect(":memory:")), None, read_only=False)

    def close(self) -> None:
        """Close the connection."""
        self._con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- statements ----------------------------------------------------------------------
    def execute(self, sql: str, params: Params = None) -> None:
        """Run one statement to completion."""
        try:
            self._con.execute(sql, params).fetchall()
        except duckdb.Error as exc:
            raise _convert(exc, self.path, sql) from None

    def execute_script(self, sql: str) -> None:
        """Run several ``;``-separated statements (DDL files)."""
        try:
            self._con.execute(sql)
        except duckdb.Error as exc:
            raise _convert(exc, self.path, sql) from None

    def rows(self, sql: str, params: Params = None) -> list[tuple[Any, ...]]:
        """Run a query and return its rows as tuples."""
        try:
            return self._con.execute(sql, params).fetchall()
        except duckdb.Error as exc:
            raise _convert(exc, self.path, sql) from None

    def scalar(self, sql: str, params: Params = None) -> Any:
        """Run a query returning one value."""
        result = self.rows(sql, params)
        return result[0][0] if result else None

    def frame(self, sql: str, params: Params = None) -> pl.DataFrame:
        """Run a query and return a Polars DataFrame."""
        try:
            table = self._con.sql(sql, params=params).to_arrow_table()
        except duckdb.Error as exc:
            raise _convert(exc, self.path, sql) from None
        frame = pl.from_arrow(table)
        if not isinstance(frame, pl.DataFrame):
            raise WarehouseError(f"query did not return a table: {sql[:80]}")
        return frame

    def dicts(self, sql: str, params: Params = None) -> list[dict[str, Any]]:
        """Run a query and return a list of dicts (column name -> value)."""
        try:
            cursor = self._con.execute(sql, params)
            names = [d[0] for d in cursor.description or []]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        except duckdb.Error as exc:
            raise _convert(exc, self.path, sql) from None

    def register(self, name: str, frame: pl.DataFrame) -> None:
        """Expose a Polars frame to SQL as a view called ``name`` (zero-copy via Arrow)."""
        # plain (large) strings: DuckDB scans string-view columns far more slowly
        self._con.register(name, frame.to_arrow(compat_level=pl.CompatLevel.oldest()))

    def unregister(self, name: str) -> None:
        """Drop a view created by :meth:`register`."""
        self._con.unregister(name)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All-or-nothing: commit on success, roll back on any exception."""
        self.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self._con.execute("ROLLBACK")
            raise
        self.execute("COMMIT")

    def checkpoint(self) -> None:
        """Write the WAL into the database file."""
        self.execute("CHECKPOINT")


def snapshot_path(path: Path) -> Path:
    """Where the read-only snapshot of a warehouse file lives."""
    return path.with_name(f"{path.stem}.snapshot{path.suffix}")


def _utc(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    # timestamps come back in the session zone: fix it so results never depend on the machine
    con.execute("SET TimeZone = 'UTC'")
    return con


def _convert(exc: duckdb.Error, path: Path | None, sql: str | None = None) -> WarehouseError:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if any(marker in str(exc) for marker in _LOCK_MARKERS):
        return WarehouseBusyError(
            f"warehouse {path} is in use by another process",
            hint="wait for the running load to finish, or stop the other wagate process",
        )
    where = f" ({path})" if path else ""
    statement = f" in: {' '.join(sql.split())[:120]}" if sql else ""
    return WarehouseError(f"DuckDB error{where}: {text}{statement}")
