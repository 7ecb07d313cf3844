"""The database gone for a moment (a restart, a failover, a connection refused or cut): every
request answers 503 Service Unavailable with `Retry-After`, never a traceback, and the next
request after the database is back is served as usual.

`DatabaseOutageMiddleware` turns a view's `OperationalError` or `InterfaceError` into that
answer: JSON in the API's one shape (`{"code": "unavailable", …}`) under /api/, else a static
page in the visitor's language (templates/503.html, which asks nothing of the database).
`server_error` is the site's handler500: an outage met outside a view (a middleware reading
the session, say) gets the same answer; any other error the usual 500 page.

Nothing is retried here: an order whose transaction failed was not placed, and the buyer's
form (or an API client's `Idempotency-Key`) makes sending it again safe. Django closes a
broken connection at the end of the request (CONN_HEALTH_CHECKS checks a kept one before its
next use), so the server recovers on its own.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

# Seconds a client is asked to wait: a PostgreSQL restart takes a few.
RETRY_AFTER_SECONDS = 5
OUTAGE_ERRORS = (OperationalError, InterfaceError)


def is_outage(error: BaseException | None) -> bool:
    """Did the database fail us (rather than our code)? psycopg's and SQLite's connection and
    lock errors, a statement cancelled by the statement timeout, all arrive as these."""
    return isinstance(error, OUTAGE_ERRORS)


def unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: JSON under /api/, else the static page."""
    if request.path_info.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {
                "code": "unavailable",
                "message": _(
                    "The service is briefly unavailable; try again in a few seconds "
                    "(the same Idempotency-Key makes retrying an order safe)."
                ),
                "errors": None,
            },
            status=503,
        )
    else:
        response = HttpResponse(loader.render_to_string("503.html", {}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


class DatabaseOutageMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_outage(exception):
            return None
        # One line, not a traceback per request: in an outage every request fails the same way.
        log.warning(
            "database unavailable, answered 503 to %s %s: %s: %s",
            request.method,
            request.path,
            type(exception).__name__,
            str(exception).strip().splitlines()[0] if str(exception).strip() else "",
        )
        return unavailable(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: Django calls it while handling the exception, so it is at hand."""
    if is_outage(sys.exc_info()[1]):
        return unavailable(request)
    return HttpResponse(loader.render_to_string("500.html", {}), status=500)
