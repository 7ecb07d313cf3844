"""Broadcasts: one update from the seller to the buyers of a PO — all of them or a group (unpaid,
paid, one variant, one city) — written to the outbox as one message per buyer and channel.

Channels: the seller's own phone (`whatsapp_manual`: each message waits in the WhatsApp queue
with a wa.me link), email (buyers who gave an address), or the WhatsApp Cloud API
(`whatsapp_cloud`, when the shop has an active account). Every message of a broadcast carries
the event key `broadcast:<id>`, so a buyer with two orders still gets one message. Buyers who
opted out (replied STOP / berhenti) are never in an audience (`messaging.consent`).
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openpo.catalog.models import Campaign
from openpo.catalog.permissions import require_owner
from openpo.core.audit import audit_event
from openpo.core.errors import DomainError
from openpo.messaging.consent import orders_for_broadcast
from openpo.messaging.models import Broadcast, Channel, OutboxMessage, WhatsAppAccount
from openpo.messaging.outbox import queue_message
from openpo.orders.models import Order

MANUAL = "whatsapp_manual"
EMAIL = "email"
CLOUD = "whatsapp_cloud"
CHANNELS = (MANUAL, EMAIL, CLOUD)
PAYMENT_GROUPS = {
    "unpaid": [Order.PaymentStatus.UNPAID, Order.PaymentStatus.PARTIAL],
    "paid": [Order.PaymentStatus.PAID, Order.PaymentStatus.DEPOSIT_PAID],
}
MAX_BODY = 2000


class InvalidBroadcast(DomainError):
    code = "invalid_broadcast"
    http_status = 422
    default_message = _("The broadcast cannot be sent.")


@dataclass(frozen=True)
class Audience:
    """Which buyers of a PO: a payment group ("", "unpaid", "paid"), a variant, a city."""

    payment: str = ""
    variant_id: int | None = None
    city: str = ""

    def as_dict(self) -> dict:
        return {"payment": self.payment, "variant_id": self.variant_id, "city": self.city}


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


def count_recipients(campaign: Campaign, audience: Audience, channel: str = MANUAL) -> int:
    """How many messages a broadcast would write (one per buyer's number or email address)."""
    orders = audience_orders(campaign, audience)
    if channel == EMAIL:
        return orders.exclude(buyer_email="").values("buyer_email").distinct().count()
    return orders.values("buyer_phone").distinct().count()


def cloud_api_ready(shop) -> bool:
    return WhatsAppAccount.objects.filter(shop=shop, is_active=True).exists()


def render_text(body: str, order: Order) -> str:
    """Fill {nama}, {kode} and {link} from the order; other braces stay as written."""
    link = settings.SITE_URL + reverse("order_page", kwargs={"secret": order.secret})
    return (
        body.replace("{nama}", order.buyer_name)
        .replace("{kode}", order.code)
        .replace("{link}", link)
    )


@transaction.atomic
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
    if errors:
        raise InvalidBroadcast(field_errors=errors)
    orders = list(audience_orders(campaign, audience))
    if channel == EMAIL:
        orders = [order for order in orders if order.buyer_email]
    if not orders:
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
    for order in orders:
        written += queue_message(
            shop=campaign.shop,
            event="broadcast",
            event_key=broadcast.event_key,
            channel=Channel.EMAIL if channel == EMAIL else Channel.WHATSAPP,
            recipient=order.buyer_email if channel == EMAIL else order.buyer_phone,
            recipient_name=order.buyer_name,
            subject=f"{campaign.shop.name}: {campaign.title}"[:200],
            body=render_text(body, order),
            order=order,
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
