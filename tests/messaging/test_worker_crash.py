"""A worker killed in the middle of a batch loses nothing and sends nothing twice; several
workers delivering the same outbox at once send each message exactly once.

The crash tests run the real `openpo worker` process against a real SMTP server (aiosmtpd)
that is slow per message, SIGKILL it mid-batch, restart it, and count what arrived by
Message-ID (the outbox's Message-ID is stable per message, the same on every retry).

What "nothing sent twice" can and cannot mean: the worker marks a message sent right after
the SMTP server accepted it. A kill after the server accepted a message (end of DATA, "250")
and before the row is marked `sent` leaves it `sending`; when its lease ends it is sent again,
with the same Message-ID. No sender can close that window (the server's "250" and our
database commit are two systems); receivers de-duplicate on Message-ID, which is what mail
servers and clients do. So each test counts distinct Message-IDs (every message, once) and,
separately, the raw number of deliveries: exactly 40 when the kill lands anywhere but that
window (the common case, `test_a_worker_killed_mid_batch_…`), and 41 with one repeated
Message-ID when it lands in it (`test_a_kill_right_after_the_server_accepted_…`, which forces
the kill there to show what happens).
"""

import asyncio
import signal
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from openpo.messaging.delivery import deliver_outbox
from openpo.messaging.models import OutboxMessage
from openpo.messaging.outbox import queue_message
from tests.concurrency import run_at_once
from tests.smtpserver import (
    SMTPServer,
    free_port,
    smtp_server_fixture,  # noqa: F401  (registers `smtp_server`)
)
from tests.workerprocess import start_worker, stop_worker, wait_until, worker_env

COUNT = 40


class SlowSMTPServer(SMTPServer):
    """Takes `delay` seconds per message, before the message is accepted (between MAIL FROM
    and DATA), so a kill is likely to land while a message is in flight but not yet taken.

    `kill_on` says when the test wants to kill the worker: ("mail", n) as the n-th message's
    transaction starts (the one before it has been accepted and marked sent by then: the
    worker sends one message at a time), or ("accepted", n) right after the n-th message was
    accepted, before the worker hears "250" (the duplicate window)."""

    def __init__(self, delay: float, kill_on: tuple[str, int]) -> None:
        super().__init__()
        self.delay = delay
        self.kill_on = kill_on
        self.kill_now = threading.Event()
        self.transactions = 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options) -> str:
        self.transactions += 1
        if self.kill_on == ("mail", self.transactions):
            self.kill_now.set()
        await asyncio.sleep(self.delay)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        reply = await super().handle_DATA(server, session, envelope)
        if self.kill_on == ("accepted", len(self.messages)):
            self.kill_now.set()
            await asyncio.sleep(2)  # hold the "250" back until the worker is dead
        return reply

    def message_ids(self) -> list[str]:
        with self._arrived:
            return [str(message["Message-ID"]) for message in self.messages]


def _slow_server(delay: float, kill_on: tuple[str, int]) -> SlowSMTPServer:
    server = SlowSMTPServer(delay, kill_on)
    server.controller = Controller(server, hostname="127.0.0.1", port=free_port())
    server.controller.start()
    return server


def _queue_messages(shop, count: int) -> set[str]:
    now = timezone.now()
    for number in range(count):
        queue_message(
            shop=shop,
            event="broadcast",
            event_key=f"broadcast:crash:{number}",
            channel="email",
            recipient=f"pembeli{number}@example.com",
            subject=f"Update produksi #{number}",
            body="Halo, produksi kaos sudah 50%.",
            now=now,
        )
    return {message.message_id for message in OutboxMessage.objects.all()}


