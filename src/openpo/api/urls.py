"""The API under /api/v1/: OpenAPI document at /api/v1/openapi.json, docs at /api/v1/docs.
Public endpoints under public/, a shop's own (personal API token) under shop/.

Every refusal comes in one shape (`api.errors`): the handlers below replace ninja's own
`{"detail": ...}` answers, and the URL list answers a wrong method and an unknown address in
that shape too. The Midtrans notification (`api.midtrans`) is a plain Django view beside
ninja's routers, with Midtrans' answers rather than that shape.
"""

from django.urls import path, re_path
from ninja import NinjaAPI

from openpo.api import errors, midtrans, whatsapp
from openpo.api.public import router as public_router
from openpo.api.seller import router as seller_router

DESCRIPTION = (
    """Open PO campaigns: read a PO and place orders. Money in rupiah (integers).

Bodies are JSON objects sent with `Content-Type: application/json`. Every refusal answers
`{"code", "message", "errors"}`: `code` is stable, `message` is for people, and `errors`
(null unless the code is `invalid`) names each field by its path, e.g. `items.0.quantity`.

"""
    + errors.REFUSALS
)


# The routers' prefixes. The Midtrans notification has an address under /api/v1/ too (listed
# after ninja's in `urlpatterns`), so only these prefixes are all ninja's.
PUBLIC = "public/"
SELLER = "shop/"


class OpenPOApi(NinjaAPI):
    """NinjaAPI whose URL list gives our shape to what ninja answers outside its handlers."""

    @property
    def urls(self) -> tuple[list, str, str]:
        patterns, app_name, namespace = super().urls
        patterns = [errors.in_shape(pattern) for pattern in patterns]
        # Last, after every real path: any other address under a router's prefix.
        patterns.append(re_path(rf"^(?:{PUBLIC}|{SELLER})", errors.unknown_address))
        return patterns, app_name, namespace


api = OpenPOApi(
    title="OpenPO API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    parser=errors.JsonObjectParser(),
)
for exception, handler in errors.HANDLERS.items():
    api.add_exception_handler(exception, handler)
api.add_router(f"/{PUBLIC}", public_router)
api.add_router(f"/{SELLER}", seller_router)

# Mounted at /api/v1/ by the site's URL map.
urlpatterns = [
    path("", api.urls),
    path(
        "payments/midtrans/<slug:shop_slug>/notification",
        midtrans.midtrans_notification,
        name="midtrans_notification",
    ),
    path("whatsapp/<slug:shop_slug>/webhook", whatsapp.whatsapp_webhook, name="whatsapp_webhook"),
]
