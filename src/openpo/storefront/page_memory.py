"""The campaign page as drawn in the last second, per process, with holes for what is a
request's own.

In a war PO thousands of buyers open the same page at once; drawing it reads the PO, its
products, photos, variants, stock and testimonials and renders a large template, which on a
2-core server is a few hundred pages a second at best, competing with the orders for CPU and
the database. Here the drawn page is kept `HOLD_SECONDS` (so the slots left it shows are never
more than that stale) and each request gets a copy with its own CSRF token, CSP nonce and
order-form idempotency key put into the holes. Not kept: a page with flash messages waiting
for the visitor, a page asked for with a query string or by HTMX (those are drawn afresh).
At most `MAX_PAGES` pages per process; past that the memory starts again.
"""

import uuid
from collections.abc import Callable

from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

from openpo.core.memory import ShortMemory

HOLD_SECONDS = 1.0
MAX_PAGES = 500
# Stand-ins for a request's own values in a kept page (never in a page as drawn).
CSRF_HOLE = "\x00csrf\x00"
NONCE_HOLE = "\x00nonce\x00"
KEY_HOLE = "\x00key\x00"

# key -> (status, body with holes, headers); forgotten when a seller saves something a page
# shows (storefront/apps.py).
pages = ShortMemory(HOLD_SECONDS, max_items=MAX_PAGES)


def _keepable(request: HttpRequest) -> bool:
    return (
        request.method == "GET"
        and not request.GET
        and not request.headers.get("HX-Request")
        and not len(get_messages(request))  # len() leaves the messages unread
    )


def remembered_page(
    request: HttpRequest,
    key: tuple,
    draw: Callable[[str, str], HttpResponse],
) -> HttpResponse:
    """The page for `key` (with the request's language, host and path added), drawn by
    `draw(csrf_token, idempotency_key)` at most once per `HOLD_SECONDS` in this process."""
    if not _keepable(request):
        return draw(get_token(request), uuid.uuid4().hex)
    key = (*key, get_language(), request.get_host(), request.scheme, request.path)
    token = get_token(request)
    nonce = str(getattr(request, "csp_nonce", ""))
    idempotency_key = uuid.uuid4().hex
    kept = pages.get(key)
    if kept is None:
        response = draw(token, idempotency_key)
        if response.status_code != 200 or response.streaming:
            return response
        body = response.content.decode()
        holes = [(token, CSRF_HOLE), (idempotency_key, KEY_HOLE)]
        if nonce:
            holes.append((nonce, NONCE_HOLE))
        for value, hole in holes:
            body = body.replace(value, hole)
        headers = {k: v for k, v in response.items() if k.lower() != "content-length"}
        pages.put(key, (response.status_code, body, headers))
        return response
    status, body, headers = kept
    body = body.replace(CSRF_HOLE, token).replace(KEY_HOLE, idempotency_key)
    body = body.replace(NONCE_HOLE, nonce)
    response = HttpResponse(body, status=status)
    for name, value in headers.items():
        response[name] = value
    return response
