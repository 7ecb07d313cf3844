"""Pages to print for shipping a PO, with print CSS (no PDF): shipping labels (sender, recipient,
full address, items, order code and its QR), packing slips, and the pick list (units per
variant). Each on A4 or on 100×150 mm thermal labels (`?size=thermal`), for the whole PO (the
orders to ship: paid and not shipped yet) or for the orders ticked (`?order=<id>&order=…`).

Printing 200 labels is one page load of a fixed number of queries (orders, their lines and
parcels prefetched); the QR codes are drawn inline as SVG.
"""

import segno
from django.db.models import Prefetch, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from openpo.catalog.models import Campaign
from openpo.core.qr import inline_svg
from openpo.dashboard.access import get_shop_object, shop_member_required
from openpo.fulfillment.couriers import courier_label
from openpo.fulfillment.models import Shipment
from openpo.fulfillment.services.shipping import PAID
from openpo.orders.models import Order, OrderLine

# More ids than this in one request are ignored (a PO's batch is at most a few hundred).
MAX_SELECTED = 2000
SIZES = ("a4", "thermal")


def _selected_orders(request: HttpRequest, campaign: Campaign) -> QuerySet[Order]:
    """The ticked orders of this PO and shop, or else the PO's orders to ship and packed."""
    orders = Order.objects.filter(shop=request.shop, campaign=campaign)
    ids = [int(v) for v in request.GET.getlist("order")[:MAX_SELECTED] if v.isdigit()]
    if ids:
        return orders.filter(pk__in=ids)
    return orders.filter(PAID & Q(fulfillment_status__in=["pending", "packed"]))


def _size(request: HttpRequest) -> str:
    size = request.GET.get("size", "a4")
    return size if size in SIZES else "a4"


def _with_details(orders: QuerySet[Order]) -> list[Order]:
    live = Shipment.objects.exclude(status=Shipment.Status.RETURNED).order_by("-created_at")
    rows = list(
        orders.select_related("customer")
        .prefetch_related("lines", Prefetch("shipments", queryset=live, to_attr="live_shipments"))
        .order_by("customer_id", "created_at", "pk")
    )
    for order in rows:
        shipment = order.live_shipments[0] if order.live_shipments else None
        order.parcel_courier = (
            courier_label(shipment.courier, shipment.courier_name) if shipment else ""
        )
        order.parcel_resi = shipment.tracking_number if shipment else ""
    return rows


def _size_query(request: HttpRequest, size: str) -> str:
    query = request.GET.copy()
    query["size"] = size
    return query.urlencode()


def _render(request: HttpRequest, campaign: Campaign, template: str, context: dict):
    return render(
        request,
        template,
        {
            "shop": request.shop,
            "campaign": campaign,
            "size": _size(request),
            "a4_query": _size_query(request, "a4"),
            "thermal_query": _size_query(request, "thermal"),
            "now": timezone.now(),
            **context,
        },
    )


@require_GET
@shop_member_required
def print_labels(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """One shipping label per order."""
    campaign = get_shop_object(request, Campaign, pk=campaign_id)
    orders = _with_details(_selected_orders(request, campaign))
    for order in orders:
        qr = segno.make_qr(order.code, error="m", boost_error=False)
        order.qr = inline_svg(qr, label=order.code, scale=2, css_class="label-qr")
    return _render(request, campaign, "dashboard/fulfillment/print_labels.html", {"orders": orders})


@require_GET
@shop_member_required
def print_slips(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """One packing slip per order: what goes in the parcel, to tick off while packing."""
    campaign = get_shop_object(request, Campaign, pk=campaign_id)
    orders = _with_details(_selected_orders(request, campaign))
    return _render(request, campaign, "dashboard/fulfillment/print_slips.html", {"orders": orders})


@require_GET
@shop_member_required
def print_picklist(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Units per variant to take from the stock for the chosen orders (or the whole PO's)."""
    campaign = get_shop_object(request, Campaign, pk=campaign_id)
    orders = _selected_orders(request, campaign)
    rows = list(
        OrderLine.objects.filter(order__in=orders)
        .values("product_name", "variant_label", "sku")
        .annotate(units=Sum("quantity"))
        .order_by("product_name", "variant_label", "sku")
    )
    return _render(
        request,
        campaign,
        "dashboard/fulfillment/print_picklist.html",
        {
            "rows": rows,
            "order_count": orders.count(),
            "units": sum(r["units"] for r in rows),
            "selected": bool(request.GET.getlist("order")),
        },
    )


urlpatterns = [
    path("po/<int:campaign_id>/print/labels/", print_labels, name="print_labels"),
    path("po/<int:campaign_id>/print/slips/", print_slips, name="print_slips"),
    path("po/<int:campaign_id>/print/picklist/", print_picklist, name="print_picklist"),
]
