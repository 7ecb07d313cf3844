"""A seller's list of extra charges, as a CSV or XLSX file or pasted text: one order code and
one number per row (`code, amount` in rupiah, or `code, weight_grams`). A first row whose
number cell is not a number is a header. The file goes through the bank statements' safe
reader (size, row and XLSX limits); every problem names its row, and one bad row refuses all.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from openpo.payments.errors import InvalidCharge
from openpo.payments.statements.errors import StatementError
from openpo.payments.statements.reading import read_rows

MAX_CHARGE_ROWS = 5_000


@dataclass(frozen=True)
class ChargeLine:
    row: int  # the row of the file, from 1, as a spreadsheet shows it
    code: str
    value: int  # rupiah, or grams


def _number(cell: object) -> int | None:
    """A whole number from a cell: 25000, 25000.0, "25.000", "Rp 25.000", "25,000"."""
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float):
        return int(cell) if cell.is_integer() else None
    text = str(cell or "").strip().replace(" ", "")
    if text[:2].casefold() == "rp":
        text = text[2:]
    text = text.replace(".", "").replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return int(number) if number == number.to_integral_value() else None


def read_charge_lines(data: bytes, *, field: str = "file") -> list[ChargeLine]:
    """The rows of a charges file or pasted text. Raises InvalidCharge (under `field`)."""
    try:
        rows = read_rows(data)
    except StatementError as error:
        raise InvalidCharge(error.message, field_errors={field: [error.message]}) from error
    lines: list[ChargeLine] = []
    problems: list[str] = []
    for number, row in enumerate(rows, start=1):
        cells = [c for c in row if str(c if c is not None else "").strip()]
        if not cells:
            continue
        code = str(cells[0]).strip().upper()
        value = _number(cells[1]) if len(cells) >= 2 else None
        if value is None and not lines and not problems and number == _first_row(rows):
            continue  # a header such as "code, amount"
        if len(cells) != 2:
            problems.append(
                str(_("Row %(row)s: give an order code and one number, separated by a comma."))
                % {"row": number}
            )
        elif value is None:
            problems.append(
                str(_("Row %(row)s: “%(cell)s” is not a whole number."))
                % {"row": number, "cell": str(cells[1])[:30]}
            )
        else:
            lines.append(ChargeLine(row=number, code=code, value=value))
    if len(lines) > MAX_CHARGE_ROWS:
        problems.insert(0, str(_("At most %(limit)s rows at once.")) % {"limit": MAX_CHARGE_ROWS})
    if not lines and not problems:
        problems.append(str(_("No rows found: give one order code and one number per row.")))
    if problems:
        raise InvalidCharge(problems[0], field_errors={field: problems})
    return lines


def _first_row(rows: list[list[object]]) -> int:
    for number, row in enumerate(rows, start=1):
        if any(str(c if c is not None else "").strip() for c in row):
            return number
    return 0
