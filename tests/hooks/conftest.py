"""The webhook tests' world: alice's shop with an endpoint, and a real HTTP receiver on
127.0.0.1 (a thread) that checks each delivery's signature and answers as a test tells it."""

import hashlib
import hmac
import json
import threading
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from openpo.hooks import events
from openpo.hooks.models import SUBSCRIBABLE
from openpo.hooks.services import create_endpoint


@pytest.fixture(autouse=True)
def _receivers_on_this_machine(settings):
    """The tests' receivers listen on 127.0.0.1, as in development (hooks.addresses)."""
    settings.WEBHOOKS_ALLOW_LOCAL = True


@pytest.fixture(autouse=True)
def _forget_endpoints():
    """What `hooks.events` remembers of a shop's endpoints must not pass from test to test."""
    events.forget()
    yield
    events.forget()


@dataclass
class Received:
    headers: Message
    body: bytes
    signature_ok: bool

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers each POST with the next of `answers` (then 200) and records what came."""

    url: str
    secret: str = ""
    answers: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)

    def verify(self, headers: Message, body: bytes) -> bool:
        """The README's recipe, as a seller's receiver would run it."""
        signed = f"{headers.get('OpenPO-Timestamp', '')}.".encode() + body
        expected = "v1=" + hmac.new(self.secret.encode(), signed, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, headers.get("OpenPO-Signature", ""))


@pytest.fixture
def receiver():
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = self.headers  # case-insensitive, as every web framework's
            ok = state.verify(headers, body)
            state.received.append(Received(headers=headers, body=body, signature_ok=ok))
            status = state.answers.pop(0) if state.answers else 200
            if not ok:
                status = 401
            answer = b'{"ok": true}' if status < 300 else b"nope " * 200
            self.send_response(status)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}/hooks/openpo"
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def endpoint(shop, alice, receiver, now):
    """alice's endpoint at the receiver, subscribed to every event; the receiver knows its
    secret."""
    made, secret = create_endpoint(
        shop=shop,
        url=receiver.url,
        events=[e.value for e in SUBSCRIBABLE],
        description="Google Sheets",
        actor=alice,
        now=now,
    )
    receiver.secret = secret
    return made
