"""A real SMTP server on localhost for tests that send email the way production does.

`smtp_server` starts aiosmtpd on a free port, points Django's SMTP backend at it (no TLS, no
login) and collects what arrives, parsed with the `email` module. Import the fixture into a
test module to use it:

    from tests.smtpserver import smtp_server_fixture  # noqa: F401  (registers `smtp_server`)

    def test_it_emails(smtp_server):
        ...  # code that sends mail
        (message,) = smtp_server.wait_for(1)
        assert message["To"] == "alice@example.com"
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SMTPServer:
    """Keeps every message the server accepted, with its envelope sender and recipients."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self._arrived = threading.Condition()
        self.controller: Controller | None = None

    # aiosmtpd calls this (in its own thread) once a message's DATA is complete.
    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self._arrived:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    @property
    def host(self) -> str:
        return self.controller.hostname

    @property
    def port(self) -> int:
        return self.controller.port

    def wait_for(self, count: int, timeout: float = 5.0) -> list[EmailMessage]:
        """The first `count` messages, waiting up to `timeout` seconds for them to arrive."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"expected {count} email(s), the SMTP server got {len(self.messages)}"
                    )
                self._arrived.wait(left)
            return self.messages[:count]

    @staticmethod
    def body(message: EmailMessage) -> str:
        """The plain-text body of a message."""
        part = message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""


@pytest.fixture(name="smtp_server")
def smtp_server_fixture(settings) -> Iterator[SMTPServer]:
    """A running SMTP server; Django's mail goes to it over a real socket for this test."""
    server = SMTPServer()
    server.controller = Controller(server, hostname="127.0.0.1", port=free_port())
    server.controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = server.host
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield server
    finally:
        server.controller.stop()
