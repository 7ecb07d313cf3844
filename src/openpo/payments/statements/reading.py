"""A statement file (CSV with any delimiter, or XLSX) to a list of rows of cells.

The kind of file is read from its first bytes, never from its name. CSV text may be UTF-8 (with
or without a BOM) or Windows-1252, as Excel and the banks save it; the delimiter (`,` `;` tab
`|`) is the one that splits most lines into the same number of cells. XLSX cells keep their
types (dates stay dates, numbers stay numbers).
"""

import csv
import io
import zipfile
from collections import Counter

from django.utils.translation import gettext_lazy as _

from openpo.payments.statements.errors import StatementError

MAX_STATEMENT_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
DELIMITERS = (",", ";", "\t", "|")

Row = list[object]


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _split(text: str, delimiter: str) -> list[Row]:
    return [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _score(rows: list[Row]) -> int:
    """How many lines share the most common number of cells (of two or more)."""
    widths = Counter(len(row) for row in rows if len(row) >= 2)
    return max(widths.values(), default=0)


def read_csv(data: bytes) -> list[Row]:
    text = _decode(data)
    try:
        candidates = [_split(text, delimiter) for delimiter in DELIMITERS]
    except csv.Error as error:
        raise StatementError(
            _("The CSV file could not be read: %(problem)s."), problem=str(error)
        ) from error
    return max(candidates, key=_score)


def read_xlsx(data: bytes) -> list[Row]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise StatementError(
            _("The XLSX file could not be opened; it may be damaged. Export it again.")
        ) from error
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append(list(values))
            if len(rows) > MAX_ROWS:
                break
        return rows
    finally:
        workbook.close()


def read_rows(data: bytes) -> list[Row]:
    """The rows of a CSV or XLSX statement. Raises StatementError for anything else."""
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
