"""What a shop's WhatsApp Cloud API number hears back (Meta's webhook, read by `api.whatsapp`
once its signature is checked): buyers' messages and the statuses of messages we sent.

- A buyer's message records when they last wrote (`Customer.whatsapp_last_inbound_at`, the start
  of WhatsApp's 24-hour window, `messaging.window`). "STOP" / "berhenti" (any case, punctuation
  ignored; also "unsubscribe", "batal langganan") opts the buyer out of broadcasts and next-PO
  news (`messaging.consent`), withdraws their "Ingatkan saya" sign-ups at the shop, and answers
  one short confirmation; "START" / "mulai" opts them back in.
- A status (`sent`, `delivered`, `read`, `failed`) is recorded on the outbox message whose
  provider id is its `wamid`, only ever forward: a late "delivered" after "read" changes
  nothing, and "failed" only counts for a message not yet delivered.

Meta sends the same event again when it doubts we got it, so every step here is idempotent.
Anything not understood is skipped: the webhook answers 200 whatever the payload holds.
"""

import logging
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import transaction
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from openpo.catalog.models import Shop
from openpo.core.audit import audit_event
from openpo.core.phone import InvalidPhoneNumber, normalize_phone
from openpo.messaging.models import Channel, OutboxMessage, WhatsAppAccount
from openpo.messaging.outbox import queue_message
from openpo.orders.models import Customer, ReminderSignup

log = logging.getLogger(__name__)

STOP_WORDS = frozenset({"stop", "berhenti", "unsubscribe", "batal langganan"})
START_WORDS = frozenset({"start", "mulai"})
# Longer than any keyword: a sentence that merely contains "stop" is a message, not a request.
MAX_KEYWORD_LENGTH = 40


@dataclass
class WebhookResult:
    messages: int = 0
    statuses: int = 0
    opted_out: int = 0
    opted_in: int = 0


def keyword(text: str) -> str:
    """The message as a keyword: trimmed, lower case, without punctuation or emoji.
    `"  Berhenti. "` → `"berhenti"`."""
    if len(text) > MAX_KEYWORD_LENGTH * 4:
        return ""
    kept = "".join(
        char if unicodedata.category(char)[0] in "LN" else " "
        for char in unicodedata.normalize("NFKC", text).casefold()
    )
    return " ".join(kept.split())[:MAX_KEYWORD_LENGTH]


def is_stop(text: str) -> bool:
    return keyword(text) in STOP_WORDS


def is_start(text: str) -> bool:
    return keyword(text) in START_WORDS


def handle_whatsapp_webhook(
    *, account: WhatsAppAccount, payload: object, now: datetime | None = None
) -> WebhookResult:
    """Record what one (signature-checked) webhook call says for `account`'s shop."""
    now = now or timezone.now()
    result = WebhookResult()
    for value in _values(payload):
        metadata = value.get("metadata")
        number_id = metadata.get("phone_number_id") if isinstance(metadata, dict) else None
        if number_id is not None and str(number_id) != account.phone_number_id:
            continue  # another number of the same Meta app
        for message in _dicts(value.get("messages")):
            with transaction.atomic():
                _record_message(account, message, now, result)
        for status in _dicts(value.get("statuses")):
            with transaction.atomic():
                result.statuses += _record_status(account.shop_id, status, now)
    return result


def _values(payload: object) -> list[dict]:
    if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
        return []
    values = []
    for entry in _dicts(payload.get("entry")):
        for change in _dicts(entry.get("changes")):
            if change.get("field", "messages") == "messages" and isinstance(
                change.get("value"), dict
            ):
                values.append(change["value"])
    return values


