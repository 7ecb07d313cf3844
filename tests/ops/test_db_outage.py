"""A PostgreSQL restart in the middle of a war PO (the suite's throwaway server, `--postgres`).

`openpo serve` (two gunicorn workers, a real process) takes API orders from six buyers at once
while the database stops for a few seconds and starts again. Every order answered 201 is in the
database afterwards; every other answer is a 503 with `Retry-After` in the API's shape (never a
500, a traceback or a request left hanging); pages answer 503 with the translated page and
/healthz names the database; after the restart OpenPO takes orders again without being
restarted, and each refused order sent again with its Idempotency-Key is placed exactly once.

A request stuck behind a lock is cancelled by the statement timeout (`OPENPO_DB_STATEMENT_TIMEOUT`)
and answered 503 too, instead of holding its server thread.
"""

import http.client
import json
import os
import signal
import threading
import time
import uuid
from dataclasses import dataclass

import psycopg
import pytest
from django.db import connection

from openpo.orders.models import Order
from tests.api.conftest import order_body
from tests.conftest import make_campaign
from tests.ops.test_serve import free_port
from tests.pgserver import PostgresServer
from tests.workerprocess import database_url, start_serve, wait_until, worker_env

# Restarts the suite's PostgreSQL server: collected only with --postgres.
pytestmark = pytest.mark.postgres_only

BUYERS = 6
REQUEST_TIMEOUT = 15.0  # seconds: no answer within this is a hang
DOWN_FOR = 3.0  # seconds the database stays stopped


@pytest.fixture
def postgres() -> PostgresServer:
    server = PostgresServer.serving(connection.settings_dict["PORT"])
    assert server is not None, "the --postgres run's server is not this process's"
    return server


@dataclass
class Answer:
    key: str
    n: int  # the buyer's number (their phone)
    status: int  # 0: no answer (refused connection, hang)
    retry_after: str | None
    body: dict
    at: float
    error: str = ""


