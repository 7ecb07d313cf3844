"""/healthz: 200 when the database answers, every migration is applied, a worker's heartbeat is
fresh and no due message waits too long; 503 naming the failing check and why otherwise. It
answers a load balancer asking by the server's address, over plain HTTP, and is never cached.

The last test runs `openpo serve` and `openpo worker` as real processes sharing the database
cache: the worker's heartbeat turns the check green, stopping the worker turns it red."""

import json
import os
import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from openpo.messaging.models import OutboxMessage
from openpo.messaging.outbox import queue_message
from openpo.ops import health
from tests.ops.test_serve import free_port, get
from tests.workerprocess import start_serve, start_worker, stop_worker, wait_until, worker_env

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker_alive():
    assert health.record_heartbeat(force=True)


def _health(client, query="", **headers):
    response = client.get(f"/healthz{query}", **headers)
    return response, json.loads(response.content)


def test_it_answers_200_when_every_check_passes(client, worker_alive):
    response, body = _health(client)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    assert body["status"] == "ok" and "failing" not in body
    assert list(body["checks"]) == ["database", "cache", "migrations", "worker", "outbox"]
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["migrations"]["unapplied"] == 0
    assert body["checks"]["worker"]["age_seconds"] < 5
    assert body["checks"]["outbox"]["oldest_due_seconds"] == 0


def test_without_a_worker_heartbeat_it_answers_503_naming_the_worker(client):
    response, body = _health(client)

    assert response.status_code == 503
    assert body["status"] == "fail" and body["failing"] == ["worker"]
    assert "openpo worker" in body["checks"]["worker"]["error"]
    assert body["checks"]["database"]["ok"] and body["checks"]["outbox"]["ok"]


def test_a_cache_server_that_is_down_fails_the_cache_check(client, settings, worker_alive):
    # Rate limits and log-in counts live in the cache: a Redis that is down would switch them
    # off quietly. Nothing listens on port 9 here.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        }
    }
    response, body = _health(client)

    assert response.status_code == 503
    assert "cache" in body["failing"] and "ConnectionError" in body["checks"]["cache"]["error"]
    assert body["checks"]["database"]["ok"]
    # What a load balancer asks for still passes: the web process itself can serve.
    response, body = _health(client, "?check=database,migrations")
    assert response.status_code == 200


def test_a_stale_heartbeat_fails_after_the_configured_age(client, settings):
    settings.HEALTH_HEARTBEAT_MAX_AGE = 60
    cache.set(health.HEARTBEAT_KEY, {"at": time.time() - 90}, 600)

    response, body = _health(client)

    assert response.status_code == 503 and body["failing"] == ["worker"]
    assert body["checks"]["worker"]["error"].startswith("the newest worker heartbeat is 9")
    assert body["checks"]["worker"]["max_age_seconds"] == 60

    settings.HEALTH_HEARTBEAT_MAX_AGE = 120
    assert _health(client)[0].status_code == 200


def test_a_message_waiting_past_the_limit_fails_the_outbox_check(client, shop, worker_alive):
    now = timezone.now()
    queue_message(
        shop=shop,
        event="order.placed",
        event_key="order.placed:1",
        channel="email",
        recipient="sari@example.com",
        body="Halo Sari",
    )
    # Waiting 20 minutes: nobody has been sending.
    OutboxMessage.objects.update(next_attempt_at=now - timedelta(minutes=20))

    response, body = _health(client)

    assert response.status_code == 503 and body["failing"] == ["outbox"]
    assert body["checks"]["outbox"]["oldest_due_seconds"] >= 1200
    assert "waited" in body["checks"]["outbox"]["error"]

    # Sent, or retried later with a backoff: nothing due is waiting any more.
    OutboxMessage.objects.update(next_attempt_at=now + timedelta(minutes=4))
    assert _health(client)[0].status_code == 200


