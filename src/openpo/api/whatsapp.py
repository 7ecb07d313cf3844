"""The WhatsApp Cloud API webhook (`/api/v1/whatsapp/<shop>/webhook`, the callback URL a seller
pastes into their Meta app): the HTTP side of `messaging.inbound`, which holds the rules.

A plain Django view beside ninja's routers, like `api.midtrans`: Meta, not a client of our API,
reads its answers.
- GET is Meta's verification handshake: `hub.mode=subscribe` and `hub.verify_token` equal to
  the shop's verify token → the `hub.challenge` echoed, else 403.
- POST carries events, signed: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body
  with the app secret>`. Missing → 401, wrong → 403, and nothing is read or written. A signed
  body answers 200 whatever it holds (Meta retries anything else for days), what is not
  understood is skipped.
An unknown shop and a shop without the webhook set up answer the same 404.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from openpo.core.ratelimit import rate_limit
from openpo.messaging.inbound import handle_whatsapp_webhook
from openpo.messaging.models import WhatsAppAccount

logger = logging.getLogger(__name__)

# Meta batches events, but a call stays a few KB; far more is not one of Meta's.
MAX_WEBHOOK_BYTES = 512 * 1024
SIGNATURE_HEADER = "HTTP_X_HUB_SIGNATURE_256"


def _not_found() -> JsonResponse:
    return JsonResponse({"code": "not_found", "message": "Not found."}, status=404)


def _account(shop_slug: str) -> WhatsAppAccount | None:
    return WhatsAppAccount.objects.filter(shop__slug=shop_slug).first()


def _read_body(request: HttpRequest) -> bytes | None:
    """The raw body (the signature covers it byte for byte), or None when too large."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_WEBHOOK_BYTES:
        return None
    body = request.read(MAX_WEBHOOK_BYTES + 1)
    return None if len(body) > MAX_WEBHOOK_BYTES else body


def signature_of(body: bytes, app_secret: str) -> str:
    """The header value Meta sends with `body`: `sha256=<hex>`."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def _verify(request: HttpRequest, account: WhatsAppAccount) -> HttpResponse:
    mode = request.GET.get("hub.mode", "")
    token = request.GET.get("hub.verify_token", "")
    if mode == "subscribe" and hmac.compare_digest(
        token.encode("utf-8", "replace"), account.verify_token.encode()
    ):
        challenge = request.GET.get("hub.challenge", "")[:200]
        return HttpResponse(challenge, content_type="text/plain")
    return HttpResponse("Forbidden", status=403, content_type="text/plain")


# Meta's servers call this, not a browser: there is no session or cookie to protect, so
# Django's CSRF check does not apply. Each call is authenticated by its signature instead,
# checked with the shop's app secret before anything is parsed or written.
@csrf_exempt
@rate_limit("whatsapp_webhook", methods=("GET", "POST"))
@require_http_methods(["GET", "POST"])
def whatsapp_webhook(request: HttpRequest, shop_slug: str) -> HttpResponse:
    """GET: 200 with the challenge, or 403. POST: 200 once a signed body is handled, 401
    without a signature, 403 with a wrong one, 413 for a body too large; 404 for an unknown
    shop or one without the webhook set up."""
    account = _account(shop_slug)
    if request.method == "GET":
        if account is None or not account.verify_token:
            return _not_found()
        return _verify(request, account)
    if account is None or not account.app_secret:
        return _not_found()
    body = _read_body(request)
    if body is None:
        return JsonResponse({"code": "too_large", "message": "Too large."}, status=413)
    claimed = request.META.get(SIGNATURE_HEADER, "")
    if not claimed:
        return JsonResponse({"code": "unsigned", "message": "Signature missing."}, status=401)
    expected = signature_of(body, account.app_secret)
    if not hmac.compare_digest(claimed.encode("utf-8", "replace"), expected.encode()):
        logger.warning("WhatsApp webhook for shop %s: wrong signature", shop_slug)
        return JsonResponse({"code": "bad_signature", "message": "Wrong signature."}, status=403)
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        payload = None  # signed, but not JSON: nothing to do, and no reason to be asked again
    result = handle_whatsapp_webhook(account=account, payload=payload)
    return JsonResponse({"status": "ok", "messages": result.messages, "statuses": result.statuses})
