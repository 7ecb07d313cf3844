"""/metrics: off without OPENPO_METRICS_TOKEN (404), 401 without the right Bearer token, and
with it Prometheus' text format: requests by method, status class and view with their
durations, sold-out answers, and what the database says at the scrape (orders placed, the
outbox, the task queue, the worker's heartbeat).

The last test serves with two gunicorn workers (`openpo serve`, a real process): whichever
worker answers a scrape, the request counts are those of both, also after a worker restarts."""

import http.client
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.parser import text_string_to_metric_families

from openpo.messaging import tasks as messaging_tasks
from openpo.messaging.models import OutboxMessage
from openpo.ops import health
from openpo.orders.models import Order
from openpo.orders.services import place_order
from tests.api.conftest import order_body, post_order
from tests.conftest import make_campaign
from tests.ops.test_serve import free_port
from tests.workerprocess import wait_until, worker_env

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-for-the-tests-0123456789"


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def scrape(client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.content
    return parse(response.content.decode())


def parse(text: str) -> dict[tuple[str, tuple], float]:
    """{(sample name, sorted labels): value}."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_without_a_token_set_there_is_no_such_address(client, settings):
    settings.METRICS_TOKEN = ""

    response = client.get("/metrics", headers={"Authorization": "Bearer anything"})

    assert response.status_code == 404
    assert b"openpo_http_requests" not in response.content


def test_a_missing_or_wrong_token_is_refused(client, token):
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}):
        response = client.get("/metrics", headers=headers)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Bearer realm="openpo-metrics"'
        assert b"openpo_" not in response.content

    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPE_LATEST  # text/plain; version=…
    assert "no-store" in response["Cache-Control"]


def test_it_counts_and_times_requests_by_method_status_class_and_view(client, token):
    before = scrape(client)

    for _ in range(3):
        assert client.get("/").status_code == 200
    assert client.get("/no-such-shop/").status_code == 404
    assert client.post("/").status_code == 405

    after = scrape(client)
    home_ok = {"method": "GET", "status": "2xx", "view": "home"}
    assert (
        value(after, "openpo_http_requests_total", **home_ok)
        - value(before, "openpo_http_requests_total", **home_ok)
        == 3
    )
    refused = {"method": "POST", "status": "4xx", "view": "home"}
    assert (
        value(after, "openpo_http_requests_total", **refused)
        - value(before, "openpo_http_requests_total", **refused)
        == 1
    )
    shop = {"method": "GET", "status": "4xx", "view": "shop"}
    assert (
        value(after, "openpo_http_requests_total", **shop)
        - value(before, "openpo_http_requests_total", **shop)
        == 1
    )
    count = "openpo_http_request_duration_seconds_count"
    assert value(after, count, view="home") - value(before, count, view="home") == 4
    assert value(after, "openpo_http_request_duration_seconds_bucket", view="home", le="+Inf") == (
        value(after, count, view="home")
    )
    # The scrapes count too, as any other view.
    assert value(after, "openpo_http_requests_total", method="GET", status="2xx", view="metrics")


def test_orders_placed_and_the_outbox_come_from_the_database(client, token, campaign, buyer):
    variant = campaign.variants.first()
    for phone in ("0813 2222 3333", "0813 2222 4444"):
        place_order(
            campaign=campaign,
            buyer=replace(buyer, phone=phone),
            items={variant.pk: 1},
            terms_accepted=True,
        )
    waiting = OutboxMessage.objects.filter(status="queued")
    waiting.update(next_attempt_at=timezone.now() - timedelta(minutes=30))

    samples = scrape(client)

    assert value(samples, "openpo_database_up") == 1
    assert value(samples, "openpo_orders_placed_total") == Order.objects.count() == 2
    for channel in ("email", "whatsapp"):
        queued = OutboxMessage.objects.filter(status="queued", channel=channel).count()
        assert value(samples, "openpo_outbox_messages", status="queued", channel=channel) == (
            queued
        )
    assert waiting.exists()
    assert value(samples, "openpo_outbox_oldest_due_age_seconds") >= 30 * 60
    assert value(samples, "openpo_migrations_unapplied") == 0


def test_sold_out_answers_are_counted(client, token, shop, now):
    campaign = make_campaign(shop, now=now, quotas=(1,), slug="war")
    sku = campaign.variants.get().sku
    before = value(scrape(client), "openpo_order_refusals_total", code="sold_out")

    assert post_order(client, campaign, order_body([(sku, 1)])).status_code == 201
    for n in range(3):  # the first from the database, the others from memory
        body = order_body([(sku, 1)], phone=f"0815-0000-{n:04d}")
        response = post_order(client, campaign, body)
        assert (response.status_code, response.json()["code"]) == (409, "sold_out")

    after = value(scrape(client), "openpo_order_refusals_total", code="sold_out")
    assert after - before == 3


# transaction=True: the queue's worker closes old connections between tasks, as in production.
@pytest.mark.django_db(transaction=True)
def test_the_task_queue_its_delay_and_the_worker_heartbeat(client, token):
    samples = scrape(client)
    assert value(samples, "openpo_worker_heartbeat_age_seconds") == float("inf")
    assert value(samples, "openpo_tasks_ready") == 0

    result = messaging_tasks.deliver_outbox.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(
        enqueued_at=timezone.now() - timedelta(seconds=90)
    )
    samples = scrape(client)
    assert value(samples, "openpo_tasks_ready") == 1
    assert 90 <= value(samples, "openpo_task_oldest_ready_age_seconds") < 120

    call_command("worker", once=True, verbosity=0)  # runs it, and writes the heartbeat

    samples = scrape(client)
    assert value(samples, "openpo_tasks_ready") == 0
    assert value(samples, "openpo_task_start_delay_seconds_count") == 1
    assert 90 <= value(samples, "openpo_task_start_delay_seconds_sum") < 120
    assert value(samples, "openpo_worker_heartbeat_age_seconds") < 5
    assert health.heartbeat_age() is not None


def _get(port: int, path: str, headers: dict | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.mark.django_db(transaction=True)
def test_request_counts_add_up_across_gunicorn_workers_and_restarts(tmp_path):
    env = worker_env(tmp_path)
    env.update({"OPENPO_HTTPS": "0", "OPENPO_METRICS_TOKEN": TOKEN})
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "openpo",
                "serve",
                "--port",
                str(port),
                "--workers",
                "2",
                "--threads",
                "2",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    auth = {"Authorization": f"Bearer {TOKEN}"}

    def favicons(samples) -> float:
        return value(
            samples, "openpo_http_requests_total", method="GET", status="2xx", view="favicon"
        )

    def up() -> bool:
        assert server.poll() is None, log.read_text()
        try:
            return _get(port, "/favicon.ico")[0] == 200
        except OSError:
            return False

    try:
        wait_until(up, 60, "openpo serve to answer")
        sent = 1
        directory = next((tmp_path / "metrics").glob("serve-*"))
        assert directory.name == f"serve-{server.pid}"

        def workers_counted() -> set[str]:
            return {p.stem.rsplit("_", 1)[1] for p in directory.glob("counter_*.db")}

        # Until both workers have answered some (the kernel hands connections to either).
        deadline = time.monotonic() + 30
        while len(workers_counted()) < 2 or sent < 40:
            assert time.monotonic() < deadline, "one worker answered every request"
            assert _get(port, "/favicon.ico")[0] == 200
            sent += 1

        for _ in range(6):  # each scrape is answered by either worker: always the same sum
            status, body = _get(port, "/metrics", auth)
            assert status == 200
            assert favicons(parse(body.decode())) == sent

        # A worker killed and replaced: its counts stay in the sum.
        os.kill(int(sorted(workers_counted())[0]), signal.SIGKILL)
        deadline = time.monotonic() + 30
        while len(workers_counted()) < 3:  # until the new worker has answered one
            assert time.monotonic() < deadline, "no new worker answered"
            sent += up()
            time.sleep(0.05)
        status, body = _get(port, "/metrics", auth)
        assert favicons(parse(body.decode())) == sent

        server.send_signal(signal.SIGTERM)
        assert server.wait(20) == 0
        assert not directory.exists()  # removed with the server
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
