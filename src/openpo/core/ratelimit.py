"""Per-client rate limits kept in Django's cache, and the friendly page shown past the limit.

A sliding window: a client gets `limit` hits per scope ("order", ...) in any `window`
seconds. Hits are counted per fixed window, under a cache key named for the scope, the client
and the window's start, in the `default` cache, so every process that shares that cache
shares the count; the previous window's count is carried into the current one, weighted by
how much of it still lies within the last `window` seconds. A plain fixed window would let
through twice the limit around a boundary (two hits at 11:59:59, two more at 12:00:00, with
a limit of 2 a minute); the carried count closes that, and it needs only two counters.

How the counter is kept exact depends on the backend:
- Redis, memcached, LocMem: `cache.add(key, 1)` then `cache.incr(key)`, both atomic in the
  cache server (LocMem only within one process, so it is for tests and `runserver`).
- DatabaseCache: Django's `incr` is a read then a write, so two parallel hits would both read
  4 and write 5, and every set counts the whole cache table. The counts live in a table of
  their own instead (`openpo_ratelimit`), one upsert per hit or attempt (`take`), atomic on
  SQLite (the write lock) and PostgreSQL (ON CONFLICT's row lock).
- FileBasedCache: no such lock; parallel hits from one client are undercounted (measured: 8
  processes firing together got ~8 times the limit). Do not use it for rate limits.
A hit past the limit is answered from a read, without writing: a flood costs reads only.

If the cache fails (Redis down, cache table missing) the hit is allowed and the error
logged: a broken limiter must not stop every buyer from ordering.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import ipaddress
import logging
import math
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.db import DatabaseCache
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from openpo.core.client_ip import client_ip
from openpo.core.errors import DomainError

logger = logging.getLogger(__name__)

CACHE_ALIAS = "default"
KEY_PREFIX = "ratelimit"

View = Callable[..., HttpResponse]


class RateLimited(DomainError):
    code = "rate_limited"
    http_status = 429
    default_message = _("Too many tries. Please wait a minute and try again.")


@dataclass(frozen=True)
class RateLimitResult:
    allowed: bool
    remaining: int  # hits left in this window after this one
    retry_after: int  # whole seconds until the window ends and the count starts again


def hit(
    scope: str, key: str, *, limit: int, window: int, now: float | None = None
) -> RateLimitResult:
    """Count one hit for `key` in `scope`; allowed while the last `window` seconds hold at
    most `limit` hits (this window's count plus the previous one's, weighted)."""
    if limit < 1 or window < 1:
        raise ValueError(f"rate limit needs limit >= 1 and window >= 1, not {limit}/{window}")
    now = time.time() if now is None else now
    window_start = int(now // window) * window
    # Hashed: any string can be a key (memcached refuses spaces and long keys), and the
    # cache does not keep a readable list of who visited.
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"{KEY_PREFIX}:{scope}:{window}:{window_start}:{digest}"
    previous_key = f"{KEY_PREFIX}:{scope}:{window}:{window_start - window}:{digest}"
    try:
        cache = caches[CACHE_ALIAS]
        if isinstance(cache, DatabaseCache):
            return _hit_in_database(
                router.db_for_write(cache.cache_model_class),
                f"{scope}:{window}:{digest}",
                limit=limit,
                window=window,
                now=now,
            )
        previous = cache.get(previous_key) or 0
        carried = previous * (window_start + window - now) / window
        room = math.floor(limit - carried)  # hits this window may still hold
        # Kept for two windows: the next window carries this one's count.
        count = _count(cache_key, limit=room, timeout=math.ceil(window_start + 2 * window - now))
    except Exception:
        logger.exception("rate limit %r not checked: the cache failed", scope)
        return RateLimitResult(allowed=True, remaining=limit, retry_after=1)
    allowed = count <= room
    written = count if allowed else count - 1
    return RateLimitResult(
        allowed=allowed,
        remaining=max(0, room - count),
        retry_after=_seconds_until_room(now, window_start, window, limit, previous, written),
    )


COUNTERS_TABLE = "openpo_ratelimit"


def create_counters_table(database: str) -> None:
    """The database cache's counters live in a table of their own beside the cache's, made
    with it after `migrate` (core/apps.py). Without it hits are let through and logged."""
    connection = connections[database]
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {COUNTERS_TABLE} ("
            "counter_key varchar(120) NOT NULL PRIMARY KEY, window_start bigint NOT NULL, "
            "hits integer NOT NULL, previous integer NOT NULL, allowed smallint NOT NULL, "
            "expires_at double precision NOT NULL)"
        )


# One statement that counts the hit, or not: this window's count (`hits`) and the previous
# window's (`previous`) in one row per client and scope. A row of an older window starts
# again; a row of the window before carries its count into `previous`. The hit is counted
# (and `allowed` set) only if this window's count plus the previous one's, weighted by how
# much of it lies within the last `window` seconds, stays within the limit. Every right-hand
# side reads the row as it was before the statement, on SQLite and PostgreSQL alike.
_COUNT_HIT = f"""
INSERT INTO {COUNTERS_TABLE} AS c (counter_key, window_start, hits, previous, allowed, expires_at)
VALUES (%s, %s, 1, 0, 1, %s)
ON CONFLICT (counter_key) DO UPDATE SET
  hits = CASE
    WHEN c.window_start = excluded.window_start
      THEN c.hits + (CASE WHEN c.hits + 1 + c.previous * %s <= %s THEN 1 ELSE 0 END)
    WHEN c.window_start = excluded.window_start - %s
      THEN (CASE WHEN 1 + c.hits * %s <= %s THEN 1 ELSE 0 END)
    ELSE 1 END,
  previous = CASE
    WHEN c.window_start = excluded.window_start THEN c.previous
    WHEN c.window_start = excluded.window_start - %s THEN c.hits
    ELSE 0 END,
  allowed = CASE
    WHEN c.window_start = excluded.window_start
      THEN (CASE WHEN c.hits + 1 + c.previous * %s <= %s THEN 1 ELSE 0 END)
    WHEN c.window_start = excluded.window_start - %s
      THEN (CASE WHEN 1 + c.hits * %s <= %s THEN 1 ELSE 0 END)
    ELSE 1 END,
  window_start = excluded.window_start,
  expires_at = excluded.expires_at
