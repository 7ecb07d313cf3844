"""Serving a private file (a payment or refund proof) to members of its shop: images inline,
anything else as a download, never sniffed into HTML by the browser nor run as a page."""

from django.http import FileResponse


def private_file_response(handle, *, content_type: str, filename: str) -> FileResponse:
    """`handle` streamed with the headers every private file gets."""
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=not content_type.startswith("image/"),
        filename=filename,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
