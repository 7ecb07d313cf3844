"""Money is an integer number of rupiah; this module formats it (`Rp 150.000`) and splits it."""


def format_rupiah(amount: int | None) -> str:
    """`150000` → `Rp 150.000` (Indonesian thousands separator, no decimals)."""
    if amount is None:
        return ""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {abs(int(amount)):,}".replace(",", ".")


def percent_of(amount: int, percent: int) -> int:
    """`percent`% of `amount`, rounded up to a whole rupiah (a DP never falls short)."""
    return -(-amount * percent // 100)
