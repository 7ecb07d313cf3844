"""Statement rows to transactions: the table under the header row, read with a column mapping.

Header lines before the table and the bank's summary after it (Saldo Awal, Mutasi Kredit, …)
are skipped; pending lines (BCA writes `PEND` as their date) are counted, not imported.

Rows are first joined into lines: a dated row starts a line, and the rows right under it that
have no date (or only a time, `10:15:32 WIB`, as Livin' by Mandiri writes under each date)
continue it: their remark is added to its description, and an amount the dated row lacks is
taken from them. A header repeated after a page break (or the English row of a bilingual
header), a page's number and the lines the bank prints at a page break are skipped, as are
rows of an opening or closing balance. Any other line that cannot be read is an error naming
the line, and nothing is imported.
"""

import re
from dataclasses import dataclass, field
from datetime import date, time

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
from openpo.payments.statements.presets import (
    DATE_LABELS,
    ColumnMapping,
    header_key,
    header_names,
)

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
    "dana masuk",
    "dana keluar",
    "incoming",
    "outgoing",
)
# A dated row whose description is one of these is the balance, not money in or out.
BALANCE_LINES = (
    "saldo awal",
    "saldo akhir",
    "saldo penutupan",
    "saldo pembukaan",
    "opening balance",
    "closing balance",
    "ending balance",
    "beginning balance",
    "starting balance",
    "total",
)
PENDING = {"pend", "pending"}
TIME_ONLY = re.compile(r"\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:\s*(?:wib|wita|wit))?", re.I)
PAGE_MARK = re.compile(
    r"(?:halaman|hal|page)\s*\d+(?:\s*(?:dari|of|/)\s*\d+)?(?:\W.*)?"
    r"|\d+\s*(?:dari|of)\s*\d+(?:\s*/\s*\d+\s*(?:dari|of)\s*\d+)?",
    re.I,
)
# A date written wrongly (31/02/2025, 2025-11-31) is an error wherever it is, never noise.
DATE_LIKE = re.compile(
    r"(?:\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}|\d{1,2}[\s/-][A-Za-z]{3,9}[\s/-]\d{2,4})(?:\s|$)"
)
# A part of a description repeated by another column (BRI's DESK_TRAN and REMARK_CUSTOM) is
# written once when it is at least this long; shorter words may repeat for a reason.
REPEATED_PART_CHARS = 12


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


def _cell(row: list[object], mapping: ColumnMapping, column: int | None) -> object:
    """The value of a mapped column: its cell, or the first filled cell of its span."""
    if column is None:
        return None
    for index in mapping.span(column, len(row)):
        if clean_text(row[index]):
            return row[index]
    return None


def _money_cell(row: list[object], mapping: ColumnMapping, column: int | None) -> object:
    """An amount column's value; in its span, a CR/DB marker (BCA's) is not the amount."""
    if column is None:
        return None
    for index in mapping.span(column, len(row)):
        value = row[index]
        if not clean_text(value) or (index != column and parse_marker(value)):
            continue
        return value
    return None


def _texts(row: list[object], mapping: ColumnMapping) -> list[str]:
    return [
        text
        for column in mapping.description
        for index in mapping.span(column, len(row))
        if (text := clean_text(row[index]))
    ]


def _blank(row: list[object]) -> bool:
    return all(clean_text(cell) == "" for cell in row)


def _starts_with(text: str, labels: tuple[str, ...]) -> bool:
    key = header_key(text)
    return any(key == label or key.startswith(label + " ") for label in labels)


def _is_footer(row: list[object]) -> bool:
    first = next((header_key(cell) for cell in row if clean_text(cell)), "")
    return any(first.startswith(label) for label in FOOTERS)


def _is_header(date_cell: object) -> bool:
    return bool(header_names(date_cell) & DATE_LABELS)


def _is_time_or_empty(value: object) -> bool:
    text = clean_text(value)
    return isinstance(value, time) or not text or bool(TIME_ONLY.fullmatch(text))


