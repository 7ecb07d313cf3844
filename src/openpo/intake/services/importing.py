"""Import parsed orders through `place_order`, each once.

An order already in the campaign with the same buyer phone and the same items (variant and
units) is a duplicate and is not placed again, whatever door it came through; the order's
idempotency key is derived from the phone and the items, so two imports of one paste racing
each other still make it once. Quota is reserved order by order in the order of the paste:
an order that no longer fits is reported with the reason and the rest go on (a smaller order
behind it may still fit), so the import stops at what the quota allows and says which did
not fit.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openpo.catalog.models import Campaign
from openpo.core.errors import DomainError
from openpo.intake.results import ParsedOrder
from openpo.orders.errors import IdempotencyMismatch, SoldOut
from openpo.orders.models import Order, OrderLine
from openpo.orders.services.placing import BuyerDetails, place_order

# Orders that no longer hold units do not count as the earlier copy of an imported order:
# a buyer whose order expired unpaid may send the same order again.
LIVE = (Order.Status.ACTIVE,)
NOT_READY = _("Correct the problems first.")
DUPLICATE = _("Already in this PO as order %(code)s.")


@dataclass
class Outcome:
    index: int  # position in the list given
    parsed: ParsedOrder
    order: Order | None = None  # the order made (or, for a duplicate, the one already there)
    status: str = "skipped"  # imported | duplicate | failed | skipped
    message: str = ""
    sold_out: bool = False


@dataclass
class ImportReport:
    outcomes: list[Outcome] = field(default_factory=list)

    def _with(self, status: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def imported(self) -> list[Outcome]:
        return self._with("imported")

    @property
    def duplicates(self) -> list[Outcome]:
        return self._with("duplicate")

    @property
    def failed(self) -> list[Outcome]:
        return self._with("failed")

    @property
    def skipped(self) -> list[Outcome]:
        return self._with("skipped")

    @property
    def sold_out(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.sold_out]


def _items_key(quantities: dict[int, int]) -> tuple[tuple[int, int], ...]:
    return tuple(sorted(quantities.items()))


def intake_key(phone: str, quantities: dict[int, int]) -> str:
    """The idempotency key of an imported order: its phone and items, hashed."""
    text = phone + "|" + ",".join(f"{v}:{q}" for v, q in _items_key(quantities))
    return "intake-" + hashlib.sha256(text.encode()).hexdigest()[:40]


def find_duplicates(campaign: Campaign, orders: list[ParsedOrder]) -> dict[int, Order]:
    """index → the live order of this campaign with the same phone and the same items."""
    phones = {o.phone for o in orders if o.phone}
    if not phones:
        return {}
    existing: dict[tuple, Order] = {}
    lines = Prefetch("lines", queryset=OrderLine.objects.only("order_id", "variant_id", "quantity"))
    rows = (
        Order.objects.filter(campaign=campaign, buyer_phone__in=phones, status__in=LIVE)
        .prefetch_related(lines)
        .order_by("created_at")
    )
    for order in rows:
        quantities: dict[int, int] = {}
        for line in order.lines.all():
            quantities[line.variant_id] = quantities.get(line.variant_id, 0) + line.quantity
        existing.setdefault((order.buyer_phone, _items_key(quantities)), order)
    found = {}
    for index, parsed in enumerate(orders):
        match = existing.get((parsed.phone, _items_key(parsed.quantities())))
        if parsed.phone and match is not None:
            found[index] = match
    return found


def _replay_key(campaign: Campaign, parsed: ParsedOrder) -> str:
    """The key for this import; a fresh one when the earlier order with it is not live."""
    base = intake_key(parsed.phone or "", parsed.quantities())
    taken = set(
        Order.objects.filter(campaign=campaign, idempotency_key__startswith=base)
        .exclude(status__in=LIVE)
        .values_list("idempotency_key", flat=True)
    )
    key, number = base, 1
    while key in taken:
        number += 1
        key = f"{base}-{number}"
    return key


def buyer_of(parsed: ParsedOrder) -> BuyerDetails:
    return BuyerDetails(
        name=parsed.name,
        phone=parsed.phone or parsed.phone_text,
        email=parsed.email,
        address=parsed.address,
        notes=parsed.notes,
    )


def import_orders(
    *,
    campaign: Campaign,
    orders: list[ParsedOrder],
    channel: str = Order.Channel.WHATSAPP,
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> ImportReport:
    """Place every order without errors that is not already in the campaign, in the order
    given. Each order is its own transaction (`place_order`): a failure leaves the others."""
    now = now or timezone.now()
    report = ImportReport()
    duplicates = find_duplicates(campaign, orders)
    seen: dict[tuple, int] = {}  # the same order twice in one paste is imported once
    for index, parsed in enumerate(orders):
        outcome = Outcome(index=index, parsed=parsed)
        report.outcomes.append(outcome)
        if parsed.errors or not parsed.quantities():
            outcome.message = str(NOT_READY)
            continue
        signature = (parsed.phone, _items_key(parsed.quantities()))
        if index in duplicates or signature in seen:
            earlier = duplicates.get(index) or report.outcomes[seen[signature]].order
            outcome.status, outcome.order = "duplicate", earlier
            outcome.message = str(DUPLICATE % {"code": earlier.code if earlier else "?"})
            continue
        try:
            order = place_order(
                campaign=campaign,
                buyer=buyer_of(parsed),
                items=parsed.quantities(),
                channel=channel,
                idempotency_key=_replay_key(campaign, parsed),
                actor=actor,
                now=now,
            )
        except IdempotencyMismatch:
            # Another import made this order meanwhile, with other details: not doubled.
            outcome.status, outcome.message = "duplicate", str(DUPLICATE % {"code": "?"})
            continue
        except DomainError as error:
            outcome.status, outcome.message = "failed", _error_text(error)
            outcome.sold_out = isinstance(error, SoldOut)
            continue
        seen[signature] = index
        outcome.order = order
        if order.created_at != now:  # replayed: another import placed it first
            outcome.status = "duplicate"
            outcome.message = str(DUPLICATE % {"code": order.code})
        else:
            outcome.status = "imported"
    return report


def _error_text(error: DomainError) -> str:
    details = [str(m) for messages in error.field_errors.values() for m in messages]
    return " ".join([error.message, *details]) if details else error.message
