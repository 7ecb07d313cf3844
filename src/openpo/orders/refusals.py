"""What this process last heard a PO refuse to every buyer (sold out, closed), for one second.

In a war PO the slots go in seconds and then a thousand more taps arrive. Each would read the
campaign, check its rate limit and be told "sold out" by `place_order`; remembered here, they
are answered from memory instead, without a query (but one: a buyer retrying an order that
was placed, same Idempotency-Key, gets that order again, not the refusal). A refusal is kept
`HOLD_SECONDS` and no longer, so a slot that a cancellation or an expired order frees, or a PO
the seller reopens, takes orders again within that second in every process; in the process
that released the slot, at once (`forget`).

Only refusals that every order would get are kept (`DomainError.whole_po`): the PO sold out
or closed. "Not open yet" is not: it opens by itself. The memory is a dict per process,
written and read whole under the GIL, keyed by the shop's and the PO's slugs from the URL.
"""

from dataclasses import dataclass

from django.dispatch import Signal

from openpo.core.errors import DomainError
from openpo.core.memory import ShortMemory
from openpo.orders.codes import clean_idempotency_key
from openpo.orders.models import Order

HOLD_SECONDS = 1.0

# Sent as each refusal is answered to an order (fresh or remembered); ops/metrics.py counts
# them by code (sold_out: the sold-out answers). Observability only: nothing decides on it.
refused = Signal()  # send(sender=type(error), error=error)


@dataclass(frozen=True)
class Refusal:
    campaign_id: int
    error: DomainError


# (shop slug, PO slug) -> Refusal
_refusals = ShortMemory(HOLD_SECONDS)


def remember(shop_slug: str, campaign_slug: str, campaign_id: int, error: DomainError) -> None:
    """Keep `error` for a second if it refuses every order of the PO."""
    refused.send(sender=type(error), error=error)
    if error.whole_po:
        _refusals.put((shop_slug, campaign_slug), Refusal(campaign_id, error))


def forget(campaign_id: int) -> None:
    """A slot was freed (or the PO reopened) in this process: no remembered refusal stands."""
    _refusals.forget_where(lambda refusal: refusal.campaign_id == campaign_id)


def standing_refusal(
    shop_slug: str, campaign_slug: str, idempotency_key: str
) -> DomainError | None:
    """The refusal every order of this PO got less than a second ago, if any. None for a
    request repeating an order that was placed (its key is on an order of the PO): that one
    is answered with its order by `place_order`."""
    refusal = _refusals.get((shop_slug, campaign_slug))
    if refusal is None:
        return None
    key = clean_idempotency_key(idempotency_key)
    if key and Order.objects.filter(campaign_id=refusal.campaign_id, idempotency_key=key).exists():
        return None
    refused.send(sender=type(refusal.error), error=refusal.error)
    return refusal.error
