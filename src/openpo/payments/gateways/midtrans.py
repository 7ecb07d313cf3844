"""Midtrans' protocol, with no database: the notification signature, reading and checking a
notification payload, what each transaction status means for OpenPO, and a small client for
the Snap API (the hosted payment page).

Midtrans documents its HTTP notification as a JSON object whose `signature_key` is
SHA512(order_id + status_code + gross_amount + server_key), hex-encoded; `gross_amount` is a
string with two decimals ("150000.00"). Snap: POST {base}/snap/v1/transactions with HTTP Basic
auth (the server key as user name, empty password) answers 201 with {"token", "redirect_url"}.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from openpo.core.errors import DomainError

DEFAULT_SNAP_URL = "https://app.sandbox.midtrans.com"
SNAP_TIMEOUT_SECONDS = 15
# Fields the signature covers, and the ones OpenPO needs to act; all strings in the payload.
SIGNED_FIELDS = ("order_id", "status_code", "gross_amount", "signature_key")
REQUIRED_FIELDS = (*SIGNED_FIELDS, "transaction_id", "transaction_status")
MAX_FIELD_LENGTH = 200
MIDTRANS_TZ = ZoneInfo("Asia/Jakarta")
# Beyond what a PositiveIntegerField holds: no real PO payment comes near it.
MAX_AMOUNT = 2_000_000_000


class GatewayOff(DomainError):
    code = "gateway_off"
    http_status = 404
    default_message = _("This shop does not take Midtrans payments.")


class InvalidNotification(DomainError):
    code = "invalid_notification"
    http_status = 400
    default_message = _("The notification is not a Midtrans payment notification.")


class BadSignature(DomainError):
    code = "bad_signature"
    http_status = 401
    default_message = _("The notification's signature does not match the shop's server key.")


class GatewayUnavailable(DomainError):
    code = "gateway_unavailable"
    http_status = 502
    default_message = _("Online payment is not available right now. Please try again later.")

    def __init__(self, *, status: int | None = None, detail: list[str] | None = None) -> None:
        super().__init__()
        self.status = status  # Snap's HTTP status, None when it could not be reached
        self.detail = detail or []  # Snap's own words, for the log


class Action(enum.Enum):
    """What OpenPO does with a notification."""

    RECORD = "record"  # money arrived: a confirmed payment (or one for review, see below)
    REVIEW = "review"  # money may have arrived: a payment waiting for the seller's check
    NOTE = "note"  # nothing changes hands: the audit trail keeps it


def action_for(transaction_status: str, fraud_status: str) -> Action:
    """settlement, or capture accepted by fraud detection → record; capture challenged (or
    without a verdict) → review; everything else (pending, deny, cancel, expire, failure,
    refund, partial_refund, authorize, unknown statuses) → note. Refunds are recorded by the
    seller, with their transfer proof, not from here."""
    if transaction_status == "settlement":
        return Action.RECORD
    if transaction_status == "capture":
        if fraud_status == "accept":
            return Action.RECORD
        if fraud_status == "deny":
            return Action.NOTE
        return Action.REVIEW
    return Action.NOTE


def signature(*, order_id: str, status_code: str, gross_amount: str, server_key: str) -> str:
    """Midtrans' notification signature: hex SHA512 of the four strings joined."""
    text = order_id + status_code + gross_amount + server_key
    return hashlib.sha512(text.encode()).hexdigest()


@dataclass(frozen=True)
class Notification:
    order_id: str
    status_code: str
    gross_amount: str
    signature_key: str
    transaction_id: str
    transaction_status: str
    fraud_status: str
    payment_type: str
    currency: str
    transaction_time: str
    settlement_time: str

    def paid_at(self, default: datetime) -> datetime:
        """When the money moved: settlement_time, else transaction_time (Midtrans writes
        both in Western Indonesia time, GMT+7), never later than `default` (now)."""
        for text in (self.settlement_time, self.transaction_time):
            try:
                moment = datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=MIDTRANS_TZ)
            except ValueError:
                continue
            return min(moment, default)
        return default

    @property
    def amount(self) -> int:
        """The gross amount in whole rupiah ("150000.00" → 150000)."""
        return int(Decimal(self.gross_amount))

    def summary(self) -> dict[str, str]:
        """What the audit trail keeps (never the signature)."""
        return {
            "transaction_id": self.transaction_id,
            "transaction_status": self.transaction_status,
            "fraud_status": self.fraud_status,
            "order_id": self.order_id,
            "gross_amount": self.gross_amount,
            "payment_type": self.payment_type,
            "transaction_time": self.transaction_time,
        }


