"""Tables as users export them: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) or XLSX, any header language.

Every value is read as text (a phone column must never become a number). Headers are matched to
canonical field names through alias lists; a missing required column is a one-line error that
names the column and its accepted headers.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import polars as pl

from core.errors import InputError

_HEADER_SEPARATORS = re.compile(r"[\s\-.]+")
_MAX_FLOAT_DIGITS = 15  # a float holding an integer this long is exact


def normalise_header(text: str) -> str:
    """Folded header for alias matching: ``" WhatsApp No. "`` -> ``"whatsapp_no"``."""
    folded = unicodedata.normalize("NFKC", text).strip().casefold()
    return _HEADER_SEPARATORS.sub("_", folded).strip("_")


@dataclass(frozen=True, slots=True)
class Table:
    """A file read as text columns, with recognised columns renamed to canonical fields."""

    path: Path
    frame: pl.DataFrame  # canonical names for recognised columns, original headers for the others
    source: pl.DataFrame  # the columns exactly as read, original headers
    headers: dict[str, str]  # canonical field -> original header

    @property
    def fields(self) -> frozenset[str]:
        """Canonical fields present in the file."""
        return frozenset(self.headers)


def utf8_bytes(data: bytes, path: Path) -> bytes:
    """A CSV file's bytes as UTF-8 without BOM: UTF-8 (with or without BOM) passes through,
    UTF-16 with BOM and GBK/GB18030 are converted. Undecodable bytes are an :class:`InputError`.
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode(data, path).encode("utf-8")
    try:
        codecs.utf_8_decode(data, "strict", True)  # validation only: the bytes are used as they are
        return data
    except UnicodeDecodeError:
        return decode(data, path).encode("utf-8")


def decode(data: bytes, path: Path) -> str:
    """Text of a CSV file: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (a superset of GBK)."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: broken UTF-16 text at byte {exc.start}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: the text is neither UTF-8 nor GBK/GB18030 (undecodable byte at offset {exc.start})",
            hint="save the file as CSV UTF-8",
        ) from None


def _locate_csv_problem(text: str, path: Path) -> InputError:
    """A one-line error naming the first line that does not fit the header."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
        for row in reader:
            if row and len(row) != len(header):
                return InputError(
                    f"{path}:{reader.line_num}: expected {len(header)} fields like the header, found {len(row)}",
                    hint="check for unquoted commas or line breaks in that row",
                )
    except csv.Error as exc:
        return InputError(f"{path}:{reader.line_num}: malformed CSV: {exc}")
    return InputError(f"{path}: cannot be read as CSV")


def _read_csv(path: Path) -> pl.DataFrame:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    text = utf8_bytes(data, path)
    if not text.strip():
        raise InputError(f"{path}: the file is empty")
    try:
        frame = pl.read_csv(
            io.BytesIO(text),
            infer_schema=False,
            has_header=True,
            raise_if_empty=True,
        )
    except (pl.exceptions.PolarsError, ValueError):
        raise _locate_csv_problem(text.decode("utf-8"), path) from None
    return frame


def _cell(value: object) -> str | None:
    """An XLSX cell as the text the user sees (integers without ``.0``, dates in ISO form)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and len(str(int(abs(value)))) <= _MAX_FLOAT_DIGITS:
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    return text if text.strip() else None


def _read_xlsx(path: Path) -> pl.DataFrame:
    from openpyxl import load_workbook  # imported here: only XLSX users pay for it

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(f"{path}: not a readable .xlsx workbook ({type(exc).__name__})") from None
    try:
        rows = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()
    rows = [row for row in rows if any(cell is not None and str(cell).strip() for cell in row)]
    if not rows:
        raise InputError(f"{path}: the first sheet is empty")
    header = [_cell(cell) or f"column_{index + 1}" for index, cell in enumerate(rows[0])]
    width = len(header)
    body = [[_cell(cell) for cell in (row + [None] * width)[:width]] for row in rows[1:]]
    return pl.DataFrame(body, schema=dict.fromkeys(header, pl.String), orient="row")


def read_frame(path: Path) -> pl.DataFrame:
    """A CSV or XLSX file as a frame of text columns (original headers)."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if path.suffix.lower() == ".xls":
        raise InputError(
            f"{path}: old .xls workbooks are not supported", hint="save it as .xlsx or CSV UTF-8"
        )
    return _read_csv(path)


def _match_headers(
    columns: Sequence[str], aliases: Mapping[str, Sequence[str]]
) -> tuple[dict[str, str], dict[str, str]]:
    """(canonical -> header, header -> canonical); an earlier alias wins when several headers fit.

    The canonical name itself is tried last, so alias order in the pack decides.
    """
    normalised = {normalise_header(column): column for column in reversed(columns)}
    chosen: dict[str, str] = {}
    for field, names in aliases.items():
        for alias in [*names, field]:
            header = normalised.get(normalise_header(alias))
            if header is not None and header not in chosen.values():
                chosen[field] = header
                break
    return chosen, {header: field for field, header in chosen.items()}


def read_table(
    path: Path,
    aliases: Mapping[str, Sequence[str]],
    required: Sequence[str],
    what: str,
    allow_empty: bool = False,
) -> Table:
    """Read ``path`` and rename recognised columns; ``what`` names the file in messages."""
    source = read_frame(path)
    if source.height == 0 and not allow_empty:
        raise InputError(f"{path}: the {what} has a header but no rows")
    duplicates = sorted({c for c in source.columns if source.columns.count(c) > 1})
    if duplicates:
        raise InputError(f"{path}: the header repeats {', '.join(duplicates)}")
    headers, renames = _match_headers(source.columns, aliases)
    for field in required:
        if field not in headers:
            accepted = ", ".join(dict.fromkeys([field, *aliases.get(field, ())]))
            raise InputError(
                f"{path}: the {what} has no {field} column; accepted headers: {accepted}",
                hint=f"rename the column or add its header under [lint.columns] {field} = [...]",
            )
    clash = [c for c in source.columns if c not in renames and c in headers]
    frame = source.rename({c: f"{c} (original)" for c in clash}).rename(renames)
    return Table(path=path, frame=frame, source=source, headers=headers)
