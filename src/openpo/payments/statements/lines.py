"""Statement rows to transactions: the table under the header row, read with a column mapping.

Header lines before the table and the bank's summary after it (Saldo Awal, Mutasi Kredit, …)
are skipped; pending lines (BCA writes `PEND` as their date) are counted, not imported. Any
other line that cannot be read is an error naming the line, and nothing is imported.
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from openpo.core.money import amount_problem, format_rupiah
from openpo.core.text import text_problem
from openpo.payments.statements.errors import StatementError
from openpo.payments.statements.numbers import (
    CREDIT,
    DEBIT,
    BadValue,
    YearGuess,
    clean_text,
    find_dates,
    parse_amount,
    parse_date,
    parse_marker,
)
from openpo.payments.statements.presets import ColumnMapping, header_key

MAX_REPORTED_ERRORS = 5
FOOTERS = (
    "saldo awal",
    "saldo akhir",
    "mutasi kredit",
    "mutasi debet",
    "mutasi debit",
    "total",
    "jumlah",
    "opening balance",
    "closing balance",
    "ending balance",
    "beginning balance",
    "starting balance",
)
PENDING = {"pend", "pending"}


@dataclass(frozen=True)
class Transaction:
    line: int  # 1-based line (row) of the file
    posted_on: date
    description: str
    amount: int  # rupiah, positive
    direction: str  # CREDIT or DEBIT
    balance: int | None


@dataclass
class ParsedStatement:
    transactions: list[Transaction] = field(default_factory=list)
    pending: int = 0

    @property
    def credits(self) -> list[Transaction]:
        return [t for t in self.transactions if t.direction == CREDIT]

    @property
    def debits(self) -> int:
        return sum(1 for t in self.transactions if t.direction == DEBIT)


def _cell(row: list[object], index: int | None) -> object:
    if index is None or index >= len(row):
        return None
    return row[index]


def _blank(row: list[object]) -> bool:
    return all(clean_text(cell) == "" for cell in row)


def _is_footer(row: list[object]) -> bool:
    first = next((header_key(cell) for cell in row if clean_text(cell)), "")
    return any(first.startswith(label) for label in FOOTERS)


def _period_end(rows: list[list[object]], before: int, today: date) -> date:
    """The last full date written in the header lines (the statement's period), or today."""
    dates = [d for row in rows[:before] for cell in row for d in find_dates(clean_text(cell))]
    return max(dates) if dates else today


def _direction(row: list[object], mapping: ColumnMapping) -> tuple[int, str]:
    if mapping.credit is not None:
        credit, _sign = parse_amount(_cell(row, mapping.credit))
        debit, _sign = parse_amount(_cell(row, mapping.debit))
        return (credit, CREDIT) if credit else (debit, DEBIT)
    amount, direction = parse_amount(_cell(row, mapping.amount))
    if mapping.marker is not None:
        marker_cell = _cell(row, mapping.marker)
        marker = parse_marker(marker_cell)
        if marker:
            direction = marker
        elif direction is None and clean_text(marker_cell):
            raise BadValue(clean_text(marker_cell))
    if direction is None and mapping.marker_next_to_amount and mapping.amount is not None:
        direction = parse_marker(_cell(row, mapping.amount + 1))
    return amount, direction or CREDIT


def parse_statement(
    rows: list[list[object]], mapping: ColumnMapping, *, today: date
) -> ParsedStatement:
    """The transactions of the table. Raises StatementError listing the unreadable lines."""
    start = 0 if mapping.header_row is None else mapping.header_row + 1
    by_hand = mapping.header_row is None
    parsed = ParsedStatement()
    errors: list[str] = []
    year_for: YearGuess | None = None
    for index in range(start, len(rows)):
        row, line = rows[index], index + 1
        if _blank(row):
            continue
        date_cell = _cell(row, mapping.date)
        if header_key(date_cell) in PENDING:
            parsed.pending += 1
            continue
        if year_for is None:
            year_for = YearGuess(_period_end(rows, index, today))
        try:
            posted_on = parse_date(date_cell, year_for=year_for)
        except BadValue:
            if _is_footer(row):
                if parsed.transactions:
                    break  # the bank's summary under the table
                continue
            if by_hand and not parsed.transactions:
                continue  # header lines above the table
            errors.append(
                _('Line %(line)s: "%(value)s" is not a date.')
                % {"line": line, "value": clean_text(date_cell)[:40]}
            )
            continue
        try:
            amount, direction = _direction(row, mapping)
        except BadValue as error:
            errors.append(
                _('Line %(line)s: "%(value)s" is not an amount (or a CR/DB marker).')
                % {"line": line, "value": str(error)[:40]}
            )
            continue
        if amount <= 0:
            continue  # a line with no money (a bank note, a zero-amount correction)
        if amount_problem(amount):
            errors.append(
                _("Line %(line)s: %(amount)s is more than one payment can be.")
                % {"line": line, "amount": format_rupiah(amount)}
            )
            continue
        try:
            balance, _sign = parse_amount(_cell(row, mapping.balance))
            balance = balance if mapping.balance is not None else None
        except BadValue:
            balance = None
        description = " ".join(
            text for column in mapping.description if (text := clean_text(_cell(row, column)))
        )
        if text_problem(description, multiline=True):
            errors.append(
                _("Line %(line)s: the description holds a control character.") % {"line": line}
            )
            continue
        description = " ".join(description.split())  # a cell's line breaks read as spaces
        parsed.transactions.append(
            Transaction(
                line=line,
                posted_on=posted_on,
                description=description,
                amount=amount,
                direction=direction,
                balance=balance,
            )
        )
    if errors:
        shown = " ".join(errors[:MAX_REPORTED_ERRORS])
        more = len(errors) - MAX_REPORTED_ERRORS
        if more > 0:
            shown += " " + _("…and %(count)s more lines.") % {"count": more}
        raise StatementError(
            _("Nothing was imported. %(problems)s Check the file or the column choice.")
            % {"problems": shown}
        )
    if not parsed.transactions and not parsed.pending:
        raise StatementError(
            _("No transactions were found in the file. Check that it is a bank statement.")
        )
    return parsed
