"""Writing messages to the outbox, inside the transaction of the event that causes them.

`queue_message` inserts with ON CONFLICT DO NOTHING on (event key, recipient, channel): the
same event can be told any number of times and still makes one message. Delivery happens
after commit, in the worker (`messaging.delivery`).
"""

from datetime import datetime

from django.utils import timezone

from openpo.catalog.models import Shop
from openpo.messaging.models import Channel, OutboxMessage


def queue_message(
    *,
    shop: Shop,
    event: str,
    event_key: str,
    channel: str,
    recipient: str,
    body: str,
    subject: str = "",
    recipient_name: str = "",
    order=None,
    campaign=None,
    manual: bool = False,
    now: datetime | None = None,
) -> bool:
    """Write one message (True), or nothing when this event already wrote it (False).

    `manual` messages are for the seller to send from their own phone (wa.me link); they wait
    in the broadcast queue instead of the worker's.
    """
    now = now or timezone.now()
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    if not recipient:
        return False
    key = event_key[:120]
    if OutboxMessage.objects.filter(event_key=key, recipient=recipient, channel=channel).exists():
        return False
    # Two writers racing past that read still make one row: the unique constraint decides.
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                shop=shop,
                order=order,
                campaign=campaign,
                event=event,
                event_key=key,
                channel=channel,
                recipient=recipient,
                recipient_name=recipient_name[:100],
                subject=subject[:200],
                body=body,
                status=OutboxMessage.Status.MANUAL if manual else OutboxMessage.Status.QUEUED,
                next_attempt_at=now,
                created_at=now,
            )
        ],
        ignore_conflicts=True,
    )
    return True
