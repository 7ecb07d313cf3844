"""Delivering the outbox: claim due messages, send each through its channel, record the result.

A worker claims a batch with one transaction (`SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL;
SQLite's write lock serialises claims), marking the messages `sending` with a lease. A message
is marked `sent` right after its channel accepted it. A worker that dies mid-batch leaves its
unsent messages `sending` until the lease ends; then any worker takes them again. Failures are
retried with exponential backoff, then marked `failed` for the seller to see. A WhatsApp
message the Cloud API may not send (WhatsApp's 24-hour rule, no approved template) moves to the
seller's phone queue (`manual`).

`deliver_outbox` is what the worker runs (every few seconds, at the end of each scheduler tick,
and as the `messaging.tasks.deliver_outbox` task): small batches, one after another, until
nothing due is left or the worker is stopping.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from openpo.messaging.channels import ChannelError, SendFromPhone, sender_for
from openpo.messaging.models import OutboxMessage

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 6
BATCH = 50
# `deliver_outbox` claims a few messages at a time: a worker stopping (SIGTERM) finishes its
# batch first, and one killed leaves at most this many waiting for their lease to end.
OUTBOX_BATCH = 10
# At most this many batches per `deliver_outbox` call, so one call never runs for ever.
MAX_OUTBOX_BATCHES = 100


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8, 16 minutes … after the 1st, 2nd, 3rd … failed attempt."""
    return timedelta(minutes=2 ** max(attempts - 1, 0))


def claim_due(*, now: datetime, limit: int = BATCH) -> list[int]:
    """Take up to `limit` due messages for this worker; nobody else gets them until the lease."""
    S = OutboxMessage.Status
    with transaction.atomic():
        due = (
            OutboxMessage.objects.filter(
                Q(status=S.QUEUED) | Q(status=S.SENDING, locked_until__lt=now),
                next_attempt_at__lte=now,
            )
            .order_by("next_attempt_at", "id")
            .values_list("pk", flat=True)
        )
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due[:limit])
        if ids:
            OutboxMessage.objects.filter(pk__in=ids).update(
                status=S.SENDING, locked_until=now + LEASE, attempts=F("attempts") + 1
            )
    return ids


def deliver(message: OutboxMessage, *, now: datetime) -> bool:
    """Send one claimed message; True when its channel accepted it."""
    S = OutboxMessage.Status
    try:
        provider_id = sender_for(message).send(message, now=now)
    except SendFromPhone as exc:
        # Not a failure: the seller sends it from their phone (the WhatsApp queue).
        OutboxMessage.objects.filter(pk=message.pk, status=S.SENDING).update(
            status=S.MANUAL, locked_until=None, last_error=str(exc)[:2000]
        )
        log.info("message %s handed to the seller's phone: %s", message.pk, exc)
        return False
    except ChannelError as exc:
        failed_for_good = message.attempts >= MAX_ATTEMPTS or exc.permanent
        OutboxMessage.objects.filter(pk=message.pk, status=S.SENDING).update(
            status=S.FAILED if failed_for_good else S.QUEUED,
            next_attempt_at=now + backoff(message.attempts),
            locked_until=None,
            last_error=str(exc)[:2000],
        )
        log.warning("message %s not sent (attempt %s): %s", message.pk, message.attempts, exc)
        return False
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=S.SENT, sent_at=timezone.now(), locked_until=None, provider_id=provider_id or ""
    )
    return True


def deliver_due_messages(*, now: datetime | None = None, limit: int = BATCH) -> int:
    """Claim and send one batch of due messages; returns how many were sent."""
    now = now or timezone.now()
    ids = claim_due(now=now, limit=limit)
    sent = 0
    for message in OutboxMessage.objects.filter(pk__in=ids).select_related("shop").order_by("pk"):
        sent += deliver(message, now=now)
    return sent


def deliver_outbox(
    *, now: datetime | None = None, keep_going: Callable[[], bool] = lambda: True
) -> int:
    """Deliver due outbox messages batch after batch while `keep_going()` (bounded); returns
    how many were sent. A batch that sent nothing (empty, or every message failed and was put
    back with a backoff) ends it."""
    sent = 0
    for _ in range(MAX_OUTBOX_BATCHES):
        if not keep_going():
            break
        batch = deliver_due_messages(now=now, limit=OUTBOX_BATCH)
        sent += batch
        if not batch:
            break
    return sent
