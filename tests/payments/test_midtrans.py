"""The Midtrans gateway: notifications shaped as Midtrans documents them (signed with the
shop's server key) become payments exactly once, late or odd money goes to the seller's
review, and the buyer's "pay online" opens a Snap page made by a local Snap stand-in."""

import base64
import hashlib
import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from openpo.core.models import AuditEvent
from openpo.orders.models import Order
from openpo.orders.services import cancel_order, expire_order, place_order
from openpo.payments.gateways.midtrans import Action, action_for, signature
from openpo.payments.models import ExpectedPayment, Payment

SERVER_KEY = "SB-Mid-server-GwUP_WGbJPXsDzsNEBRs8IYA"


@pytest.fixture
def midtrans_shop(shop):
    shop.midtrans_server_key = SERVER_KEY
    shop.save(update_fields=["midtrans_server_key"])
    return shop


@pytest.fixture
def order(midtrans_shop, campaign, variants, buyer, now):
    return place_order(
        terms_accepted=True, campaign=campaign, buyer=buyer, items={variants[0].pk: 1}, now=now
    )


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
    """A credit-card capture notification, shaped like Midtrans' card sample."""
    payload = notification(
        expected,
        transaction_status="capture",
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

    def test_a_settlement_with_a_good_signature_pays_the_order(self, client, order):
        expected = order.open_expected_payment

        response = post(client, "toko-alice", notification(expected))

        assert response.status_code == 200
        assert response.json() == {"status": "ok", "outcome": "recorded"}
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

    def test_a_bad_signature_is_refused_and_writes_nothing(self, client, order):
        payload = notification(order.open_expected_payment, server_key="SB-Mid-server-wrong")
        events_before = AuditEvent.objects.count()

        response = post(client, "toko-alice", payload)

        assert response.status_code == 401
        assert response.json()["code"] == "bad_signature"
        assert not Payment.objects.exists()
        assert AuditEvent.objects.count() == events_before
        order.refresh_from_db()
        assert order.payment_status == Order.PaymentStatus.UNPAID

    def test_a_tampered_amount_breaks_the_signature(self, client, order):
        payload = notification(order.open_expected_payment)
        payload["gross_amount"] = "1000000.00"
        assert post(client, "toko-alice", payload).status_code == 401
        assert not Payment.objects.exists()

    def test_a_repeated_notification_is_one_payment(self, client, order):
        payload = notification(order.open_expected_payment)

        first = post(client, "toko-alice", payload)
        second = post(client, "toko-alice", payload)
        third = post(client, "toko-alice", payload)

        assert [r.status_code for r in (first, second, third)] == [200, 200, 200]
        assert second.json()["outcome"] == third.json()["outcome"] == "duplicate"
        assert Payment.objects.count() == 1
        assert notification_events().count() == 1
        order.refresh_from_db()
        assert order.payment_status == Order.PaymentStatus.PAID

    def test_an_expire_after_the_settlement_changes_nothing(self, client, order):
        expected = order.open_expected_payment
        post(client, "toko-alice", notification(expected))

        response = post(
            client,
            "toko-alice",
            notification(expected, transaction_status="expire", status_code="407"),
        )

        assert response.status_code == 200
        assert response.json()["outcome"] == "noted"
        order.refresh_from_db()
        assert order.payment_status == Order.PaymentStatus.PAID
        assert order.payments.get().status == Payment.Status.CONFIRMED

    def test_pending_and_failed_transactions_are_only_noted(self, client, order):
        expected = order.open_expected_payment
        for status, code in (
            ("pending", "201"),
            ("deny", "202"),
            ("cancel", "202"),
            ("failure", "202"),
            ("refund", "200"),
        ):
            response = post(
                client,
                "toko-alice",
                notification(expected, transaction_status=status, status_code=code),
            )
            assert response.json()["outcome"] == "noted"
        assert not Payment.objects.exists()
        assert notification_events().count() == 5
        order.refresh_from_db()
        assert order.payment_status == Order.PaymentStatus.UNPAID

    def test_money_after_the_order_expired_goes_to_review(self, client, order, now):
        expected = order.open_expected_payment
        expire_order(order=order, now=now + timedelta(hours=25))

        response = post(client, "toko-alice", notification(expected))

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

    def test_money_for_a_cancelled_order_goes_to_review(self, client, order):
        expected = order.open_expected_payment
        cancel_order(order=order, reason="Buyer changed their mind")

        assert post(client, "toko-alice", notification(expected)).json()["outcome"] == "review"
        assert Payment.objects.get().status == Payment.Status.CLAIMED
        order.refresh_from_db()
        assert order.amount_paid == 0

    def test_a_second_transaction_for_an_amount_already_paid_goes_to_review(self, client, order):
        expected = order.open_expected_payment
        post(client, "toko-alice", notification(expected))

        again = notification(expected, transaction_id="9aed5972-5b6a-401e-894b-a32c91ed1a3a")
        assert post(client, "toko-alice", again).json()["outcome"] == "review"
        assert list(order.payments.values_list("status", flat=True).order_by("id")) == [
            Payment.Status.CONFIRMED,
            Payment.Status.CLAIMED,
        ]
        order.refresh_from_db()
        assert order.payment_status == Order.PaymentStatus.PAID

    def test_a_different_amount_is_recorded_for_review(self, client, order):
        expected = order.open_expected_payment
        payload = notification(expected, gross_amount=f"{expected.amount - 1000}.00")

        assert post(client, "toko-alice", payload).json()["outcome"] == "review"
        payment = Payment.objects.get()
        assert (payment.status, payment.amount) == (Payment.Status.CLAIMED, expected.amount - 1000)
        order.refresh_from_db()
        assert order.amount_paid == 0
        expected.refresh_from_db()
        assert expected.claimed_at is not None  # the order waits for the seller

    def test_a_challenged_card_payment_waits_and_is_confirmed_when_it_settles(self, client, order):
        expected = order.open_expected_payment

        held = post(client, "toko-alice", card_capture(expected, fraud_status="challenge"))
        assert held.json()["outcome"] == "review"
        assert Payment.objects.get().status == Payment.Status.CLAIMED

        settled = card_capture(expected, fraud_status="accept")
        assert post(client, "toko-alice", settled).json()["outcome"] == "recorded"
        payment = Payment.objects.get()
        assert payment.status == Payment.Status.CONFIRMED
        order.refresh_from_db()
        assert order.payment_status == Order.PaymentStatus.PAID

    def test_an_accepted_card_capture_pays_and_its_settlement_adds_nothing(self, client, order):
        expected = order.open_expected_payment
        capture = card_capture(expected, fraud_status="accept")
        assert post(client, "toko-alice", capture).json()["outcome"] == "recorded"

        settlement = {**capture, "transaction_status": "settlement"}
        assert post(client, "toko-alice", settlement).json()["outcome"] == "noted"
        assert Payment.objects.count() == 1

    def test_a_denied_card_capture_is_only_noted(self, client, order):
        payload = card_capture(order.open_expected_payment, fraud_status="deny")
        assert post(client, "toko-alice", payload).json()["outcome"] == "noted"
        assert not Payment.objects.exists()

    def test_an_unknown_order_id_is_answered_ok_and_kept_in_the_audit_trail(
        self, client, order, midtrans_shop
    ):
        # Midtrans retries anything but 2xx for days; a payment for another system on the
        # same Midtrans account (or a deleted order) can never succeed, so it is acknowledged
        # and kept on the shop's audit trail, where the money can still be traced.
        payload = notification(order.open_expected_payment, order_id="INV-2026-0042")

        response = post(client, "toko-alice", payload)

        assert response.status_code == 200
        assert response.json()["outcome"] == "ignored"
        assert not Payment.objects.exists()
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


class FakeSnap:
    """A local server that speaks the Snap API: POST /snap/v1/transactions with Basic auth."""

    def __init__(self, *, status: int = 201) -> None:
        self.status = status
        self.requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
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
                expected_auth = "Basic " + base64.b64encode(f"{SERVER_KEY}:".encode()).decode()
                if self.headers.get("Authorization") != expected_auth:
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
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> "FakeSnap":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def snap(settings):
    with FakeSnap() as fake:
        settings.MIDTRANS_SNAP_URL = fake.url
        yield fake


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
        with FakeSnap() as fake:
            url = fake.url
        settings.MIDTRANS_SNAP_URL = url  # closed: connection refused
        response = client.post(reverse("midtrans_pay", args=[order.secret]))
        assert response["Location"] == f"/o/{order.secret}/#payment"

    def test_a_paid_order_has_nothing_to_pay_online(self, client, order, snap):
        post(client, "toko-alice", notification(order.open_expected_payment))
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
