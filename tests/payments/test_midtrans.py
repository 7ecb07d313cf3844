"""The Midtrans gateway: notifications shaped as Midtrans documents them (signed with the
shop's server key) become payments exactly once, and only as Midtrans' Get Status API confirms
them; late or odd money goes to the seller's review; forged or unconfirmed notifications are
refused and shown to the shop's owners; the buyer's "pay online" opens a Snap page. Midtrans
is a local HTTP server that speaks both APIs (FakeMidtrans)."""

import base64
import hashlib
import json
import threading
import urllib.parse
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings as django_settings
from django.template.loader import render_to_string
from django.urls import reverse

from openpo.core.models import AuditEvent
from openpo.orders.models import Order
from openpo.orders.services import cancel_order, expire_order
from openpo.payments.gateways.midtrans import Action, action_for, signature
from openpo.payments.gateways.refusals import REFUSALS_PER_HOUR
from openpo.payments.models import ExpectedPayment, Payment
from tests import factories

SERVER_KEY = "SB-Mid-server-GwUP_WGbJPXsDzsNEBRs8IYA"


@pytest.fixture
def midtrans_shop(shop):
    shop.midtrans_server_key = SERVER_KEY
    shop.save(update_fields=["midtrans_server_key"])
    return shop


@pytest.fixture
def order(midtrans_shop, campaign, buyer, now):
    return factories.order(campaign, buyer=buyer, now=now)


def notification(
    expected: ExpectedPayment,
    *,
    transaction_status: str = "settlement",
    status_code: str = "200",
    fraud_status: str = "accept",
    gross_amount: str | None = None,
    transaction_id: str = "513f1f01-c9da-474c-9fc9-d5c64364b709",
    server_key: str = SERVER_KEY,
    order_id: str | None = None,
) -> dict:
    """A bank-transfer (BCA virtual account) notification with the fields and formats of
    Midtrans' documented sample, for this expected payment, signed as Midtrans signs it."""
    order_id = order_id or f"{expected.order.code}-{expected.pk}"
    gross_amount = gross_amount or f"{expected.amount}.00"
    return {
        "va_numbers": [{"va_number": "91019021579", "bank": "bca"}],
        "transaction_time": "2026-11-25 18:45:13",
        "transaction_status": transaction_status,
        "transaction_id": transaction_id,
        "status_message": "midtrans payment notification",
        "status_code": status_code,
        "signature_key": signature(
            order_id=order_id,
            status_code=status_code,
            gross_amount=gross_amount,
            server_key=server_key,
        ),
        "settlement_time": "2026-11-25 18:46:02",
        "payment_type": "bank_transfer",
        "payment_amounts": [],
        "order_id": order_id,
        "merchant_id": "G141532850",
        "gross_amount": gross_amount,
        "fraud_status": fraud_status,
        "expiry_time": "2026-11-26 18:45:13",
        "currency": "IDR",
    }


def card_capture(expected: ExpectedPayment, *, fraud_status: str) -> dict:
    """A credit-card capture notification, shaped like Midtrans' card sample: status code 200
    when fraud detection accepted it, 201 when it challenged it."""
    payload = notification(
        expected,
        transaction_status="capture",
        status_code="201" if fraud_status == "challenge" else "200",
        fraud_status=fraud_status,
        transaction_id="1a1a66f7-27a7-4844-ba1f-d86dcc16ab27",
    )
    for name in ("va_numbers", "payment_amounts", "settlement_time", "expiry_time"):
        payload.pop(name)
    payload.update(
        payment_type="credit_card",
        masked_card="48111111-1114",
        bank="bni",
        card_type="credit",
        approval_code="1578569243927",
        channel_response_code="00",
        channel_response_message="Approved",
        eci="05",
    )
    return payload


def post(client, shop_slug: str, payload, **extra):
    body = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
    return client.post(
        f"/api/v1/payments/midtrans/{shop_slug}/notification",
        data=body,
        content_type="application/json",
        **extra,
    )


def notification_events():
    return AuditEvent.objects.filter(action="payment.gateway_notification")


