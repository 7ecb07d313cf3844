"""Every refusal of the API in one shape: `{"code", "message", "errors"?}` (`ErrorOut`).

`code` is stable for programs, `message` is for people (in the request's language), and
`errors`, null unless fields are wrong, maps a field's path (`items.0.quantity`) to problems.
This module holds the codes, their messages, the JSON body parser and the handlers that
`urls.py` registers on the API, so no answer of ninja's own (`{"detail": ...}`, a text 405,
Django's HTML 404) reaches a client. REFUSALS lists the codes (the API's docs show it).

A wrong content type is a 415, not a 400: the body may be fine, it is only sent in a format
the API does not read (RFC 9110, 15.5.16).
"""

import contextlib
import functools
import json
import logging
from collections.abc import Callable, Mapping

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.urls import URLPattern
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from ninja.errors import HttpError, ValidationError
from ninja.parser import Parser

from openpo.core.errors import DomainError

REFUSALS = """\
| status | code | when |
|---|---|---|
| 400 | `malformed_json` | the body is not JSON |
| 400 | `bad_request` | the request could not be read otherwise |
| 401 | `unauthorized` | under /api/v1/shop/: no API token, or a wrong or revoked one |
| 404 | `not_found` | no such shop, PO or address (under /api/v1/shop/: none of the token's shop) |
| 405 | `method_not_allowed` | the address does not take this method (see `Allow`) |
| 409 | `closed`, `not_open`, `sold_out` | the PO does not take this order now |
| 413 | `content_too_large` | the body is larger than the server takes |
| 415 | `unsupported_media_type` | the body is not sent as `application/json` |
| 422 | `invalid` | the body is not an object, or fields are wrong (see `errors`) |
| 422 | `idempotency_mismatch` | the `Idempotency-Key` came with a different order before |
| 429 | `rate_limited` | too many requests; wait `Retry-After` seconds |
| 503 | `busy` | no transfer amount is free; try again in a few minutes |
| 503 | `unavailable` | the database is briefly down; retry after `Retry-After` s (same key) |
"""

PLEASE_CORRECT = gettext_lazy("Please correct the order.")

# Pydantic's error types, and ours (the `quantity_*` of schemas.ItemIn), in the reader's
# language. `%(name)s` is filled from the error's context.
FIELD_MESSAGES: Mapping[str, Promise] = {
    "missing": gettext_lazy("This field is required."),
    "string_too_long": gettext_lazy("This is too long."),
    "too_long": gettext_lazy("This list is too long (%(max_length)s at most)."),
    "int_parsing": gettext_lazy("Enter a whole number."),
    "int_type": gettext_lazy("Enter a whole number."),
    "string_type": gettext_lazy("Enter text."),
    "list_type": gettext_lazy("Send a list, [...]."),
    "model_type": gettext_lazy("Send an object, {...}."),
    "model_attributes_type": gettext_lazy("Send an object, {...}."),
    "dict_type": gettext_lazy("Send an object, {...}."),
    "year_out_of_range": gettext_lazy("Enter a date between the years 2000 and 2100."),
    "datetime_from_date_parsing": gettext_lazy(
        "Enter a time as 2026-08-01T19:00:00+07:00 (ISO 8601)."
    ),
    "datetime_parsing": gettext_lazy("Enter a time as 2026-08-01T19:00:00+07:00 (ISO 8601)."),
    "datetime_type": gettext_lazy("Enter a time as 2026-08-01T19:00:00+07:00 (ISO 8601)."),
    "date_from_datetime_parsing": gettext_lazy("Enter a date as 2026-08-01."),
    "date_parsing": gettext_lazy("Enter a date as 2026-08-01."),
    "date_type": gettext_lazy("Enter a date as 2026-08-01."),
    "quantity_zero": gettext_lazy("Order at least 1."),
    "quantity_negative": gettext_lazy("A quantity cannot be negative; order at least 1."),
    "quantity_fraction": gettext_lazy("Enter a whole number of units, without a decimal point."),
    "quantity_quoted": gettext_lazy('Send the quantity as a number without quotes: 2, not "2".'),
    "quantity_text": gettext_lazy("Enter the quantity in digits, e.g. 2."),
    "quantity_boolean": gettext_lazy("Enter a number of units, not true or false."),
    "quantity_too_large": gettext_lazy("At most %(max)s units per line."),
}

# Refusals of ninja and Django that carry no code of their own, by HTTP status.
STATUS_CODES: Mapping[int, tuple[str, Promise]] = {
    400: ("bad_request", gettext_lazy("The request could not be read.")),
    401: ("unauthorized", gettext_lazy("Send a valid API token.")),
    403: ("forbidden", gettext_lazy("This token may not do that.")),
    404: ("not_found", gettext_lazy("Not found: check the shop and the PO in the address.")),
    429: ("rate_limited", gettext_lazy("Too many tries. Please wait a minute and try again.")),
}


