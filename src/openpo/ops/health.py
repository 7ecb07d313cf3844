"""/healthz: is this OpenPO able to serve, and is its background work keeping up?

Five checks, each a query or a cache read (a few milliseconds in all):

- `database`: a `SELECT 1` on the default database;
- `cache`: the shared cache (rate limits, log-in counts, the heartbeat) gives back a value just
  written to it: a Redis that is down or a client library that fails to import would otherwise
  only switch the rate limits off, with a line in the log;
- `migrations`: no migration on disk is missing from `django_migrations` (the migrations on
  disk are read once per process; each look is one query);
- `worker`: the newest heartbeat of an `openpo worker` (written to the shared cache after each
  of its rounds, `record_heartbeat`) is at most `OPENPO_HEALTH_HEARTBEAT_MAX_AGE` seconds old;
- `outbox`: no due message has waited longer than `OPENPO_HEALTH_OUTBOX_MAX_AGE` seconds to be
  sent (the oldest `queued` one, or `sending` past its lease: what a worker would take next).

The answer is JSON, 200 when every check passed, 503 naming the ones that failed and why (no
connection strings, no exception texts: those go to the log). `?check=database,migrations`
runs only those: a load balancer should ask for these two, so that a stalled worker (which
every web process shares) does not take every web process out of rotation; monitoring asks
for all four. Never cached, never rate limited, no log-in.

`OpsEndpointsMiddleware` answers /healthz and /metrics (ops/metrics.py) before Django checks
the Host header and redirects to HTTPS: a load balancer or Prometheus asks by the server's own
address (`10.0.0.5:8000`), usually over plain HTTP.
"""

from __future__ import annotations

import functools
import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Min, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from openpo.messaging.models import OutboxMessage

log = logging.getLogger(__name__)

HEARTBEAT_KEY = "openpo:worker:heartbeat"
# A worker writes its heartbeat at most this often (every round would be every 2 s).
HEARTBEAT_EVERY = 10.0
HEARTBEAT_KEPT = 24 * 60 * 60  # seconds the cache keeps the last heartbeat
CHECKS = ("database", "cache", "migrations", "worker", "outbox")

_last_written = {"at": float("-inf")}


def record_heartbeat(*, force: bool = False) -> bool:
    """The worker is alive and its round went through: say so in the shared cache (at most every
    HEARTBEAT_EVERY seconds). True when written. A cache that fails is logged, not raised: the
    worker's work matters more than its heartbeat."""
    now = time.monotonic()
    if not force and now - _last_written["at"] < HEARTBEAT_EVERY:
        return False
    value = {"at": time.time(), "host": socket.gethostname(), "pid": os.getpid()}
    try:
        cache.set(HEARTBEAT_KEY, value, HEARTBEAT_KEPT)
    except Exception:
        log.exception("worker heartbeat not written: the cache failed")
        return False
    _last_written["at"] = now
    return True


def heartbeat_age() -> float | None:
    """Seconds since the newest worker heartbeat, or None if no worker has written one."""
    value = cache.get(HEARTBEAT_KEY)
    if not isinstance(value, dict) or "at" not in value:
        return None
    return max(0.0, time.time() - float(value["at"]))