def _text(payload: dict, name: str) -> str:
    value = payload.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > MAX_FIELD_LENGTH:
        raise InvalidNotification(field_errors={name: [_("Expected a short text.")]})
    return value


def parse_notification(payload: object, *, server_key: str) -> Notification:
    """The notification, once its signature is checked against `server_key`. Raises
    InvalidNotification for a payload that is not a Midtrans notification, BadSignature when
    the signature does not match (checked before anything else is read)."""
    if not isinstance(payload, dict):
        raise InvalidNotification()
    values = {name: _text(payload, name) for name in SIGNED_FIELDS}
    missing = [name for name in SIGNED_FIELDS if not values[name]]
    if missing:
        raise InvalidNotification(
            field_errors={name: [_("This field is required.")] for name in missing}
        )
    expected = signature(
        order_id=values["order_id"],
        status_code=values["status_code"],
        gross_amount=values["gross_amount"],
        server_key=server_key,
    )
    if not hmac.compare_digest(expected, values["signature_key"].lower()):
        raise BadSignature()
    fields = {
        name: _text(payload, name)
        for name in Notification.__dataclass_fields__
        if name not in SIGNED_FIELDS
    }
    missing = [name for name in REQUIRED_FIELDS if not (values.get(name) or fields.get(name))]
    if missing:
        raise InvalidNotification(
            field_errors={name: [_("This field is required.")] for name in missing}
        )
    try:
        amount = Decimal(values["gross_amount"])
    except InvalidOperation:
        amount = Decimal(-1)
    if (
        not amount.is_finite()
        or not 1 <= amount <= MAX_AMOUNT
        or amount != amount.to_integral_value()
    ):
        raise InvalidNotification(
            field_errors={"gross_amount": [_("Expected a whole rupiah amount.")]}
        )
    return Notification(**values, **fields)


def split_order_id(order_id: str) -> tuple[str, int] | None:
    """OpenPO's Midtrans order id is "<order code>-<expected payment id>" (the order code
    has hyphens of its own); None for anything else."""
    code, _sep, expected_id = order_id.rpartition("-")
    if not code or not expected_id.isdigit() or len(expected_id) > 18:
        return None
    return code, int(expected_id)


def snap_base_url() -> str:
    """Where the Snap API lives: `OPENPO_MIDTRANS_SNAP_URL` (settings.MIDTRANS_SNAP_URL wins
    when set), by default Midtrans' sandbox; https://app.midtrans.com in production."""
    url = getattr(settings, "MIDTRANS_SNAP_URL", "") or os.environ.get(
        "OPENPO_MIDTRANS_SNAP_URL", DEFAULT_SNAP_URL
    )
    return url.rstrip("/")


@dataclass(frozen=True)
class SnapTransaction:
    token: str
    redirect_url: str


def create_snap_transaction(*, server_key: str, body: dict) -> SnapTransaction:
    """POST the transaction to Snap; its hosted payment page's URL. Raises GatewayUnavailable
    when Snap refuses or cannot be reached (`message_detail` keeps Snap's own words)."""
    credentials = base64.b64encode(f"{server_key}:".encode()).decode()
    request = urllib.request.Request(
        f"{snap_base_url()}/snap/v1/transactions",
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "Accept": "application/json",
            "Content-Type": "application/json",
            "Authorization": f"Basic {credentials}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=SNAP_TIMEOUT_SECONDS) as response:
            answer = json.loads(response.read(64 * 1024) or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            detail = json.loads(exc.read(16 * 1024) or b"{}").get("error_messages", [])
        except (ValueError, AttributeError):
            detail = []
        raise GatewayUnavailable(status=exc.code, detail=[str(d) for d in detail][:5]) from exc
    except (OSError, ValueError) as exc:  # unreachable, timed out, or not JSON
        raise GatewayUnavailable(detail=[str(exc)[:200]]) from exc
    token, redirect_url = answer.get("token"), answer.get("redirect_url")
    if not isinstance(redirect_url, str) or not redirect_url.startswith(("https://", "http://")):
        raise GatewayUnavailable(detail=["Snap answered without a redirect_url"])
    return SnapTransaction(token=str(token or ""), redirect_url=redirect_url)
