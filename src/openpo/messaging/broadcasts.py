"""Broadcasts: one update from the seller to the buyers of a PO — all of them or a group (unpaid,
paid, one variant, one city) — or, from the same composer, news of that PO to a segment of the
shop's buyers (`insights.segments`: new, loyal, at risk, lapsed), most of whom have no order in
it; written to the outbox as one message per buyer and channel.

Channels: the seller's own phone (`whatsapp_manual`: each message waits in the WhatsApp queue
with a wa.me link), email (buyers who gave an address), or the WhatsApp Cloud API
(`whatsapp_cloud`, when the shop has an active account). Every message of a broadcast carries
the event key `broadcast:<id>`, so a buyer with two orders still gets one message. Buyers who
opted out (replied STOP / berhenti) are never in an audience (`messaging.consent`).

A segment hears about a PO it can still order from (open, or scheduled to open), and its text
is filled from the buyer and the PO: {link} is the PO's page, and {kode} (an order's code) is
refused, since most of the segment have no order in this PO and an old order's code in a "new
PO" message would only confuse.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openpo.catalog.models import Campaign
from openpo.catalog.permissions import require_owner
from openpo.core.audit import audit_event
from openpo.core.errors import DomainError
from openpo.insights.segments import SEGMENTS, members
from openpo.messaging.consent import orders_for_broadcast
from openpo.messaging.events import campaign_link, order_link
from openpo.messaging.models import Broadcast, Channel, OutboxMessage, WhatsAppAccount
from openpo.messaging.outbox import queue_message
from openpo.orders.models import Customer, Order

MANUAL = "whatsapp_manual"
EMAIL = "email"
CLOUD = "whatsapp_cloud"
CHANNELS = (MANUAL, EMAIL, CLOUD)
PAYMENT_GROUPS = {
    "unpaid": [Order.PaymentStatus.UNPAID, Order.PaymentStatus.PARTIAL],
    "paid": [Order.PaymentStatus.PAID, Order.PaymentStatus.DEPOSIT_PAID],
}
MAX_BODY = 2000
# The phases of a PO a segment may be told about: it can still be ordered from.
INVITABLE = (Campaign.Status.SCHEDULED, Campaign.Status.OPEN)
PLACEHOLDER = re.compile(r"\{(nama|po|kode|link)\}")


class InvalidBroadcast(DomainError):
    code = "invalid_broadcast"
    http_status = 422
    default_message = _("The broadcast cannot be sent.")


@dataclass(frozen=True)
class Audience:
    """Which buyers: of the PO (a payment group "", "unpaid" or "paid", a variant, a city), or
    a `segment` of the shop's buyers (then the PO's filters do not apply and stay empty)."""

    payment: str = ""
    variant_id: int | None = None
    city: str = ""
    segment: str = ""

    @property
    def filters_orders(self) -> bool:
        return bool(self.payment or self.variant_id or self.city.strip())

    def as_dict(self) -> dict:
        return {
            "payment": self.payment,
            "variant_id": self.variant_id,
            "city": self.city,
            "segment": self.segment,
        }


@dataclass(frozen=True)
class Recipient:
    """One buyer a broadcast writes to; `order` is their order in the PO (None for a segment)."""

    name: str
    phone: str
    email: str
    order: Order | None = None


def audience_orders(campaign: Campaign, audience: Audience) -> QuerySet[Order]:
    """The live orders of `campaign` in the audience (cancelled and expired ones, and those of
    buyers who opted out, are left out)."""
    orders = orders_for_broadcast(
        Order.objects.filter(campaign=campaign, status=Order.Status.ACTIVE)
    )
    if audience.payment in PAYMENT_GROUPS:
        orders = orders.filter(payment_status__in=PAYMENT_GROUPS[audience.payment])
    if audience.variant_id:
        orders = orders.filter(lines__variant_id=audience.variant_id)
    if audience.city.strip():
        orders = orders.filter(city__iexact=audience.city.strip())
    return orders.distinct().order_by("created_at", "id")


def segment_members(
    campaign: Campaign, segment: str, now: datetime | None = None
) -> QuerySet[Customer]:
    """The buyers of a segment of the PO's shop that a broadcast may reach, biggest spenders
    first: `insights.segments.members`, less those who opted out (the rule of
    `messaging.consent.orders_for_broadcast`, for buyers rather than their orders)."""
    return members(campaign.shop, segment, now).filter(opted_out_at__isnull=True)


def segment_recipients(
    campaign: Campaign, segment: str, channel: str = MANUAL, now: datetime | None = None
) -> list[Recipient]:
    """One recipient per phone number (per email address for email) in the segment."""
    recipients: dict[str, Recipient] = {}
    for customer in segment_members(campaign, segment, now):
        address = customer.email if channel == EMAIL else customer.phone
        if address:
            recipients.setdefault(
                address, Recipient(name=customer.name, phone=customer.phone, email=customer.email)
            )
    return list(recipients.values())


def count_recipients(
    campaign: Campaign, audience: Audience, channel: str = MANUAL, now: datetime | None = None
) -> int:
    """How many messages a broadcast would write (one per buyer's number or email address)."""
    if audience.segment:
        if audience.segment not in SEGMENTS:
            return 0
        return len(segment_recipients(campaign, audience.segment, channel, now))
    orders = audience_orders(campaign, audience)
    if channel == EMAIL:
        return orders.exclude(buyer_email="").values("buyer_email").distinct().count()
    return orders.values("buyer_phone").distinct().count()


def cloud_api_ready(shop) -> bool:
    return WhatsAppAccount.objects.filter(shop=shop, is_active=True).exists()


def can_invite(campaign: Campaign, now: datetime) -> bool:
    """May a segment be told about this PO: can it still be ordered from?"""
    return campaign.phase(now) in INVITABLE


def invitable_campaigns(shop, now: datetime) -> QuerySet[Campaign]:
    """The shop's POs a segment may be told about, the newest first (`can_invite`)."""
    return Campaign.objects.filter(shop=shop, status__in=INVITABLE, closes_at__gt=now).order_by(
        "-opens_at", "-id"
    )


def render_text(body: str, *, campaign: Campaign, recipient: Recipient) -> str:
    """Fill {nama} (the buyer's name) and {po} (the PO's title); {kode} and {link} from the
    buyer's order in this PO, or for a buyer without one (a segment) {link} is the PO's page
    and {kode} stays as written (refused before). Other braces stay as written."""
    order = recipient.order
    values = {"nama": recipient.name, "po": campaign.title}
    if order is not None:
        values |= {"kode": order.code, "link": order_link(order)}
    else:
        values["link"] = campaign_link(campaign, campaign.shop)
    return PLACEHOLDER.sub(lambda match: values.get(match[1], match[0]), body)


def _segment_errors(campaign: Campaign, audience: Audience, body: str, now: datetime) -> dict:
    errors: dict[str, list] = {}
    if audience.segment not in SEGMENTS:
        errors["segment"] = [_("Choose one of the shop's segments.")]
    elif audience.filters_orders:
        errors["segment"] = [
            _(
                "A segment is the shop's buyers, not this PO's orders: leave payment, variant "
                "and city at all buyers."
            )
        ]
    elif not can_invite(campaign, now):
        errors["segment"] = [
            _(
                "A segment can only be told about a PO that is open or scheduled; this PO is "
                "%(phase)s."
            )
            % {"phase": Campaign.Status(campaign.phase(now)).label.lower()}
        ]
    if "{kode}" in body:
        errors["body"] = [
            _(
                "Take out {kode}: it is the code of an order in this PO, and most buyers of a "
                "segment have none. {nama}, {po} and {link} (this PO's page) work for everyone."
            )
        ]
    return errors


def send_broadcast(
    *,
    campaign: Campaign,
    body: str,
    channel: str,
    audience: Audience,
    actor=None,
    now: datetime | None = None,
) -> Broadcast:
    """Write one outbox message per buyer in the audience; nothing at all when refused.
    Owners only: a broadcast speaks to every buyer in the shop's name."""
    now = now or timezone.now()
    require_owner(campaign.shop_id, actor)
    if audience.segment and audience.segment in SEGMENTS:
        # Read before the transaction: finding the members may refresh the shop's tallies.
        recipients = segment_recipients(campaign, audience.segment, channel, now)
    else:
        recipients = None
    with transaction.atomic():
        return _send_broadcast(
            campaign=campaign,
            body=body,
            channel=channel,
            audience=audience,
            recipients=recipients,
            actor=actor,
            now=now,
        )


def _send_broadcast(
    *,
    campaign: Campaign,
    body: str,
    channel: str,
    audience: Audience,
    recipients: list[Recipient] | None,
    actor,
    now: datetime,
) -> Broadcast:
    body = body.strip()
    errors: dict[str, list] = {}
    if not body:
        errors["body"] = [_("Write the message.")]
    elif len(body) > MAX_BODY:
        errors["body"] = [_("Keep the message under %(max)s characters.") % {"max": MAX_BODY}]
    if channel not in CHANNELS:
        errors["channel"] = [_("Choose how to send it.")]
    elif channel == CLOUD and not cloud_api_ready(campaign.shop):
        errors["channel"] = [_("The WhatsApp Cloud API is not set up for this shop.")]
    if audience.variant_id and not campaign.variants.filter(pk=audience.variant_id).exists():
        errors["variant"] = [_("Choose a variant of this PO.")]
    if audience.segment:
        errors = _segment_errors(campaign, audience, body, now) | errors
    if errors:
        raise InvalidBroadcast(field_errors=errors)
    if recipients is None:
        recipients = [
            Recipient(
                name=order.buyer_name, phone=order.buyer_phone, email=order.buyer_email, order=order
            )
            for order in audience_orders(campaign, audience)
        ]
    if channel == EMAIL:
        recipients = [recipient for recipient in recipients if recipient.email]
    if not recipients:
        raise InvalidBroadcast(_("No buyer matches this audience."))

    broadcast = Broadcast.objects.create(
        shop=campaign.shop,
        campaign=campaign,
        audience=audience.as_dict(),
        channel=channel,
        body=body,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=now,
    )
    written = 0
    for recipient in recipients:
        written += queue_message(
            shop=campaign.shop,
            event="broadcast",
            event_key=broadcast.event_key,
            channel=Channel.EMAIL if channel == EMAIL else Channel.WHATSAPP,
            recipient=recipient.email if channel == EMAIL else recipient.phone,
            recipient_name=recipient.name,
            subject=f"{campaign.shop.name}: {campaign.title}"[:200],
            body=render_text(body, campaign=campaign, recipient=recipient),
            order=recipient.order,
            campaign=campaign,
            manual=channel == MANUAL,
            now=now,
        )
    broadcast.recipients = written
    broadcast.save(update_fields=["recipients"])
    audit_event(
        action="broadcast.sent",
        subject=broadcast,
        shop_id=campaign.shop_id,
        actor=actor,
        at=now,
        data={"channel": channel, "recipients": written, **audience.as_dict()},
    )
    return broadcast


def delivery_report(broadcasts: list[Broadcast]) -> dict[int, dict[str, int]]:
    """Per broadcast id: how many of its messages are queued, sent, failed, manual."""
    S = OutboxMessage.Status
    keys = {b.event_key: b.pk for b in broadcasts}
    rows = (
        OutboxMessage.objects.filter(event_key__in=keys)
        .values("event_key")
        .annotate(
            queued=Count("id", filter=Q(status__in=[S.QUEUED, S.SENDING])),
            sent=Count("id", filter=Q(status=S.SENT)),
            failed=Count("id", filter=Q(status=S.FAILED)),
            manual=Count("id", filter=Q(status=S.MANUAL)),
        )
    )
    report = {b.pk: {"queued": 0, "sent": 0, "failed": 0, "manual": 0} for b in broadcasts}
    for row in rows:
        key = row.pop("event_key")
        report[keys[key]] = row
    return report


@transaction.atomic
def mark_whatsapp_sent(*, message: OutboxMessage, actor=None, now: datetime | None = None) -> bool:
    """The seller sent a queued WhatsApp message from their phone: it is sent (once)."""
    now = now or timezone.now()
    changed = OutboxMessage.objects.filter(
        pk=message.pk, status=OutboxMessage.Status.MANUAL
    ).update(status=OutboxMessage.Status.SENT, sent_at=now)
    if changed:
        audit_event(
            action="message.marked_sent",
            subject=message,
            shop_id=message.shop_id,
            actor=actor,
            at=now,
            data={"event_key": message.event_key},
        )
    return bool(changed)