def request(port: int, method: str, path: str, body: dict | None = None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        conn.request(method, path, body=payload, headers=all_headers)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def place(port: int, url: str, sku: str, key: str, n: int) -> Answer:
    body = order_body([(sku, 1)], phone=f"0815-{n // 10000:04d}-{n % 10000:04d}")
    try:
        status, headers, raw = request(port, "POST", url, body, {"Idempotency-Key": key})
    except OSError as exc:  # TimeoutError included
        return Answer(key, n, 0, None, {}, time.monotonic(), f"{type(exc).__name__}: {exc}")
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = {"raw": raw[:500].decode(errors="replace")}
    return Answer(key, n, status, headers.get("retry-after"), parsed, time.monotonic())


@pytest.mark.django_db(transaction=True)
def test_a_postgresql_restart_mid_war_po_loses_no_acknowledged_order(postgres, shop, now, tmp_path):
    campaign = make_campaign(shop, now=now, quotas=(None,), slug="war")
    sku = campaign.variants.get().sku
    url = f"/api/v1/public/{shop.slug}/{campaign.slug}/orders"
    env = worker_env(tmp_path)
    env.update({"OPENPO_HTTPS": "0", "OPENPO_RATE_LIMIT_ORDERS": "off"})
    port = free_port()
    log = tmp_path / "serve.log"
    server = start_serve(env, port, "--workers", "2", "--threads", "4", log=log)
    answers: list[Answer] = []
    stop = threading.Event()
    counter = iter(range(1, 10**6))
    lock = threading.Lock()

    def buyer() -> None:
        while not stop.is_set():
            with lock:
                n = next(counter)
            answer = place(port, url, sku, f"war-{uuid.uuid4().hex}", n)
            with lock:
                answers.append(answer)

    def acknowledged(after: float = 0.0) -> int:
        with lock:
            return sum(1 for a in answers if a.status == 201 and a.at > after)

    def up() -> bool:
        assert server.poll() is None, log.read_text()
        try:
            return request(port, "GET", "/healthz?check=database")[0] == 200
        except OSError:
            return False

    buyers = [threading.Thread(target=buyer, daemon=True) for _ in range(BUYERS)]
    try:
        wait_until(up, 60, "openpo serve to answer")
        for thread in buyers:
            thread.start()
        wait_until(lambda: acknowledged() >= 30, 60, "the first orders")

        # The database stops (every session ended) and starts again DOWN_FOR seconds later.
        restart_error: list[BaseException] = []

        def restart() -> None:
            try:
                postgres.restart(down_for=DOWN_FOR)
            except BaseException as exc:
                restart_error.append(exc)

        restarting = threading.Thread(target=restart)
        restart_began = time.monotonic()
        restarting.start()

        # Meanwhile: /healthz names the database, a page answers with the translated 503 page.
        def outage_seen() -> bool:
            status, _headers, body = request(port, "GET", "/healthz")
            return status == 503 and not json.loads(body)["checks"]["database"]["ok"]

        wait_until(outage_seen, DOWN_FOR + 10, "/healthz to see the database gone")
        status, headers, body = request(port, "GET", "/healthz")
        health = json.loads(body)
        assert status == 503 and "database" in health["failing"]
        assert health["checks"]["database"]["error"].startswith("the database is unreachable")
        assert str(postgres.port) not in body.decode() and "postgres" not in body.decode()
        assert "no-store" in headers["cache-control"]

        pages: list[tuple[int, dict, bytes]] = []

        def page_refused() -> bool:
            pages.append(request(port, "GET", f"/{shop.slug}/"))
            return pages[-1][0] == 503 or not restarting.is_alive()

        wait_until(page_refused, DOWN_FOR + 10, "a page during the outage")
        status, headers, body = pages[-1]
        assert status == 503, body[:500]
        assert headers["retry-after"].isdigit()
        assert headers["content-type"].startswith("text/html")
        assert b"Sebentar tidak tersedia" in body

        restarting.join(60)
        assert not restarting.is_alive() and not restart_error, restart_error
        restarted = time.monotonic()

        # Served again, without restarting OpenPO.
        wait_until(lambda: acknowledged(after=restarted) >= 30, 60, "orders after the restart")
    finally:
        stop.set()
        for thread in buyers:
            thread.join(REQUEST_TIMEOUT + 5)

    try:
        statuses = {a.status for a in answers}
        hung = [a for a in answers if a.status == 0]
        assert not hung, hung[:3]
        assert statuses <= {201, 503}, [a for a in answers if a.status not in (201, 503)][:3]
        refused = [a for a in answers if a.status == 503]
        assert refused, "no order met the outage"
        assert all(a.retry_after and a.retry_after.isdigit() for a in refused)
        assert all(a.body["code"] == "unavailable" for a in refused), refused[0].body
        assert all(a.at > restart_began for a in refused)

        # This test's own connection was ended by the restart too.
        connection.close()
        placed = [a for a in answers if a.status == 201]
        codes = {a.body["code"] for a in placed}
        assert Order.objects.filter(code__in=codes).count() == len(codes) == len(placed)

        # A refused order sent again with its key is placed, once.
        for answer in refused:
            again = place(port, url, sku, answer.key, answer.n)
            assert again.status == 201, again
        keys = {a.key for a in answers}
        assert Order.objects.filter(campaign=campaign).count() == len(keys)
        assert (
            set(Order.objects.filter(campaign=campaign).values_list("idempotency_key", flat=True))
            == keys
        )

        server.send_signal(signal.SIGTERM)
        assert server.wait(30) == 0
        output = log.read_text()
        assert '" 500 ' not in output  # the access log: no server error answered
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        print(
            f"orders: {len(answers)} answered, {sum(a.status == 201 for a in answers)} placed, "
            f"{sum(a.status == 503 for a in answers)} refused with 503 during the restart"
        )


@pytest.mark.django_db(transaction=True)
def test_a_request_stuck_on_a_lock_is_cancelled_by_the_statement_timeout(
    postgres, shop, now, tmp_path
):
    campaign = make_campaign(shop, now=now, quotas=(None,), slug="war")
    variant = campaign.variants.get()
    url = f"/api/v1/public/{shop.slug}/{campaign.slug}/orders"
    env = worker_env(tmp_path)
    env.update({"OPENPO_HTTPS": "0", "OPENPO_DB_STATEMENT_TIMEOUT": "1"})
    port = free_port()
    log = tmp_path / "serve.log"
    server = start_serve(env, port, "--workers", "1", log=log)
    try:
        wait_until(
            lambda: place(port, url, variant.sku, "first", 1).status == 201, 60, "a first order"
        )
        # Someone holds the variant's row (a long migration, a stuck session): the order waits
        # for it one second, no longer, and is told to come back.
        with psycopg.connect(database_url()) as holder:
            holder.execute("SELECT 1 FROM catalog_variant WHERE id = %s FOR UPDATE", [variant.pk])
            started = time.monotonic()
            stuck = place(port, url, variant.sku, "second", 2)
            took = time.monotonic() - started
        assert (stuck.status, stuck.body["code"]) == (503, "unavailable"), stuck
        assert stuck.retry_after.isdigit()
        assert 1 <= took < 5
        assert "canceling statement due to statement timeout" in log.read_text()

        again = place(port, url, variant.sku, "second", 2)
        assert again.status == 201
        connection.close()
        assert Order.objects.filter(campaign=campaign).count() == 2
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
        server.wait()
