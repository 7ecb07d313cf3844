"""Who may hear what, in one place: the buyers' choices about messages they did not cause.

- Order, payment and shipping messages (`messaging.events`) go to every buyer of the order,
  whatever they chose: they are about what the buyer bought.
- A broadcast (`messaging.broadcasts`) — the seller's update to the buyers of a PO — goes to the
  buyers in its audience who have not opted out.
- "Next PO" news (`messaging.reminders`: a PO closing soon, told to past buyers) goes only to
  buyers who opted in (the order form's tick) and have not opted out since.

Opting out (a reply STOP / berhenti, `messaging.inbound`) sets `Customer.opted_out_at` and
clears the tick; it holds until the buyer replies START / mulai, or ticks the box on a later
order (a fresh, explicit choice).
"""

from django.db.models import QuerySet

from openpo.orders.models import Order


def orders_for_news(orders: QuerySet[Order]) -> QuerySet[Order]:
    """The orders whose buyer wants "next PO" news: opted in, and not opted out since."""
    return orders.filter(customer__reminders_opt_in=True, customer__opted_out_at__isnull=True)


def orders_for_broadcast(orders: QuerySet[Order]) -> QuerySet[Order]:
    """The orders whose buyer a broadcast may reach: not opted out."""
    return orders.filter(customer__opted_out_at__isnull=True)
