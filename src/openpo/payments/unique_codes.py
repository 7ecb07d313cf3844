"""Drawing a "kode unik": the last digits that make a transfer amount identify one order.

Three digits (1–999) while they last for a base amount; four digits (1000–9999) when a shop has
that many orders of the same amount awaiting transfer (a war PO of one item at one price).
The draw asks which of eight random codes are taken and takes a free one; only when all eight
are, it reads every taken amount of the range. Concurrent buyers rarely pick the same code; the
database constraint settles the rare race and the caller retries.
"""

import secrets

from openpo.payments.models import ExpectedPayment

RANGES = ((1, 999), (1000, 9999))


class NoFreeUniqueCode(Exception):
    """Every code for this base amount is in use by an open expected payment."""


def draw_unique_code(*, shop_id: int, base_amount: int) -> int:
    """A code whose `base_amount + code` no open expected payment of the shop uses right now."""
    # Usually a handful of random candidates has a free one: ask about those first.
    candidates = {1 + secrets.randbelow(999) for _ in range(8)}
    taken = set(
        ExpectedPayment.objects.filter(
            shop_id=shop_id,
            status=ExpectedPayment.Status.OPEN,
            amount__in=[base_amount + code for code in candidates],
        ).values_list("amount", flat=True)
    )
    for code in candidates:
        if base_amount + code not in taken:
            return code
    for low, high in RANGES:
        taken = set(
            ExpectedPayment.objects.filter(
                shop_id=shop_id,
                status=ExpectedPayment.Status.OPEN,
                amount__gte=base_amount + low,
                amount__lte=base_amount + high,
            ).values_list("amount", flat=True)
        )
        if len(taken) > high - low:
            continue
        # Pick at random among a handful of tries before listing every free code.
        for _ in range(8):
            code = low + secrets.randbelow(high - low + 1)
            if base_amount + code not in taken:
                return code
        free = [c for c in range(low, high + 1) if base_amount + c not in taken]
        if free:
            return secrets.choice(free)
    raise NoFreeUniqueCode()
