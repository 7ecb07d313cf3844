"""The site's "not found" page, which leads a visitor back to where they meant to go.

A mistyped PO link (`/<shop>/<mistyped-po>/`) leads to that shop's page, by the shop's name;
anything under /dashboard/ (where other shops' objects answer 404 too) back to the dashboard;
a broken order link (`/o/…`) says where the right one comes from; anything else leads home.
The page speaks the visitor's language (core.language has chosen it by then). The API keeps
its own JSON answer. The server error page is templates/500.html: static, no database.
"""

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.template import loader

from openpo.api.errors import not_found as api_not_found
from openpo.catalog.models import Shop
from openpo.catalog.services.shops import RESERVED_SHOP_SLUGS


def _shop_named_in(path: str) -> Shop | None:
    """The shop whose link starts `path`, if there is one."""
    first = path.strip("/").split("/", 1)[0]
    if not first or first in RESERVED_SHOP_SLUGS:
        return None
    try:
        return Shop.objects.only("slug", "name").filter(slug=first).first()
    except DatabaseError:  # a page about a missing page must not fail on the database
        return None


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: a page in the site's look that says what happened and leads back."""
    path = request.path_info
    if path.startswith("/api/"):
        return api_not_found(request)
    shop = None
    if path.startswith("/dashboard/"):
        where = "dashboard"
    elif path.startswith("/o/"):
        where = "order"
    elif shop := _shop_named_in(path):
        where = "shop"
    else:
        where = "home"
    body = loader.render_to_string("404.html", {"where": where, "shop": shop}, request)
    return HttpResponseNotFound(body)
