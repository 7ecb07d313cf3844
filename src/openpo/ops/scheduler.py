"""The scheduler tick: everything time has made due, run once a minute by `openpo worker`.

One tick (`run_tick`) does, in order:

1. campaigns whose `opens_at` or `closes_at` has passed while they are still scheduled or open,
   and closed campaigns past their closing time that missed their minimum → `advance_campaign`;
2. unpaid orders past their payment deadline → `expire_due_orders`;
3. reminders (`messaging.reminders`): settlements (pelunasan) due within a day →
   `remind_settlements_due`, unpaid orders 24 h and 3 h before their deadline →
   `remind_payments_due`, PO sign-ups and closing-soon notices → `remind_po_events`;
4. the insights tallies of every shop → `insights.tallies.refresh_all` (only the orders
   changed since the last refresh are counted again; pages refresh too, so this only saves
   them the work);
5. the outbox → `deliver_outbox` (messaging.delivery), until nothing due is left (bounded);
6. webhooks to sellers' systems → `deliver_webhooks` (hooks.delivery), the same way.

Why each step is idempotent and safe with several workers at once:

- a campaign transition is one conditional UPDATE on the status it leaves
  (`catalog.services.lifecycle._transition`): of two workers racing, one moves it and writes the
  audit event, the other gets `InvalidTransition`, which `advance_campaign` swallows; a campaign
  that already moved no longer matches the query, so a second tick does nothing;
- expiring locks the order and re-checks it in its own transaction, releasing it at most once;
- a settlement reminder is sent only by the worker whose `UPDATE … WHERE reminded_at IS NULL`
  hit the row; a payment or PO reminder carries an event key per order and moment (or per PO), and
  the outbox keeps one message per key, recipient and channel;
- the outbox is claimed with `SELECT … FOR UPDATE SKIP LOCKED` (PostgreSQL; SQLite's write lock
  serialises claims) and a lease, so each message goes to one worker at a time; webhook
  deliveries are claimed the same way.

A step that fails is logged and the others still run: an SMTP outage must not stop campaigns
from closing. Correctness never waits for the tick: `Campaign.phase(now)` and the order
services judge the time at the moment of use; the tick makes the stored state (and the
messages and audit trail that follow) catch up within a minute.
"""

import logging
from collections.abc import Callable
from datetime import datetime

from django.db.models import F, Q
from django.utils import timezone

from openpo.catalog.models import Campaign
from openpo.catalog.services.lifecycle import advance_campaign
from openpo.hooks.delivery import deliver_webhooks
from openpo.insights.tallies import refresh_all
from openpo.messaging.delivery import deliver_outbox
from openpo.messaging.reminders import (
    remind_payments_due,
    remind_po_events,
    remind_settlements_due,
)
from openpo.orders.services.releasing import expire_due_orders

log = logging.getLogger(__name__)

S = Campaign.Status


def campaigns_due(now: datetime):
    """Campaigns a timed transition is due for at `now` (open, close, or fail a missed minimum)."""
    return Campaign.objects.filter(
        Q(status=S.SCHEDULED, opens_at__lte=now)
        | Q(status__in=[S.SCHEDULED, S.OPEN], closes_at__lte=now)
        | Q(
            status=S.CLOSED,
            closes_at__lte=now,
            moq_units__gt=0,
            reserved_units__lt=F("moq_units"),
        )
    ).order_by("closes_at", "pk")


def advance_due_campaigns(*, now: datetime) -> int:
    """Advance every campaign a timed transition is due for; returns how many changed status."""
    changed = 0
    for campaign in campaigns_due(now):
        before = campaign.status
        campaign = advance_campaign(campaign=campaign, now=now)
        changed += campaign.status != before
    return changed


def run_tick(
    *, now: datetime | None = None, keep_going: Callable[[], bool] = lambda: True
) -> dict[str, int]:
    """Run every due step once; returns a count per step (-1 for a step that failed).

    `keep_going` lets a stopping worker end the outbox step between batches."""
    now = now or timezone.now()
    steps: list[tuple[str, Callable[[], int]]] = [
        ("campaigns", lambda: advance_due_campaigns(now=now)),
        ("expired_orders", lambda: expire_due_orders(now=now)),
        ("settlement_reminders", lambda: remind_settlements_due(now=now)),
        ("payment_reminders", lambda: remind_payments_due(now=now)),
        ("po_reminders", lambda: remind_po_events(now=now)),
        ("insights_tallies", refresh_all),
        # The outbox goes last, so the messages the steps above wrote leave in the same tick.
        # Its own clock: a message written during this tick is due now, not at `now`.
        ("messages_sent", lambda: deliver_outbox(keep_going=keep_going)),
        ("webhooks_delivered", lambda: deliver_webhooks(keep_going=keep_going)),
    ]
    counts: dict[str, int] = {}
    for name, step in steps:
        try:
            counts[name] = step()
        except Exception:
            log.exception("scheduler step %s failed", name)
            counts[name] = -1
    return counts