RETURNING hits, previous, allowed
"""
# Now and then a hit clears the rows of clients gone quiet for two windows.
SWEEP_EVERY = 1000


def _hit_in_database(
    database: str, counter_key: str, *, limit: int, window: int, now: float
) -> RateLimitResult:
    """`hit` on the database cache: one upsert, atomic on SQLite (the write lock) and on
    PostgreSQL (the row lock of ON CONFLICT DO UPDATE); a refused hit changes no count."""
    window_start = int(now // window) * window
    weight = (window_start + window - now) / window
    params = [counter_key, window_start, window_start + 2 * window]
    params += [weight, limit, window, weight, limit, window, weight, limit, window, weight, limit]
    with connections[database].cursor() as cursor:
        cursor.execute(_COUNT_HIT, params)
        hits, previous, allowed = cursor.fetchone()
        if secrets.randbelow(SWEEP_EVERY) == 0:
            cursor.execute(f"DELETE FROM {COUNTERS_TABLE} WHERE expires_at < %s", [now])
    room = math.floor(limit - previous * weight)
    return RateLimitResult(
        allowed=bool(allowed),
        remaining=max(0, room - hits),
        retry_after=_seconds_until_room(now, window_start, window, limit, previous, hits),
    )


def _seconds_until_room(
    now: float, window_start: int, window: int, limit: int, previous: int, written: int
) -> int:
    """Whole seconds until one more hit would be allowed (at least 1)."""
    if written < limit:
        # Within this window, once the previous window's weight has fallen far enough.
        spare = limit - written - 1
        at = window_start + (window * (1 - spare / previous) if previous > spare else 0)
    else:
        # In the next window, once this window's weight has fallen far enough.
        at = window_start + window + window * (1 - (limit - 1) / written)
    return max(1, math.ceil(at - now))


def take(scope: str, key: str, *, limit: int, timeout: int) -> bool:
    """Reserve one of `limit` attempts of `key` in `scope` before the attempt is made (a
    password checked, say), counted atomically as above; the count lasts `timeout` seconds
    from its first attempt. False when none is left: then do not make the attempt."""
    cache = caches[CACHE_ALIAS]
    if isinstance(cache, DatabaseCache):
        database = router.db_for_write(cache.cache_model_class)
        params = {
            "key": _counter_key(scope, key),
            "now": time.time(),
            "limit": limit,
            "timeout": timeout,
        }
        with connections[database].cursor() as cursor:
            cursor.execute(_TAKE, params)
            return bool(cursor.fetchone()[0])
    return _count(_counter_key(scope, key), limit=limit, timeout=timeout) <= limit


def give_back(scope: str, key: str, *, timeout: int, forget: bool = False) -> None:
    """Return an attempt that `take` reserved (it went well), or `forget` the whole count;
    `timeout` is `take`'s, for caches that can only write a count with its expiry."""
    cache = caches[CACHE_ALIAS]
    cache_key = _counter_key(scope, key)
    try:
        if isinstance(cache, DatabaseCache):
            database = router.db_for_write(cache.cache_model_class)
            with connections[database].cursor() as cursor:
                if forget:
                    cursor.execute(
                        f"DELETE FROM {COUNTERS_TABLE} WHERE counter_key = %s", [cache_key]
                    )
                else:
                    cursor.execute(_GIVE_BACK, [cache_key, time.time()])
        elif forget:
            cache.delete(cache_key)
        elif type(cache).incr is not BaseCache.incr:
            with contextlib.suppress(ValueError):  # already expired: nothing to give back
                cache.decr(cache_key)
        elif count := cache.get(cache_key):
            cache.set(cache_key, count - 1, timeout)  # FileBasedCache: may miscount
    except Exception:
        logger.exception("rate limit %r: an attempt was not given back", scope)


