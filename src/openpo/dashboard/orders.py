"""Orders of a PO: the table (search, filters, sort, bulk actions, CSV/XLSX export), one
order's page, and orders entered by the seller.

Placeholder views: replaced by the real pages.
"""

from django.http import Http404
from django.urls import path

from openpo.catalog.models import Campaign
from openpo.dashboard.access import get_shop_object, shop_member_required
from openpo.orders.models import Order


@shop_member_required
def orders(request, **ids):
    get_shop_object(request, Campaign, pk=ids["campaign_id"])
    raise Http404("Not built yet")


@shop_member_required
def order(request, **ids):
    get_shop_object(request, Order, pk=ids["order_id"])
    raise Http404("Not built yet")


urlpatterns = [
    path("po/<int:campaign_id>/orders/", orders, name="orders"),
    path("orders/<int:order_id>/", order, name="order"),
]
