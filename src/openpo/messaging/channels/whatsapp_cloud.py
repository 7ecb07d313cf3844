"""WhatsApp through the WhatsApp Business Cloud API (Meta), for shops that set up an account.

One request per message: `POST {base}/{version}/{phone_number_id}/messages` with the shop's
Bearer token and a JSON body — inside the 24 h customer-service window a plain text message,
outside it a template message (the shop's approved template, one body parameter carrying the
text); a shop without a template hands such a message to the seller's phone queue
(`SendFromPhone`). Which one is `messaging.window.whatsapp_route`'s decision, at sending time.
The answer names the message (`messages[0].id`, a `wamid.…`), which becomes the outbox row's
provider id. Errors come as `{"error": {"message", "type", "code", "error_subcode",
"fbtrace_id"}}`: throttling (HTTP 429, codes 4, 80007, 130429, 131056) and server trouble (5xx,
codes 1, 2, 131000) are retried; anything else the API refused (an undeliverable number, 131026;
a bad parameter, 100; a dead token, 190) will not get better by trying again.

Base URL: settings.WHATSAPP_API_URL or env OPENPO_WHATSAPP_API_URL (https://graph.facebook.com).
"""

import json
import os
import re
import urllib.error
import urllib.request
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from openpo.messaging.channels.base import ChannelError, Sender, SendFromPhone
from openpo.messaging.models import OutboxMessage, WhatsAppAccount
from openpo.messaging.window import WhatsAppRoute, last_inbound_at, whatsapp_route

DEFAULT_BASE_URL = "https://graph.facebook.com"
DEFAULT_VERSION = "v21.0"
TIMEOUT_SECONDS = 20
# Error codes Meta documents as "try again later" even when the HTTP status is a 4xx.
TEMPORARY_CODES = {1, 2, 4, 80007, 130429, 131000, 131056, 133004}
# "Re-engagement message": free text more than 24 hours after the buyer's last message.
REENGAGEMENT_REQUIRED = 131047


def api_base_url() -> str:
    configured = getattr(settings, "WHATSAPP_API_URL", "") or os.environ.get(
        "OPENPO_WHATSAPP_API_URL", ""
    )
    return (configured or DEFAULT_BASE_URL).rstrip("/")


def api_version() -> str:
    return getattr(settings, "WHATSAPP_API_VERSION", "") or os.environ.get(
        "OPENPO_WHATSAPP_API_VERSION", DEFAULT_VERSION
    )


def recipient_digits(phone: str) -> str:
    """WhatsApp wants the number with its country code and no `+`: +6281234 → 6281234."""
    return re.sub(r"\D", "", phone)


def template_parameter(text: str) -> str:
    """Template parameters may not hold new lines, tabs or more than 4 spaces in a row."""
    return re.sub(r"\s+", " ", text.replace("\n", " · ")).strip()[:1024]


def build_payload(message: OutboxMessage, account: WhatsAppAccount, *, as_text: bool) -> dict:
    """The documented request body: a template message, or text inside the 24 h window."""
    payload: dict = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": recipient_digits(message.recipient),
    }
    if as_text:
        payload["type"] = "text"
        payload["text"] = {"preview_url": True, "body": message.body[:4096]}
        return payload
    payload["type"] = "template"
    payload["template"] = {
        "name": account.template_name,
        "language": {"code": account.template_language or "id"},
        "components": [
            {
                "type": "body",
                "parameters": [{"type": "text", "text": template_parameter(message.body)}],
            }
        ],
    }
    return payload


def route_for(message: OutboxMessage, account: WhatsAppAccount, *, now: datetime) -> WhatsAppRoute:
    """How this message may leave now: the 24-hour rule, for this buyer and this shop."""
    return whatsapp_route(
        last_inbound_at=last_inbound_at(shop_id=message.shop_id, phone=message.recipient),
        has_template=account.has_template,
        now=now,
    )


class WhatsAppCloudSender(Sender):
    """Sends `whatsapp` outbox messages of shops with an active Cloud API account, as the
    24-hour rule allows. `as_text=True` forces plain text (for a caller that knows the window
    is open); by default the rule decides."""

    def __init__(self, *, as_text: bool | None = None) -> None:
        self.as_text = as_text

    def send(self, message: OutboxMessage, *, now: datetime | None = None) -> str:
        account = WhatsAppAccount.objects.filter(shop_id=message.shop_id, is_active=True).first()
        if account is None:
            raise ChannelError("WhatsApp Cloud API is not set up for this shop", permanent=True)
        if self.as_text is None:
            route = route_for(message, account, now=now or timezone.now())
        else:
            route = WhatsAppRoute.TEXT if self.as_text else WhatsAppRoute.TEMPLATE
        if route == WhatsAppRoute.PHONE:
            raise SendFromPhone(
                "the buyer has not written in 24 hours and the shop has no approved template"
            )
        as_text = route == WhatsAppRoute.TEXT
        try:
            return _post(account, build_payload(message, account, as_text=as_text))
        except ChannelError as error:
            # Meta's own clock says the window closed (our record of the buyer's last
            # message was late or lost): the template, or the seller's phone, as outside it.
            if not (as_text and error.code == REENGAGEMENT_REQUIRED):
                raise
        if not account.has_template:
            raise SendFromPhone("WhatsApp says the 24-hour window has closed (131047)")
        return _post(account, build_payload(message, account, as_text=False))


def _post(account: WhatsAppAccount, payload: dict) -> str:
    """POST one message; the `wamid.…` Meta gives it, or ChannelError."""
    url = f"{api_base_url()}/{api_version()}/{account.phone_number_id}/messages"
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        method="POST",
        headers={
            "Authorization": f"Bearer {account.access_token}",
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            answer = _json(response.read())
    except urllib.error.HTTPError as exc:
        raise _error_from(exc.code, _json(exc.read())) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise ChannelError(f"WhatsApp Cloud API unreachable: {exc}") from exc
    try:
        return str(answer["messages"][0]["id"])
    except (KeyError, IndexError, TypeError):
        raise ChannelError(f"WhatsApp Cloud API answered without a message id: {answer}") from None


def _json(raw: bytes) -> dict:
    try:
        value = json.loads(raw.decode("utf-8", "replace") or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _error_from(status: int, answer: dict) -> ChannelError:
    error = answer.get("error") if isinstance(answer.get("error"), dict) else {}
    try:
        code = int(error.get("code"))
    except (TypeError, ValueError):
        code = None
    details = (error.get("error_data") or {}).get("details", "")
    text = f"WhatsApp Cloud API {status}"
    if code is not None:
        text += f" code {code}"
    if error.get("error_subcode"):
        text += f"/{error['error_subcode']}"
    text += f": {error.get('message') or 'no message'}"
    if details:
        text += f" — {details}"
    if error.get("fbtrace_id"):
        text += f" (fbtrace_id {error['fbtrace_id']})"
    temporary = status == 429 or status >= 500 or code in TEMPORARY_CODES
    return ChannelError(text, permanent=not temporary, code=code)