# `take` on the database cache, in the same table: `window_start` is the first attempt's
# time, `expires_at` when the count starts again; an attempt is counted only while one is left.
_TAKE = f"""
INSERT INTO {COUNTERS_TABLE} AS c (counter_key, window_start, hits, previous, allowed, expires_at)
VALUES (%(key)s, %(now)s, 1, 0, CASE WHEN %(limit)s >= 1 THEN 1 ELSE 0 END, %(now)s + %(timeout)s)
ON CONFLICT (counter_key) DO UPDATE SET
  hits = CASE
    WHEN c.expires_at <= excluded.window_start THEN 1
    WHEN c.hits < %(limit)s THEN c.hits + 1
    ELSE c.hits END,
  allowed = CASE
    WHEN c.expires_at <= excluded.window_start THEN excluded.allowed
    WHEN c.hits < %(limit)s THEN 1
    ELSE 0 END,
  window_start = CASE
    WHEN c.expires_at <= excluded.window_start THEN excluded.window_start
    ELSE c.window_start END,
  expires_at = CASE
    WHEN c.expires_at <= excluded.window_start THEN excluded.expires_at
    ELSE c.expires_at END
RETURNING allowed
"""
_GIVE_BACK = f"""
UPDATE {COUNTERS_TABLE} SET hits = hits - 1
WHERE counter_key = %s AND hits > 0 AND expires_at > %s
"""


def _counter_key(scope: str, key: str) -> str:
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"{KEY_PREFIX}:{scope}:{digest}"


