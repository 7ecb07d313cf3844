"""Bank formats: which header names mark the date, description, amount (or credit and
debit), CR/DB marker and balance columns of each bank's export, and the column mapping that
results when a file's header row is found.

A preset is recognised by its header row, wherever it sits under the bank's header lines
(account number, name, period). Without a preset every bank preset is tried in turn, then
`generic`; when none fits, the seller maps the columns by hand (`ColumnMapping` with indexes).
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


def header_key(value: object) -> str:
    """A header cell as compared: lower case, without punctuation around or inside words."""
    text = clean_text(value).lower()
    text = re.sub(r"[.:()\[\]*]", " ", text)
    return " ".join(text.split())


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

    def columns(self) -> list[int]:
        roles = [self.date, self.amount, self.credit, self.debit, self.marker, self.balance]
        return [*self.description, *(c for c in roles if c is not None)]


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
    # Header names that must all be present for the preset to recognise the file.
    signature: tuple[str, ...] = ()
    marker_next_to_amount: bool = False

    def mapping_for(self, header: list[object], header_row: int) -> ColumnMapping | None:
        """The mapping when `header` is this preset's header row, else None."""
        keys = [header_key(cell) for cell in header]
        if any(name not in keys for name in self.signature):
            return None

        def first(names: tuple[str, ...]) -> int | None:
            for name in names:  # in the preset's order of preference
                if name in keys:
                    return keys.index(name)
            return None

        date = first(self.date)
        description = tuple(i for i, key in enumerate(keys) if key and key in self.description)
        amount, credit = first(self.amount), first(self.credit)
        if date is None or not description or (amount is None and credit is None):
            return None
        return ColumnMapping(
            date=date,
            description=description,
            amount=None if credit is not None else amount,
            credit=credit,
            debit=first(self.debit) if credit is not None else None,
            marker=first(self.marker) if credit is None else None,
            balance=first(self.balance),
            header_row=header_row,
            marker_next_to_amount=self.marker_next_to_amount,
        )


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
            signature=("keterangan", "cabang"),
            marker_next_to_amount=True,
        ),
        # Livin' by Mandiri / Mandiri Cash Management (MCM): Account No, Posting Date, Remark,
        # Reference No, Debit, Credit, Balance; English numbers, `01 Nov 2025` dates.
        Preset(
            name="mandiri",
            label="Mandiri (Livin', MCM)",
            date=("posting date", "post date", "transaction date", "tanggal", "date"),
            description=("remark", "remarks", "description", "keterangan", "reference no"),
            credit=("credit", "kredit"),
            debit=("debit", "debet"),
            balance=("balance", "saldo"),
            signature=("credit", "debit"),
        ),
        # BRImo / Internet Banking BRI / IBBIZ: `;`-separated, Tanggal Transaksi, Uraian
        # Transaksi, Teller, Debet, Kredit, Saldo with Indonesian numbers `1.500.000,00`.
        Preset(
            name="bri",
            label="BRI (BRImo, IBBIZ)",
            date=("tanggal transaksi", "tgl transaksi", "tanggal"),
            description=("uraian transaksi", "uraian", "keterangan"),
            credit=("kredit",),
            debit=("debet", "debit"),
            balance=("saldo",),
            signature=("kredit",),
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
            signature=("nominal",),
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


def find_mapping(rows: list[list[object]], preset: Preset) -> ColumnMapping | None:
    """The preset's mapping at the first row that is its header row, or None."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        mapping = preset.mapping_for(row, index)
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
