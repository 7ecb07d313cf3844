"""Orders the seller enters by hand (taken by phone or in person): the buyer's details and a
quantity per variant, placed through `place_order` like every other order, with an
idempotency key in the form so a double submit makes one order.
"""

import secrets

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from openpo.catalog.models import Campaign
from openpo.core.errors import DomainError
from openpo.core.forms import add_domain_error
from openpo.dashboard.access import get_shop_object, shop_member_required
from openpo.dashboard.orders.forms import ManualOrderForm, posted_quantities
from openpo.orders.errors import IdempotencyMismatch
from openpo.orders.models import Order
from openpo.orders.services.placing import place_order


def _variant_rows(campaign: Campaign, quantities: dict[int, int]) -> list[dict]:
    variants = campaign.variants.filter(is_active=True).select_related("product")
    return [
        {
            "variant": variant,
            "quantity": quantities.get(variant.pk, 0),
            "price": variant.price_at(campaign, timezone.now()),
            "left": variant.units_left,
        }
        for variant in variants
    ]


@require_http_methods(["GET", "POST"])
@shop_member_required
def new_order(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_shop_object(request, Campaign, pk=campaign_id)
    quantities: dict[int, int] = {}
    item_errors: list[str] = []
    if request.method == "POST":
        form = ManualOrderForm(request.POST)
        quantities, item_errors = posted_quantities(request.POST)
        if form.is_valid() and not item_errors:
            try:
                order = place_order(
                    campaign=campaign,
                    buyer=form.buyer(),
                    items=quantities,
                    channel=Order.Channel.MANUAL,
                    idempotency_key=form.cleaned_data["idempotency_key"],
                    actor=request.user,
                )
            except IdempotencyMismatch:  # the form was sent, changed and sent again
                form.add_error(None, IdempotencyMismatch.form_resent)
            except DomainError as error:
                # Problems of the quantities show in the variant table, the rest on the form.
                item_errors = [str(m) for m in error.field_errors.pop("items", [])]
                if error.field_errors or not item_errors:
                    add_domain_error(form, error)
            else:
                messages.success(request, _("Order %(code)s saved.") % {"code": order.code})
                return redirect("dashboard:order", order.pk)
    else:
        form = ManualOrderForm(initial={"idempotency_key": secrets.token_urlsafe(24)})
    now = timezone.now()
    return render(
        request,
        "dashboard/orders/new.html",
        {
            "shop": request.shop,
            "campaign": campaign,
            "dash_section": "pos",
            "phase": campaign.phase(now),
            "is_open": campaign.is_open(now),
            "form": form,
            "rows": _variant_rows(campaign, quantities),
            "item_errors": item_errors,
        },
        status=422 if request.method == "POST" else 200,
    )


urlpatterns = [
    path("po/<int:campaign_id>/orders/new/", new_order, name="order_new"),
]