class FakeMidtrans:
    """A local server that speaks the two Midtrans APIs OpenPO calls, both with Basic auth:
    Snap's POST /snap/v1/transactions, and the Get Status API's GET /v2/<order_id>/status,
    which answers what `transactions` holds for the order id (as Midtrans' documented
    answer), else 404 "Transaction doesn't exist.", or 500 while `status_outage` is set."""

    def __init__(self, *, status: int = 201) -> None:
        self.status = status
        self.status_outage = False
        self.transactions: dict[str, dict] = {}
        self.requests: list[dict] = []  # Snap's
        self.status_requests: list[str] = []  # order ids asked about
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _authorized(self) -> bool:
                expected_auth = "Basic " + base64.b64encode(f"{SERVER_KEY}:".encode()).decode()
                return self.headers.get("Authorization") == expected_auth

            def _answer(self, status: int, answer: dict) -> None:
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                parts = self.path.split("/")
                if len(parts) != 4 or parts[1] != "v2" or parts[3] != "status":
                    return self._answer(404, {"status_code": "404"})
                order_id = urllib.parse.unquote(parts[2])
                fake.status_requests.append(order_id)
                if not self._authorized():
                    return self._answer(401, {"status_code": "401"})
                if fake.status_outage:
                    return self._answer(
                        500,
                        {
                            "status_code": "500",
                            "status_message": "Sorry. Our system is recovering from "
                            "unexpected issues. Please retry.",
                        },
                    )
                if order_id not in fake.transactions:
                    return self._answer(
                        404,
                        {"status_code": "404", "status_message": "Transaction doesn't exist."},
                    )
                return self._answer(200, fake.transactions[order_id])

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                fake.requests.append(
                    {
                        "path": self.path,
                        "authorization": self.headers.get("Authorization", ""),
                        "content_type": self.headers.get("Content-Type", ""),
                        "body": json.loads(self.rfile.read(length)),
                    }
                )
                if not self._authorized():
                    status, answer = 401, {"error_messages": ["Access denied"]}
                elif fake.status != 201:
                    status = fake.status
                    answer = {"error_messages": ["transaction_details.order_id sudah digunakan"]}
                else:
                    status = 201
                    answer = {
                        "token": "66e4fa55-fdac-4ef9-91b5-733b97d1b862",
                        "redirect_url": "https://app.sandbox.midtrans.com/snap/v4/redirection/"
                        "66e4fa55-fdac-4ef9-91b5-733b97d1b862",
                    }
                self._answer(status, answer)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def knows(self, payload: dict, **changes: str) -> dict:
        """Midtrans' record of the transaction a notification describes (its Get Status
        answer), with `changes` (say, another transaction_status)."""
        answer = {
            name: payload[name]
            for name in (
                "transaction_time",
                "transaction_status",
                "transaction_id",
                "status_code",
                "settlement_time",
                "payment_type",
                "order_id",
                "merchant_id",
                "gross_amount",
                "fraud_status",
                "currency",
                "va_numbers",
                "masked_card",
                "bank",
            )
            if name in payload
        }
        answer.update(status_message="Success, transaction is found", **changes)
        self.transactions[answer["order_id"]] = answer
        return answer

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> "FakeMidtrans":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def midtrans(settings):
    """Midtrans for every test here: Snap and the Get Status API at one local address."""
    with FakeMidtrans() as fake:
        settings.MIDTRANS_SNAP_URL = fake.url
        settings.MIDTRANS_API_URL = fake.url
        yield fake


@pytest.fixture
def snap(midtrans):
    return midtrans


def paid(midtrans: FakeMidtrans, payload: dict) -> dict:
    """A notification of money Midtrans really has (its status API says the same)."""
    midtrans.knows(payload)
    return payload


def refused_events():
    return AuditEvent.objects.filter(action="payment.gateway_refused")


