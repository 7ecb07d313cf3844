"""Uploads bounded while they stream in, before they cost disk, memory or time.

Two guards, one for every request and one for each view that takes files:

- `UploadSizeMiddleware` answers 413 to a request whose Content-Length is over
  `MAX_REQUEST_BYTES` before anything reads its body. Django never reads more of a body than its
  Content-Length says, so no request of any view costs more than that. (gunicorn then closes the
  connection rather than read the rest.)
- `limit_upload(max_file_bytes)` on a view that takes files puts `LimitedUploadHandler` first
  among the request's upload handlers. Once a file passes `max_file_bytes`, Django skips the
  rest of it (read off the connection, never written anywhere) and the form receives a
  `RefusedUpload`: the file's name and the bytes seen before it was cut, with no content. The
  service's own size check then refuses it with its usual "too large" message, so the buyer or
  seller sees the form again with every other field as they typed it.

Upload handlers can only change before the body is parsed, and CsrfViewMiddleware parses it to
find the token before any view runs. So, as Django's documentation shows ("Modifying upload
handlers on the fly"), the view is csrf_exempt for the middleware and checked by csrf_protect
inside, once the handler is in place.
"""

import contextlib
import functools
import io
from collections.abc import Callable

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, HttpResponse, JsonResponse, UnreadablePostError
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

View = Callable[..., HttpResponse]

# No form of OpenPO takes more than one file of at most 5 MB with its fields.
MAX_REQUEST_BYTES = 10 * 1024 * 1024


class RefusedUpload(UploadedFile):
    """A file cut off while it streamed in: its name and `size` (the bytes received before it
    was refused, so more than the limit), no content."""

    def __init__(self, *, name: str, content_type: str, size: int) -> None:
        super().__init__(io.BytesIO(), name, content_type, size)


class LimitedUploadHandler(FileUploadHandler):
    """Skips each file of the request past `max_file_bytes` and keeps a `RefusedUpload` for it;
    files within the limit go on to Django's usual handlers."""

    def __init__(self, request: HttpRequest, max_file_bytes: int) -> None:
        super().__init__(request)
        self.max_file_bytes = max_file_bytes
        self.refused: list[tuple[str, RefusedUpload]] = []

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        received = start + len(raw_data)
        if received > self.max_file_bytes:
            marker = RefusedUpload(
                name=self.file_name or "", content_type=self.content_type or "", size=received
            )
            self.refused.append((self.field_name, marker))
            # Django closes (and so deletes) what the other handlers kept of this file and reads
            # the rest of it without keeping it.
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler builds the uploaded file


def limit_upload(max_file_bytes: int) -> Callable[[View], View]:
    """Decorate a view that takes files: each file over `max_file_bytes` stops being received
    at that size and reaches the form as a `RefusedUpload`.

    Put it right above the function, under the access checks (`@shop_member_required`,
    `@rate_limit`, ...), so that a refused visitor's body is never parsed. Its csrf_exempt mark
    reaches CsrfViewMiddleware through the outer decorators' functools.wraps; none of them may
    read request.POST or request.FILES, or the handler would come too late."""

    def decorator(view: View) -> View:
        protected = csrf_protect(view)

        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            handler = LimitedUploadHandler(request, max_file_bytes)
            request.upload_handlers.insert(0, handler)
            # Parse now, with the handler in place, to hand the refused files to the form. A
            # body that cannot be read is left for csrf_protect to refuse, as the middleware
            # would have.
            with contextlib.suppress(UnreadablePostError):
                files = request.FILES
                for field_name, marker in handler.refused:
                    files.appendlist(field_name, marker)
            return protected(request, *args, **kwargs)

        return csrf_exempt(wrapper)

    return decorator


class UploadSizeMiddleware:
    """Refuses (413) a request whose body is over MAX_REQUEST_BYTES, without reading it."""

    def __init__(self, get_response: View) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body it cannot measure
        if length > MAX_REQUEST_BYTES:
            return request_too_large_response(request)
        return self.get_response(request)


def request_too_large_response(request: HttpRequest) -> HttpResponse:
    """413: JSON for the API, else a page that says the limit and leads back."""
    limit = MAX_REQUEST_BYTES // (1024 * 1024)
    message = _(
        "The file is too large: at most %(limit)s MB. Nothing was saved; choose a smaller file."
    ) % {"limit": limit}
    if request.path_info.startswith("/api/"):
        body = {"code": "request_too_large", "message": message, "fields": {}}
        return JsonResponse(body, status=413)
    context = {"message": message, "back_url": _same_site_referer(request)}
    return render(request, "core/upload_too_large.html", context, status=413)


def _same_site_referer(request: HttpRequest) -> str | None:
    referer = request.headers.get("Referer", "")
    safe = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return referer if referer and safe else None