def _count(cache_key: str, *, limit: int, timeout: int) -> int:
    """This window's count including this hit; a hit past the limit is not written."""
    cache = caches[CACHE_ALIAS]
    count = cache.get(cache_key)
    if limit < 1 or (count is not None and count >= limit):
        # Refused with a read only: a flood from one client writes nothing (on SQLite,
        # writes queue for the same lock as the buyers' orders).
        return (count or 0) + 1
    if type(cache).incr is not BaseCache.incr:
        return _add_or_incr(cache, cache_key, timeout=timeout)  # atomic: Redis, memcached, LocMem
    return _get_and_set(cache, cache_key, timeout=timeout)  # FileBasedCache: may undercount


def _add_or_incr(cache: BaseCache, cache_key: str, *, timeout: int) -> int:
    if cache.add(cache_key, 1, timeout):
        return 1
    try:
        return cache.incr(cache_key)
    except ValueError:  # the key expired since add: this is a new window's first hit
        cache.set(cache_key, 1, timeout)
        return 1


def _get_and_set(cache: BaseCache, cache_key: str, *, timeout: int) -> int:
    # Not BaseCache.incr: it is the same get and set, but the set resets the key's expiry to
    # the cache's default TIMEOUT, which would end a window longer than that early.
    count = cache.get(cache_key, 0) + 1
    cache.set(cache_key, count, timeout)
    return count


def rate_limit(
    scope: str,
    *,
    limit: int | None = None,
    window: int | None = None,
    methods: Iterable[str] = ("POST",),
) -> Callable[[View], View]:
    """Limit a function view per client address; past the limit answer 429 with Retry-After.

    Without `limit` and `window`, the numbers come from `settings.RATE_LIMITS[scope]`
    (`(limit, window)`, or None for no limit), read at each request. Only requests whose
    method is in `methods` are counted and refused.
    """
    if (limit is None) != (window is None):
        raise TypeError("rate_limit() takes both limit and window, or neither")
    counted = frozenset(method.upper() for method in methods)

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in counted:
                return view(request, *args, **kwargs)
            numbers = _configured(scope) if limit is None else (limit, window)
            if numbers is None:
                return view(request, *args, **kwargs)
            key = rate_limit_key(client_ip(request))
            result = hit(scope, key, limit=numbers[0], window=numbers[1])
            if not result.allowed:
                return rate_limited_response(request, retry_after=result.retry_after)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _configured(scope: str) -> tuple[int, int] | None:
    limits = getattr(settings, "RATE_LIMITS", {})
    if scope not in limits:
        raise ImproperlyConfigured(f"No rate limit for scope {scope!r} in settings.RATE_LIMITS.")
    return limits[scope]


def rate_limit_key(ip: str) -> str:
    """Whom to count: the address, but for IPv6 its /64, which one subscriber gets whole."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def rate_limited_response(request: HttpRequest, *, retry_after: int) -> HttpResponse:
    """429 with Retry-After: JSON for API clients, else the friendly page."""
    error = RateLimited()
    if _wants_json(request):
        response: HttpResponse = JsonResponse(error.as_dict(), status=error.http_status)
    else:
        context = {
            "message": error.message,
            "retry_after": retry_after,
            "retry_after_minutes": math.ceil(retry_after / 60),
            "back_url": _same_site_referer(request),
        }
        response = render(request, "core/rate_limited.html", context, status=error.http_status)
    response["Retry-After"] = str(retry_after)
    return response


def _wants_json(request: HttpRequest) -> bool:
    if request.path_info.startswith("/api/"):
        return True
    # Browsers send */* among their types; only a client that prefers JSON gets JSON.
    preferred = request.get_preferred_type(["text/html", "application/json"])
    return preferred == "application/json"


def _same_site_referer(request: HttpRequest) -> str | None:
    referer = request.headers.get("Referer", "")
    safe = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return referer if referer and safe else None
