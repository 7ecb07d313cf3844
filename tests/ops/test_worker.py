"""`openpo worker` and its scheduler tick: time-driven transitions happen within a tick of
their time with the worker running; each step is idempotent; `--once` runs one tick and the
queued tasks; SIGTERM stops the process cleanly.

Without any worker the rules still hold at the moment of use: the order service refuses an
order after the closing time while the stored status still says open
(tests/orders/test_place_order.py::
test_it_refuses_a_po_past_its_closing_time_even_before_the_transition_ran, and
tests/storefront/test_order_form.py::test_a_closed_po_refuses_the_post).
"""

import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus

from openpo.catalog.models import Campaign
from openpo.core.models import AuditEvent
from openpo.messaging import tasks as messaging_tasks
from openpo.messaging.models import OutboxMessage
from openpo.messaging.outbox import queue_message
from openpo.ops import scheduler
from openpo.ops import tasks as ops_tasks
from openpo.ops.management.commands.worker import DEFAULT_TICK
from openpo.ops.scheduler import run_tick
from tests.conftest import make_campaign
from tests.smtpserver import smtp_server_fixture  # noqa: F401  (registers `smtp_server`)
from tests.workerprocess import start_worker, stop_worker, wait_until, worker_env

S = Campaign.Status


def _events(campaign, action):
    return AuditEvent.objects.filter(
        action=action, subject_type="catalog.campaign", subject_id=str(campaign.pk)
    )


def _queue(shop, key="order.placed:1"):
    return queue_message(
        shop=shop,
        event="order.placed",
        event_key=key,
        channel="email",
        recipient="sari@example.com",
        subject="Pesanan PO-AB123 diterima",
        body="Halo Sari, pesanan Anda sudah kami terima.",
    )


@pytest.mark.django_db
def test_a_tick_after_the_closing_time_closes_the_po_and_records_it(campaign):
    later = campaign.closes_at + timedelta(seconds=30)

    counts = run_tick(now=later)

    campaign.refresh_from_db()
    assert campaign.status == S.CLOSED
    assert campaign.close_reason == Campaign.CloseReason.TIME
    assert counts["campaigns"] == 1
    (event,) = _events(campaign, "campaign.close")
    assert (event.actor_label, event.data["reason"], event.created_at) == ("system", "time", later)


@pytest.mark.django_db
def test_a_tick_after_the_opening_time_opens_a_scheduled_po(shop, now):
    campaign = make_campaign(shop, now=now, opens_at=now + timedelta(hours=1))
    assert campaign.status == S.SCHEDULED

    run_tick(now=now + timedelta(minutes=59))
    campaign.refresh_from_db()
    assert campaign.status == S.SCHEDULED  # not yet

    run_tick(now=now + timedelta(hours=1, seconds=20))
    campaign.refresh_from_db()
    assert campaign.status == S.OPEN
    assert _events(campaign, "campaign.open").count() == 1


@pytest.mark.django_db
def test_a_tick_fails_a_closed_po_that_missed_its_minimum(shop, now):
    campaign = make_campaign(shop, now=now, moq_units=10)

    run_tick(now=campaign.closes_at + timedelta(seconds=10))

    campaign.refresh_from_db()
    assert campaign.status == S.FAILED
    assert _events(campaign, "campaign.fail").count() == 1


@pytest.mark.django_db
def test_ticking_again_changes_nothing(campaign):
    later = campaign.closes_at + timedelta(seconds=30)
    run_tick(now=later)

    counts = run_tick(now=later + timedelta(minutes=1))

    assert counts["campaigns"] == 0
    assert _events(campaign, "campaign.close").count() == 1
    assert not scheduler.campaigns_due(later + timedelta(minutes=1)).exists()


@pytest.mark.django_db
def test_a_failing_step_does_not_stop_the_others(campaign, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(scheduler, "expire_due_orders", broken)

    counts = run_tick(now=campaign.closes_at + timedelta(seconds=1))

    assert counts["expired_orders"] == -1
    assert counts["campaigns"] == 1
    campaign.refresh_from_db()
    assert campaign.status == S.CLOSED


@pytest.mark.django_db
def test_a_tick_delivers_the_outbox(shop, smtp_server):
    _queue(shop)

    counts = run_tick()

    assert counts["messages_sent"] == 1
    (received,) = smtp_server.wait_for(1)
    assert received["To"] == "sari@example.com"
    assert OutboxMessage.objects.get().status == "sent"


# transaction=True: the queue's worker closes old connections between tasks, as in production.
@pytest.mark.django_db(transaction=True)
def test_worker_once_runs_a_tick_and_the_queued_tasks(campaign, shop, smtp_server):
    _queue(shop)
    result = ops_tasks.run_scheduled.enqueue()
    assert result.status == TaskResultStatus.READY

    call_command("worker", "--once", verbosity=0)

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value["campaigns"] == 0  # the campaign is not due yet
    assert len(smtp_server.wait_for(1)) == 1
    assert OutboxMessage.objects.get().status == "sent"


@pytest.mark.django_db(transaction=True)
def test_the_deliver_outbox_task_sends_what_is_due(shop, smtp_server):
    _queue(shop)
    result = messaging_tasks.deliver_outbox.enqueue()

    call_command("worker", "--once", verbosity=0)

    result.refresh()
    # The tick ran first and sent the message; the task found nothing left: never twice.
    assert (result.status, result.return_value) == (TaskResultStatus.SUCCESSFUL, 0)
    time.sleep(0.2)
    assert len(smtp_server.messages) == 1


def test_the_scheduler_ticks_every_minute():
    assert DEFAULT_TICK == 60


@pytest.mark.django_db(transaction=True)
def test_a_running_worker_closes_a_po_within_a_tick_of_its_time_and_stops_on_sigterm(
    shop, tmp_path, record_property
):
    # The worker ticks every minute in production; here every second, to keep the test short.
    now = timezone.now()
    campaign = make_campaign(shop, now=now, closes_at=now + timedelta(seconds=2))
    log = tmp_path / "worker.log"
    worker = start_worker(worker_env(tmp_path), "--tick", "1", "--interval", "0.2", log=log)
    try:
        wait_until(
            lambda: Campaign.objects.get(pk=campaign.pk).status == S.CLOSED,
            15,
            "the worker to close the PO",
        )
        lag = (timezone.now() - campaign.closes_at).total_seconds()
    finally:
        code = stop_worker(worker)
    output = log.read_text()
    assert code == 0, output
    assert "worker stopped" in output
    (event,) = _events(campaign, "campaign.close")
    assert event.actor_label == "system"
    assert lag < 1 + 2  # one tick, plus the worker's start-up
    record_property("result", f"closed {lag:.1f} s after closes_at with a 1 s tick")