def _is_page_mark(texts: list[str]) -> bool:
    return any(PAGE_MARK.fullmatch(text) for text in texts)


def _is_zero(value: object) -> bool:
    """An empty amount cell, or one of no money (`0,00`, `.00`, `-`)."""
    if not clean_text(value):
        return True
    try:
        return parse_amount(value)[0] == 0
    except BadValue:
        return False


def _has_money(row: list[object], mapping: ColumnMapping) -> bool:
    """Whether an amount column of the row holds an amount, or something with digits that
    is not one."""
    for column in (mapping.amount, mapping.credit, mapping.debit):
        value = _money_cell(row, mapping, column)
        if value is None:
            continue
        try:
            if parse_amount(value)[0]:
                return True
        except BadValue:
            if re.search(r"\d", clean_text(value)):
                return True
    return False


def _period_end(rows: list[list[object]], before: int, today: date) -> date:
    """The last full date written in the header lines (the statement's period), or today."""
    dates = [d for row in rows[:before] for cell in row for d in find_dates(clean_text(cell))]
    return max(dates) if dates else today


@dataclass
class _Line:
    """A line of the statement: its dated row, and the rows that continue it."""

    index: int  # 0-based index of the dated row
    posted_on: date
    row: list[object]  # the dated row, with the amounts its continuation rows gave
    texts: list[str]


def _continue(line: _Line, row: list[object], mapping: ColumnMapping) -> bool:
    """Add a continuation row to its line: its remark, and the amounts the dated row lacks.
    False when both rows hold an amount for the same column (the row is not a continuation)."""
    money = [mapping.amount, mapping.credit, mapping.debit, mapping.marker, mapping.balance]
    taken: dict[int, object] = {}
    for column in money:
        if column is None:
            continue
        value = _money_cell(row, mapping, column)
        if _is_zero(value):
            continue
        if not _is_zero(_money_cell(line.row, mapping, column)):
            if column == mapping.balance:
                continue
            return False
        taken[column] = value
    for column, value in taken.items():
        if len(line.row) <= column:
            line.row.extend([None] * (column + 1 - len(line.row)))
        line.row[column] = value
    line.texts.extend(_texts(row, mapping))
    return True


def _description(texts: list[str]) -> str:
    """The parts of a description in one line, a part repeated by another column once."""
    parts: list[str] = []
    for text in texts:
        words = " ".join(text.split())  # a cell's line breaks read as spaces
        if not words:
            continue
        folded = words.casefold()
        if any(
            folded == part.casefold()
            or (len(words) >= REPEATED_PART_CHARS and folded in part.casefold())
            for part in parts
        ):
            continue
        parts.append(words)
    return " ".join(parts)


def _direction(row: list[object], mapping: ColumnMapping) -> tuple[int, str]:
    if mapping.credit is not None:
        credit, _sign = parse_amount(_money_cell(row, mapping, mapping.credit))
        debit, _sign = parse_amount(_money_cell(row, mapping, mapping.debit))
        return (credit, CREDIT) if credit else (debit, DEBIT)
    amount, direction = parse_amount(_money_cell(row, mapping, mapping.amount))
    if mapping.marker is not None:
        marker_cell = _cell(row, mapping, mapping.marker)
        marker = parse_marker(marker_cell)
        if marker:
            direction = marker
        elif direction is None and clean_text(marker_cell):
            raise BadValue(clean_text(marker_cell))
    if direction is None and mapping.marker_next_to_amount and mapping.amount is not None:
        next_cell = row[mapping.amount + 1] if mapping.amount + 1 < len(row) else None
        direction = parse_marker(next_cell)
    return amount, direction or CREDIT


def _not_a_date(line: int, value: object) -> tuple[int, str]:
    message = _('Line %(line)s: "%(value)s" is not a date.') % {
        "line": line,
        "value": clean_text(value)[:40],
    }
    return line, message


