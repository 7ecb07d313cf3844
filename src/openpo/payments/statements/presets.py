"""Bank formats: which header names mark the date, description, amount (or credit and
debit), CR/DB marker and balance columns of each bank's export, and the column mapping that
results when a file's header row is found.

A preset is recognised by its header row, wherever it sits under the bank's header lines
(account number, name, period). Without a preset every bank preset is tried in turn, then
`generic`; when none fits, the seller maps the columns by hand (`ColumnMapping` with indexes).

Header cells are compared by their names (`header_names`): `TGL_TRAN` reads as `tgl tran`, a
bilingual cell (`Kredit / Credit`, or the two words on two lines of the cell) answers to each
of its parts, and a currency after a name is dropped (`Nominal (IDR)` is `nominal`). When a
spreadsheet's merged cells leave empty columns, each header cell spans the empty header cells
to its right, and a line's value is read anywhere in that span (`ColumnMapping.ends`).
"""

import re
from dataclasses import dataclass
from datetime import date

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from openpo.payments.statements.numbers import (
    BadValue,
    YearGuess,
    clean_text,
    parse_amount,
    parse_date,
)

HEADER_SEARCH_ROWS = 60
# The words of a bilingual cell are split at `/` only when each part is a word, not a marker
# such as `D/K` or `Db/Cr`.
_BILINGUAL_PART_CHARS = 4
_CURRENCY = re.compile(r"(?:^|\s)(?:idr|rp|rupiah)(?=\s|$)")


def header_key(value: object) -> str:
    """A header cell as compared: lower case, without punctuation around or inside words
    (`TGL_TRAN` is `tgl tran`)."""
    text = clean_text(value).lower().replace("_", " ")
    text = re.sub(r"[.:()\[\]*]", " ", text)
    return " ".join(text.split())


def header_names(value: object) -> frozenset[str]:
    """Every name a header cell answers to: the whole cell, each part of a bilingual cell
    (`Tanggal / Date`, or `Tanggal` and `Date` on two lines of the cell), each without a
    currency (`Saldo (IDR)` answers to `saldo`)."""
    text = clean_text(value)
    names = {header_key(text)}
    lines = [header_key(line) for line in text.splitlines() if line.strip()]
    if len(lines) > 1:
        names.update(lines)
    for name in list(names):
        parts = [part.strip() for part in name.split("/")]
        if len(parts) > 1 and all(len(part) >= _BILINGUAL_PART_CHARS for part in parts):
            names.update(parts)
    names.update(" ".join(_CURRENCY.sub(" ", name).split()) for name in list(names))
    names.discard("")
    return frozenset(names)


@dataclass(frozen=True)
class ColumnMapping:
    """Which column (0-based) holds what. Either `amount` (signed, or with a CR/DB marker in
    the cell, in `marker`, or in the cell next to it) or `credit` (with `debit` when the bank
    writes money out in its own column)."""

    date: int
    description: tuple[int, ...]
    amount: int | None = None
    credit: int | None = None
    debit: int | None = None
    marker: int | None = None
    balance: int | None = None
    # The header row's index; None when given by hand (the table starts at the first date).
    header_row: int | None = None
    marker_next_to_amount: bool = False
    # (column, end): a header cell followed by empty header cells (a merged cell) spans the
    # columns up to `end` (exclusive; None: to the end of the row). Columns not listed span
    # only themselves.
    ends: tuple[tuple[int, int | None], ...] = ()

    def columns(self) -> list[int]:
        roles = [self.date, self.amount, self.credit, self.debit, self.marker, self.balance]
        return [*self.description, *(c for c in roles if c is not None)]

    def span(self, column: int, width: int) -> range:
        """The columns of a row `width` cells wide that the header cell `column` covers."""
        end = dict(self.ends).get(column, column + 1)
        return range(column, width if end is None else min(width, end))


