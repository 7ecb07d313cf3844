"""Delivering webhooks: claim due deliveries, POST each to its endpoint, log the answer.

Each delivery is one `POST` of a JSON body to the endpoint's URL with these headers:

    Content-Type: application/json
    User-Agent: OpenPO-Webhooks/1
    OpenPO-Event: order.paid
    OpenPO-Delivery: evt_…            (the event's id: the same on every retry)
    OpenPO-Timestamp: 1764940000      (unix seconds)
    OpenPO-Signature: v1=<hex>        (HMAC-SHA256 of f"{timestamp}.{body}", the endpoint's secret)

To verify one (Python), with the raw body as received, before parsing it:

    import hashlib, hmac, time
    signed = f"{request.headers['OpenPO-Timestamp']}.".encode() + raw_body
    expected = "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    ok = hmac.compare_digest(expected, request.headers["OpenPO-Signature"])
    fresh = abs(time.time() - int(request.headers["OpenPO-Timestamp"])) < 300

and drop an `OpenPO-Delivery` id already seen (a worker that died after sending sends again).

A 2xx answer within the timeout (10 s) is delivered. Anything else — another status (a
redirect too: none is followed), a network error, a timeout — is logged as an attempt and
tried again after `backoff(attempts)` (1 min, 5 min, 30 min, 2 h, 4 h, 6 h, 10 h: eight attempts
within a day), then the delivery is failed. Only a short excerpt of an answer's body is kept.

Claiming is the messaging outbox's pattern (`messaging.delivery`): one transaction takes a
batch (`SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's write lock serialises
claims) and gives each delivery a lease (`locked_until`), so two workers never send one
delivery at once; a worker that dies mid-batch leaves its deliveries to the next worker after
the lease.

Timeout: settings.WEBHOOK_TIMEOUT_SECONDS or env OPENPO_WEBHOOK_TIMEOUT_SECONDS (10).
"""

import hashlib
import hmac
import json
import logging
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from openpo.hooks.addresses import resolved_problem
from openpo.hooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 10
USER_AGENT = "OpenPO-Webhooks/1"
# Waits after the 1st, 2nd, … failed attempt; after the last attempt the delivery fails.
BACKOFF = [
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=4),
    timedelta(hours=6),
    timedelta(hours=10),
]
MAX_ATTEMPTS = len(BACKOFF) + 1
# Longer than a send can take (the timeout, twice over): a lease never ends mid-send.
LEASE = timedelta(minutes=2)
BATCH = 10
MAX_BATCHES = 100
EXCERPT = 300

S = WebhookDelivery.Status


def timeout_seconds() -> float:
    configured = getattr(settings, "WEBHOOK_TIMEOUT_SECONDS", None) or os.environ.get(
        "OPENPO_WEBHOOK_TIMEOUT_SECONDS", ""
    )
    return float(configured or DEFAULT_TIMEOUT_SECONDS)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt."""
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


def body_bytes(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """`v1=` and the hex HMAC-SHA256 of `{timestamp}.{body}` with the endpoint's secret."""
    signed = f"{timestamp}.".encode() + body
    return "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def headers(*, event: str, event_id: str, secret: str, timestamp: int, body: bytes) -> dict:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "OpenPO-Event": event,
        "OpenPO-Delivery": event_id,
        "OpenPO-Timestamp": str(timestamp),
        "OpenPO-Signature": sign(secret, timestamp, body),
    }


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer like any other non-2xx: the body is not sent anywhere else."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post(url: str, body: bytes, request_headers: dict) -> tuple[int | None, str, str]:
    """POST once: (status code or None, error text, excerpt of the answer's body). Nothing is
    sent to an address inside the server's network (`hooks.addresses`)."""
    if problem := resolved_problem(url):
        return None, problem[:EXCERPT], ""
    request = urllib.request.Request(url, data=body, method="POST", headers=request_headers)
    try:
        with _opener.open(request, timeout=timeout_seconds()) as response:
            return response.status, "", _excerpt(response)
    except urllib.error.HTTPError as exc:
        return exc.code, "", _excerpt(exc)
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, (str(reason) or type(exc).__name__)[:EXCERPT], ""


