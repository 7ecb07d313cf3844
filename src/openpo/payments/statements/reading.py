"""A statement file (CSV with any delimiter, or XLSX) to a list of rows of cells, within limits.

The kind of file is read from its first bytes, never from its name. CSV text may be UTF-8 (with
or without a BOM) or Windows-1252, as Excel and the banks save it; the delimiter (`,` `;` tab
`|`) is the one that splits most lines into the same number of cells. XLSX cells keep their
types (dates stay dates, numbers stay numbers).

Every file is bounded before it costs anything: at most 5 MB, 20,000 lines of at most 4,000
characters, 50 columns. An XLSX is a zip archive whose parts may unpack to far more than the
upload (a 200 KB file of repeated rows unpacked to 80 MB and held the import for 34 s), so the
archive's directory is checked first — what all its parts unpack to, how tightly each is packed,
how many there are, how they are compressed — and openpyxl reads a sheet only after that, row
by row, stopping at the row and column limits.
"""

import csv
import io
import zipfile
from collections import Counter

from django.utils.translation import gettext_lazy as _

from openpo.payments.statements.errors import StatementError

MAX_STATEMENT_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 50
MAX_LINE_CHARS = 4_000
# A bank's 20,000-line XLSX export unpacks to about 7 MB, its sheet packed 8 to 14 times.
MAX_XLSX_UNPACKED_BYTES = 20 * 1024 * 1024
MAX_XLSX_PARTS = 100
MAX_PACKING_RATIO = 100
# Small parts (styles, themes) may pack tightly; the total bounds them anyway.
PACKING_CHECKED_FROM_BYTES = 1024 * 1024
DELIMITERS = (",", ";", "\t", "|")

Row = list[object]

DAMAGED_XLSX = _("The XLSX file could not be opened; it may be damaged. Export it again.")


def decode_text(data: bytes) -> str:
    """A spreadsheet export's bytes as text: UTF-8 (with or without a BOM), else cp1252."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _check_lines(text: str) -> None:
    """Refuse a text with too many lines or a line too long, before any of it is split."""
    # newline="": a line ends at \n, \r\n or a lone \r, as the csv module reads them.
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if number > MAX_ROWS:
            raise StatementError(
                _("The statement has more than %(limit)s lines; import it in parts."),
                limit=MAX_ROWS,
            )
        if len(line) > MAX_LINE_CHARS:
            raise StatementError(
                _(
                    "Line %(line)s of the file is longer than %(limit)s characters; this is "
                    "not a bank statement as the banks export it."
                ),
                line=number,
                limit=MAX_LINE_CHARS,
            )


def _split(text: str, delimiter: str) -> list[Row]:
    return [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _score(rows: list[Row]) -> int:
    """How many lines share the most common number of cells (of two or more)."""
    widths = Counter(len(row) for row in rows if len(row) >= 2)
    return max(widths.values(), default=0)


def _too_many_columns() -> StatementError:
    return StatementError(
        _("The statement has more than %(limit)s columns; export only the account's lines."),
        limit=MAX_COLUMNS,
    )


def _within_columns(row: Row) -> Row:
    """The row cut to MAX_COLUMNS cells; refused when a cell past the limit holds a value."""
    if len(row) <= MAX_COLUMNS:
        return row
    if any(value not in (None, "") for value in row[MAX_COLUMNS:]):
        raise _too_many_columns()
    return row[:MAX_COLUMNS]


def read_csv(data: bytes) -> list[Row]:
    text = decode_text(data)
    _check_lines(text)
    try:
        candidates = [_split(text, delimiter) for delimiter in DELIMITERS]
    except csv.Error as error:
        raise StatementError(
            _("The CSV file could not be read: %(problem)s."), problem=str(error)
        ) from error
    return [_within_columns(row) for row in max(candidates, key=_score)]


def check_xlsx_archive(data: bytes) -> None:
    """Refuse an XLSX whose parts would unpack to too much, before any part is unpacked."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
        raise StatementError(DAMAGED_XLSX) from error
    if len(parts) > MAX_XLSX_PARTS:
        raise StatementError(
            _("The XLSX file holds more than %(limit)s parts; this is not a bank's export."),
            limit=MAX_XLSX_PARTS,
        )
    # Excel and the banks only store or deflate; other methods could not be bounded while read.
    if any(part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for part in parts):
        raise StatementError(DAMAGED_XLSX)
    if sum(part.file_size for part in parts) > MAX_XLSX_UNPACKED_BYTES:
        raise StatementError(
            _(
                "The XLSX file unpacks to more than %(limit)s MB. Export a shorter period, "
                "or the statement as CSV."
            ),
            limit=MAX_XLSX_UNPACKED_BYTES // (1024 * 1024),
        )
    for part in parts:
        packed_tightly = part.file_size > MAX_PACKING_RATIO * max(part.compress_size, 1)
        if packed_tightly and part.file_size > PACKING_CHECKED_FROM_BYTES:
            raise StatementError(
                _(
                    "The XLSX file is packed more than %(limit)s times tighter than a bank's "
                    "export; it was not imported. Export the statement again."
                ),
                limit=MAX_PACKING_RATIO,
            )


def read_xlsx(data: bytes) -> list[Row]:
    from openpyxl import load_workbook

    check_xlsx_archive(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise StatementError(DAMAGED_XLSX) from error
    try:
        sheet = workbook.worksheets[0]
        # openpyxl pads each row to the width the sheet declares, or else to the column of its
        # last cell (up to 16,384 either way), and fills skipped row numbers with such rows. A
        # sheet that declares at most MAX_COLUMNS is read as it says; any other is read one
        # column past the limit (a value there is refused; cells further right are not read),
        # each row then only as wide as its last value.
        declared_columns, declared_rows = sheet.max_column, sheet.max_row
        padded = not (declared_columns is not None and declared_columns <= MAX_COLUMNS)
        if padded:
            sheet.reset_dimensions()
            width, height = MAX_COLUMNS + 1, MAX_ROWS + 1
        else:
            width = declared_columns
            height = min(declared_rows or MAX_ROWS + 1, MAX_ROWS + 1)
        rows = []
        for values in sheet.iter_rows(max_row=height, max_col=width, values_only=True):
            row = _within_columns(list(values))
            while padded and row and row[-1] is None:
                row.pop()
            rows.append(row)
            if len(rows) > MAX_ROWS:
                break
        return rows
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise StatementError(DAMAGED_XLSX) from error
    finally:
        workbook.close()


def read_rows(data: bytes) -> list[Row]:
    """The rows of a CSV or XLSX statement. Raises StatementError for anything else, or for a
    file past the limits above (naming the limit)."""
    if not data.strip():
        raise StatementError(_("The file is empty."))
    if len(data) > MAX_STATEMENT_BYTES:
        raise StatementError(
            _("The file is too large: at most %(limit)s MB."),
            limit=MAX_STATEMENT_BYTES // (1024 * 1024),
        )
    if data.startswith(b"PK\x03\x04"):
        rows = read_xlsx(data)
    elif data.startswith(b"%PDF"):
        raise StatementError(
            _("PDF statements cannot be read. Export the statement as CSV or Excel (XLSX).")
        )
    elif data.startswith(b"\xd0\xcf\x11\xe0") or b"\x00" in data[:4096]:
        raise StatementError(
            _("This is not a CSV or XLSX file. An old Excel file (.xls) must be saved as XLSX.")
        )
    else:
        rows = read_csv(data)
    if len(rows) > MAX_ROWS:
        raise StatementError(
            _("The statement has more than %(limit)s lines; import it in parts."), limit=MAX_ROWS
        )
    return rows
