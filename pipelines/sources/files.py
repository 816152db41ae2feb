"""Find the input files behind the paths given to `wagate ingest` and tell what each one is.

Kinds are detected from the extension and the first record, so a folder can mix webhook dumps,
landing files, send logs and CSV exports. Only a path that does not exist, cannot be read, or is
named explicitly with an unsupported extension stops a run; any other problem with a file's
content is quarantined and the run goes on.
"""

from __future__ import annotations

import fnmatch
import gzip
import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from core.config import CsvMapping, Settings
from core.errors import InputError

EXPORT_MARKER = "_wagate_export.json"
JSON_SUFFIXES = (".json", ".ndjson", ".jsonl")
OPEN_SUFFIXES = (".open", ".partial")
_PEEK_BYTES = 1 << 16


class Kind(StrEnum):
    """What a file holds."""

    WEBHOOKS = "webhooks"  # WhatsApp webhook bodies: one .json body, a .json array, or one per line
    LANDING = "landing"  # the receiver's landing records: {"received_at", "body", ...} per line
    SEND_LOG = "send_log"  # send-log rows as JSON lines or CSV with the send-log header
    CSV_MAPPED = "csv"  # another tool's CSV export, read through [[ingest.csv_mappings]]
    PARQUET_EXPORT = "parquet_export"  # a folder written by `wagate export parquet`


@dataclass(frozen=True, slots=True)
class InputFile:
    """One input and how to read it."""

    path: Path
    kind: Kind
    layout: str  # "lines" (one record per line), "document" (.json), "csv", "folder"
    gzip: bool = False
    still_open: bool = False  # a landing file the receiver is still appending to
    mapping: CsvMapping | None = None

    @property
    def kind_label(self) -> str:
        """Kind as shown in reports: csv mappings carry their name."""
        return f"csv:{self.mapping.name}" if self.mapping else str(self.kind)


@dataclass(frozen=True, slots=True)
class Discovery:
    """Inputs found, and files in folders that wagate does not read."""

    inputs: tuple[InputFile, ...]
    ignored: tuple[Path, ...]


def discover(paths: list[Path], settings: Settings) -> Discovery:
    """Expand folders and detect the kind of every file."""
    inputs: list[InputFile] = []
    ignored: list[Path] = []
    for path in paths:
        if not path.exists():
            raise InputError(
                f"{path}: no such file or folder", hint="check the path given to `wagate ingest`"
            )
        if path.is_dir():
            if (path / EXPORT_MARKER).exists():
                inputs.append(InputFile(path.resolve(), Kind.PARQUET_EXPORT, "folder"))
                continue
            for child in sorted(p for p in path.rglob("*") if p.is_file() and not _hidden(p, path)):
                found = _classify(child, settings)
                (inputs.append(found) if found else ignored.append(child))
            continue
        found = _classify(path, settings)
        if found is None:
            raise InputError(
                f"{path}: unsupported file type",
                hint="wagate reads .json, .ndjson, .jsonl (optionally .gz), .csv and export folders",
            )
        inputs.append(found)
    unique = {item.path: item for item in inputs}  # a file named twice is read once
    return Discovery(tuple(unique.values()), tuple(ignored))


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _classify(path: Path, settings: Settings) -> InputFile | None:
    if not _readable(path):
        raise InputError(f"{path}: cannot be read", hint="check its permissions")
    name = path.name.lower()
    still_open = name.endswith(OPEN_SUFFIXES)
    for suffix in OPEN_SUFFIXES:
        name = name.removesuffix(suffix)
    compressed = name.endswith(".gz")
    name = name.removesuffix(".gz")
    resolved = path.resolve()
    if name.endswith(".csv"):
        return _classify_csv(resolved, settings, compressed)
    if not name.endswith(JSON_SUFFIXES):
        return None
    layout = "document" if name.endswith(".json") else "lines"
    kind = _kind_of_record(_first_record(resolved, compressed, layout))
    return InputFile(resolved, kind, layout, gzip=compressed, still_open=still_open)


def _readable(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except OSError:
        return False
    return True


def _classify_csv(path: Path, settings: Settings, compressed: bool) -> InputFile:
    for mapping in settings.ingest.csv_mappings:
        if fnmatch.fnmatch(path.name, mapping.match):
            return InputFile(path, Kind.CSV_MAPPED, "csv", gzip=compressed, mapping=mapping)
    return InputFile(path, Kind.SEND_LOG, "csv", gzip=compressed)


def peek(path: Path, compressed: bool) -> bytes:
    """The first 64 KiB of a file, decompressed."""
    opener = gzip.open if compressed else open
    try:
        with opener(path, "rb") as handle:
            return bytes(handle.read(_PEEK_BYTES))
    except (OSError, EOFError):
        return b""


def _first_record(path: Path, compressed: bool, layout: str) -> object:
    head = peek(path, compressed)
    text = head.decode("utf-8-sig", errors="replace")
    if layout == "document":
        stripped = text.lstrip()
        if stripped.startswith("["):
            # only the start of the first element matters for detection
            stripped = stripped[1:].lstrip()
        return _keys_in(stripped)
    lines = text.splitlines()
    for line in lines[:50]:
        if line.strip():
            try:
                return json.loads(line)
            except ValueError:
                continue
    # a first record longer than the peek (Meta bodies reach 3 MB): judge it by its opening keys
    return _keys_in(text.lstrip())


def _keys_in(fragment: str) -> dict[str, object]:
    try:
        obj, _ = json.JSONDecoder().raw_decode(fragment)
    except ValueError:
        return {
            key: True
            for key in ("object", "entry", "attempted_at", "body", "received_at")
            if f'"{key}"' in fragment[:4096]
        }
    return obj if isinstance(obj, dict) else {}


def _kind_of_record(record: object) -> Kind:
    if isinstance(record, dict):
        if "body" in record and ("received_at" in record or "landed_at" in record):
            return Kind.LANDING
        if "attempted_at" in record and "object" not in record:
            return Kind.SEND_LOG
    return Kind.WEBHOOKS
