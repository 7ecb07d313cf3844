"""Delivering webhooks to a real HTTP receiver: signed, retried with backoff, logged, and
never delivered twice."""

import json
from datetime import timedelta

import pytest

from openpo.hooks import delivery
from openpo.hooks.events import emit
from openpo.hooks.models import WebhookAttempt, WebhookDelivery
from openpo.hooks.services import create_endpoint

pytestmark = pytest.mark.django_db


def _emit_order_paid(shop, now, key="order.paid:1:100000"):
    return emit(shop, "order.paid", {"code": "PO-7K3Q9", "total": 100_000}, key=key, now=now)


def test_it_signs_timestamp_and_body_with_the_endpoint_secret():
    body = b'{"id":"evt_1"}'
    signature = delivery.sign("whsec_abc", 1764940000, body)
    assert signature == "v1=" + (
        __import__("hmac").new(b"whsec_abc", b'1764940000.{"id":"evt_1"}', "sha256").hexdigest()
    )
    assert delivery.sign("whsec_abd", 1764940000, body) != signature
    assert delivery.sign("whsec_abc", 1764940001, body) != signature


def test_the_third_attempt_succeeds_after_two_500s_and_one_success_is_logged(
    shop, endpoint, receiver, now
):
    receiver.answers = [500, 500]
    assert _emit_order_paid(shop, now) == 1
    (queued,) = WebhookDelivery.objects.all()

    assert delivery.deliver_webhooks(now=now) == 0
    assert delivery.deliver_webhooks(now=now) == 0  # not due again before its backoff
    assert delivery.deliver_webhooks(now=now + timedelta(seconds=59)) == 0
    assert delivery.deliver_webhooks(now=now + timedelta(minutes=1)) == 0
    assert delivery.deliver_webhooks(now=now + timedelta(minutes=5)) == 0  # 1 + 5 min not yet
    assert delivery.deliver_webhooks(now=now + timedelta(minutes=6)) == 1
    assert delivery.deliver_webhooks(now=now + timedelta(days=2)) == 0  # done for good

    queued.refresh_from_db()
    assert queued.status == "delivered" and queued.attempts == 3
    assert queued.delivered_at == now + timedelta(minutes=6)
    assert queued.last_status_code == 200
    assert [r.signature_ok for r in receiver.received] == [True, True, True]
    assert len({r.headers["OpenPO-Delivery"] for r in receiver.received}) == 1
    codes = list(WebhookAttempt.objects.order_by("id").values_list("status_code", flat=True))
    assert codes == [500, 500, 200]
    assert WebhookAttempt.objects.filter(status_code__gte=200, status_code__lt=300).count() == 1
    assert all(len(a.response_excerpt) <= 300 for a in WebhookAttempt.objects.all())


def test_each_delivery_carries_the_documented_headers_and_body(shop, endpoint, receiver, now):
    _emit_order_paid(shop, now)
    delivery.deliver_webhooks(now=now)

    (got,) = receiver.received
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["User-Agent"] == "OpenPO-Webhooks/1"
    assert got.headers["OpenPO-Event"] == "order.paid"
    assert got.headers["OpenPO-Timestamp"] == str(int(now.timestamp()))
    assert got.headers["OpenPO-Signature"].startswith("v1=")
    body = got.json
    assert body["id"] == got.headers["OpenPO-Delivery"] and body["id"].startswith("evt_")
    assert body["type"] == "order.paid" and body["shop"] == "toko-alice"
    assert body["created"].endswith("Z")
    assert body["data"] == {"code": "PO-7K3Q9", "total": 100_000}


def test_a_receiver_with_the_wrong_secret_refuses_and_it_is_retried(shop, endpoint, receiver, now):
    receiver.secret = "whsec_not-the-one"
    _emit_order_paid(shop, now)

    assert delivery.deliver_webhooks(now=now) == 0

    (got,) = receiver.received
    assert not got.signature_ok
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code == 401
    assert WebhookDelivery.objects.get().status == "queued"


def test_it_gives_up_after_eight_attempts_within_a_day(shop, endpoint, receiver, now):
    receiver.answers = [503] * 20
    _emit_order_paid(shop, now)

    at = now
    for _ in range(48):
        delivery.deliver_webhooks(now=at)
        at += timedelta(hours=1)

    sent = WebhookDelivery.objects.get()
    assert sent.status == "failed" and sent.attempts == delivery.MAX_ATTEMPTS == 8
    assert len(receiver.received) == 8
    assert sum(delivery.BACKOFF, timedelta()) < timedelta(days=1)


def test_a_network_error_is_an_attempt_with_no_status_code(shop, alice, now):
    closed, _secret = create_endpoint(
        shop=shop, url="http://127.0.0.1:9/nobody", events=["order.paid"], actor=alice, now=now
    )
    _emit_order_paid(shop, now)

    assert delivery.deliver_webhooks(now=now) == 0

    attempt = WebhookAttempt.objects.get(delivery__endpoint=closed)
    assert attempt.status_code is None and attempt.error
    assert WebhookDelivery.objects.get().next_attempt_at == now + timedelta(minutes=1)


def test_a_redirect_is_not_followed(shop, alice, receiver, now):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(307)
            self.send_header("Location", receiver.url)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        create_endpoint(
            shop=shop,
            url=f"http://127.0.0.1:{server.server_port}/",
            events=["order.paid"],
            now=now,
        )
        _emit_order_paid(shop, now)
        assert delivery.deliver_webhooks(now=now) == 0
    finally:
        server.shutdown()
        server.server_close()

    assert receiver.received == []
    assert WebhookAttempt.objects.get().status_code == 307


def test_a_claimed_delivery_is_not_claimed_again_until_its_lease_ends(shop, endpoint, now):
    _emit_order_paid(shop, now)

    first = delivery.claim_due(now=now)
    assert len(first) == 1
    assert delivery.claim_due(now=now) == []
    assert delivery.claim_due(now=now + delivery.LEASE - timedelta(seconds=1)) == []
    # A worker that died with it: after the lease another worker takes it.
    assert delivery.claim_due(now=now + delivery.LEASE + timedelta(seconds=1)) == first


def test_a_turned_off_endpoint_gets_nothing_more(shop, endpoint, receiver, now):
    from openpo.hooks.services import set_endpoint_active

    _emit_order_paid(shop, now)
    set_endpoint_active(endpoint=endpoint, active=False, now=now)

    assert delivery.deliver_webhooks(now=now) == 0
    assert receiver.received == []
    assert WebhookDelivery.objects.get().status == "failed"
    assert _emit_order_paid(shop, now, key="order.paid:2:5") == 0


def test_the_body_sent_is_the_body_signed(shop, endpoint, receiver, now):
    emit(shop, "order.created", {"buyer_name": "Sári “Wulan” ✓"}, key="k", now=now)
    delivery.deliver_webhooks(now=now)

    (got,) = receiver.received
    assert got.signature_ok
    assert json.loads(got.body)["data"]["buyer_name"] == "Sári “Wulan” ✓"