def _dicts(items: object) -> list[dict]:
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _moment(raw: object, now: datetime) -> datetime:
    """Meta's timestamp (seconds since 1970, as a string), never later than now."""
    try:
        moment = datetime.fromtimestamp(int(str(raw)), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return now
    return min(moment, now)


def _phone(wa_id: object) -> str | None:
    """A WhatsApp id (the number's digits, no `+`) as the E.164 number customers are kept by."""
    digits = str(wa_id or "")
    if not digits.isdigit() or not 6 <= len(digits) <= 15:
        return None
    try:
        return normalize_phone("+" + digits)
    except InvalidPhoneNumber:
        return None


def message_text(message: dict) -> str:
    """What the buyer wrote or tapped: a text, a template's quick-reply button, an interactive
    reply; empty for pictures, voice notes and the rest."""
    kind = message.get("type")
    part = message.get(kind) if isinstance(kind, str) else None
    if not isinstance(part, dict):
        return ""
    if kind == "text":
        text = part.get("body")
    elif kind == "button":
        text = part.get("text") or part.get("payload")
    elif kind == "interactive":
        reply = part.get("button_reply") or part.get("list_reply") or {}
        text = reply.get("title") if isinstance(reply, dict) else ""
    else:
        text = ""
    return text if isinstance(text, str) else ""


def _record_message(
    account: WhatsAppAccount, message: dict, now: datetime, result: WebhookResult
) -> None:
    phone = _phone(message.get("from"))
    if phone is None:
        return
    result.messages += 1
    at = _moment(message.get("timestamp"), now)
    shop_id = account.shop_id
    # Only forward: a retried old message does not shorten the window.
    Customer.objects.filter(shop_id=shop_id, phone=phone).filter(
        Q(whatsapp_last_inbound_at__isnull=True) | Q(whatsapp_last_inbound_at__lt=at)
    ).update(whatsapp_last_inbound_at=at)
    text = message_text(message)
    wamid = str(message.get("id") or "")[:100] or f"{phone}:{int(at.timestamp())}"
    if is_stop(text):
        opt_out(shop_id=shop_id, phone=phone, now=now, reply_key=f"whatsapp.stop:{wamid}")
        result.opted_out += 1
    elif is_start(text):
        opt_in(shop_id=shop_id, phone=phone, now=now, reply_key=f"whatsapp.start:{wamid}")
        result.opted_in += 1


@transaction.atomic
def opt_out(*, shop_id: int, phone: str, now: datetime, reply_key: str = "") -> bool:
    """The buyer with this number hears no more broadcasts or next-PO news from the shop (their
    order messages still come); their "Ingatkan saya" sign-ups are withdrawn. With
    `reply_key`, one confirmation goes back to them. True when something changed."""
    customer = Customer.objects.filter(shop_id=shop_id, phone=phone).first()
    changed = False
    if customer is not None and (customer.opted_out_at is None or customer.reminders_opt_in):
        Customer.objects.filter(pk=customer.pk).update(
            opted_out_at=Coalesce("opted_out_at", Value(now)), reminders_opt_in=False
        )
        changed = True
    signups = ReminderSignup.objects.filter(campaign__shop_id=shop_id, phone=phone)
    withdrawn, _rows = signups.delete()
    if customer is not None and changed:
        audit_event(
            action="customer.opted_out",
            subject=customer,
            shop_id=shop_id,
            actor_label="whatsapp",
            at=now,
            data={"signups_withdrawn": withdrawn},
        )
    if reply_key:
        _confirm(
            shop_id,
            phone,
            reply_key,
            now,
            lambda shop: (
                _(
                    "You will get no more news or broadcasts from %(shop)s on WhatsApp. Messages "
                    "about your orders still come. Reply START to hear from us again."
                )
                % {"shop": shop.name}
            ),
        )
    return changed or bool(withdrawn)


@transaction.atomic
def opt_in(*, shop_id: int, phone: str, now: datetime, reply_key: str = "") -> bool:
    """The buyer asked to hear the shop's broadcasts and next-PO news again (a fresh choice,
    made by them). True when something changed."""
    changed = Customer.objects.filter(shop_id=shop_id, phone=phone).filter(
        Q(opted_out_at__isnull=False) | Q(reminders_opt_in=False)
    )
    customer = changed.first()
    if customer is None:
        return False
    Customer.objects.filter(pk=customer.pk).update(opted_out_at=None, reminders_opt_in=True)
    audit_event(
        action="customer.opted_in",
        subject=customer,
        shop_id=shop_id,
        actor_label="whatsapp",
        at=now,
    )
    if reply_key:
        _confirm(
            shop_id,
            phone,
            reply_key,
            now,
            lambda shop: (
                _("You will hear about new POs from %(shop)s again. Reply STOP to stop.")
                % {"shop": shop.name}
            ),
        )
    return True


def _confirm(shop_id: int, phone: str, key: str, now: datetime, text) -> None:
    """One short answer on WhatsApp, inside the 24 h window the buyer's message just opened."""
    shop = Shop.objects.get(pk=shop_id)
    cloud = WhatsAppAccount.objects.filter(shop_id=shop_id, is_active=True).exists()
    with translation.override(shop.message_language or "id"):
        body = str(text(shop))
    queue_message(
        shop=shop,
        event="whatsapp_reply",
        event_key=key,
        channel=Channel.WHATSAPP,
        recipient=phone,
        body=body,
        manual=not cloud,
        now=now,
    )


def _record_status(shop_id: int, status: dict, now: datetime) -> int:
    """Receipts only move forward: sent → delivered → read; "sent" is ours already."""
    wamid = status.get("id")
    state = status.get("status")
    if not isinstance(wamid, str) or not wamid or state not in ("delivered", "read", "failed"):
        return 0
    at = _moment(status.get("timestamp"), now)
    messages = OutboxMessage.objects.filter(
        shop_id=shop_id, provider_id=wamid[:200], channel=Channel.WHATSAPP
    )
    if state == "delivered":
        return messages.filter(delivered_at__isnull=True, read_at__isnull=True).update(
            delivered_at=at
        )
    if state == "read":
        # Read implies delivered (Meta may skip or reorder "delivered").
        return messages.filter(read_at__isnull=True).update(
            read_at=at, delivered_at=Coalesce("delivered_at", Value(at))
        )
    # Failed: only a message that has not reached the phone; the seller sees it as failed.
    return messages.filter(
        status=OutboxMessage.Status.SENT, delivered_at__isnull=True, read_at__isnull=True
    ).update(status=OutboxMessage.Status.FAILED, last_error=_failure(status)[:2000])


def _failure(status: dict) -> str:
    parts = []
    for error in _dicts(status.get("errors")):
        details = error.get("error_data", {})
        details = details.get("details", "") if isinstance(details, dict) else ""
        parts.append(
            f"code {error.get('code')}: {error.get('title') or error.get('message') or ''}"
            + (f" — {details}" if details else "")
        )
    return "WhatsApp Cloud API: not delivered" + (f" ({'; '.join(parts)})" if parts else "")