def test_an_unapplied_migration_fails_the_migrations_check(client, worker_alive):
    recorder = MigrationRecorder(connection)
    last = recorder.migration_qs.filter(app="orders").order_by("-id").first()
    last.delete()  # as if this code were deployed before `openpo migrate` ran

    response, body = _health(client)

    assert response.status_code == 503 and body["failing"] == ["migrations"]
    assert body["checks"]["migrations"]["unapplied"] == 1
    assert f"orders.{last.name}" in body["checks"]["migrations"]["error"]


def test_a_load_balancer_can_ask_for_the_web_checks_only(client):
    # No worker: the full answer fails, the web process itself is fine.
    assert _health(client)[0].status_code == 503

    response, body = _health(client, "?check=database,migrations")

    assert response.status_code == 200
    assert list(body["checks"]) == ["database", "migrations"]

    response, body = _health(client, "?check=database&check=nonsense")
    assert response.status_code == 400
    assert body["error"] == "unknown check(s): nonsense"


def test_it_answers_by_the_servers_address_over_plain_http(client, settings, worker_alive):
    settings.ALLOWED_HOSTS = ["toko.example"]
    settings.SECURE_SSL_REDIRECT = True

    response, body = _health(client, HTTP_HOST="10.0.0.5:8000")

    assert response.status_code == 200 and body["status"] == "ok"
    # Any page of the site is still refused at that address, and redirected to HTTPS.
    assert client.get("/", HTTP_HOST="10.0.0.5:8000").status_code == 400
    assert client.get("/", HTTP_HOST="toko.example").status_code == 301


def test_it_takes_get_and_head_only(client, worker_alive):
    assert client.head("/healthz").status_code == 200
    response = client.post("/healthz")
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD"


def test_with_the_worker_check_off_no_worker_is_needed(client, settings):
    settings.HEALTH_HEARTBEAT_MAX_AGE = 0

    response, body = _health(client)

    assert response.status_code == 200
    assert body["checks"]["worker"] == {
        "ok": True,
        "age_seconds": None,
        "max_age_seconds": 0,
        "checked": False,
        "ms": body["checks"]["worker"]["ms"],
    }


@pytest.mark.django_db(transaction=True)
def test_a_running_worker_keeps_healthz_green_and_a_stopped_one_turns_it_red(tmp_path):
    env = worker_env(tmp_path)
    # The real shared cache (a table in the database), as in production without Redis.
    del env["OPENPO_CACHE_URL"]
    env.update({"OPENPO_HTTPS": "0", "OPENPO_HEALTH_HEARTBEAT_MAX_AGE": "3"})
    port = free_port()
    log = tmp_path / "serve.log"
    server = start_serve(env, port, "--workers", "1", log=log)
    worker = None
    try:

        def worker_check() -> dict | None:
            try:
                status, _headers, body = get(port, "/healthz?check=worker")
            except OSError:
                assert server.poll() is None, log.read_text()
                return None
            return {"status": status, **json.loads(body)["checks"]["worker"]}

        wait_until(lambda: worker_check() is not None, 60, "openpo serve to answer")
        before = worker_check()
        assert before["status"] == 503 and before["age_seconds"] is None

        worker = start_worker(env, "--interval", "0.2", log=tmp_path / "worker.log")
        wait_until(lambda: worker_check()["status"] == 200, 30, "the worker's heartbeat")
        assert worker_check()["age_seconds"] < 3

        assert stop_worker(worker) == 0
        took = wait_until(lambda: worker_check()["status"] == 503, 30, "the heartbeat to age")
        after = worker_check()
        assert after["age_seconds"] >= 3
        assert "heartbeat is" in after["error"]
        assert took < 15  # 3 s after its last heartbeat, which is at most 10 s old
    finally:
        if worker is not None and worker.poll() is None:
            worker.kill()
        if server.poll() is None:
            os.killpg(server.pid, 9)
        server.wait()