@pytest.mark.django_db
class TestNotifications:
    def test_the_signature_is_sha512_of_order_status_amount_and_key_as_documented(self):
        # The example of Midtrans' "Handle Notifications" page.
        expected = hashlib.sha512(
            b"1111" + b"200" + b"100000.00" + b"askvnoibnosifnboseofinbofinfgbiufglnbfg"
        ).hexdigest()
        assert (
            signature(
                order_id="1111",
                status_code="200",
                gross_amount="100000.00",
                server_key="askvnoibnosifnboseofinbofinfgbiufglnbfg",
            )
            == expected
        )

    def test_it_maps_each_status_to_what_happens(self):
        assert action_for("settlement", "accept") is Action.RECORD
        assert action_for("settlement", "") is Action.RECORD
        assert action_for("capture", "accept") is Action.RECORD
        assert action_for("capture", "challenge") is Action.REVIEW
        assert action_for("capture", "deny") is Action.NOTE
        for status in (
            "pending",
            "deny",
            "cancel",
            "expire",
            "failure",
            "refund",
            "partial_refund",
        ):
            assert action_for(status, "accept") is Action.NOTE

    def test_a_settlement_with_a_good_signature_pays_the_order(self, client, order, midtrans):
        expected = order.open_expected_payment

        response = post(client, "toko-alice", paid(midtrans, notification(expected)))

        assert response.status_code == 200
        assert response.json() == {"status": "ok", "outcome": "recorded"}
        # Confirmed with Midtrans' Get Status API before anything moved.
        assert midtrans.status_requests == [f"{order.code}-{expected.pk}"]
        order.refresh_from_db()
        assert order.payment_status == Order.PaymentStatus.PAID
        payment = order.payments.get()
        assert payment.status == Payment.Status.CONFIRMED
        assert payment.source == Payment.Source.GATEWAY
        assert payment.amount == expected.amount
        assert payment.gateway_reference == "513f1f01-c9da-474c-9fc9-d5c64364b709"
        # settlement_time "2026-11-25 18:46:02" is Western Indonesia time (GMT+7).
        assert payment.received_at == datetime(2026, 11, 25, 11, 46, 2, tzinfo=UTC)
        expected.refresh_from_db()
        assert expected.status == ExpectedPayment.Status.PAID
        event = notification_events().get()
        assert event.data["outcome"] == "recorded"
        assert "signature_key" not in event.data
        assert not refused_events().exists()

    def test_a_bad_signature_is_refused_and_kept_for_the_seller(self, client, order, midtrans):
        expected = order.open_expected_payment
        payload = paid(midtrans, notification(expected, server_key="SB-Mid-server-wrong"))

        response = post(client, "toko-alice", payload)

        assert response.status_code == 401
        assert response.json()["code"] == "bad_signature"
        assert midtrans.status_requests == []
        assert not Payment.objects.exists()
        assert not notification_events().exists()
        event = refused_events().get()
        assert event.shop_id == order.shop_id
        assert event.data["reason"] == "bad_signature"
        assert event.data["order_id"] == f"{order.code}-{expected.pk}"
        assert event.data["gross_amount"] == f"{expected.amount}.00"
        assert "signature_key" not in event.data
        order.refresh_from_db()
        assert order.payment_status == Order.PaymentStatus.UNPAID

    def test_a_tampered_amount_breaks_the_signature(self, client, order, midtrans):
        payload = paid(midtrans, notification(order.open_expected_payment))
        payload["gross_amount"] = "1000000.00"
        assert post(client, "toko-alice", payload).status_code == 401
        assert not Payment.objects.exists()
        assert refused_events().get().data["reason"] == "bad_signature"

    def test_a_repeated_notification_is_one_payment(self, client, order, midtrans):
        payload = paid(midtrans, notification(order.open_expected_payment))

        first = post(client, "toko-alice", payload)
        second = post(client, "toko-alice", payload)
        third = post(client, "toko-alice", payload)

        assert [r.status_code for r in (first, second, third)] == [200, 200, 200]
        assert second.json()["outcome"] == third.json()["outcome"] == "duplicate"
        assert Payment.objects.count() == 1
        assert notification_events().count() == 1
        # A repeat is known from the books: Midtrans is asked once.
        assert len(midtrans.status_requests) == 1
        order.refresh_from_db()
        assert order.payment_status == Order.PaymentStatus.PAID

    def test_an_expire_after_the_settlement_changes_nothing(self, client, order, midtrans):
        expected = order.open_expected_payment
        post(client, "toko-alice", paid(midtrans, notification(expected)))

        response = post(
            client,
            "toko-alice",
            notification(expected, transaction_status="expire", status_code="202"),
        )

        assert response.status_code == 200
        assert response.json()["outcome"] == "noted"
        order.refresh_from_db()
        assert order.payment_status == Order.PaymentStatus.PAID
        assert order.payments.get().status == Payment.Status.CONFIRMED

    def test_pending_and_failed_transactions_are_only_noted_without_a_status_check(
        self, client, order, midtrans
    ):
        expected = order.open_expected_payment
        for status, code in (
            ("pending", "201"),
            ("deny", "202"),
            ("cancel", "202"),
            ("failure", "202"),
            ("expire", "407"),  # the expire API's own code for an expired transaction
            ("refund", "200"),
        ):
            response = post(
                client,
                "toko-alice",
                notification(expected, transaction_status=status, status_code=code),
            )
            assert response.json()["outcome"] == "noted"
        assert not Payment.objects.exists()
        assert notification_events().count() == 6
        assert midtrans.status_requests == []
        order.refresh_from_db()
        assert order.payment_status == Order.PaymentStatus.UNPAID

    def test_money_after_the_order_expired_goes_to_review(self, client, order, now, midtrans):
        expected = order.open_expected_payment
        expire_order(order=order, now=now + timedelta(hours=25))

        response = post(client, "toko-alice", paid(midtrans, notification(expected)))

        assert response.status_code == 200
        assert response.json()["outcome"] == "review"
        payment = Payment.objects.get()
        assert payment.status == Payment.Status.CLAIMED
        assert payment.source == Payment.Source.GATEWAY
        assert payment.amount == expected.amount
        assert payment.note.startswith("Midtrans: ")
        order.refresh_from_db()
        assert order.status == Order.Status.EXPIRED
        assert order.amount_paid == 0
        # Repeated, it stays one payment for review.
        assert post(client, "toko-alice", notification(expected)).json()["outcome"] == "duplicate"
        assert Payment.objects.count() == 1

    def test_money_for_a_cancelled_order_goes_to_review(self, client, order, midtrans):
        expected = order.open_expected_payment
        cancel_order(order=order, reason="Buyer changed their mind")

        payload = paid(midtrans, notification(expected))
        assert post(client, "toko-alice", payload).json()["outcome"] == "review"
        assert Payment.objects.get().status == Payment.Status.CLAIMED
        order.refresh_from_db()
        assert order.amount_paid == 0

    def test_money_for_an_amount_the_seller_already_recorded_goes_to_review(
        self, client, order, midtrans
    ):
        expected = order.open_expected_payment
        factories.pay(order, source=Payment.Source.MANUAL)

        payload = paid(midtrans, notification(expected))
        assert post(client, "toko-alice", payload).json()["outcome"] == "review"
        assert list(order.payments.values_list("source", "status").order_by("id")) == [
            (Payment.Source.MANUAL, Payment.Status.CONFIRMED),
            (Payment.Source.GATEWAY, Payment.Status.CLAIMED),
        ]

    def test_a_different_amount_is_recorded_for_review(self, client, order, midtrans):
        expected = order.open_expected_payment
        payload = paid(
            midtrans, notification(expected, gross_amount=f"{expected.amount - 1000}.00")
        )

        assert post(client, "toko-alice", payload).json()["outcome"] == "review"
        payment = Payment.objects.get()
        assert (payment.status, payment.amount) == (Payment.Status.CLAIMED, expected.amount - 1000)
        order.refresh_from_db()
        assert order.amount_paid == 0
        expected.refresh_from_db()
        assert expected.claimed_at is not None  # the order waits for the seller

    def test_a_challenged_card_payment_waits_and_is_confirmed_when_it_settles(
        self, client, order, midtrans
    ):
        expected = order.open_expected_payment

        challenged = paid(midtrans, card_capture(expected, fraud_status="challenge"))
        held = post(client, "toko-alice", challenged)
        assert held.json()["outcome"] == "review"
        assert Payment.objects.get().status == Payment.Status.CLAIMED

        settled = paid(midtrans, card_capture(expected, fraud_status="accept"))
        assert post(client, "toko-alice", settled).json()["outcome"] == "recorded"
        payment = Payment.objects.get()
        assert payment.status == Payment.Status.CONFIRMED
        order.refresh_from_db()
        assert order.payment_status == Order.PaymentStatus.PAID

    def test_an_accepted_card_capture_pays_and_its_settlement_adds_nothing(
        self, client, order, midtrans
    ):
        expected = order.open_expected_payment
        capture = paid(midtrans, card_capture(expected, fraud_status="accept"))
        assert post(client, "toko-alice", capture).json()["outcome"] == "recorded"

        settlement = paid(midtrans, {**capture, "transaction_status": "settlement"})
        assert post(client, "toko-alice", settlement).json()["outcome"] == "noted"
        assert Payment.objects.count() == 1

    def test_a_denied_card_capture_is_only_noted(self, client, order):
        payload = card_capture(order.open_expected_payment, fraud_status="deny")
        assert post(client, "toko-alice", payload).json()["outcome"] == "noted"
        assert not Payment.objects.exists()

    def test_an_unknown_order_id_is_answered_ok_and_kept_in_the_audit_trail(
        self, client, order, midtrans_shop, midtrans
    ):
        # Midtrans retries anything but 2xx for days; a payment for another system on the
        # same Midtrans account (or a deleted order) can never succeed, so it is acknowledged
        # and kept on the shop's audit trail, where the money can still be traced.
        payload = notification(order.open_expected_payment, order_id="INV-2026-0042")

        response = post(client, "toko-alice", payload)

        assert response.status_code == 200
        assert response.json()["outcome"] == "ignored"
        assert not Payment.objects.exists()
        assert midtrans.status_requests == []  # nothing of ours would move
        event = notification_events().get()
        assert (event.subject_type, event.subject_id) == ("catalog.shop", str(midtrans_shop.pk))
        assert event.data["order_id"] == "INV-2026-0042"
        assert post(client, "toko-alice", payload).json()["outcome"] == "duplicate"

    def test_another_shops_order_is_unknown_here(self, client, order, other_shop):
        other_shop.midtrans_server_key = "SB-Mid-server-charlie"
        other_shop.save(update_fields=["midtrans_server_key"])
        payload = notification(order.open_expected_payment, server_key="SB-Mid-server-charlie")

        assert post(client, "toko-charlie", payload).json()["outcome"] == "ignored"
        assert not Payment.objects.exists()

    def test_an_unknown_shop_or_one_with_midtrans_off_is_404(self, client, order, midtrans_shop):
        payload = notification(order.open_expected_payment)
        assert post(client, "no-such-shop", payload).status_code == 404
        midtrans_shop.midtrans_server_key = ""
        midtrans_shop.save(update_fields=["midtrans_server_key"])
        response = post(client, "toko-alice", payload)
        assert response.status_code == 404
        assert response.json()["code"] == "gateway_off"
        assert not Payment.objects.exists()
        assert not refused_events().exists()

    def test_a_body_that_is_not_a_notification_is_400(self, client, order):
        assert post(client, "toko-alice", b"{not json").status_code == 400
        assert post(client, "toko-alice", b"\xff\xfe").status_code == 400
        assert post(client, "toko-alice", [1, 2]).status_code == 400
        payload = notification(order.open_expected_payment)
        del payload["signature_key"]
        response = post(client, "toko-alice", payload)
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_notification"
        assert not Payment.objects.exists()

    def test_a_signed_notification_without_a_transaction_id_is_400(self, client, order):
        payload = notification(order.open_expected_payment)
        del payload["transaction_id"]
        assert post(client, "toko-alice", payload).status_code == 400

    def test_a_huge_body_is_refused_unread(self, client, order):
        payload = notification(order.open_expected_payment)
        payload["padding"] = "x" * 70_000
        assert post(client, "toko-alice", payload).status_code == 413
        assert not Payment.objects.exists()

    def test_it_answers_post_only(self, client, midtrans_shop):
        assert client.get("/api/v1/payments/midtrans/toko-alice/notification").status_code == 405


