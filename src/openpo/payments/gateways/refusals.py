"""Notifications refused at the Midtrans door (a bad signature, an amount or a status not as
Midtrans writes them, or what Midtrans' status check does not confirm): kept on the shop's
audit trail as `payment.gateway_refused`, so the seller can see that someone tried, and listed
for the shop's owners on the payment verification page.

At most REFUSALS_PER_HOUR are kept per shop and hour (a counter in the cache,
`core.ratelimit.hit`): past it a flood is only answered, so it cannot fill the database.
Everything kept comes from an unproven payload: short strings only, never the signature.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from openpo.catalog.models import Shop
from openpo.core.audit import audit_event
from openpo.core.models import AuditEvent
from openpo.core.ratelimit import hit
from openpo.payments.gateways.midtrans import (
    BadAmount,
    BadSignature,
    RefusedNotification,
    StatusMismatch,
    Unconfirmed,
    UnknownTransaction,
)

REFUSED_EVENT = "payment.gateway_refused"
REFUSALS_PER_HOUR = 20
# What an event keeps of the payload, each field cut to FIELD_LENGTH.
FIELDS = (
    "order_id",
    "gross_amount",
    "status_code",
    "transaction_status",
    "fraud_status",
    "transaction_id",
)
FIELD_LENGTH = 100
REASONS = {
    error.code: error
    for error in (BadSignature, StatusMismatch, BadAmount, Unconfirmed, UnknownTransaction)
}


def keep_refusal(*, shop: Shop, payload: object, error: RefusedNotification, now: datetime) -> None:
    """Keep one refused notification on the shop's audit trail, within the hourly limit."""
    if not hit("midtrans-refused", str(shop.pk), limit=REFUSALS_PER_HOUR, window=3600).allowed:
        return
    claimed = payload if isinstance(payload, dict) else {}
    data = {
        name: value[:FIELD_LENGTH] if isinstance(value, str) else ""
        for name in FIELDS
        for value in [claimed.get(name)]
    }
    params = {name: str(value)[:FIELD_LENGTH] for name, value in error.params.items()}
    audit_event(
        action=REFUSED_EVENT,
        subject=shop,
        shop_id=shop.pk,
        actor_label="midtrans?",  # not proven to be Midtrans
        at=now,
        data={**data, "reason": error.code, "params": params},
    )


@dataclass(frozen=True)
class Refusal:
    at: datetime
    order_id: str
    gross_amount: str
    reason: str


def recent_refusals(
    shop: Shop, *, now: datetime | None = None, days: int = 7, limit: int = 10
) -> list[Refusal]:
    """The shop's latest refused notifications, newest first, each with its reason in the
    active language."""
    now = now or timezone.now()
    events = AuditEvent.objects.filter(
        shop_id=shop.pk, action=REFUSED_EVENT, created_at__gte=now - timedelta(days=days)
    ).order_by("-created_at", "-id")[:limit]
    return [
        Refusal(
            at=event.created_at,
            order_id=str(event.data.get("order_id", "")),
            gross_amount=str(event.data.get("gross_amount", "")),
            reason=_reason(event.data),
        )
        for event in events
    ]


def _reason(data: dict) -> str:
    error = REASONS.get(data.get("reason"), RefusedNotification)
    params = data.get("params")
    try:
        return str(error.default_message) % (params if isinstance(params, dict) else {})
    except (KeyError, TypeError, ValueError):
        return str(RefusedNotification.default_message)
