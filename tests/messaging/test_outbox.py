"""The outbox: one message per event and recipient, delivered over real SMTP, retried with
backoff when the server is down, never sent twice."""

import pytest

from openpo.messaging.delivery import deliver_due_messages
from openpo.messaging.models import OutboxMessage
from openpo.messaging.outbox import queue_message
from tests.smtpserver import smtp_server_fixture  # noqa: F401  (registers `smtp_server`)

pytestmark = pytest.mark.django_db


def _queue(shop, now, key="order.placed:1", recipient="sari@example.com"):
    return queue_message(
        shop=shop,
        event="order.placed",
        event_key=key,
        channel="email",
        recipient=recipient,
        subject="Pesanan PO-AB123 diterima",
        body="Halo Sari, pesanan Anda PO-AB123 sudah kami terima.",
        now=now,
    )


def test_one_event_writes_one_message_however_often_it_is_told(shop, now):
    assert _queue(shop, now) is True
    assert _queue(shop, now) is False
    assert OutboxMessage.objects.count() == 1


def test_a_queued_message_arrives_at_the_smtp_server_once(shop, now, smtp_server):
    _queue(shop, now)

    assert deliver_due_messages(now=now) == 1
    assert deliver_due_messages(now=now) == 0

    (received,) = smtp_server.wait_for(1)
    assert received["To"] == "sari@example.com"
    assert received["Subject"] == "Pesanan PO-AB123 diterima"
    assert "PO-AB123 sudah kami terima" in smtp_server.body(received)
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == ("sent", 1)
    assert received["Message-ID"] == message.message_id


def test_a_server_that_is_down_means_a_retry_later_not_a_lost_message(shop, now, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    _queue(shop, now)

    assert deliver_due_messages(now=now) == 0

    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == ("queued", 1)
    assert message.next_attempt_at > now and message.last_error
