"""The Indonesian shopping calendar beside the orders per month: which months held Ramadan,
Lebaran (Idul Fitri), Harbolnas 12.12, Christmas and the New Year, so a seller sees why a
month was busy. Idul Fitri's dates come from the `holidays` package (they move with the Hijri
calendar); payday (gajian, around the 25th) shows in the orders by day of the month instead.
"""

from datetime import date, timedelta

import holidays
from django.utils.translation import gettext as _

RAMADAN_DAYS = 30  # the fasting month ends the day before Idul Fitri


def _months(first: str, last: str) -> list[str]:
    year, month = map(int, first.split("-"))
    found = []
    while f"{year:04d}-{month:02d}" <= last:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def _month_of(day: date) -> str:
    return f"{day:%Y-%m}"


def moments(years: range) -> dict[str, list[str]]:
    """Month ("2026-03") → the shopping moments in it, for the given years."""
    marks: dict[str, list[str]] = {}

    def mark(day: date, label: str) -> None:
        names = marks.setdefault(_month_of(day), [])
        if label not in names:
            names.append(label)

    calendar = holidays.Indonesia(years=years, language="en_US")
    for day, name in sorted(calendar.items()):
        if name == "Eid al-Fitr":
            start = day - timedelta(days=RAMADAN_DAYS)
            mark(start, _("Ramadan"))
            mark(day - timedelta(days=1), _("Ramadan"))
            mark(day, _("Lebaran"))
    for year in years:
        mark(date(year, 12, 12), _("Harbolnas 12.12"))
        mark(date(year, 12, 25), _("Christmas and New Year"))
    return marks


def months(by_month: dict[str, list[int]]) -> list[dict]:
    """Every month from the first to the last with orders (empty ones too), with its orders,
    units and shopping moments."""
    if not by_month:
        return []
    keys = sorted(by_month)
    found = _months(keys[0], keys[-1])
    marks = moments(range(int(found[0][:4]), int(found[-1][:4]) + 1))
    return [
        {
            "month": month,
            "orders": by_month.get(month, [0, 0])[0],
            "units": by_month.get(month, [0, 0])[1],
            "moments": marks.get(month, []),
        }
        for month in found
    ]