@pytest.mark.django_db
class TestNotificationsProveThemselves:
    """Midtrans signs order_id, status_code and gross_amount only: the unsigned status and
    transaction id of a signed body can be changed, so they must agree with what is signed
    and with what Midtrans' Get Status API says."""

    def test_a_pending_notification_turned_into_a_settlement_is_refused(
        self, client, order, midtrans
    ):
        # (a) A correctly signed pending notification (status_code 201) whose unsigned
        # transaction_status says settlement.
        expected = order.open_expected_payment
        pending = notification(expected, transaction_status="pending", status_code="201")
        midtrans.knows(pending)
        forged = {**pending, "transaction_status": "settlement"}

        response = post(client, "toko-alice", forged)

        assert response.status_code == 401
        assert response.json()["code"] == "status_mismatch"
        assert not Payment.objects.exists()
        assert not notification_events().exists()
        order.refresh_from_db()
        assert order.payment_status == Order.PaymentStatus.UNPAID
        event = refused_events().get()
        assert event.data["reason"] == "status_mismatch"
        assert (event.data["status_code"], event.data["transaction_status"]) == (
            "201",
            "settlement",
        )

    def test_each_status_must_go_with_its_documented_status_code(self, client, order):
        expected = order.open_expected_payment
        for status, code in (
            ("settlement", "201"),
            ("settlement", "202"),
            ("pending", "200"),
            ("expire", "200"),
            ("deny", "200"),
            ("refund", "202"),
            ("settlement", "407"),
        ):
            payload = notification(expected, transaction_status=status, status_code=code)
            response = post(client, "toko-alice", payload)
            assert response.status_code == 401, (status, code)
            assert response.json()["code"] == "status_mismatch"
        # A card capture under 201 (pending) is one that fraud detection challenged.
        accepted_as_pending = card_capture(expected, fraud_status="accept")
        accepted_as_pending.update(
            status_code="201",
            signature_key=signature(
                order_id=accepted_as_pending["order_id"],
                status_code="201",
                gross_amount=accepted_as_pending["gross_amount"],
                server_key=SERVER_KEY,
            ),
        )
        assert post(client, "toko-alice", accepted_as_pending).status_code == 401
        assert not Payment.objects.exists()
        assert not notification_events().exists()
        assert refused_events().count() == 8

    def test_the_same_signed_body_with_another_transaction_id_makes_nothing_new(
        self, client, order, midtrans
    ):
        # (b) The genuine settlement is recorded once; replaying its signed body with new
        # transaction ids is not confirmed by Midtrans and makes no payment or claim.
        expected = order.open_expected_payment
        genuine = paid(midtrans, notification(expected))
        assert post(client, "toko-alice", genuine).json()["outcome"] == "recorded"

        answers = [
            post(client, "toko-alice", {**genuine, "transaction_id": f"replay-{number}"})
            for number in range(3)
        ]

        assert [a.status_code for a in answers] == [409, 409, 409]
        assert {a.json()["code"] for a in answers} == {"unconfirmed"}
        payment = Payment.objects.get()
        assert (payment.status, payment.gateway_reference) == (
            Payment.Status.CONFIRMED,
            genuine["transaction_id"],
        )
        assert notification_events().count() == 1
        assert [e.data["transaction_id"] for e in refused_events().order_by("id")] == [
            "replay-0",
            "replay-1",
            "replay-2",
        ]
        order.refresh_from_db()
        assert order.payment_status == Order.PaymentStatus.PAID

    def test_a_replay_before_the_genuine_notification_makes_nothing_either(
        self, client, order, midtrans
    ):
        expected = order.open_expected_payment
        genuine = paid(midtrans, notification(expected))

        replay = post(client, "toko-alice", {**genuine, "transaction_id": "made-up"})
        assert replay.status_code == 409
        assert not Payment.objects.exists()
        # The genuine one is still taken afterwards: a refusal is not a "seen" notification.
        assert post(client, "toko-alice", genuine).json()["outcome"] == "recorded"
        assert Payment.objects.get().gateway_reference == genuine["transaction_id"]

    def test_an_expected_payment_is_paid_by_the_gateway_once(self, client, order, midtrans):
        # Even were Midtrans' status to confirm a second transaction for the same order id
        # (Midtrans does not let a paid order id be paid again), it adds nothing.
        expected = order.open_expected_payment
        post(client, "toko-alice", paid(midtrans, notification(expected)))
        second = paid(midtrans, notification(expected, transaction_id="second-transaction"))

        response = post(client, "toko-alice", second)

        assert response.status_code == 200
        assert response.json()["outcome"] == "already_paid"
        assert Payment.objects.count() == 1
        order.refresh_from_db()
        assert order.payment_status == Order.PaymentStatus.PAID

    @pytest.mark.parametrize(
        "amount",
        [
            "1e9",
            "1E9",
            "150000",
            "150000.0",
            "150000.000",
            " 150000.00",
            "150000.00 ",
            "150000.00\n",
            "+150000.00",
            "-150000.00",
            "0150000.00",
            "150,000.00",
            "150000.50",
            "0.00",
            "NaN",
            "Infinity",
            "１５００００.00",  # full-width digits
            "99999999999.00",
            "9999999999.00",
        ],
    )
    def test_an_amount_not_written_as_midtrans_writes_it_is_refused(
        self, client, order, midtrans, amount
    ):
        # (c) Signed with the shop's key, and the status API even agrees: still refused.
        expected = order.open_expected_payment
        payload = paid(midtrans, notification(expected, gross_amount=amount))

        response = post(client, "toko-alice", payload)

        assert response.status_code == 401
        assert response.json()["code"] == "bad_amount"
        assert not Payment.objects.exists()
        assert not notification_events().exists()
        assert midtrans.status_requests == []
        event = refused_events().get()
        assert (event.data["reason"], event.data["gross_amount"]) == ("bad_amount", amount)

    def test_a_settlement_midtrans_does_not_confirm_moves_nothing(self, client, order, midtrans):
        # Get Status says the transaction is still pending: nothing moves, the seller sees why.
        expected = order.open_expected_payment
        payload = notification(expected)
        midtrans.knows(payload, transaction_status="pending", status_code="201")

        response = post(client, "toko-alice", payload)

        assert response.status_code == 409
        assert response.json()["code"] == "unconfirmed"
        assert not Payment.objects.exists()
        assert not notification_events().exists()
        expected.refresh_from_db()
        assert (expected.status, expected.claimed_at) == (ExpectedPayment.Status.OPEN, None)
        event = refused_events().get()
        assert event.data["reason"] == "unconfirmed"
        assert event.data["params"]["confirmed_status"] == "pending"
        # When Midtrans settles it, its retry is taken.
        midtrans.knows(payload)
        assert post(client, "toko-alice", payload).json()["outcome"] == "recorded"

    def test_only_the_amount_midtrans_confirms_is_recorded(self, client, order, midtrans):
        expected = order.open_expected_payment
        payload = notification(expected)
        midtrans.knows(payload, gross_amount=f"{expected.amount - 1000}.00")

        response = post(client, "toko-alice", payload)

        assert response.status_code == 409
        assert not Payment.objects.exists()
        assert refused_events().get().data["params"]["confirmed_amount"] == (
            f"{expected.amount - 1000}.00"
        )

    def test_a_capture_midtrans_says_was_challenged_waits_for_the_seller(
        self, client, order, midtrans
    ):
        # The unsigned fraud_status says accept; Midtrans' record says challenge: the
        # record wins, and the money waits for the seller instead of paying the order.
        expected = order.open_expected_payment
        payload = card_capture(expected, fraud_status="accept")
        midtrans.knows(payload, fraud_status="challenge", status_code="201")

        response = post(client, "toko-alice", payload)

        assert response.json()["outcome"] == "review"
        assert Payment.objects.get().status == Payment.Status.CLAIMED
        order.refresh_from_db()
        assert order.amount_paid == 0

    def test_a_transaction_midtrans_does_not_know_moves_nothing(self, client, order, midtrans):
        payload = notification(order.open_expected_payment)  # midtrans answers 404

        response = post(client, "toko-alice", payload)

        assert response.status_code == 409
        assert response.json()["code"] == "unknown_transaction"
        assert not Payment.objects.exists()
        assert refused_events().get().data["reason"] == "unknown_transaction"

    def test_when_the_status_check_fails_midtrans_is_asked_to_retry_and_nothing_is_written(
        self, client, order, midtrans
    ):
        payload = paid(midtrans, notification(order.open_expected_payment))
        midtrans.status_outage = True
        events_before = AuditEvent.objects.count()

        response = post(client, "toko-alice", payload)

        assert response.status_code == 503
        assert response.json()["code"] == "status_check_unavailable"
        assert len(midtrans.status_requests) == 1
        assert not Payment.objects.exists()
        assert AuditEvent.objects.count() == events_before
        # Midtrans' retry, once it answers again, records the payment.
        midtrans.status_outage = False
        assert post(client, "toko-alice", payload).json()["outcome"] == "recorded"

    def test_when_midtrans_cannot_be_reached_nothing_is_written(self, client, order, settings):
        with FakeMidtrans() as closed:
            settings.MIDTRANS_API_URL = closed.url  # closed on exit: connection refused
        events_before = AuditEvent.objects.count()

        response = post(client, "toko-alice", notification(order.open_expected_payment))

        assert response.status_code == 503
        assert not Payment.objects.exists()
        assert AuditEvent.objects.count() == events_before

    def test_a_status_api_that_refuses_the_key_is_an_outage_not_a_refusal(
        self, client, order, midtrans, midtrans_shop
    ):
        # The stand-in knows only SERVER_KEY; a shop key from the other environment gets 401.
        midtrans_shop.midtrans_server_key = "SB-Mid-server-other-environment"
        midtrans_shop.save(update_fields=["midtrans_server_key"])
        payload = paid(
            midtrans,
            notification(order.open_expected_payment, server_key="SB-Mid-server-other-environment"),
        )

        response = post(client, "toko-alice", payload)

        assert response.status_code == 503
        assert not Payment.objects.exists()
        assert not refused_events().exists()

    def test_refusals_kept_per_shop_and_hour_are_limited(self, client, order):
        payload = notification(order.open_expected_payment, server_key="SB-Mid-server-wrong")

        answers = [post(client, "toko-alice", payload) for _ in range(REFUSALS_PER_HOUR + 5)]

        assert {a.status_code for a in answers} == {401}
        assert refused_events().count() == REFUSALS_PER_HOUR


