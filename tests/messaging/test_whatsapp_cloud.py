"""The WhatsApp Business Cloud API adapter, against a local HTTP server that speaks the documented
request and response shapes: a Bearer token, the template message body, `wamid` ids back, and
the Graph API error object (131026 undeliverable is final; 429 and 5xx are retried)."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from openpo.messaging.delivery import backoff, deliver_due_messages
from openpo.messaging.models import OutboxMessage, WhatsAppAccount
from openpo.messaging.outbox import queue_message

pytestmark = pytest.mark.django_db

TOKEN = "EAAG-test-token"


class FakeGraphApi:
    """Records each request; answers from a list of (status, json) scripted per call."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.answers: list[tuple[int, dict]] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length))
                api.requests.append(
                    {"path": self.path, "auth": self.headers.get("Authorization"), "body": body}
                )
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    status, answer = 401, _error(190, "Invalid OAuth access token.")
                elif api.answers:
                    status, answer = api.answers.pop(0)
                else:
                    status, answer = 200, _success(body["to"], len(api.requests))
                raw = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _success(to: str, n: int) -> dict:
    return {
        "messaging_product": "whatsapp",
        "contacts": [{"input": to, "wa_id": to}],
        "messages": [{"id": f"wamid.HBgLNjI4MTIzNDU2Nzg5FQIAERgS{n:04d}"}],
    }


def _error(code: int, message: str, subcode: int | None = None) -> dict:
    error = {
        "message": message,
        "type": "OAuthException",
        "code": code,
        "error_data": {"messaging_product": "whatsapp", "details": message},
        "fbtrace_id": "Az8or2yhqkZfEZ-_4Qn_Bam",
    }
    if subcode:
        error["error_subcode"] = subcode
    return {"error": error}


@pytest.fixture
def graph_api(settings):
    api = FakeGraphApi()
    settings.WHATSAPP_API_URL = api.url
    settings.WHATSAPP_API_VERSION = "v21.0"
    yield api
    api.close()


@pytest.fixture
def account(shop):
    return WhatsAppAccount.objects.create(
        shop=shop,
        phone_number_id="106540352242922",
        access_token=TOKEN,
        template_name="openpo_update",
        template_language="id",
        is_active=True,
    )


def _queue(shop, now, recipient="+6281234567890"):
    queue_message(
        shop=shop,
        event="broadcast",
        event_key="broadcast:1",
        channel="whatsapp",
        recipient=recipient,
        recipient_name="Sari",
        body="Halo Sari,\nproduksi PO-AB123 mulai minggu ini.",
        now=now,
    )
    return OutboxMessage.objects.get(recipient=recipient)


def test_it_sends_a_template_message_with_the_shops_token(shop, now, graph_api, account):
    message = _queue(shop, now)

    assert deliver_due_messages(now=now) == 1

    (request,) = graph_api.requests
    assert request["path"] == "/v21.0/106540352242922/messages"
    assert request["auth"] == f"Bearer {TOKEN}"
    assert request["body"] == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "6281234567890",
        "type": "template",
        "template": {
            "name": "openpo_update",
            "language": {"code": "id"},
            "components": [
                {
                    "type": "body",
                    "parameters": [
                        # Template parameters may not hold new lines.
                        {"type": "text", "text": "Halo Sari, · produksi PO-AB123 mulai minggu ini."}
                    ],
                }
            ],
        },
    }
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.provider_id == "wamid.HBgLNjI4MTIzNDU2Nzg5FQIAERgS0001"
    assert deliver_due_messages(now=now) == 0
    assert len(graph_api.requests) == 1


def test_it_can_send_plain_text_inside_the_24_hour_window(shop, now, graph_api, account):
    from openpo.messaging.channels.whatsapp_cloud import WhatsAppCloudSender

    message = _queue(shop, now)

    assert WhatsAppCloudSender(as_text=True).send(message).startswith("wamid.")
    body = graph_api.requests[0]["body"]
    assert body["type"] == "text"
    assert body["text"]["body"] == "Halo Sari,\nproduksi PO-AB123 mulai minggu ini."


def test_an_undeliverable_number_fails_for_good(shop, now, graph_api, account):
    graph_api.answers = [(400, _error(131026, "(#131026) Message undeliverable"))]
    message = _queue(shop, now)

    assert deliver_due_messages(now=now) == 0
    assert deliver_due_messages(now=now + timedelta(hours=2)) == 0

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert "131026" in message.last_error and "Az8or2yhqkZfEZ" in message.last_error
    assert len(graph_api.requests) == 1


@pytest.mark.parametrize(
    "answer",
    [
        (429, _error(130429, "(#130429) Rate limit hit", 2494055)),
        (500, _error(131000, "(#131000) Something went wrong")),
    ],
)
def test_throttling_and_server_errors_are_retried_with_backoff(
    shop, now, graph_api, account, answer
):
    graph_api.answers = [answer]
    message = _queue(shop, now)

    assert deliver_due_messages(now=now) == 0
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.QUEUED
    assert message.next_attempt_at == now + backoff(1)
    assert str(answer[0]) in message.last_error

    assert deliver_due_messages(now=now + timedelta(seconds=30)) == 0  # not due yet
    assert deliver_due_messages(now=now + backoff(1)) == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.provider_id.startswith("wamid.")
    assert len(graph_api.requests) == 2


def test_a_wrong_token_is_not_retried(shop, now, graph_api, account):
    account.access_token = "expired"
    account.save()
    message = _queue(shop, now)

    assert deliver_due_messages(now=now) == 0
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert "190" in message.last_error


def test_a_shop_without_the_cloud_api_gets_no_request(shop, now, graph_api):
    message = _queue(shop, now)

    assert deliver_due_messages(now=now) == 0
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert graph_api.requests == []


def test_manual_whatsapp_messages_are_left_to_the_seller(shop, now, graph_api, account):
    queue_message(
        shop=shop,
        event="broadcast",
        event_key="broadcast:2",
        channel="whatsapp",
        recipient="+6281234567890",
        body="Halo",
        manual=True,
        now=now,
    )

    assert deliver_due_messages(now=now) == 0
    assert graph_api.requests == []
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.MANUAL


REENGAGEMENT = (400, _error(131047, "(#131047) Re-engagement message", 2494010))


def test_free_text_meta_says_is_outside_the_window_goes_again_as_the_template(
    shop, now, graph_api, account
):
    from openpo.messaging.channels.whatsapp_cloud import WhatsAppCloudSender

    graph_api.answers = [REENGAGEMENT]
    message = _queue(shop, now)

    assert WhatsAppCloudSender(as_text=True).send(message).startswith("wamid.")

    assert [r["body"]["type"] for r in graph_api.requests] == ["text", "template"]


def test_without_a_template_it_goes_to_the_sellers_phone_instead(shop, now, graph_api, account):
    from openpo.messaging.channels.base import SendFromPhone
    from openpo.messaging.channels.whatsapp_cloud import WhatsAppCloudSender

    account.template_name = ""
    account.save()
    graph_api.answers = [REENGAGEMENT]
    message = _queue(shop, now)

    with pytest.raises(SendFromPhone):
        WhatsAppCloudSender(as_text=True).send(message)
    assert len(graph_api.requests) == 1