def _kill_and_restart(shop, tmp_path, record_property, *, kill_on: tuple[str, int]):
    """Queue 40, start a worker, SIGKILL it at `kill_on`, let the lease of what it had claimed
    run out, restart, wait until every row is sent. Returns (server, expected Message-IDs)."""
    started = time.monotonic()
    expected = _queue_messages(shop, COUNT)
    server = _slow_server(0.1, kill_on)
    try:
        env = worker_env(tmp_path, smtp_port=server.port)
        log = tmp_path / "worker.log"
        first = start_worker(env, "--interval", "0.2", log=log)
        try:
            assert server.kill_now.wait(15), log.read_text()
            first.send_signal(signal.SIGKILL)
            assert first.wait(5) == -signal.SIGKILL
        finally:
            if first.poll() is None:
                first.kill()
        arrived_before_restart = len(server.message_ids())
        S = OutboxMessage.Status
        in_hand = OutboxMessage.objects.filter(status=S.SENDING).count()
        assert in_hand > 0  # the kill really landed mid-batch
        # The dead worker's claim holds for a lease of 5 minutes; let it run out now rather
        # than wait (the same as the clock moving on).
        OutboxMessage.objects.filter(status=S.SENDING).update(
            locked_until=timezone.now() - timedelta(seconds=1)
        )
        second = start_worker(env, "--interval", "0.2", log=log)
        try:
            wait_until(
                lambda: OutboxMessage.objects.filter(status=S.SENT).count() == COUNT,
                15,
                "every message marked sent",
            )
            time.sleep(0.3)  # anything still in flight would arrive now
        finally:
            assert stop_worker(second) == 0, log.read_text()
        ids = server.message_ids()
    finally:
        server.controller.stop()
    duplicates = len(ids) - len(set(ids))
    record_property(
        "result",
        f"kill at {kill_on}: {arrived_before_restart} arrived before the kill, {in_hand} "
        f"claimed but unsent, {len(ids)} deliveries of {len(set(ids))} distinct Message-IDs "
        f"({duplicates} duplicate), {time.monotonic() - started:.1f} s",
    )
    assert set(ids) == expected  # nothing lost
    return ids


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_and_restarted_loses_nothing_and_sends_nothing_twice(
    shop, tmp_path, record_property
):
    # Killed as the 13th message is in flight (its SMTP transaction begun, not yet accepted),
    # in the middle of the second batch of 10.
    ids = _kill_and_restart(shop, tmp_path, record_property, kill_on=("mail", 13))

    assert len(ids) == COUNT  # every message exactly once
    assert Counter(ids).most_common(1)[0][1] == 1
    retried = OutboxMessage.objects.filter(attempts=2).count()
    assert retried >= 1  # the message in flight and the rest of its batch, sent on restart


@pytest.mark.django_db(transaction=True)
def test_a_kill_right_after_the_server_accepted_repeats_that_message_with_the_same_message_id(
    shop, tmp_path, record_property
):
    # The one window no sender can close: the server has the 13th message, the worker dies
    # before hearing "250" and marking it sent. It is sent again after the lease, with the
    # same Message-ID, so a receiver that de-duplicates on Message-ID shows it once.
    ids = _kill_and_restart(shop, tmp_path, record_property, kill_on=("accepted", 13))

    assert len(set(ids)) == COUNT
    counts = Counter(ids)
    assert len(ids) == COUNT + 1
    ((repeated, times),) = [(mid, n) for mid, n in counts.items() if n > 1]
    assert times == 2
    assert ids.index(repeated) == 12  # the message that was in flight at the kill


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_at_once_send_each_of_100_messages_exactly_once(
    shop, smtp_server, vendor, record_property
):
    expected = _queue_messages(shop, 100)
    started = time.monotonic()

    results, errors = run_at_once([deliver_outbox, deliver_outbox])

    elapsed = time.monotonic() - started
    assert errors == []
    arrived = smtp_server.wait_for(100)
    time.sleep(0.2)  # a 101st would show up now
    ids = [str(message["Message-ID"]) for message in smtp_server.messages]
    assert len(ids) == 100
    assert set(ids) == expected
    assert sum(results) == 100
    assert OutboxMessage.objects.filter(status="sent", attempts=1).count() == 100
    record_property(
        "result",
        f"{vendor}: 2 workers sent {sorted(results)} of 100 → {len(arrived)} arrived, "
        f"{len(set(ids))} distinct Message-IDs, {elapsed:.1f} s",
    )