def _excerpt(response) -> str:
    try:
        return response.read(EXCERPT).decode("utf-8", "replace")[:EXCERPT]
    except (OSError, ValueError):
        return ""


def claim_due(*, now: datetime, limit: int = BATCH, ids: list[int] | None = None) -> list[int]:
    """Take up to `limit` due deliveries (or those of `ids` that are due) for this worker;
    nobody else gets them until the lease ends. Each claim counts as an attempt."""
    with transaction.atomic():
        due = WebhookDelivery.objects.filter(
            Q(locked_until=None) | Q(locked_until__lt=now),
            status=S.QUEUED,
            next_attempt_at__lte=now,
        )
        if ids is not None:
            due = due.filter(pk__in=ids)
        due = due.order_by("next_attempt_at", "id").values_list("pk", flat=True)
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        claimed = list(due[:limit])
        if claimed:
            WebhookDelivery.objects.filter(pk__in=claimed).update(
                locked_until=now + LEASE, attempts=F("attempts") + 1
            )
    return claimed


def deliver(delivery: WebhookDelivery, *, now: datetime) -> bool:
    """Send one claimed delivery and log the attempt; True when the endpoint took it (2xx)."""
    endpoint: WebhookEndpoint = delivery.endpoint
    mine = WebhookDelivery.objects.filter(pk=delivery.pk, status=S.QUEUED)
    if not endpoint.is_active:
        mine.update(status=S.FAILED, locked_until=None)
        return False
    body = body_bytes(delivery.payload)
    timestamp = int(now.timestamp())
    request_headers = headers(
        event=delivery.event,
        event_id=delivery.event_id,
        secret=endpoint.secret,
        timestamp=timestamp,
        body=body,
    )
    started = time.monotonic()
    status_code, error, excerpt = post(endpoint.url, body, request_headers)
    duration_ms = int((time.monotonic() - started) * 1000)
    succeeded = status_code is not None and 200 <= status_code < 300
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            attempted_at=now,
            status_code=status_code,
            error=error,
            response_excerpt=excerpt,
            duration_ms=duration_ms,
        )
        if succeeded:
            mine.update(
                status=S.DELIVERED,
                delivered_at=now,
                locked_until=None,
                last_status_code=status_code,
            )
        else:
            mine.update(
                status=S.FAILED if delivery.attempts >= MAX_ATTEMPTS else S.QUEUED,
                next_attempt_at=now + backoff(delivery.attempts),
                locked_until=None,
                last_status_code=status_code,
            )
    if not succeeded:
        log.warning(
            "webhook %s to endpoint %s not delivered (attempt %s): %s",
            delivery.event_id,
            endpoint.pk,
            delivery.attempts,
            status_code or error,
        )
    return succeeded


def deliver_claimed(ids: list[int], *, now: datetime) -> int:
    delivered = 0
    claimed = WebhookDelivery.objects.filter(pk__in=ids).select_related("endpoint").order_by("pk")
    for delivery in claimed:
        delivered += deliver(delivery, now=now)
    return delivered


def deliver_due(*, now: datetime | None = None, limit: int = BATCH) -> int:
    """Claim and send one batch of due deliveries; returns how many were delivered."""
    now = now or timezone.now()
    return deliver_claimed(claim_due(now=now, limit=limit), now=now)


def deliver_webhooks(
    *, now: datetime | None = None, keep_going: Callable[[], bool] = lambda: True
) -> int:
    """Deliver due webhooks batch after batch while `keep_going()` (bounded); returns how many
    were delivered. A batch that claimed nothing ends it."""
    delivered = 0
    for _ in range(MAX_BATCHES):
        if not keep_going():
            break
        at = now or timezone.now()
        ids = claim_due(now=at, limit=BATCH)
        if not ids:
            break
        delivered += deliver_claimed(ids, now=at)
    return delivered