def error_response(
    status: int, code: str, message: str | Promise, errors: dict[str, list[str]] | None = None
) -> JsonResponse:
    """The one shape of a refusal, as ErrorOut renders it: `errors` null without field errors."""
    return JsonResponse(
        {"code": code, "message": str(message), "errors": errors or None}, status=status
    )


class Refused(Exception):
    """A request the API refuses before any service sees it (raised by the body parser)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str | Promise,
        errors: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.status, self.code, self.message, self.errors = status, code, message, errors

    def response(self) -> JsonResponse:
        return error_response(self.status, self.code, self.message, self.errors)


class JsonObjectParser(Parser):
    """Reads a body only if it is a JSON object sent as `application/json`: form-encoded,
    text and multipart bodies are 415, broken JSON is 400, a list or a string is 422. No body
    at all reads as `{}`, so a step that takes an optional body can be posted without one."""

    def parse_body(self, request: HttpRequest) -> dict:
        if not request.body:
            return {}  # nothing sent (`curl -X POST`): the schema says what was needed
        if request.content_type != "application/json":
            raise Refused(
                415,
                "unsupported_media_type",
                _("Send the body as JSON with the header Content-Type: application/json."),
            )
        try:
            data = json.loads(request.body)
        except (ValueError, RecursionError) as exc:  # RecursionError: [[[[... nested too deep
            raise Refused(400, "malformed_json", _("The body is not valid JSON.")) from exc
        if not isinstance(data, dict):
            raise Refused(
                422, "invalid", PLEASE_CORRECT, {"body": [_("Send a JSON object, {...}.")]}
            )
        return data


def domain_refusal(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """A service's refusal, at the status its class names: `invalid` (422) with the fields."""
    if exc.field_errors:
        return error_response(422, "invalid", exc.message, exc.as_dict()["errors"])
    return error_response(exc.http_status, exc.code, exc.message)


def refused(request: HttpRequest, exc: Refused) -> HttpResponse:
    return exc.response()


def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """ninja's HttpError and its kin (AuthenticationError, Throttled, ...) in our shape.
    ninja wraps whatever the body parser raised in HttpError(400, "Cannot parse request
    body"); the parser's own refusal is its cause."""
    if isinstance(exc.__cause__, Refused):
        return exc.__cause__.response()
    code, message = STATUS_CODES.get(exc.status_code, ("error", exc.message))
    return error_response(exc.status_code, code, message)


def not_found(request: HttpRequest, exc: Exception | None = None) -> HttpResponse:
    return error_response(404, *STATUS_CODES[404])


def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    _log_suspicious(exc)
    return error_response(
        413,
        "content_too_large",
        _("The request is too large: %(limit)s bytes at most.")
        % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE},
    )


def suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    """Django answers these 400 and logs them to django.security; so do we, in our shape."""
    _log_suspicious(exc)
    return error_response(400, *STATUS_CODES[400])


def _log_suspicious(exc: SuspiciousOperation) -> None:
    logging.getLogger(f"django.security.{exc.__class__.__name__}").error(str(exc))


def invalid_request(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A body that does not match the schema: 422 naming each field by its path."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload")]
        message = FIELD_MESSAGES.get(error.get("type", ""))
        text = str(message) if message is not None else error.get("msg", "")
        # A message without that placeholder, or pydantic's own text, stays as it is.
        with contextlib.suppress(KeyError, TypeError, ValueError):
            text %= error.get("ctx") or {}
        errors.setdefault(".".join(location) or "body", []).append(text)
    return error_response(422, "invalid", PLEASE_CORRECT, errors)


def in_shape(pattern: URLPattern) -> URLPattern:
    """The same URL, whose answers ninja gives outside its exception handlers (a 405 for a
    method the address does not take, the API root's 404) come in our shape too."""
    view = pattern.callback

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return not_found(request)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            response = error_response(
                405,
                "method_not_allowed",
                _("This address does not take %(method)s; it takes %(allowed)s.")
                % {"method": request.method, "allowed": allowed},
            )
            response["Allow"] = allowed
        return response

    wrapper.csrf_exempt = True  # as ninja's own views are
    return URLPattern(pattern.pattern, wrapper, pattern.default_args, pattern.name)


@csrf_exempt
def unknown_address(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """Any other address under the API's routers: 404 in our shape, not the HTML page."""
    return not_found(request)


HANDLERS: Mapping[type[Exception], Callable[..., HttpResponse]] = {
    Refused: refused,
    DomainError: domain_refusal,
    HttpError: http_error,
    Http404: not_found,
    RequestDataTooBig: too_large,
    SuspiciousOperation: suspicious,
    ValidationError: invalid_request,
}