@functools.cache
def _migrations_on_disk() -> tuple[frozenset[tuple[str, str]], dict[tuple[str, str], tuple]]:
    """Every migration this code has (squashed ones in place of what they replace), and what
    each squashed one replaces: read from disk once per process."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    nodes = frozenset(loader.graph.nodes)
    replaces = {
        key: tuple(migration.replaces)
        for key, migration in loader.disk_migrations.items()
        if key in nodes and migration.replaces
    }
    return nodes, replaces


def unapplied_migrations() -> list[str]:
    """`app.name` of each migration on disk that the database has not recorded as applied."""
    nodes, replaces = _migrations_on_disk()
    recorder = MigrationRecorder(connection)
    applied = set(recorder.migration_qs.values_list("app", "name"))
    missing = [
        key
        for key in nodes
        if key not in applied and not (key in replaces and set(replaces[key]) <= applied)
    ]
    return sorted(f"{app}.{name}" for app, name in missing)


def oldest_due_message(now: datetime) -> datetime | None:
    """When the longest-waiting due outbox message became due (None: nothing is waiting)."""
    S = OutboxMessage.Status
    due = OutboxMessage.objects.filter(
        Q(status=S.QUEUED) | Q(status=S.SENDING, locked_until__lt=now),
        next_attempt_at__lte=now,
    )
    return due.aggregate(oldest=Min("next_attempt_at"))["oldest"]


@dataclass
class Check:
    ok: bool
    details: dict[str, object] = field(default_factory=dict)
    error: str = ""

    def as_dict(self, took: float) -> dict[str, object]:
        answer: dict[str, object] = {"ok": self.ok, **self.details}
        if self.error:
            answer["error"] = self.error
        answer["ms"] = round(took * 1000, 1)
        return answer


def check_database() -> Check:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return Check(True, {"vendor": connection.vendor})


def check_cache() -> Check:
    backend = type(caches["default"]).__name__
    key = f"openpo:healthz:{socket.gethostname()}:{os.getpid()}"
    token = str(time.time_ns())
    cache.set(key, token, 60)
    if cache.get(key) != token:
        return Check(
            False, {"backend": backend}, "the cache did not give back the value written to it"
        )
    return Check(True, {"backend": backend})


def check_migrations() -> Check:
    missing = unapplied_migrations()
    if missing:
        shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
        return Check(
            False,
            {"unapplied": len(missing)},
            f"{len(missing)} migration(s) not applied: {shown} (run `openpo migrate`)",
        )
    return Check(True, {"unapplied": 0})


def check_worker() -> Check:
    limit = settings.HEALTH_HEARTBEAT_MAX_AGE
    age = heartbeat_age()
    details: dict[str, object] = {
        "age_seconds": None if age is None else round(age, 1),
        "max_age_seconds": limit,
    }
    if not limit:
        return Check(True, {**details, "checked": False})
    if age is None:
        return Check(False, details, "no worker has reported; is `openpo worker` running?")
    if age > limit:
        return Check(
            False, details, f"the newest worker heartbeat is {age:.0f} s old (limit {limit} s)"
        )
    return Check(True, details)


def check_outbox() -> Check:
    limit = settings.HEALTH_OUTBOX_MAX_AGE
    now = timezone.now()
    oldest = oldest_due_message(now)
    age = (now - oldest).total_seconds() if oldest else 0.0
    details: dict[str, object] = {"oldest_due_seconds": round(age, 1), "max_age_seconds": limit}
    if limit and age > limit:
        return Check(
            False,
            details,
            f"a due message has waited {age:.0f} s to be sent (limit {limit} s)",
        )
    return Check(True, {**details, "checked": bool(limit)})


RUNNERS: dict[str, Callable[[], Check]] = {
    "database": check_database,
    "cache": check_cache,
    "migrations": check_migrations,
    "worker": check_worker,
    "outbox": check_outbox,
}
NEEDS_DATABASE = {"migrations", "outbox"}


def _cache_is_the_database() -> bool:
    return isinstance(caches["default"], DatabaseCache)


def run_checks(names: list[str]) -> dict[str, dict[str, object]]:
    """Each named check's answer. With the database unreachable, what needs it is not asked
    (each would wait for its own connect timeout) and fails for that reason."""
    results: dict[str, dict[str, object]] = {}
    database_down = False
    for name in names:
        if database_down and (
            name in NEEDS_DATABASE or (name in {"worker", "cache"} and _cache_is_the_database())
        ):
            results[name] = {"ok": False, "error": "not checked: the database is unreachable"}
            continue
        started = time.perf_counter()
        try:
            check = RUNNERS[name]()
        except DatabaseError as exc:
            log.warning("health check %s failed: %s: %s", name, type(exc).__name__, exc)
            if name == "database":
                database_down = True
            what = "the database is unreachable" if name == "database" else "a query failed"
            check = Check(False, error=f"{what} ({type(exc).__name__})")
        except Exception as exc:  # a broken cache server, say: the answer says which check
            log.exception("health check %s failed", name)
            check = Check(False, error=f"the check failed ({type(exc).__name__})")
        results[name] = check.as_dict(time.perf_counter() - started)
    return results


def healthz(request: HttpRequest) -> HttpResponse:
    """GET /healthz[?check=a,b]: 200 when every check passed, else 503."""
    if request.method not in ("GET", "HEAD"):
        response = JsonResponse({"status": "fail", "error": "GET or HEAD only"}, status=405)
        response["Allow"] = "GET, HEAD"
        return response
    asked = [
        name.strip()
        for value in request.GET.getlist("check")
        for name in value.split(",")
        if name.strip()
    ]
    unknown = sorted(set(asked) - set(CHECKS))
    if unknown:
        response = JsonResponse(
            {
                "status": "fail",
                "error": f"unknown check(s): {', '.join(unknown)}",
                "checks_known": list(CHECKS),
            },
            status=400,
        )
    else:
        names = [name for name in CHECKS if name in asked] if asked else list(CHECKS)
        checks = run_checks(names)
        failing = [name for name, result in checks.items() if not result["ok"]]
        body: dict[str, object] = {"status": "fail" if failing else "ok"}
        if failing:
            body["failing"] = failing
        body["checks"] = checks
        response = JsonResponse(body, status=503 if failing else 200)
    add_never_cache_headers(response)  # Cache-Control: no-store (and friends)
    return response


class OpsEndpointsMiddleware:
    """Answers /healthz and /metrics before the Host header is checked (a load balancer and
    Prometheus ask by the server's address, not the site's name) and before the HTTPS
    redirect. Every other request passes on unchanged."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path == "/healthz":
            request.metrics_view = "healthz"
            return healthz(request)
        if path == "/metrics":
            from openpo.ops.metrics import metrics_view

            request.metrics_view = "metrics"
            return metrics_view(request)
        return self.get_response(request)
