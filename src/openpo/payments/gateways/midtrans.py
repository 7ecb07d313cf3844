"""Midtrans' protocol, with no database: the notification signature, reading and checking a
notification payload, what each transaction status means for OpenPO, and a small client for
the Snap API (the hosted payment page) and the Get Status API.

Midtrans documents its HTTP notification as a JSON object whose `signature_key` is
SHA512(order_id + status_code + gross_amount + server_key), hex-encoded; `gross_amount` is a
string with two decimals ("150000.00"). The signature does not cover `transaction_status`,
`transaction_id` or `fraud_status`, so a signed body can be replayed with those changed: the
status has to agree with the signed `status_code`, and money is recorded only as the Get
Status API tells it. Snap: POST {snap}/snap/v1/transactions; Get Status:
GET {api}/v2/{order_id}/status; both with HTTP Basic auth (the server key as user name, empty
password). Snap answers 201 with {"token", "redirect_url"}; Get Status answers the
transaction as a notification describes it (without the signature), or status_code "404".
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from openpo.core.errors import DomainError

DEFAULT_SNAP_URL = "https://app.sandbox.midtrans.com"
DEFAULT_API_URL = "https://api.sandbox.midtrans.com"
SNAP_TIMEOUT_SECONDS = 15
# Midtrans waits for the notification's answer; the status check must fit well inside that.
STATUS_TIMEOUT_SECONDS = 8
# Fields the signature covers, and the ones OpenPO needs to act; all strings in the payload.
SIGNED_FIELDS = ("order_id", "status_code", "gross_amount", "signature_key")
REQUIRED_FIELDS = (*SIGNED_FIELDS, "transaction_id", "transaction_status")
MAX_FIELD_LENGTH = 200
MIDTRANS_TZ = ZoneInfo("Asia/Jakarta")
# Beyond what a PositiveIntegerField holds: no real PO payment comes near it.
MAX_AMOUNT = 2_000_000_000
# gross_amount as Midtrans writes it for rupiah: whole rupiah, no sign, no leading zero, no
# exponent or spaces, and exactly two decimals, always "00" ("150000.00"). [0-9], not \d,
# which would also match other scripts' digits.
AMOUNT_FORM = re.compile(r"[1-9][0-9]{0,9}\.00")
# The transaction statuses Midtrans sends with each status_code (its "Code 2xx" reference and
# notification samples): 200 success, 201 pending (and a card capture challenged by fraud
# detection), 202 denied, cancelled, expired or failed; 407 is the expire API's own code for
# an expired transaction. A status outside every set (one Midtrans adds later) moves no money
# here, so it is not refused.
STATUS_CODES = {
    "200": frozenset(
        {
            "capture",
            "settlement",
            "authorize",
            "cancel",
            "refund",
            "partial_refund",
            "chargeback",
            "partial_chargeback",
        }
    ),
    "201": frozenset({"pending", "capture"}),
    "202": frozenset({"deny", "cancel", "expire", "failure"}),
    "407": frozenset({"expire"}),
}
KNOWN_STATUSES = frozenset().union(*STATUS_CODES.values())


class GatewayOff(DomainError):
    code = "gateway_off"
    http_status = 404
    default_message = _("This shop does not take Midtrans payments.")


class InvalidNotification(DomainError):
    code = "invalid_notification"
    http_status = 400
    default_message = _("The notification is not a Midtrans payment notification.")


class RefusedNotification(DomainError):
    """A notification that does not prove itself: it is answered like a forged one, and the
    seller sees it among the refused notifications."""

    code = "refused_notification"
    http_status = 401
    default_message = _("The notification was refused.")


class BadSignature(RefusedNotification):
    code = "bad_signature"
    default_message = _("The notification's signature does not match the shop's server key.")


class StatusMismatch(RefusedNotification):
    code = "status_mismatch"
    default_message = _(
        "The transaction status %(transaction_status)s does not go with status code "
        "%(status_code)s."
    )


class BadAmount(RefusedNotification):
    code = "bad_amount"
    default_message = _(
        "The amount %(gross_amount)s is not written as Midtrans writes rupiah (like 150000.00)."
    )


class Unconfirmed(RefusedNotification):
    """Midtrans' Get Status API does not confirm the notification: nothing moves. Answered with
    409, not 2xx, so that Midtrans tries again if its status only lagged behind."""

    code = "unconfirmed"
    http_status = 409
    default_message = _(
        "Midtrans' status check says %(confirmed_status)s, %(confirmed_amount)s, transaction "
        "%(confirmed_transaction_id)s: not what the notification says."
    )


class UnknownTransaction(Unconfirmed):
    code = "unknown_transaction"
    default_message = _("Midtrans' status check does not know this transaction.")


class GatewayUnavailable(DomainError):
    code = "gateway_unavailable"
    http_status = 502
    default_message = _("Online payment is not available right now. Please try again later.")

    def __init__(self, *, status: int | None = None, detail: list[str] | None = None) -> None:
        super().__init__()
        self.status = status  # Midtrans' HTTP status, None when it could not be reached
        self.detail = detail or []  # Midtrans' own words, for the log


class StatusCheckUnavailable(GatewayUnavailable):
    """The Get Status API could not be asked: the notification is answered 503 and nothing is
    written, so Midtrans sends it again later."""

    code = "status_check_unavailable"
    http_status = 503
    default_message = _("Midtrans' status check is not available right now; try again later.")


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
        """The gross amount in whole rupiah ("150000.00" → 150000); the form was checked."""
        return int(self.gross_amount.partition(".")[0])

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


def statuses_agree(*, status_code: str, transaction_status: str, fraud_status: str) -> bool:
    """Whether Midtrans sends this transaction status with this status code (see
    STATUS_CODES); a capture under 201 is one that fraud detection challenged."""
    if transaction_status not in KNOWN_STATUSES:
        return True  # a status OpenPO does not know only ever leaves a note
    if transaction_status not in STATUS_CODES.get(status_code, ()):
        return False
    if transaction_status == "capture" and status_code == "201":
        return fraud_status == "challenge"
    return True


def check_amount(gross_amount: str) -> None:
    """Raise BadAmount unless the amount is written as Midtrans writes rupiah."""
    if not AMOUNT_FORM.fullmatch(gross_amount) or int(gross_amount[:-3]) > MAX_AMOUNT:
        raise BadAmount(gross_amount=gross_amount[:40])


def check_form(
    *, status_code: str, transaction_status: str, fraud_status: str, gross_amount: str
) -> None:
    """Raise BadAmount or StatusMismatch unless the fields are as Midtrans writes them."""
    check_amount(gross_amount)
    if not statuses_agree(
        status_code=status_code, transaction_status=transaction_status, fraud_status=fraud_status
    ):
        raise StatusMismatch(
            status_code=status_code[:40], transaction_status=transaction_status[:40]
        )


def parse_notification(payload: object, *, server_key: str) -> Notification:
    """The notification, once its signature is checked against `server_key`. Raises
    InvalidNotification for a payload that is not a Midtrans notification, BadSignature when
    the signature does not match (checked before anything else is read), BadAmount or
    StatusMismatch when a signed field is not as Midtrans writes it or the unsigned status
    does not agree with the signed status code."""
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
    check_form(
        status_code=values["status_code"],
        transaction_status=fields["transaction_status"],
        fraud_status=fields["fraud_status"],
        gross_amount=values["gross_amount"],
    )
    return Notification(**values, **fields)


def split_order_id(order_id: str) -> tuple[str, int] | None:
    """OpenPO's Midtrans order id is "<order code>-<expected payment id>" (the order code
    has hyphens of its own); None for anything else."""
    code, _sep, expected_id = order_id.rpartition("-")
    if not code or not expected_id.isdigit() or len(expected_id) > 18:
        return None
    return code, int(expected_id)


def api_base_url() -> str:
    """Where the Get Status API lives: `OPENPO_MIDTRANS_API_URL` (settings.MIDTRANS_API_URL
    wins when set), by default Midtrans' sandbox; https://api.midtrans.com in production."""
    url = getattr(settings, "MIDTRANS_API_URL", "") or os.environ.get(
        "OPENPO_MIDTRANS_API_URL", DEFAULT_API_URL
    )
    return url.rstrip("/")


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


