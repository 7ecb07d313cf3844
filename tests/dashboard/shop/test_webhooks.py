"""The webhooks page: owners add an endpoint and see its secret once, then only its last
characters; they send a test event, read the delivery log, turn an endpoint off and delete
it. Staff get 403, other shops' endpoints 404."""

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from openpo.core.models import AuditEvent
from openpo.hooks import events
from openpo.hooks.delivery import sign
from openpo.hooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from openpo.hooks.services import create_endpoint

pytestmark = pytest.mark.django_db

PAGE = "/dashboard/settings/webhooks/"


@pytest.fixture(autouse=True)
def _receivers_on_this_machine(settings):
    """The tests' receivers listen on 127.0.0.1, as in development (hooks.addresses)."""
    settings.WEBHOOKS_ALLOW_LOCAL = True


@pytest.fixture(autouse=True)
def _forget_endpoints():
    events.forget()
    yield
    events.forget()


@pytest.fixture
def receiver():
    """A seller's system on 127.0.0.1 that answers 204 to a correctly signed request."""
    got = {"secret": "", "requests": []}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            expected = sign(got["secret"], int(self.headers["OpenPO-Timestamp"]), body)
            got["requests"].append(body)
            self.send_response(204 if expected == self.headers["OpenPO-Signature"] else 401)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    got["url"] = f"http://127.0.0.1:{server.server_port}/openpo"
    yield got
    server.shutdown()
    server.server_close()


def _add(client, url, events=("order.created", "order.paid"), description="Sheets"):
    return client.post(PAGE, {"url": url, "events": list(events), "description": description})


def test_an_owner_adds_a_webhook_and_sees_its_secret_once(client, shop, alice):
    client.force_login(alice)

    made = _add(client, "https://alice.example/openpo")

    assert made.status_code == 200
    secret = re.search(r'<code class="token">(whsec_[0-9a-f]+)</code>', made.content.decode())[1]
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret == secret and endpoint.shop == shop
    assert endpoint.events == ["order.created", "order.paid"]
    assert endpoint.created_by == alice and endpoint.is_active
    again = client.get(PAGE).content.decode()
    assert secret not in again and f"…{secret[-4:]}" in again
    assert AuditEvent.objects.filter(action="webhook.created", shop_id=shop.pk).exists()


def test_the_form_shows_the_events_in_indonesian(client, shop, alice):
    client.force_login(alice)

    page = client.get(PAGE, headers={"Accept-Language": "id"}).content.decode()

    assert 'type="checkbox"' in page and 'value="campaign.failed"' in page


def test_a_plain_http_address_elsewhere_and_no_events_are_refused(client, shop, alice):
    client.force_login(alice)

    refused = _add(client, "http://alice.example/openpo")
    assert refused.status_code == 422
    assert _add(client, "https://alice.example/x", events=()).status_code == 422
    assert _add(client, "https://169.254.169.254/latest").status_code == 422
    assert not WebhookEndpoint.objects.exists()


def test_staff_cannot_see_or_add_webhooks(client, shop, bob, alice):
    endpoint, _ = create_endpoint(shop=shop, url="https://a.example/h", events=["order.paid"])
    client.force_login(bob)

    assert client.get(PAGE).status_code == 403
    assert _add(client, "https://bob.example/h").status_code == 403
    assert client.get(f"{PAGE}{endpoint.pk}/").status_code == 403
    assert client.post(f"{PAGE}{endpoint.pk}/delete/").status_code == 403
    assert WebhookEndpoint.objects.get().deleted_at is None


def test_another_shops_endpoint_is_not_found(client, shop, other_shop, charlie):
    alices, _ = create_endpoint(shop=shop, url="https://a.example/h", events=["order.paid"])
    client.force_login(charlie)

    assert client.get(f"{PAGE}{alices.pk}/").status_code == 404
    for action in ("test", "active", "delete"):
        assert client.post(f"{PAGE}{alices.pk}/{action}/").status_code == 404
    assert "a.example" not in client.get(PAGE).content.decode()
    alices.refresh_from_db()
    assert alices.is_active and alices.deleted_at is None


def test_the_test_button_sends_a_signed_ping_and_logs_it(client, shop, alice, receiver):
    client.force_login(alice)
    made = _add(client, receiver["url"]).content.decode()
    receiver["secret"] = re.search(r"(whsec_[0-9a-f]+)", made)[1]
    endpoint = WebhookEndpoint.objects.get()

    answer = client.post(f"{PAGE}{endpoint.pk}/test/", follow=True)

    assert answer.status_code == 200
    assert "204" in answer.content.decode()
    (ping,) = WebhookDelivery.objects.filter(endpoint=endpoint, event="ping")
    assert ping.status == "delivered" and ping.last_status_code == 204
    assert len(receiver["requests"]) == 1
    assert WebhookAttempt.objects.get().status_code == 204
    log = client.get(f"{PAGE}{endpoint.pk}/").content.decode()
    assert "HTTP 204" in log and "ping" in log


def test_a_failed_test_event_says_so(client, shop, alice, receiver):
    endpoint, _ = create_endpoint(shop=shop, url=receiver["url"], events=["order.paid"])
    receiver["secret"] = "whsec_wrong"
    client.force_login(alice)

    answer = client.post(f"{PAGE}{endpoint.pk}/test/", follow=True)

    assert "HTTP 401" in answer.content.decode()
    assert WebhookDelivery.objects.get().status == "queued"


def test_the_log_is_newest_first_and_paginated(client, shop, alice, now):
    endpoint, _ = create_endpoint(shop=shop, url="https://a.example/h", events=["order.paid"])
    for n in range(30):
        events.emit(shop, "order.paid", {"n": n}, key=f"order.paid:{n}:1", now=now)
    client.force_login(alice)

    first = client.get(f"{PAGE}{endpoint.pk}/")
    second = client.get(f"{PAGE}{endpoint.pk}/?page=2")

    assert first.status_code == second.status_code == 200
    assert first.content.decode().count("<tr>") == 26  # heading + 25
    assert second.content.decode().count("<tr>") == 6


def test_an_owner_turns_a_webhook_off_and_deletes_it(client, shop, alice, now):
    endpoint, _ = create_endpoint(shop=shop, url="https://a.example/h", events=["order.paid"])
    client.force_login(alice)

    assert client.post(f"{PAGE}{endpoint.pk}/active/").status_code == 302
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert events.emit(shop, "order.paid", {}, key="k", now=now) == 0

    assert client.post(f"{PAGE}{endpoint.pk}/delete/").status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.deleted_at is not None
    assert f'href="{PAGE}{endpoint.pk}/"' not in client.get(PAGE).content.decode()
    assert client.get(f"{PAGE}{endpoint.pk}/").status_code == 404
    assert AuditEvent.objects.filter(action="webhook.deleted").count() == 1
