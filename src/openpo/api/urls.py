"""The API under /api/v1/: OpenAPI document at /api/v1/openapi.json, docs at /api/v1/docs."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import ValidationError

from openpo.api.public import router as public_router

# Pydantic's messages for the common mistakes, in the reader's language.
MESSAGES = {
    "missing": gettext_lazy("This field is required."),
    "string_too_long": gettext_lazy("This is too long."),
    "int_parsing": gettext_lazy("Enter a whole number."),
    "int_type": gettext_lazy("Enter a whole number."),
    "string_type": gettext_lazy("Enter text."),
}

api = NinjaAPI(
    title="OpenPO API",
    version="1",
    description="Open PO campaigns: read a PO and place orders. Money in rupiah (integers).",
    urls_namespace="api-v1",
)
api.add_router("/public/", public_router)


@api.exception_handler(ValidationError)
def invalid_request(request, exc: ValidationError):
    """A body that does not match the schema: 422 in our error shape, naming the fields."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload")]
        message = MESSAGES.get(error.get("type", ""))
        errors.setdefault(".".join(location) or "body", []).append(
            str(message) if message else error.get("msg", "")
        )
    return api.create_response(
        request,
        {"code": "invalid", "message": _("Please correct the order."), "errors": errors},
        status=422,
    )
