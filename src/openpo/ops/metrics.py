"""/metrics: Prometheus metrics, for whoever holds `OPENPO_METRICS_TOKEN` (Bearer).

Two kinds, so that every number is right however many processes and machines serve one site:

- Counted by the web processes as requests pass (`RequestMetricsMiddleware`): requests by
  method, status class and view, their durations (a histogram by view), and order refusals by
  code (`{code="sold_out"}`: the sold-out answers) as the order doors answer them. Under
  `openpo serve` every gunicorn worker writes its counts to files in one directory
  (prometheus_client's multiprocess mode; `PROMETHEUS_MULTIPROC_DIR`, set up by ops/serve.py
  before the workers fork), and a scrape of any worker adds up all of them. Per machine: with
  several machines, scrape each and `sum()`.
- Read from the database at each scrape (`DatabaseFigures`, a handful of indexed queries):
  orders placed, the outbox's unsent messages by status and channel and the age of the oldest
  due one, the task queue (ready tasks, the oldest one's wait, and the delay from enqueueing to
  start of every task started), the newest worker heartbeat's age and unapplied migrations.
  The same from any process on any machine; `openpo_database_up` is 0 when the scrape could
  not read them.

Without `OPENPO_METRICS_TOKEN` the address does not exist (404); a missing or wrong token
answers 401. The token is compared in constant time.
"""

from __future__ import annotations

import functools
import hmac
import logging
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Case, Count, DurationField, ExpressionWrapper, F, Min, Q, Sum, When
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django_tasks_db.models import DBTaskResult

from openpo.core.language import language_for
from openpo.messaging.models import OutboxMessage
from openpo.ops import health
from openpo.orders import refusals
from openpo.orders.models import Order

log = logging.getLogger(__name__)

# Seconds; pages answer in tens of milliseconds, a war-PO order in a few hundred at worst.
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
UNSENT = ("queued", "sending", "failed", "manual")
# django-tasks-db's "no run_after" (its get_date_max).
NO_RUN_AFTER = datetime(9999, 1, 1, tzinfo=UTC)


@functools.cache
def _counted():
    """The web processes' own metrics, made on first use: prometheus_client is imported only
    then, after `openpo serve` has named the multiprocess directory."""
    from prometheus_client import CollectorRegistry, Counter, Histogram

    registry = CollectorRegistry()
    requests = Counter(
        "openpo_http_requests",
        "HTTP requests answered, by method, status class (2xx, 4xx, ...) and view.",
        ["method", "status", "view"],
        registry=registry,
    )
    duration = Histogram(
        "openpo_http_request_duration_seconds",
        "Time from a request's arrival to its answer, by view.",
        ["view"],
        buckets=DURATION_BUCKETS,
        registry=registry,
    )
    refused = Counter(
        "openpo_order_refusals",
        "Orders refused by the order form and the API, by code (sold_out: a quota ran out).",
        ["code"],
        registry=registry,
    )
    refused.labels("sold_out")  # shown (at 0) before the first one
    return registry, requests, duration, refused


def _view_label(request: HttpRequest) -> str:
    if name := getattr(request, "metrics_view", None):
        return name
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name or match._func_path
    if request.path_info.startswith(settings.STATIC_URL):
        return "static"
    return "unmatched"  # 404s of no view, answers of middleware


