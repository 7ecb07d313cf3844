"""Time-driven reminders of every kind, called by the scheduler every minute; each is idempotent,
and safe when several workers run it at once.

- `remind_payments_due(now)`: buyers whose order is still unpaid 24 h and 3 h before its
  payment deadline (one message per order and offset: the event key says which).
- `remind_settlements_due(now=...)`: buyers whose settlement ("pelunasan") falls due within a
  day, once per payment: each reminder is claimed with one conditional UPDATE of the expected
  payment's `reminded_at`, and leaves an audit event (`payment.settlement_reminder`) and the
  buyer's message.
- `remind_extra_charges_due(now=...)`: the same for extra charges (a second invoice after the
  PO closed, `payments.services.charges`): once per charge, within a day of its deadline.
- `remind_po_events(now)`: "Ingatkan saya" sign-ups when their PO opens (`notified_at` is
  set), and sign-ups and past buyers of the shop who want its news (`messaging.consent`) 24 h
  before a PO closes.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from openpo.catalog.models import Campaign
from openpo.core.audit import audit_event
from openpo.messaging import events
from openpo.messaging.consent import orders_for_news
from openpo.messaging.models import OutboxMessage
from openpo.messaging.rendering import local_time, money, render, shop_template
from openpo.orders.models import Order, ReminderSignup
from openpo.payments.models import ExpectedPayment, Payment

PAYMENT_OFFSETS = {"24h": timedelta(hours=24), "3h": timedelta(hours=3)}
# A reminder is only worth sending to an order placed at least this long before its moment:
# an order with a 24 h window gets the 3 h reminder, not a "24 h left" one right after ordering.
MIN_AGE = timedelta(hours=1)
CLOSING_SOON = timedelta(hours=24)
SETTLEMENT_REMINDER_BEFORE = timedelta(hours=24)
BATCH = 500


def remind_payments_due(now: datetime | None = None) -> int:
    """Write the 24 h and 3 h payment reminders that are due; returns how many orders."""
    now = now or timezone.now()
    reminded = 0
    for offset, before in PAYMENT_OFFSETS.items():
        due = (
            Order.objects.filter(
                status=Order.Status.ACTIVE,
                payment_status=Order.PaymentStatus.UNPAID,
                payment_deadline__gt=now,
                payment_deadline__lte=now + before,
            )
            .exclude(Exists(Payment.objects.filter(order=OuterRef("pk"), status="claimed")))
            .exclude(
                Exists(
                    ExpectedPayment.objects.filter(
                        order=OuterRef("pk"), claimed_at__isnull=False, status="open"
                    )
                )
            )
            .exclude(
                Exists(
                    OutboxMessage.objects.filter(
                        order=OuterRef("pk"), event_key__startswith=f"payment_reminder:{offset}:"
                    )
                )
            )
            .select_related("campaign__shop")
            .order_by("payment_deadline")
        )
        for order in due[:BATCH]:
            if order.payment_deadline - before - order.created_at < MIN_AGE:
                continue
            if offset == "24h" and order.payment_deadline - now <= PAYMENT_OFFSETS["3h"]:
                continue  # the 3 h reminder says it now
            with transaction.atomic():
                reminded += bool(events.payment_reminder(order, offset, now))
    return reminded


def remind_settlements_due(
    *, now: datetime | None = None, before: timedelta = SETTLEMENT_REMINDER_BEFORE
) -> int:
    """Remind each buyer whose settlement, or extra charge, is due within `before`; returns
    how many."""
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
            events.settlement_reminder(expected, now)
            reminded += 1
    # Extra charges are reminded on the same beat (the scheduler calls this one function).
    return reminded + remind_extra_charges_due(now=now, before=before)


def remind_extra_charges_due(
    *, now: datetime | None = None, before: timedelta = SETTLEMENT_REMINDER_BEFORE
) -> int:
    """Remind each buyer whose extra charge is due within `before`, once per charge (claimed
    like a settlement reminder: one conditional UPDATE of `reminded_at`); returns how many."""
    now = now or timezone.now()
    due = ExpectedPayment.objects.filter(
        kind=ExpectedPayment.Kind.EXTRA,
        status=ExpectedPayment.Status.OPEN,
        reminded_at__isnull=True,
        claimed_at__isnull=True,
        due_at__gt=now,
        due_at__lte=now + before,
        order__status=Order.Status.ACTIVE,
    ).select_related("order__campaign__shop")
    reminded = 0
    for expected in due[:BATCH]:
        with transaction.atomic():
            if not ExpectedPayment.objects.filter(
                pk=expected.pk, reminded_at__isnull=True, status=ExpectedPayment.Status.OPEN
            ).update(reminded_at=now):
                continue  # another worker reminded this buyer, or it was paid meanwhile
            audit_event(
                action="payment.extra_charge_reminder",
                subject=expected.order,
                shop_id=expected.shop_id,
                actor_label="system",
                at=now,
                data={
                    "charge": expected.pk,
                    "amount": expected.amount,
                    "due_at": expected.due_at.isoformat(),
                },
            )
            shop = expected.order.campaign.shop
            events.for_orders(
                "extra_charge",
                [expected.order],
                expected.order.campaign,
                now,
                key=f"extra_charge_reminder:{expected.pk}",
                extra=lambda _order, expected=expected, shop=shop: {
                    "untuk": expected.label,
                    "jumlah": money(expected.amount),
                    "tenggat": local_time(shop, expected.due_at),
                },
            )
            reminded += 1
    return reminded


def _notify_signups(campaign: Campaign, now: datetime) -> int:
    shop = campaign.shop
    template = shop_template("po_opens", shop)
    context = {
        "po": campaign.title,
        "link": events.campaign_link(campaign, shop),
        "tenggat": local_time(shop, campaign.closes_at),
    }
    subject, body = render("po_opens", shop, context, template=template)
    with transaction.atomic():
        signups = list(
            ReminderSignup.objects.select_for_update()
            .filter(campaign=campaign, notified_at__isnull=True)
            .order_by("pk")
        )
        rows = []
        for signup in signups:
            rows += events._rows(
                shop=shop,
                event="po_opens",
                event_key=f"po_opens:{campaign.pk}:{signup.pk}",
                order=None,
                campaign=campaign,
                subject=subject,
                body=body,
                email=signup.email,
                phone=signup.phone,
                name="",
                now=now,
            )
        events._save(rows)
        ReminderSignup.objects.filter(pk__in=[s.pk for s in signups]).update(notified_at=now)
    return len(signups)


def _closing_soon(campaign: Campaign, now: datetime) -> int:
    """Sign-ups and the shop's past buyers who asked to hear about new POs (and have not
    ordered in this one) hear it closes soon."""
    shop = campaign.shop
    template = shop_template("po_closing_soon", shop)
    base = {
        "po": campaign.title,
        "link": events.campaign_link(campaign, shop),
        "tenggat": local_time(shop, campaign.closes_at),
    }
    people: dict[tuple[str, str], str] = {}  # (email, phone) → name
    for signup in ReminderSignup.objects.filter(campaign=campaign):
        people.setdefault((signup.email, signup.phone), "")
    ordered_here = Order.objects.filter(campaign=campaign).values("customer_id")
    past = (
        orders_for_news(Order.objects.filter(shop_id=shop.pk))
        .exclude(campaign=campaign)
        .exclude(customer_id__in=ordered_here)
        .order_by("customer_id", "-created_at")
        .values_list("customer_id", "buyer_email", "buyer_phone", "buyer_name")
    )
    seen: set[int] = set()
    for customer_id, email, phone, name in past:
        if customer_id not in seen:
            seen.add(customer_id)
            people.setdefault((email, phone), name)
    rows = []
    for (email, phone), name in people.items():
        subject, body = render(
            "po_closing_soon", shop, {**base, "nama": name or "Kak"}, template=template
        )
        rows += events._rows(
            shop=shop,
            event="po_closing_soon",
            event_key=f"po_closing_soon:{campaign.pk}",
            order=None,
            campaign=campaign,
            subject=subject,
            body=body,
            email=email,
            phone=phone,
            name=name,
            now=now,
        )
    with transaction.atomic():
        events._save(rows)
    return len(people)


def remind_po_events(now: datetime | None = None) -> int:
    """Sign-ups of POs that opened, and 24 h-before-close reminders; returns people told."""
    now = now or timezone.now()
    told = 0
    opened = Campaign.objects.filter(
        status=Campaign.Status.OPEN,
        opens_at__lte=now,
        closes_at__gt=now,
    ).filter(Exists(ReminderSignup.objects.filter(campaign=OuterRef("pk"), notified_at=None)))
    for campaign in opened.select_related("shop"):
        told += _notify_signups(campaign, now)
    closing = Campaign.objects.filter(
        status=Campaign.Status.OPEN, closes_at__gt=now, closes_at__lte=now + CLOSING_SOON
    ).exclude(
        Exists(OutboxMessage.objects.filter(campaign=OuterRef("pk"), event="po_closing_soon"))
    )
    for campaign in closing.select_related("shop"):
        told += _closing_soon(campaign, now)
    return told
