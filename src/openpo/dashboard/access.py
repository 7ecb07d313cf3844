"""The one way a seller view reaches data: through the current shop of the logged-in member.

`shop_member_required` resolves the member's current shop (the one chosen in the session, or
their only/first one) and puts it on `request.shop`; `get_shop_object` fetches an object of
that shop or answers 404, so another shop's ids look exactly like ids that do not exist.
"""

import functools
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from openpo.catalog.models import Membership, Shop

SESSION_KEY = "openpo_shop_id"

# How each model reaches its shop, for `get_shop_object`.
SHOP_PATHS: dict[str, str] = {
    "catalog.shop": "pk",
    "catalog.campaign": "shop",
    "catalog.product": "campaign__shop",
    "catalog.variant": "campaign__shop",
    "catalog.bankaccount": "shop",
    "catalog.invitation": "shop",
    "catalog.productphoto": "product__campaign__shop",
    "catalog.material": "variant__campaign__shop",
    "catalog.membership": "shop",
    "catalog.apitoken": "shop",
    "hooks.webhookendpoint": "shop",
    "orders.ordernote": "order__shop",
    "payments.payment": "shop",
    "payments.refund": "shop",
    "payments.paymentproof": "order__shop",
    "payments.expectedpayment": "shop",
    "payments.statementimport": "shop",
    "payments.statementline": "shop",
    "orders.order": "shop",
    "orders.customer": "shop",
    "fulfillment.productionstage": "campaign__shop",
    "fulfillment.productionupdate": "campaign__shop",
    "fulfillment.productionphoto": "update__campaign__shop",
    "fulfillment.shipment": "shop",
    "fulfillment.reconfirmation": "shop",
    "fulfillment.schedulechange": "campaign__shop",
    "fulfillment.testimonial": "shop",
}


def current_membership(request: HttpRequest) -> Membership | None:
    memberships = Membership.objects.filter(user=request.user).select_related("shop")
    chosen = request.session.get(SESSION_KEY)
    if chosen:
        membership = memberships.filter(shop_id=chosen).first()
        if membership:
            return membership
    return memberships.order_by("shop__name").first()


def shop_member_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log-in required, and a shop to work in: `request.shop` and `request.membership`."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        membership = current_membership(request)
        if membership is None:
            raise Http404("No shop")
        request.membership = membership
        request.shop = membership.shop
        return view(request, *args, **kwargs)

    return wrapper


def owner_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Like `shop_member_required`, for pages only the shop's owners may use (else 403)."""

    @shop_member_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.membership.role != Membership.Role.OWNER:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def get_shop_object(request: HttpRequest, model: type[Model], **lookup) -> Model:
    """The object of the current shop matching `lookup`, or 404 (also for other shops')."""
    path = SHOP_PATHS[model._meta.label_lower]
    shop: Shop = request.shop
    scope = {"pk": shop.pk} if path == "pk" else {path: shop}
    return get_object_or_404(model, **scope, **lookup)
