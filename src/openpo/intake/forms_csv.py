"""Orders from a spreadsheet: a Google Forms responses export, or a table a seller made.

Pure functions, no database: `read_sheet` turns the file into a `Sheet` (column titles and
rows of text), `guess_mapping` gives each column a role from its title (Indonesian or
English), and `orders_from_sheet` builds one `ParsedOrder` per row through
`parser.order_from_fields`, so a form row is checked exactly as a chat message is.

What `read_sheet` takes:

- CSV as UTF-8 (with or without the BOM Excel writes) or Windows-1252, the delimiter a comma,
  a semicolon (Excel in Indonesian saves with ";") or a tab, whichever splits the first lines
  into the same number of cells as the header;
- the .zip Google Forms downloads ("Download responses (.csv)": one CSV inside);
- XLSX (its first sheet), read by the bank statement reader with its archive checks.

Rows that are entirely empty are skipped; every row keeps its spreadsheet row number
(1 = the header), which is what the seller sees in Google Sheets or Excel.

Roles (`ROLES`): one column may be the timestamp, the name, the phone, the email; several
address columns (street, kota, kecamatan, kode pos, provinsi) are joined with ", ", several
notes columns with "; ". Items come from "items" columns (a cell such as
"Kaos Polos Hitam M (2), Tote Bag (1)": Google Forms joins checkbox answers with ", ") with an
optional "quantity" column for a single item written without its own quantity, and from
variant columns ("variant:<sku>", one per variant as a Google Forms grid makes them:
"Jumlah pesanan [Kaos Polos Hitam M]") whose cells hold a number of units ("2", "2 pcs";
empty or "0" = none).
"""

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field, replace

from django.utils.translation import gettext_lazy as _

from openpo.core.errors import DomainError
from openpo.intake.catalogue import Catalogue, Entry
from openpo.intake.results import ParsedItem, ParsedOrder, Problem
from openpo.payments.statements.reading import decode_text

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5_000  # responses (data rows), the header not counted
MAX_COLUMNS = 100
SNIFF_LINES = 50
DELIMITERS = (",", ";", "\t")
VARIANT = "variant:"

ROLES = [
    ("ignore", _("Ignore")),
    ("timestamp", _("Timestamp")),
    ("name", _("Name")),
    ("phone", _("Phone (WhatsApp)")),
    ("email", _("Email")),
    ("address", _("Address")),
    ("notes", _("Notes")),
    ("items", _("Items ordered")),
    ("quantity", _("Quantity")),
]
ROLE_VALUES = {value for value, _label in ROLES}


class UnreadableSheet(DomainError):
    """The file is not a spreadsheet of responses that can be read; nothing was read."""

    code = "unreadable_sheet"
    http_status = 422
    default_message = _(
        "This file cannot be read as a spreadsheet. Download the form's responses as CSV "
        "and try again."
    )


EMPTY = _("The file is empty.")
TOO_LARGE = _("The file is too large: at most %(limit)s MB.")
NOT_A_SHEET = _(
    "This is not a CSV or XLSX file. Download the form's responses as CSV (Google Forms: "
    "Responses, ⋮, Download responses) or save the sheet as CSV."
)
OLD_EXCEL = _("An old Excel file (.xls) cannot be read: save it as XLSX or CSV.")
BAD_CSV = _("The CSV file could not be read: %(problem)s.")
BAD_XLSX = _(
    "The Excel file could not be read: it may be damaged, too large or have more than 50 "
    "columns. Save it as CSV and try again."
)
BAD_ZIP = _("The .zip file should hold one CSV file of responses, as Google Forms downloads it.")
NO_HEADER = _("The first row of the file should hold the column titles (Nama, No HP, …).")
NO_ROWS = _("The file has column titles but no responses.")
TOO_MANY_ROWS = _("The file has more than %(limit)s responses; import it in parts.")
TOO_MANY_COLUMNS = _("The file has more than %(limit)s columns; remove the ones not needed.")

BAD_CELL_QUANTITY = _('"%(text)s" in the column "%(column)s" is not a number of units.')
BAD_QUANTITY_CELL = _('The quantity "%(text)s" is not a number.')
QUANTITY_NOT_USED = _(
    'The quantity "%(text)s" was not used: the order names several items, or its item has '
    "its own quantity."
)
UNKNOWN_VARIANT_COLUMN = _('The column "%(column)s" names a variant this PO no longer sells.')


@dataclass
class Sheet:
    columns: list[str]
    rows: list[list[str]]  # each padded to len(columns)
    # The spreadsheet row number of each row (1 = the header); empty rows are not in `rows`.
    row_numbers: list[int] = field(default_factory=list)

    def row_number(self, index: int) -> int:
        if index < len(self.row_numbers):
            return self.row_numbers[index]
        return index + 2


# ---------------------------------------------------------------------------------- reading