@dataclass(frozen=True)
class Preset:
    name: str
    label: "str | Promise"
    date: tuple[str, ...]
    description: tuple[str, ...]
    amount: tuple[str, ...] = ()
    credit: tuple[str, ...] = ()
    debit: tuple[str, ...] = ()
    marker: tuple[str, ...] = ()
    balance: tuple[str, ...] = ()
    # The preset recognises a header row holding all the names of one of its signatures (a
    # preset without signatures recognises any header row it can map) …
    signatures: tuple[tuple[str, ...], ...] = ()
    # … or, when a line above the header names the bank (`titles`), one of these.
    titled_signatures: tuple[tuple[str, ...], ...] = ()
    titles: "re.Pattern[str] | None" = None
    marker_next_to_amount: bool = False

    def recognises(self, names: set[str], above: list[list[object]]) -> bool:
        if not self.signatures and not self.titled_signatures:
            return True
        if any(all(name in names for name in signature) for signature in self.signatures):
            return True
        if not self.titles or not any(
            all(name in names for name in signature) for signature in self.titled_signatures
        ):
            return False
        return any(self.titles.search(clean_text(cell).lower()) for row in above for cell in row)

    def mapping_for(
        self, header: list[object], header_row: int, above: list[list[object]] | None = None
    ) -> ColumnMapping | None:
        """The mapping when `header` is this preset's header row, else None. `above` are the
        rows over it, where a bank may name itself."""
        cells = [header_names(cell) for cell in header]
        if not self.recognises(set().union(*cells), above or []):
            return None
        # A cell that answers to a credit and a debit name (`Debet/Kredit`) is neither.
        taken = {
            index
            for index, names in enumerate(cells)
            if names & set(self.credit) and names & set(self.debit)
        }

        def first(names: tuple[str, ...]) -> int | None:
            for name in names:  # in the preset's order of preference
                for index, found in enumerate(cells):
                    if name in found and index not in taken:
                        taken.add(index)
                        return index
            return None

        date = first(self.date)
        credit = first(self.credit)
        debit = first(self.debit) if credit is not None else None
        amount = first(self.amount) if credit is None else None
        marker = first(self.marker) if amount is not None else None
        balance = first(self.balance)
        description = tuple(
            i
            for i, names in enumerate(cells)
            if i not in taken and any(name in names for name in self.description)
        )
        if date is None or not description or (amount is None and credit is None):
            return None
        filled = [i for i, cell in enumerate(header) if clean_text(cell)]
        ends = tuple(
            (column, following)
            for column, following in zip(filled, [*filled[1:], None], strict=True)
            if following is None or following > column + 1
        )
        return ColumnMapping(
            date=date,
            description=description,
            amount=amount,
            credit=credit,
            debit=debit,
            marker=marker,
            balance=balance,
            header_row=header_row,
            marker_next_to_amount=self.marker_next_to_amount,
            ends=ends,
        )


MANDIRI_TITLES = re.compile(r"\blivin\b|(?<!syariah )\bmandiri\b(?! syariah)")

PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        # KlikBCA / myBCA "Mutasi Rekening" CSV: account lines, then
        # Tanggal Transaksi,Keterangan,Cabang,Jumlah,Saldo with `'01/11` dates (no year),
        # `1,500,000.00 CR` amounts (or CR/DB in the next cell) and English numbers.
        Preset(
            name="bca",
            label="BCA (KlikBCA, myBCA)",
            date=("tanggal transaksi", "tanggal", "tgl"),
            description=("keterangan",),
            amount=("jumlah", "mutasi"),
            marker=("db/cr", "cr/db"),
            balance=("saldo",),
            signatures=(("keterangan", "cabang"),),
            marker_next_to_amount=True,
        ),
        # Mandiri Cash Management (MCM): Account No, Posting Date, Remark, Reference No,
        # Debit, Credit, Balance; English numbers, `01 Nov 2025` dates.
        # Livin' by Mandiri e-statement, often saved as CSV by Excel (`;`, Indonesian numbers,
        # empty columns left by merged cells): No, Tanggal / Date, Keterangan / Remarks, Debit,
        # Kredit / Credit (or Dana Keluar, Dana Masuk; or one signed Nominal (IDR) / Amount
        # (IDR)), Saldo / Balance; each line's time (`10:15:32 WIB`) and the rest of its remark
        # on the rows under it; a repeated header after each page break.
        Preset(
            name="mandiri",
            label="Mandiri (Livin', MCM)",
            date=(
                "posting date",
                "post date",
                "transaction date",
                "tanggal transaksi",
                "tanggal",
                "tgl",
                "date",
            ),
            description=(
                "remark",
                "remarks",
                "description",
                "keterangan",
                "rincian transaksi",
                "uraian transaksi",
                "uraian",
                "reference no",
            ),
            amount=("nominal", "amount", "jumlah", "mutasi"),
            credit=("credit", "kredit", "dana masuk", "incoming", "uang masuk"),
            debit=("debit", "debet", "dana keluar", "outgoing", "uang keluar"),
            marker=("db/cr", "cr/db", "d/k"),
            balance=("balance", "saldo", "saldo akhir", "closing balance"),
            signatures=(
                ("credit", "debit"),
                ("kredit", "debit"),
                ("dana masuk",),
                ("remarks", "amount"),
                ("rincian transaksi",),
            ),
            titled_signatures=(("kredit",), ("credit",), ("nominal",), ("amount",)),
            titles=MANDIRI_TITLES,
        ),
        # BRImo / IBBIZ: `;`-separated, Tanggal Transaksi, Uraian Transaksi, Teller, Debet,
        # Kredit, Saldo with Indonesian numbers `1.500.000,00`.
        # Internet Banking BRI "Mutasi Rekening" CSV: every field quoted, ID, NOREK, TGL_TRAN
        # (`2025-11-03 10:21:45`), TGL_EFEKTIF, JAM_TRAN, SEQ, DESK_TRAN, SALDO_AWAL_MUTASI,
        # MUTASI_DEBET, MUTASI_KREDIT, SALDO_AKHIR_MUTASI, GLSIGN (Cr/Db), TRUSER, KODE_TRAN, …,
        # REMARK_CUSTOM; English numbers without thousands (`135123.00`, `.00`). The opening
        # balance of each line is not its balance.
        Preset(
            name="bri",
            label="BRI (BRImo, Internet Banking, IBBIZ)",
            date=(
                "tgl tran",
                "tanggal tran",
                "tanggal transaksi",
                "tgl transaksi",
                "tanggal",
                "tgl",
            ),
            description=(
                "desk tran",
                "deskripsi transaksi",
                "deskripsi",
                "uraian transaksi",
                "uraian",
                "keterangan",
                "remark custom",
            ),
            amount=("mutasi", "nominal", "jumlah"),
            credit=("mutasi kredit", "kredit"),
            debit=("mutasi debet", "mutasi debit", "debet", "debit"),
            marker=("glsign", "d/k", "cr/db", "db/cr", "dk"),
            balance=("saldo akhir mutasi", "saldo akhir", "saldo"),
            signatures=(("kredit",), ("mutasi kredit",), ("desk tran",), ("tgl tran",)),
        ),
        # BNI Internet Banking / BNIDirect: Tanggal Transaksi, Uraian Transaksi, Tipe (Db/Cr),
        # Nominal, Saldo; `01-Nov-2025` dates, English numbers.
        Preset(
            name="bni",
            label="BNI (BNI Mobile, BNIDirect)",
            date=("tanggal transaksi", "tanggal", "post date"),
            description=("uraian transaksi", "uraian", "description"),
            amount=("nominal", "amount"),
            marker=("tipe", "type", "db/cr", "d/k"),
            balance=("saldo", "balance"),
            signatures=(("nominal",),),
        ),
        # Any bank: a date, a description and a signed amount (or credit/debit columns).
        Preset(
            name="generic",
            label=_("Other (date, description, amount)"),
            date=(
                "date",
                "tanggal",
                "tgl",
                "tanggal transaksi",
                "transaction date",
                "posting date",
            ),
            description=(
                "description",
                "keterangan",
                "uraian",
                "uraian transaksi",
                "remark",
                "remarks",
                "berita",
                "catatan",
            ),
            amount=("amount", "jumlah", "nominal", "nilai", "mutasi"),
            credit=("credit", "kredit", "cr", "masuk", "uang masuk"),
            debit=("debit", "debet", "db", "keluar", "uang keluar"),
            marker=("db/cr", "cr/db", "d/k", "type", "tipe", "jenis"),
            balance=("balance", "saldo"),
            marker_next_to_amount=True,
        ),
    )
}
DETECTION_ORDER = ("bca", "mandiri", "bri", "bni", "generic")
# What a table's date column is called: a row holding one of these where the date goes is a
# header (repeated after a page break, or the English row of a bilingual header), not a line.
DATE_LABELS = frozenset(name for preset in PRESETS.values() for name in preset.date)


