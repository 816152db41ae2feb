"""Landing files: what one record looks like, how files are named, closed and recovered.

The contract with ``pipelines.sources`` (which reads these files unchanged):

- ``<landing>/YYYY/MM/DD/receipts-<UTC time>-<pid>-<seq>.ndjson.open`` while being written,
  renamed to ``....ndjson`` (fsync first) when rotated or at shutdown;
- one UTF-8 JSON object per line: ``received_at`` (ISO-8601 UTC), a few non-secret facts about
  the request, and ``body``, the raw request body decoded as UTF-8, so that
  ``body.encode("utf-8")`` is exactly the bytes Meta posted. A body that is not UTF-8 is kept as
  ``body_b64`` with ``body: null`` (the pipelines quarantine it: kept, not lost);
- an ``.open`` file left behind by a crash is renamed at the next start, so the pipelines stop
  waiting for its torn last line and quarantine it instead.

:class:`LandingFiles` does the blocking file work; it runs on one thread only (the writer's).
"""

from __future__ import annotations

import base64
import fcntl
import json
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger(__name__)

OPEN_SUFFIX = ".open"
FINAL_SUFFIX = ".ndjson"
FILE_MODE = 0o600  # raw bodies hold phone numbers and message texts
DIR_MODE = 0o700


@dataclass(frozen=True, slots=True)
class RequestFacts:
    """What is kept about a request besides its body: nothing secret, nothing personal."""

    received_at: datetime
    request_id: str
    secret_index: int
    content_type: str | None
    user_agent: str | None


def encode_record(body: bytes, facts: RequestFacts) -> bytes:
    """One landing line (newline included) for a body whose signature was valid."""
    record: dict[str, object] = {
        "received_at": facts.received_at.isoformat(),
        "request_id": facts.request_id,
        "signature": "valid",
        "secret_index": facts.secret_index,
        "content_type": facts.content_type,
        "user_agent": facts.user_agent,
        "bytes": len(body),
    }
    try:
        record["body"] = body.decode("utf-8")
    except UnicodeDecodeError:
        # "body" stays present (null) so the file is still recognised as a landing file
        record["body"] = None
        record["body_b64"] = base64.b64encode(body).decode("ascii")
    # json.dumps escapes every control character, so a record is always exactly one line
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def final_name(path: Path) -> Path:
    """The name a landing file gets once closed."""
    return path.with_name(path.name.removesuffix(OPEN_SUFFIX))


def fsync_dir(path: Path) -> None:
    """Make a created or renamed directory entry durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_data(fd: int) -> None:
    # fdatasync also writes the new file size, which is all an append needs to be readable
    (getattr(os, "fdatasync", None) or os.fsync)(fd)


def recover_open_files(directory: Path) -> list[Path]:
    """Close the ``.open`` files a crashed receiver left; files of a running receiver are locked and kept."""
    recovered: list[Path] = []
    if not directory.exists():
        return recovered
    for path in sorted(_open_files(directory)):
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            continue  # closed by its owner meanwhile
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue  # another receiver is still writing it
        try:
            if os.fstat(fd).st_size == 0:
                path.unlink()
            else:
                target = final_name(path)
                os.rename(path, target)
                recovered.append(target)
            fsync_dir(path.parent)
        finally:
            os.close(fd)
    for path in recovered:
        log.warning(
            "closed %s left open by an earlier run (a torn last record is quarantined by ingest)", path
        )
    return recovered


def _open_files(directory: Path) -> Iterator[Path]:
    for path in directory.rglob(f"*{FINAL_SUFFIX}{OPEN_SUFFIX}"):
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(directory).parts):
            yield path


class LandingFiles:
    """The file being written, its rotation by age and size, and closing it durably."""

    def __init__(self, directory: Path, *, fsync: bool, rotate_seconds: float, rotate_bytes: int) -> None:
        self.directory = directory
        self.fsync = fsync
        self.rotate_seconds = rotate_seconds
        self.rotate_bytes = rotate_bytes
        self.closed_files = 0
        self._fd: int | None = None
        self._path: Path | None = None
        self._opened_at = 0.0  # monotonic
        self._size = 0
        self._seq = 0

    @property
    def current(self) -> Path | None:
        """The file being written, if any."""
        return self._path

    def seconds_until_rotation(self) -> float | None:
        """How long the current file may stay open; None when no file is open."""
        if self._fd is None:
            return None
        return max(0.0, self._opened_at + self.rotate_seconds - time.monotonic())

    def append(self, data: bytes) -> None:
        """Write complete records and make them durable; on failure the file is retired."""
        if self._fd is not None and self.seconds_until_rotation() == 0.0:
            self.close()
        if self._fd is None:
            self._open()
        assert self._fd is not None
        start = self._size
        try:
            view = memoryview(data)
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
            if self.fsync:
                _sync_data(self._fd)
        except OSError:
            self._retire(start)
            raise
        self._size += len(data)
        if self._size >= self.rotate_bytes:
            self.close()

    def rotate_if_due(self) -> None:
        """Close the current file if it is old enough, even when no record arrives."""
        if self._fd is not None and self.seconds_until_rotation() == 0.0:
            self.close()

    def close(self) -> None:
        """Sync, unlock and rename the current file to its final name."""
        if self._fd is None or self._path is None:
            return
        fd, path = self._fd, self._path
        self._fd, self._path = None, None
        try:
            if self.fsync:
                _sync_data(fd)
            os.rename(path, final_name(path))
            if self.fsync:
                fsync_dir(path.parent)
            self.closed_files += 1
        finally:
            os.close(fd)  # also releases the lock

    def _open(self) -> None:
        now = datetime.now(UTC)
        folder = self.directory / f"{now:%Y}" / f"{now:%m}" / f"{now:%d}"
        self._make_dirs(folder)
        self._seq += 1
        name = f"receipts-{now:%Y%m%dT%H%M%S}Z-{os.getpid()}-{self._seq:04d}{FINAL_SUFFIX}{OPEN_SUFFIX}"
        path = folder / name
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_CLOEXEC
        fd = os.open(path, flags, FILE_MODE)
        # held until closed: start-up recovery of another receiver leaves a locked file alone
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        if self.fsync:
            fsync_dir(folder)
        self._fd, self._path = fd, path
        self._opened_at = time.monotonic()
        self._size = 0

    def _make_dirs(self, folder: Path) -> None:
        missing = [p for p in (folder, *folder.parents) if not p.exists()]
        folder.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
        if self.fsync:
            for created in missing:
                fsync_dir(created.parent)

    def _retire(self, good_size: int) -> None:
        """After a failed write: cut the partial batch off, close the file, start a new one next time."""
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, good_size)
        except OSError:
            log.error("could not cut a partial write off %s; ingest will quarantine it", self._path)
        try:
            self.close()
        except OSError:
            log.exception("could not close %s after a failed write", self._path)
