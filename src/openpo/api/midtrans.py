"""The Midtrans notification endpoint (`/api/v1/payments/midtrans/<shop>/notification`, the URL
a seller pastes into the Midtrans dashboard): the HTTP side of `payments.gateways`, which holds
the rules.

A plain Django view beside ninja's routers, not a ninja endpoint: Midtrans, not a client of
our API, reads its answers (200 once handled, anything else is retried), so it keeps its own
statuses and bodies, reads at most MAX_NOTIFICATION_BYTES of the body, and answers a wrong
method with Django's bare 405 rather than the API's error shape.
"""

from __future__ import annotations

import json
import logging

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from openpo.catalog.models import Shop
from openpo.core.errors import DomainError
from openpo.payments.gateways.midtrans import GatewayOff, InvalidNotification
from openpo.payments.gateways.notifications import handle_midtrans_notification

logger = logging.getLogger(__name__)

# A Midtrans notification is about 1-2 KB; anything much bigger is not one.
MAX_NOTIFICATION_BYTES = 64 * 1024


def _error(error: DomainError) -> JsonResponse:
    return JsonResponse({"code": error.code, "message": error.message}, status=error.http_status)


def _read_body(request: HttpRequest) -> bytes | None:
    """The body, or None when it is larger than a notification can be."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_NOTIFICATION_BYTES:
        return None
    body = request.read(MAX_NOTIFICATION_BYTES + 1)
    return None if len(body) > MAX_NOTIFICATION_BYTES else body


# Midtrans' servers call this, not a browser: there is no session or cookie to protect, so
# Django's CSRF check (which would refuse every call) does not apply. Each notification is
# authenticated instead by its signature_key, a SHA512 over part of the payload and the
# shop's secret server key, checked before anything is read or written; money moves only as
# Midtrans' Get Status API confirms it.
@csrf_exempt
@require_POST
def midtrans_notification(request: HttpRequest, shop_slug: str) -> JsonResponse:
    """200 once handled, ignored or already seen (Midtrans retries anything else); 404 for
    an unknown shop or one with Midtrans off; 400 for a body that is not a notification;
    401 for a bad signature, an amount not written as Midtrans writes it, or a status that
    does not agree with the status code; 409 when Midtrans' status check does not confirm
    it; 503 when the status check cannot be made (nothing written); 413 for a body too
    large."""
    shop = Shop.objects.filter(slug=shop_slug).first()
    if shop is None or not shop.midtrans_server_key:
        return _error(GatewayOff())
    body = _read_body(request)
    if body is None:
        return JsonResponse(
            {"code": "too_large", "message": _("The notification is too large.")}, status=413
        )
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        return _error(InvalidNotification())
    try:
        result = handle_midtrans_notification(shop=shop, payload=payload)
    except DomainError as error:
        if error.http_status in (401, 409, 503):
            logger.warning("Midtrans notification for shop %s: %s", shop.slug, error.code)
        return _error(error)
    return JsonResponse({"status": "ok", "outcome": result.outcome})
