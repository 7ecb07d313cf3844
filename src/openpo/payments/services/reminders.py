"""Reminding buyers of a settlement ("pelunasan") that falls due soon, once per payment.

Until messaging exists the reminder is an audit event (`payment.settlement_reminder`) that
the outbox will turn into a message; the worker calls `remind_settlements_due` every minute,
and any number of workers may: each reminder is claimed with one conditional UPDATE.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from openpo.core.audit import audit_event
from openpo.messaging import events as message_events
from openpo.payments.models import ExpectedPayment

SETTLEMENT_REMINDER_BEFORE = timedelta(hours=24)


def remind_settlements_due(
    *, now: datetime | None = None, before: timedelta = SETTLEMENT_REMINDER_BEFORE
) -> int:
    """Remind each buyer whose settlement is due within `before`; returns how many."""
    now = now or timezone.now()
    due = ExpectedPayment.objects.filter(
        kind=ExpectedPayment.Kind.SETTLEMENT,
        status=ExpectedPayment.Status.OPEN,
        reminded_at__isnull=True,
        due_at__gt=now,
        due_at__lte=now + before,
    ).select_related("order")
    reminded = 0
    for expected in due:
        with transaction.atomic():
            if not ExpectedPayment.objects.filter(
                pk=expected.pk, reminded_at__isnull=True, status=ExpectedPayment.Status.OPEN
            ).update(reminded_at=now):
                continue  # another worker reminded this buyer, or it was paid meanwhile
            audit_event(
                action="payment.settlement_reminder",
                subject=expected.order,
                shop_id=expected.shop_id,
                actor_label="system",
                at=now,
                data={"amount": expected.amount, "due_at": expected.due_at.isoformat()},
            )
            message_events.settlement_reminder(expected, now)
            reminded += 1
    return reminded