def queue_html(client) -> str:
    """The payment verification page, in English."""
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("dashboard:payments"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
class TestRefusedNotificationsOnTheDashboard:
    def test_the_owner_sees_refused_notifications_on_the_verification_page(
        self, client, alice, order
    ):
        expected = order.open_expected_payment
        post(client, "toko-alice", notification(expected, server_key="SB-Mid-server-wrong"))
        post(client, "toko-alice", notification(expected, gross_amount="1e9"))
        client.force_login(alice)

        html = queue_html(client)

        assert "refused-notifications" in html
        assert f"{order.code}-{expected.pk}" in html
        assert "1e9" in html
        assert "does not match the shop&#x27;s server key" in html
        assert "not written as Midtrans writes rupiah" in html

    def test_what_an_attacker_wrote_is_shown_escaped(self, client, alice, order):
        payload = notification(order.open_expected_payment, server_key="SB-Mid-server-wrong")
        payload["order_id"] = '<script>alert("x")</script>'
        post(client, "toko-alice", payload)
        client.force_login(alice)

        html = queue_html(client)

        assert '<script>alert("x")</script>' not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html

    def test_staff_do_not_see_them_and_old_ones_are_gone(self, client, alice, bob, order, now):
        post(
            client,
            "toko-alice",
            notification(order.open_expected_payment, server_key="SB-Mid-server-wrong"),
        )
        client.force_login(bob)
        assert (
            "refused-notifications"
            not in client.get(reverse("dashboard:payments")).content.decode()
        )
        refused_events().update(created_at=now - timedelta(days=8))
        client.force_login(alice)
        assert (
            "refused-notifications"
            not in client.get(reverse("dashboard:payments")).content.decode()
        )

    def test_it_lists_at_most_ten_newest_first(self, client, alice, order):
        expected = order.open_expected_payment
        for number in range(12):
            payload = notification(expected, server_key="SB-Mid-server-wrong")
            payload["order_id"] = f"FORGED-{number:02}"
            post(client, "toko-alice", payload)
        client.force_login(alice)

        html = queue_html(client)

        assert "FORGED-11" in html and "FORGED-02" in html
        assert "FORGED-01" not in html and "FORGED-00" not in html
        assert html.index("FORGED-11") < html.index("FORGED-02")

    def test_another_shops_refusals_are_not_shown(self, client, charlie, other_shop, order):
        post(
            client,
            "toko-alice",
            notification(order.open_expected_payment, server_key="SB-Mid-server-wrong"),
        )
        client.force_login(charlie)
        assert (
            "refused-notifications"
            not in client.get(reverse("dashboard:payments")).content.decode()
        )


@pytest.mark.django_db
class TestPayOnline:
    def test_it_opens_a_snap_page_for_the_open_expected_payment(self, client, order, snap):
        expected = order.open_expected_payment

        response = client.post(reverse("midtrans_pay", args=[order.secret]))

        assert response.status_code == 302
        assert response["Location"].startswith("https://app.sandbox.midtrans.com/snap/v4/")
        [call] = snap.requests
        assert call["path"] == "/snap/v1/transactions"
        assert call["content_type"] == "application/json"
        body = call["body"]
        assert body["transaction_details"] == {
            "order_id": f"{order.code}-{expected.pk}",
            "gross_amount": expected.amount,
        }
        assert sum(i["price"] * i["quantity"] for i in body["item_details"]) == expected.amount
        assert body["customer_details"] == {
            "first_name": "Sari Wulandari",
            "phone": "+6281322223333",
            "email": "sari@example.com",
        }
        assert body["callbacks"]["finish"].endswith(f"/o/{order.secret}/")
        assert 15 <= body["expiry"]["duration"] <= 24 * 60
        assert AuditEvent.objects.filter(action="payment.gateway_started").count() == 1

    def test_a_second_tap_opens_the_same_page_without_a_second_transaction(
        self, client, order, snap
    ):
        first = client.post(reverse("midtrans_pay", args=[order.secret]))
        second = client.post(reverse("midtrans_pay", args=[order.secret]))
        assert first["Location"] == second["Location"]
        assert len(snap.requests) == 1

    def test_when_snap_refuses_the_buyer_is_back_on_the_order_page(self, client, order, snap):
        snap.status = 400
        response = client.post(reverse("midtrans_pay", args=[order.secret]))
        assert response.status_code == 302
        assert response["Location"] == f"/o/{order.secret}/#payment"
        assert not AuditEvent.objects.filter(action="payment.gateway_started").exists()

    def test_when_snap_cannot_be_reached_the_buyer_is_back_on_the_order_page(
        self, client, order, settings
    ):
        with FakeMidtrans() as fake:
            url = fake.url
        settings.MIDTRANS_SNAP_URL = url  # closed: connection refused
        response = client.post(reverse("midtrans_pay", args=[order.secret]))
        assert response["Location"] == f"/o/{order.secret}/#payment"

    def test_a_paid_order_has_nothing_to_pay_online(self, client, order, snap):
        post(client, "toko-alice", paid(snap, notification(order.open_expected_payment)))
        response = client.post(reverse("midtrans_pay", args=[order.secret]))
        assert response["Location"] == f"/o/{order.secret}/#payment"
        assert snap.requests == []

    def test_it_is_404_when_the_shop_has_midtrans_off(self, client, order, midtrans_shop, snap):
        midtrans_shop.midtrans_server_key = ""
        midtrans_shop.save(update_fields=["midtrans_server_key"])
        assert client.post(reverse("midtrans_pay", args=[order.secret])).status_code == 404
        assert client.post(reverse("midtrans_pay", args=["no-such-secret"])).status_code == 404
        assert snap.requests == []

    def test_it_needs_a_post_with_csrf(self, order, snap):
        from django.test import Client

        strict = Client(enforce_csrf_checks=True)
        assert strict.get(reverse("midtrans_pay", args=[order.secret])).status_code == 405
        assert strict.post(reverse("midtrans_pay", args=[order.secret])).status_code == 403
        assert snap.requests == []

    def test_the_button_shows_only_when_midtrans_is_on_and_something_is_due(
        self, order, midtrans_shop
    ):
        context = {"order": order, "shop": midtrans_shop, "expected": order.open_expected_payment}
        html = render_to_string("payments/_midtrans_button.html", context)
        assert f'action="/o/{order.secret}/pay/midtrans/"' in html
        midtrans_shop.midtrans_server_key = ""
        assert "midtrans-pay" not in render_to_string("payments/_midtrans_button.html", context)
        context = {"order": order, "shop": order.shop, "expected": None}
        order.shop.midtrans_server_key = SERVER_KEY
        assert "midtrans-pay" not in render_to_string("payments/_midtrans_button.html", context)