def _cell(value: object) -> str:
    """An XLSX cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _sniff(text: str) -> str:
    """The delimiter that splits the first lines into as many cells as the header."""
    sample = io.StringIO(text)
    lines = []
    for line in sample:
        lines.append(line)
        if len(lines) >= SNIFF_LINES:
            break
    head = "".join(lines)
    best, best_score = ",", 0
    for delimiter in DELIMITERS:
        try:
            rows = [r for r in csv.reader(io.StringIO(head), delimiter=delimiter) if any(r)]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        score = sum(1 for r in rows if len(r) == width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_rows(text: str):
    delimiter = _sniff(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            yield [cell.strip() for cell in row]
    except csv.Error as error:
        raise UnreadableSheet(BAD_CSV, problem=str(error)) from error


def _xlsx_rows(data: bytes):
    from openpo.payments.statements.errors import StatementError
    from openpo.payments.statements.reading import read_xlsx

    try:
        rows = read_xlsx(data)
    except StatementError as error:
        raise UnreadableSheet(BAD_XLSX) from error
    return [[_cell(value) for value in row] for row in rows]


def _zipped_csv(data: bytes) -> bytes:
    """The CSV inside the .zip Google Forms downloads."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            csvs = [m for m in members if m.filename.lower().endswith(".csv")]
            if len(csvs) != 1 or len(members) > 5:
                raise UnreadableSheet(BAD_ZIP)
            (member,) = csvs
            if member.file_size > MAX_BYTES or member.compress_type not in (
                zipfile.ZIP_STORED,
                zipfile.ZIP_DEFLATED,
            ):
                raise UnreadableSheet(TOO_LARGE, limit=MAX_BYTES // (1024 * 1024))
            with archive.open(member) as handle:
                inner = handle.read(MAX_BYTES + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as error:
        raise UnreadableSheet(BAD_ZIP) from error
    if len(inner) > MAX_BYTES:
        raise UnreadableSheet(TOO_LARGE, limit=MAX_BYTES // (1024 * 1024))
    return inner


def _is_xlsx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "[Content_Types].xml" in archive.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        return False


def _looks_binary(data: bytes) -> bool:
    head = data[:4096]
    if b"\x00" in head or head.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return True
    controls = sum(1 for byte in head if byte < 32 and byte not in (9, 10, 13))
    return controls > len(head) // 20


def read_sheet(data: bytes) -> Sheet:
    """The columns and non-empty rows of a CSV (or zipped CSV, or XLSX) file of responses.
    Raises `UnreadableSheet` for anything else, or past the limits (naming the limit)."""
    if not data.strip():
        raise UnreadableSheet(EMPTY)
    if len(data) > MAX_BYTES:
        raise UnreadableSheet(TOO_LARGE, limit=MAX_BYTES // (1024 * 1024))
    if data.startswith(b"PK\x03\x04"):
        if _is_xlsx(data):
            records = iter(_xlsx_rows(data))
        else:
            data = _zipped_csv(data)
            if not data.strip():
                raise UnreadableSheet(EMPTY)
            records = _csv_rows(decode_text(data))
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableSheet(OLD_EXCEL)
    elif _looks_binary(data):
        raise UnreadableSheet(NOT_A_SHEET)
    else:
        records = _csv_rows(decode_text(data))

    columns: list[str] | None = None
    rows: list[list[str]] = []
    numbers: list[int] = []
    for number, record in enumerate(records, start=1):
        if not any(record):
            continue
        if columns is None:
            columns = record
            continue
        if len(rows) >= MAX_ROWS:
            raise UnreadableSheet(TOO_MANY_ROWS, limit=MAX_ROWS)
        rows.append(record)
        numbers.append(number)  # as the spreadsheet numbers it (a cell may span lines)
    if columns is None:
        raise UnreadableSheet(EMPTY)
    width = max([len(columns), *(len(row) for row in rows)])
    if width > MAX_COLUMNS:
        # Trailing cells with nothing in them (a ragged export) do not count.
        width = max(
            [_last_filled(columns), *(_last_filled(row) for row in rows)],
        )
        if width > MAX_COLUMNS:
            raise UnreadableSheet(TOO_MANY_COLUMNS, limit=MAX_COLUMNS)
    columns = _pad(columns, width)
    if not any(_letters(title) for title in columns):
        raise UnreadableSheet(NO_HEADER)
    if not rows:
        raise UnreadableSheet(NO_ROWS)
    return Sheet(columns=columns, rows=[_pad(row, width) for row in rows], row_numbers=numbers)


def _last_filled(row: list[str]) -> int:
    for index in range(len(row), 0, -1):
        if row[index - 1]:
            return index
    return 0


def _pad(row: list[str], width: int) -> list[str]:
    return (row + [""] * width)[:width]


def _letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


# ---------------------------------------------------------------------------------- mapping


def _words(text: str) -> str:
    """Lower case, accents off, every run of other characters one space: "No. HP/WA" → "no hp
    wa"."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " " + " ".join(re.findall(r"[a-z0-9]+", text)) + " "


# (role, phrases): the first role with a phrase among the title's words wins, so "Alamat email"
# is an email and "Catatan pesanan" notes, before "alamat" or "pesanan" are looked at.
TITLE_WORDS: list[tuple[str, tuple[str, ...]]] = [
    ("timestamp", ("timestamp", "cap waktu", "stempel waktu", "tanda waktu", "waktu pengisian")),
    ("ignore", ("instagram", "ig", "tiktok", "username", "akun", "shopee", "twitter")),
    ("email", ("email", "e mail", "surel", "surat elektronik")),
    (
        "notes",
        ("catatan", "keterangan", "notes", "note", "komentar", "remarks", "pesan tambahan"),
    ),
    ("quantity", ("jumlah", "qty", "quantity", "kuantitas", "banyaknya", "banyak", "pcs")),
    (
        "phone",
        (
            "hp",
            "wa",
            "whatsapp",
            "whats app",
            "telepon",
            "telpon",
            "telp",
            "tlp",
            "phone",
            "handphone",
            "ponsel",
            "mobile",
            "no wa",
            "kontak",
        ),
    ),
    (
        "address",
        (
            "alamat",
            "address",
            "kota",
            "kabupaten",
            "kab",
            "kecamatan",
            "kec",
            "kelurahan",
            "kel",
            "desa",
            "kode pos",
            "kodepos",
            "provinsi",
            "postal",
            "zip",
            "postcode",
            "city",
            "province",
            "district",
            "street",
            "jalan",
            "rt",
            "rw",
            "patokan",
        ),
    ),
    (
        "items",
        (
            "pesanan",
            "order",
            "orders",
            "produk",
            "product",
            "products",
            "item",
            "items",
            "barang",
            "varian",
            "variant",
            "menu",
            "pilihan",
            "pilih",
        ),
    ),
    ("name", ("nama", "name", "pemesan", "penerima", "pembeli")),
]


def _role_by_words(title: str) -> str | None:
    words = _words(title)
    for role, phrases in TITLE_WORDS:
        if any(f" {phrase} " in words for phrase in phrases):
            return role
    return None


def _variant_of(text: str, catalogue: Catalogue) -> str | None:
    """The sku of the one variant `text` names, if it names exactly one."""
    from openpo.intake.items import parse_items

    text = text.strip()
    if not text or not _letters(text):
        return None
    items, _errors, _warnings = parse_items(text, catalogue)
    if len(items) == 1 and items[0].sku is not None:
        return items[0].sku
    return None


GRID_TITLE = re.compile(r"^(?P<question>.*?)\s*\[(?P<row>[^\[\]]+)\]\s*$")


def guess_mapping(columns: list[str], catalogue: Catalogue) -> list[str]:
    """One role per column (a value of `ROLES`, or "variant:<sku>"), guessed from its title."""
    mapping = []
    for title in columns:
        mapping.append(_guess_one(title, catalogue))
    return mapping


def _guess_one(title: str, catalogue: Catalogue) -> str:
    if not _letters(title):
        return "ignore"
    grid = GRID_TITLE.match(title)
    if grid:
        # A Google Forms grid: "Jumlah pesanan [Kaos Polos Hitam M]"; the row may name only
        # the variant ("Kaos Polos [Hitam M]").
        question, row = grid.group("question"), grid.group("row")
        for text in (row, f"{question} {row}"):
            sku = _variant_of(text, catalogue)
            if sku is not None:
                return VARIANT + sku
    role = _role_by_words(title)
    if role in (None, "quantity", "items"):
        # "Kaos Polos - Hitam - M", "Hitam M", or "Jumlah Kaos Hitam M" without brackets.
        sku = _variant_of(_without_quantity_words(title), catalogue)
        if sku is not None:
            return VARIANT + sku
    return role or "ignore"


QUANTITY_WORDS = re.compile(
    r"\b(jumlah|qty|quantity|kuantitas|banyaknya|pesanan|order|pcs)\b", re.IGNORECASE
)


def _without_quantity_words(title: str) -> str:
    return QUANTITY_WORDS.sub(" ", title).strip(" :-")


# ---------------------------------------------------------------------------------- rows

BARE_NUMBER = re.compile(r"^\s*[x×]?\s*(\d{1,5})\s*\.?\s*$", re.IGNORECASE)


def cell_quantity(text: str) -> int | None:
    """Units in a cell: "2", "2 pcs", "x2", "dua", "1 lusin" → the number; empty, "-" or "0"
    → 0; anything else (words, a negative number) → None. Quantities are read as the item
    parser reads them (`items.take_quantity`), a bare number too."""
    from openpo.intake.items import take_quantity

    text = text.strip()
    if not text or text in ("-", "–"):
        return 0
    match = BARE_NUMBER.match(text)
    if match:
        return int(match.group(1))
    quantity, rest = take_quantity(text)
    if quantity.value is None or re.search(r"\w", rest):
        return None
    if quantity.value == 0:
        return 0
    return None if quantity.bad else quantity.value


def _entries_by_sku(catalogue: Catalogue) -> dict[str, Entry]:
    return {entry.sku: entry for entry in catalogue.entries}


def orders_from_sheet(sheet: Sheet, mapping: list[str], catalogue: Catalogue) -> list[ParsedOrder]:
    """One order per row with something in a mapped column, each with its `row` number."""
    from openpo.intake.items import item_line, parse_items
    from openpo.intake.parser import order_from_fields

    mapping = (list(mapping) + ["ignore"] * len(sheet.columns))[: len(sheet.columns)]
    entries = _entries_by_sku(catalogue)
    used = [index for index, role in enumerate(mapping) if role not in ("ignore", "timestamp")]
    orders = []
    for position, row in enumerate(sheet.rows):
        if not any(row[index] for index in used):
            continue
        fields: dict[str, list[str]] = {}
        lines: list[str] = []
        errors: list[Problem] = []
        warnings: list[Problem] = []
        quantity_cells: list[str] = []
        for index, role in enumerate(mapping):
            value = row[index].strip()
            title = sheet.columns[index]
            if role.startswith(VARIANT):
                units = cell_quantity(value)
                entry = entries.get(role[len(VARIANT) :])
                if units is None and entry is not None:
                    # Kept in the items as written, so the error stays until it is corrected.
                    line = item_line(_item_of(entry, 1, title)).rsplit(" x", 1)[0]
                    lines.append(f"{line} qty: {' '.join(value.split()) or '?'}")
                    continue
                if units is None:
                    errors.append(_cell_problem("bad_quantity", BAD_CELL_QUANTITY, value, title))
                    continue
                if not units:
                    continue
                entry = entries.get(role[len(VARIANT) :])
                if entry is None:
                    errors.append(
                        _cell_problem("unknown_variant", UNKNOWN_VARIANT_COLUMN, "", title)
                    )
                    continue
                lines.append(item_line(_item_of(entry, units, f"{title}: {value}")))
            elif role == "quantity":
                if value:
                    quantity_cells.append(value)
            elif role in ROLE_VALUES and role not in ("ignore", "timestamp") and value:
                fields.setdefault(role, []).append(value)

        items_cells = fields.get("items", [])
        items_lines = list(items_cells)  # "A (2), B (1)": the item parser splits the commas
        if quantity_cells:
            text = "\n".join(items_lines)
            cell = quantity_cells[0]
            units = cell_quantity(cell)
            if units is None or (units == 0 and cell.strip() not in ("", "-", "–")):
                errors.append(
                    Problem("bad_quantity", str(BAD_QUANTITY_CELL) % {"text": cell}, cell)
                )
            elif units:
                items, _errs, item_warnings = parse_items(text, catalogue)
                assumed = [w for w in item_warnings if w.code == "assumed_quantity"]
                if len(items) == 1 and assumed and items[0].sku is not None:
                    items_lines = [item_line(replace(items[0], quantity=units))]
                elif text.strip():
                    warnings.append(
                        Problem(
                            "quantity_not_used",
                            str(QUANTITY_NOT_USED) % {"text": cell},
                            cell,
                        )
                    )
        order = order_from_fields(
            name=" ".join(fields.get("name", [])[:1]),
            phone=" ".join(fields.get("phone", [])[:1]),
            email=" ".join(fields.get("email", [])[:1]),
            address=", ".join(fields.get("address", [])),
            notes="; ".join(fields.get("notes", [])),
            items="\n".join([*items_lines, *lines]),
            catalogue=catalogue,
        )
        if errors:  # the cells that named items were wrong: "no item ordered" says less
            order.errors = [p for p in order.errors if p.code != "missing_items"]
        order.errors = errors + order.errors
        order.warnings = order.warnings + warnings
        order.row = sheet.row_number(position)
        if not order.source:
            order.source = "\n".join(
                f"{sheet.columns[i]}: {row[i]}" for i in range(len(row)) if row[i]
            )
        orders.append(order)
    return orders


def _item_of(entry: Entry, units: int, text: str) -> ParsedItem:
    return ParsedItem(
        text=text,
        quantity=units,
        product=entry.product,
        variant=entry.variant,
        sku=entry.sku,
        variant_id=entry.variant_id,
        price=entry.price,
    )


def _cell_problem(code: str, message, text: str, column: str) -> Problem:
    return Problem(code, str(message) % {"text": text, "column": column}, text)