def find_mapping(rows: list[list[object]], preset: Preset) -> ColumnMapping | None:
    """The preset's mapping at the first row that is its header row, or None."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        mapping = preset.mapping_for(row, index, rows[:index])
        if mapping:
            return mapping
    return None


def detect(rows: list[list[object]]) -> tuple[str, ColumnMapping] | None:
    """The first preset (banks before `generic`) whose header row is in the file."""
    for name in DETECTION_ORDER:
        mapping = find_mapping(rows, PRESETS[name])
        if mapping:
            return name, mapping
    return None


def guess_columns(rows: list[list[object]]) -> dict[str, int]:
    """First guesses for the seller's column choice: the column that reads as dates in most
    rows, the one after it that reads as amounts, the one with the longest texts."""
    never = YearGuess(date.today())
    width = max((len(row) for row in rows), default=0)
    dates, amounts, lengths = [0] * width, [0] * width, [0] * width
    for row in rows[:50]:
        for index, cell in enumerate(row):
            text = clean_text(cell)
            if not text:
                continue
            lengths[index] += len(text)
            try:
                parse_date(cell, year_for=never)
                dates[index] += 1
                continue
            except BadValue:
                pass
            try:
                if parse_amount(cell)[0]:
                    amounts[index] += 1
            except BadValue:
                pass
    guess: dict[str, int] = {}
    if width and max(dates):
        guess["date"] = dates.index(max(dates))
    rest = [i for i in range(width) if i != guess.get("date")]
    if rest and max(amounts[i] for i in rest):
        guess["amount"] = max(rest, key=lambda i: amounts[i])
    texts = [i for i in rest if i != guess.get("amount")]
    if texts:
        guess["description"] = max(texts, key=lambda i: lengths[i])
    return guess


def header_labels(rows: list[list[object]], columns: int) -> list[str]:
    """Each column's text in the last row with two or more cells above the first dated row
    (the table's header, when there is one): shown next to the column letters."""
    never = YearGuess(date.today())
    header: list[object] = []
    for row in rows[:HEADER_SEARCH_ROWS]:
        dated = False
        for cell in row[:3]:
            try:
                parse_date(cell, year_for=never)
                dated = True
            except BadValue:
                continue
        if dated:
            break
        if sum(1 for cell in row if clean_text(cell)) >= 2:
            header = row
    return [clean_text(header[i])[:30] if i < len(header) else "" for i in range(columns)]