class RequestMetricsMiddleware:
    """First in MIDDLEWARE: counts and times every answer, the 503s of an outage included."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        try:
            _registry, requests, duration, _refused = _counted()
            view = _view_label(request)
            method = request.method if request.method in METHODS else "other"
            requests.labels(method, f"{response.status_code // 100}xx", view).inc()
            duration.labels(view).observe(time.perf_counter() - started)
        except Exception:  # counting must never cost a buyer their answer
            log.exception("request not counted in the metrics")
        return response


def _count_refusal(sender, error, **kwargs) -> None:
    try:
        _counted()[3].labels(error.code).inc()
    except Exception:
        log.exception("refusal not counted in the metrics")


# Sent by the order doors' refusals (orders/refusals.py) as each is answered.
if hasattr(refusals, "refused"):
    refusals.refused.connect(_count_refusal, dispatch_uid="openpo-metrics-refusals")


class DatabaseFigures:
    """A prometheus_client collector: what the database says at the moment of the scrape."""

    def collect(self) -> Iterator:
        from prometheus_client.core import (
            CounterMetricFamily,
            GaugeMetricFamily,
            SummaryMetricFamily,
        )

        started = time.perf_counter()
        up = GaugeMetricFamily("openpo_database_up", "1 when this scrape could read the database.")
        try:
            figures = read_figures()
        except DatabaseError as exc:
            log.warning("metrics: the database did not answer: %s: %s", type(exc).__name__, exc)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield CounterMetricFamily(
            "openpo_orders_placed",
            "Orders placed (every door), read from the database.",
            value=figures["orders"],
        )
        outbox = GaugeMetricFamily(
            "openpo_outbox_messages",
            "Outbox messages not sent (yet), by status and channel.",
            labels=["status", "channel"],
        )
        for (status, channel), count in sorted(figures["outbox"].items()):
            outbox.add_metric([status, channel], count)
        yield outbox
        yield GaugeMetricFamily(
            "openpo_outbox_oldest_due_age_seconds",
            "How long the longest-waiting due outbox message has waited (0: none waiting).",
            value=figures["outbox_oldest_due_age"],
        )
        yield GaugeMetricFamily(
            "openpo_tasks_ready", "Background tasks ready to run.", value=figures["tasks_ready"]
        )
        yield GaugeMetricFamily(
            "openpo_task_oldest_ready_age_seconds",
            "How long the longest-waiting ready background task has waited (0: none).",
            value=figures["tasks_oldest_ready_age"],
        )
        yield SummaryMetricFamily(
            "openpo_task_start_delay_seconds",
            "Delay from enqueueing a background task (or its run_after) to its start.",
            count_value=figures["tasks_started"],
            sum_value=figures["tasks_delay_sum"],
        )
        yield GaugeMetricFamily(
            "openpo_worker_heartbeat_age_seconds",
            "Seconds since the newest `openpo worker` heartbeat (+Inf: none ever).",
            value=figures["heartbeat_age"],
        )
        yield GaugeMetricFamily(
            "openpo_migrations_unapplied",
            "Migrations on disk the database has not applied.",
            value=figures["unapplied_migrations"],
        )
        yield GaugeMetricFamily(
            "openpo_metrics_database_seconds",
            "Time this scrape spent reading the database.",
            value=time.perf_counter() - started,
        )


def read_figures() -> dict[str, object]:
    """The database-derived numbers of one scrape (raises DatabaseError)."""
    now = timezone.now()
    outbox = {
        (row["status"], row["channel"]): row["n"]
        for row in OutboxMessage.objects.filter(status__in=UNSENT)
        .values("status", "channel")
        .annotate(n=Count("pk"))
        .order_by()
    }
    oldest_due = health.oldest_due_message(now)

    ready = DBTaskResult.objects.ready()
    began = Case(
        When(
            Q(run_after__gt=F("enqueued_at")) & Q(run_after__lt=NO_RUN_AFTER),
            then=F("run_after"),
        ),
        default=F("enqueued_at"),
    )
    waiting = ready.aggregate(n=Count("pk"), oldest=Min(began))
    started = DBTaskResult.objects.filter(started_at__isnull=False).aggregate(
        n=Count("pk"),
        delay=Sum(ExpressionWrapper(F("started_at") - began, output_field=DurationField())),
    )
    try:
        age = health.heartbeat_age()
    except Exception:  # the cache server, not the database
        log.exception("metrics: the worker heartbeat could not be read")
        age = None
    return {
        "orders": Order.objects.count(),
        "outbox": outbox,
        "outbox_oldest_due_age": (now - oldest_due).total_seconds() if oldest_due else 0.0,
        "tasks_ready": waiting["n"],
        "tasks_oldest_ready_age": (
            max(0.0, (now - waiting["oldest"]).total_seconds()) if waiting["oldest"] else 0.0
        ),
        "tasks_started": started["n"],
        "tasks_delay_sum": started["delay"].total_seconds() if started["delay"] else 0.0,
        "heartbeat_age": float("inf") if age is None else age,
        "unapplied_migrations": len(health.unapplied_migrations()),
    }


class _Counted:
    """This process's own metrics (without multiprocess mode: tests, `runserver`)."""

    def collect(self) -> Iterator:
        return _counted()[0].collect()


def exposition() -> bytes:
    """Every metric in Prometheus' text format."""
    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)  # every worker's counts, added up
    else:
        registry.register(_Counted())
    registry.register(DatabaseFigures())
    return generate_latest(registry)


def _token_matches(request: HttpRequest) -> bool:
    scheme, _space, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), settings.METRICS_TOKEN.encode())


def metrics_view(request: HttpRequest) -> HttpResponse:
    """GET /metrics with `Authorization: Bearer <OPENPO_METRICS_TOKEN>`."""
    if not settings.METRICS_TOKEN:
        from openpo.error_pages import page_not_found

        translation.activate(language_for(request))
        return page_not_found(request)  # as any address that does not exist
    if not _token_matches(request):
        response = HttpResponse(
            "401 Unauthorized: send Authorization: Bearer <token>\n", status=401
        )
        response["Content-Type"] = "text/plain; charset=utf-8"
        response["WWW-Authenticate"] = 'Bearer realm="openpo-metrics"'
    elif request.method not in ("GET", "HEAD"):
        response = HttpResponse("405 Method Not Allowed\n", status=405)
        response["Content-Type"] = "text/plain; charset=utf-8"
        response["Allow"] = "GET, HEAD"
    else:
        from prometheus_client import CONTENT_TYPE_LATEST

        response = HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
    add_never_cache_headers(response)
    return response
