"""Scaling out: two `openpo worker` processes side by side send every message once and run
every task once.

Two real worker processes (tests/workerprocess.py) against the test database (SQLite, or
PostgreSQL with `pytest --postgres`, where claims use SELECT … FOR UPDATE SKIP LOCKED) drain an
outbox of 200 emails to a real SMTP server (aiosmtpd) that takes a few milliseconds per
message, so both workers are busy at once; then 40 queued tasks (django_tasks_db). Asserted:
every message arrived exactly once (distinct Message-IDs, one per recipient), both workers
sent some and their own counts add up to 200, and every task ran once, on one worker.
(tests/messaging/test_worker_crash.py races two deliveries inside one process, and a worker
killed mid-batch.)
"""

import asyncio
import re
import time
from collections import Counter

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from openpo.messaging import tasks as messaging_tasks
from openpo.messaging.models import OutboxMessage
from openpo.messaging.outbox import queue_message
from tests.smtpserver import SMTPServer, free_port
from tests.workerprocess import start_worker, stop_worker, wait_until, worker_env

MESSAGES = 200
TASKS = 40


class PacedSMTPServer(SMTPServer):
    """Takes `delay` seconds before accepting each message, like a real relay."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay

    async def handle_DATA(self, server, session, envelope) -> str:
        await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


def _sent_by(log_text: str) -> int:
    """Messages a worker says it sent: its delivery rounds and its scheduler ticks."""
    rounds = sum(int(n) for n in re.findall(r"sent (\d+) message", log_text))
    ticks = sum(int(n) for n in re.findall(r"messages_sent=(\d+)", log_text))
    return rounds + ticks


@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_send_each_message_once_and_run_each_task_once(
    shop, tmp_path, vendor, record_property
):
    server = PacedSMTPServer(delay=0.01)
    server.controller = Controller(server, hostname="127.0.0.1", port=free_port())
    server.controller.start()
    env = worker_env(tmp_path, smtp_port=server.port)
    logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    workers = []
    try:
        workers = [start_worker(env, "--interval", "0.2", log=log) for log in logs]
        wait_until(
            lambda: all(log.exists() and "started" in log.read_text() for log in logs),
            30,
            "both workers to start",
        )
        now = timezone.now()
        for number in range(MESSAGES):
            queue_message(
                shop=shop,
                event="broadcast",
                event_key=f"broadcast:two-workers:{number}",
                channel="email",
                recipient=f"pembeli{number}@example.com",
                subject=f"Update produksi #{number}",
                body="Halo, produksi kaos sudah 50%.",
                now=now,
            )
        expected = {message.message_id for message in OutboxMessage.objects.all()}
        started = time.monotonic()
        drained = wait_until(
            lambda: (
                OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT).count() == MESSAGES
            ),
            60,
            "every message marked sent",
        )
        server.wait_for(MESSAGES, timeout=10)

        results = [messaging_tasks.deliver_outbox.enqueue() for _ in range(TASKS)]
        wait_until(
            lambda: (
                DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() == TASKS
            ),
            60,
            "every task finished",
        )
        time.sleep(0.5)  # a message or a task run a second time would show up now
    finally:
        codes = [stop_worker(worker) for worker in workers]
        server.controller.stop()
    outputs = [log.read_text() for log in logs]
    assert codes == [0, 0], outputs

    ids = [str(message["Message-ID"]) for message in server.messages]
    recipients = Counter(rcpt for _sender, rcpts in server.envelopes for rcpt in rcpts)
    assert len(ids) == MESSAGES  # nothing sent twice
    assert set(ids) == expected  # nothing lost
    assert set(recipients.values()) == {1} and len(recipients) == MESSAGES
    sent = [_sent_by(text) for text in outputs]
    assert sum(sent) == MESSAGES, outputs
    assert all(count > 0 for count in sent), sent  # both really worked at once
    assert OutboxMessage.objects.filter(status="sent", attempts=1).count() == MESSAGES

    rows = list(DBTaskResult.objects.filter(id__in=[str(r.id) for r in results]))
    assert len(rows) == TASKS
    assert all(row.status == TaskResultStatus.SUCCESSFUL for row in rows)
    assert all(len(row.worker_ids) == 1 for row in rows)  # claimed once, run once
    tasks_by_worker = Counter(row.worker_ids[0] for row in rows)
    record_property(
        "result",
        f"{vendor}: 2 workers sent {sent} of {MESSAGES} in {drained:.1f} s "
        f"({time.monotonic() - started:.1f} s with the tasks), {len(set(ids))} distinct "
        f"Message-IDs; {TASKS} tasks ran once each, split {sorted(tasks_by_worker.values())}",
    )
