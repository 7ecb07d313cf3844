"""Money is an integer number of rupiah; this module formats it (`Rp 150.000`), splits it, and
says how large one typed amount or count may be.

The columns are 32-bit integers (at most 2,147,483,647). Every amount and count a person or a
file brings is checked against the bounds below before it reaches a service's write, so no
value overflows a column (PostgreSQL would refuse it with an error page) and no typo such as
Rp 99.999.999.999 for Rp 174.000 is taken as money.
"""

from django.utils.translation import gettext_lazy as _

# One amount (a price, a payment, a refund, a fee, an order's total): Rp 1 miliar.
MAX_AMOUNT = 1_000_000_000
# One count (a quota, a minimum order, units per order, hours in a payment window).
MAX_COUNT = 1_000_000

AMOUNT_TOO_LARGE = _("That is more than Rp 1.000.000.000; check the number of digits.")
COUNT_TOO_LARGE = _("That is more than 1.000.000; check the number.")


def amount_problem(amount: int | None) -> str | None:
    """Why `amount` cannot be stored as rupiah, or None (None itself is fine)."""
    if amount is not None and amount > MAX_AMOUNT:
        return str(AMOUNT_TOO_LARGE)
    return None


def count_problem(count: int | None) -> str | None:
    """Why `count` cannot be stored as a number of units or hours, or None."""
    if count is not None and count > MAX_COUNT:
        return str(COUNT_TOO_LARGE)
    return None


def format_rupiah(amount: int | None) -> str:
    """`150000` → `Rp 150.000` (Indonesian thousands separator, no decimals)."""
    if amount is None:
        return ""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {abs(int(amount)):,}".replace(",", ".")


def percent_of(amount: int, percent: int) -> int:
    """`percent`% of `amount`, rounded up to a whole rupiah (a DP never falls short)."""
    return -(-amount * percent // 100)