def _lines(
    rows: list[list[object]], mapping: ColumnMapping, parsed: "ParsedStatement", today: date
) -> tuple[list[_Line], list[tuple[int, str]]]:
    """The statement's lines (dated rows joined with the rows that continue them), and the
    rows that cannot be read."""
    start = 0 if mapping.header_row is None else mapping.header_row + 1
    by_hand = mapping.header_row is None
    lines: list[_Line] = []
    errors: list[tuple[int, str]] = []
    current: _Line | None = None
    # After the bank's summary, a blank row or the lines the bank prints at a page break, a
    # row without a date is not a line (an account number, a total), unless it holds a date
    # written wrongly. The next dated row ends this.
    relaxed = False
    year_for: YearGuess | None = None
    for index in range(start, len(rows)):
        row, number = rows[index], index + 1
        if _blank(row):
            current = None
            relaxed = relaxed or bool(lines)  # perhaps a page break: the bank's lines follow
            continue
        date_cell = _cell(row, mapping, mapping.date)
        if header_key(date_cell) in PENDING:
            parsed.pending += 1
            current = None
            continue
        if year_for is None:
            year_for = YearGuess(_period_end(rows, index, today))
        try:
            posted_on = parse_date(date_cell, year_for=year_for)
        except BadValue:
            pass
        else:
            current = _Line(index, posted_on, list(row), _texts(row, mapping))
            lines.append(current)
            relaxed = False
            continue
        if _is_header(date_cell):  # repeated after a page break, or a bilingual header's row
            current = None
            continue
        if _is_footer(row):
            current = None
            relaxed = relaxed or bool(lines)
            continue
        if by_hand and not lines:
            continue  # header lines above the table
        page_mark = _is_page_mark([clean_text(date_cell), *_texts(row, mapping)])
        if current is not None and _is_time_or_empty(date_cell) and not page_mark:
            if not _continue(current, row, mapping):
                errors.append(_not_a_date(number, date_cell))
            continue
        current = None
        if page_mark or not _has_money(row, mapping):
            relaxed = bool(lines)  # a page break's lines, or a note: nothing to read
            continue
        if relaxed and not DATE_LIKE.match(clean_text(date_cell)):
            continue
        errors.append(_not_a_date(number, date_cell))
    return lines, errors


def parse_statement(
    rows: list[list[object]], mapping: ColumnMapping, *, today: date
) -> ParsedStatement:
    """The transactions of the table. Raises StatementError listing the unreadable lines."""
    parsed = ParsedStatement()
    lines, errors = _lines(rows, mapping, parsed, today)
    for line in lines:
        number, row = line.index + 1, line.row
        if any(text_problem(text, multiline=True) for text in line.texts):
            message = _("Line %(line)s: the description holds a control character.")
            errors.append((number, message % {"line": number}))
            continue
        description = _description(line.texts)
        if _starts_with(description, BALANCE_LINES):
            continue  # the opening or closing balance written as a line of the table
        try:
            amount, direction = _direction(row, mapping)
        except BadValue as error:
            message = _('Line %(line)s: "%(value)s" is not an amount (or a CR/DB marker).')
            errors.append((number, message % {"line": number, "value": str(error)[:40]}))
            continue
        if amount <= 0:
            continue  # a line with no money (a bank note, a zero-amount correction)
        if amount_problem(amount):
            message = _("Line %(line)s: %(amount)s is more than one payment can be.")
            errors.append((number, message % {"line": number, "amount": format_rupiah(amount)}))
            continue
        try:
            balance, _sign = parse_amount(_money_cell(row, mapping, mapping.balance))
            balance = balance if mapping.balance is not None else None
        except BadValue:
            balance = None
        parsed.transactions.append(
            Transaction(
                line=number,
                posted_on=line.posted_on,
                description=description,
                amount=amount,
                direction=direction,
                balance=balance,
            )
        )
    if errors:
        errors.sort(key=lambda error: error[0])
        shown = " ".join(message for _line, message in errors[:MAX_REPORTED_ERRORS])
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
