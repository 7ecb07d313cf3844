"""Amounts and dates as Indonesian banks write them in statement exports.

Amounts: `1.500.000,00` (Indonesian), `1,500,000.00` (English), `1500000`, with `Rp`/`IDR`
in front, `CR`/`DB` (or `K`/`D`) after, a minus sign or brackets for money going out.
Dates: `dd/mm/yyyy`, `dd/mm/yy`, `dd-mm-yyyy`, `yyyy-mm-dd`, `dd-Mon-yyyy`, `dd Mon yyyy`
(English or Indonesian month names), `dd/mm` without a year (BCA), a time after the date,
real date cells of a spreadsheet and Excel serial day numbers.
"""

import re
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CREDIT, DEBIT = "credit", "debit"

MARKERS = {
    "CR": CREDIT,
    "K": CREDIT,
    "KR": CREDIT,
    "C": CREDIT,
    "KREDIT": CREDIT,
    "CREDIT": CREDIT,
    "DB": DEBIT,
    "D": DEBIT,
    "DR": DEBIT,
    "DEBET": DEBIT,
    "DEBIT": DEBIT,
    "MASUK": CREDIT,
    "KELUAR": DEBIT,
}
MONTHS = {
    "jan": 1,
    "feb": 2,
    "peb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "mei": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "agu": 8,
    "agt": 8,
    "ags": 8,
    "sep": 9,
    "oct": 10,
    "okt": 10,
    "nov": 11,
    "nop": 11,
    "dec": 12,
    "des": 12,
}
EXCEL_EPOCH = date(1899, 12, 30)

_MARKER_SUFFIX = re.compile(r"^(?P<number>.*?)\s*(?P<marker>CR|DB|DR|KR|K|D|C)\.?$", re.I)
_THOUSANDS_DOT = re.compile(r"^\d{1,3}(\.\d{3})+$")
_THOUSANDS_COMMA = re.compile(r"^\d{1,3}(,\d{3})+$")


class BadValue(ValueError):
    """A cell that is not an amount or a date."""


def parse_marker(value: object) -> str | None:
    """`credit`, `debit` or None for a CR/DB (K/D, Kredit/Debet) marker cell."""
    text = clean_text(value).upper().rstrip(".")
    return MARKERS.get(text)


def clean_text(value: object) -> str:
    """A cell as text: BCA puts an apostrophe before cells so Excel keeps them as text."""
    if value is None:
        return ""
    text = str(value).replace("\xa0", " ").strip()
    if text.startswith("'"):
        text = text[1:].strip()
    return text


def _number(text: str) -> Decimal:
    text = text.replace(" ", "")
    if not re.fullmatch(r"[\d.,]+", text) or not re.search(r"\d", text):
        raise BadValue(text)
    if "." in text and "," in text:
        # The separator that comes last is the decimal one.
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        text = text.replace(",", "") if _THOUSANDS_COMMA.match(text) else text.replace(",", ".")
    elif "." in text and _THOUSANDS_DOT.match(text):
        text = text.replace(".", "")
    try:
        return Decimal(text)
    except InvalidOperation as error:
        raise BadValue(text) from error


def parse_amount(value: object) -> tuple[int, str | None]:
    """(rupiah, sign) of an amount cell: a positive whole number of rupiah, and `credit` or
    `debit` when the cell says so itself (a marker or a minus sign), else None.
    Raises BadValue; an empty cell is (0, None)."""
    if isinstance(value, bool):
        raise BadValue(value)
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
        direction = DEBIT if number < 0 else None
        return int(abs(number).quantize(Decimal(1), ROUND_HALF_UP)), direction
    text = clean_text(value)
    if text in {"", "-"}:
        return 0, None
    direction = None
    text = re.sub(r"^(RP\.?|IDR)\s*", "", text, flags=re.I)
    if (marker := _MARKER_SUFFIX.match(text)) and re.search(r"\d", marker.group("number")):
        direction = MARKERS[marker.group("marker").upper()]
        text = marker.group("number")
    text = re.sub(r"\s*(RP\.?|IDR)\s*", "", text, flags=re.I).strip()
    if text.startswith("(") and text.endswith(")"):
        direction, text = DEBIT, text[1:-1]
    if text.startswith("-"):
        direction, text = DEBIT, text[1:]
    elif text.startswith("+"):
        direction, text = CREDIT, text[1:]
    text = re.sub(r"^(RP\.?|IDR)\s*", "", text.strip(), flags=re.I)
    try:
        number = _number(text)
    except BadValue as error:
        raise BadValue(clean_text(value)) from error
    return int(number.quantize(Decimal(1), ROUND_HALF_UP)), direction


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


class YearGuess:
    """The year of a `dd/mm` date: from the statement's period (its last date) when the file
    says it, else from the import date; a month after the period's end is of the year before
    (a December line in a statement that ends in January)."""

    def __init__(self, period_end: date) -> None:
        self.period_end = period_end

    def __call__(self, day: int, month: int) -> date:
        year = self.period_end.year
        if month > self.period_end.month:
            year -= 1
        return date(year, month, day)


def parse_date(value: object, *, year_for: YearGuess) -> date:
    """The date of a date cell. Raises BadValue."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20_000 <= value <= 80_000:  # an Excel serial day number (1954–2119)
            return EXCEL_EPOCH + timedelta(days=int(value))
        raise BadValue(value)
    text = clean_text(value)
    # A time after the date (BRI, Mandiri): keep the date part.
    text = re.split(r"[\sT]+\d{1,2}[:.]\d{2}([:.]\d{2})?", text, maxsplit=1)[0].strip()
    try:
        if match := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})", text):
            return date(_year(match[3]), int(match[2]), int(match[1]))
        if match := re.fullmatch(r"(\d{1,2})[\s/-]([A-Za-z]{3,9})[\s/-](\d{2}|\d{4})", text):
            month = MONTHS.get(match[2][:3].lower())
            if month:
                return date(_year(match[3]), month, int(match[1]))
        if match := re.fullmatch(r"(\d{1,2})/(\d{1,2})", text):
            return year_for(int(match[1]), int(match[2]))
        if re.fullmatch(r"\d{5}", text):
            return parse_date(int(text), year_for=year_for)
    except ValueError as error:  # 31/02/2025
        raise BadValue(text) from error
    raise BadValue(text)


def find_dates(text: str) -> list[date]:
    """Full dates written in a header line (the statement's period)."""
    found = []
    never = YearGuess(date.today())
    for token in re.findall(
        r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{1,2}[\s/-][A-Za-z]{3,9}[\s/-]\d{4}",
        text,
    ):
        try:
            found.append(parse_date(token, year_for=never))
        except BadValue:
            continue
    return found