def _call(url: str, *, server_key: str, body: dict | None, timeout: float) -> dict:
    """One call to a Midtrans API (POST with `body`, else GET); its JSON answer. Raises
    GatewayUnavailable when it refuses (`status`, and its `error_messages` or
    `status_message` as `detail`) or cannot be reached."""
    credentials = base64.b64encode(f"{server_key}:".encode()).decode()
    request = urllib.request.Request(
        url,
        data=None if body is None else json.dumps(body).encode(),
        method="GET" if body is None else "POST",
        headers={
            "Accept": "application/json",
            "Content-Type": "application/json",
            "Authorization": f"Basic {credentials}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = json.loads(response.read(64 * 1024) or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            said = json.loads(exc.read(16 * 1024) or b"{}")
            detail = said.get("error_messages") or [said.get("status_message", "")]
        except (ValueError, AttributeError):
            detail = []
        raise GatewayUnavailable(status=exc.code, detail=[str(d) for d in detail][:5]) from exc
    except (OSError, ValueError) as exc:  # unreachable, timed out, or not JSON
        raise GatewayUnavailable(detail=[str(exc)[:200]]) from exc
    if not isinstance(answer, dict):
        raise GatewayUnavailable(detail=["Midtrans answered without a JSON object"])
    return answer


def create_snap_transaction(*, server_key: str, body: dict) -> SnapTransaction:
    """POST the transaction to Snap; its hosted payment page's URL. Raises GatewayUnavailable
    when Snap refuses or cannot be reached (`detail` keeps Snap's own words)."""
    answer = _call(
        f"{snap_base_url()}/snap/v1/transactions",
        server_key=server_key,
        body=body,
        timeout=SNAP_TIMEOUT_SECONDS,
    )
    token, redirect_url = answer.get("token"), answer.get("redirect_url")
    if not isinstance(redirect_url, str) or not redirect_url.startswith(("https://", "http://")):
        raise GatewayUnavailable(detail=["Snap answered without a redirect_url"])
    return SnapTransaction(token=str(token or ""), redirect_url=redirect_url)


@dataclass(frozen=True)
class TransactionStatus:
    """A transaction as Midtrans' Get Status API tells it."""

    order_id: str
    status_code: str
    transaction_id: str
    transaction_status: str
    gross_amount: str
    fraud_status: str
    payment_type: str
    currency: str
    transaction_time: str
    settlement_time: str


def get_transaction_status(*, server_key: str, order_id: str) -> TransactionStatus | None:
    """Ask Midtrans' Get Status API about `order_id`; None when Midtrans does not know it.
    Raises StatusCheckUnavailable when it cannot be asked, refuses the key, fails, or answers
    something that is not a transaction as Midtrans writes it."""
    url = f"{api_base_url()}/v2/{urllib.parse.quote(order_id, safe='')}/status"
    try:
        answer = _call(url, server_key=server_key, body=None, timeout=STATUS_TIMEOUT_SECONDS)
    except GatewayUnavailable as error:
        if error.status == 404:
            return None
        raise StatusCheckUnavailable(status=error.status, detail=error.detail) from error
    if answer.get("status_code") == "404":
        return None
    try:
        fields = {name: _text(answer, name) for name in TransactionStatus.__dataclass_fields__}
        missing = [
            name
            for name in ("order_id", "status_code", "transaction_id", "transaction_status")
            if not fields[name]
        ]
        if missing:
            raise InvalidNotification()
        # Midtrans' own answer (over TLS, to our key): only its amount must be readable.
        check_amount(fields["gross_amount"])
    except DomainError as error:
        raise StatusCheckUnavailable(
            status=200, detail=[f"Get Status answered {error.code}"]
        ) from error
    return TransactionStatus(**fields)
