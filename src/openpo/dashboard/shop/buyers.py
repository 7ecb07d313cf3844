"""A buyer's page: what the shop holds about one customer (their details, their orders, a
link to the messages they were sent) and, for owners, the way to erase their personal data
(`shop.erase`). Any member may read it, as they read the buyer on each order.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from openpo.catalog.models import Membership
from openpo.core.models import AuditEvent
from openpo.dashboard.access import get_shop_object, shop_member_required
from openpo.orders.models import Customer
from openpo.orders.services.erasure import is_erased

ORDERS_SHOWN = 200


@require_GET
@shop_member_required
def customer_page(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = get_shop_object(request, Customer, pk=customer_id)
    orders = customer.orders.select_related("campaign").order_by("-created_at", "-pk")
    erasure = (
        AuditEvent.objects.filter(
            action="customer.erased", subject_type="orders.customer", subject_id=str(customer.pk)
        )
        .select_related("actor")
        .first()
    )
    return render(
        request,
        "dashboard/shop/buyer.html",
        {
            "customer": customer,
            "orders": orders[:ORDERS_SHOWN],
            "order_count": orders.count(),
            "erased": is_erased(customer),
            "erasure": erasure,
            "is_owner": request.membership.role == Membership.Role.OWNER,
            "shop": request.shop,
            "dash_section": "pos",
        },
    )


urlpatterns = [path("customers/<int:customer_id>/", customer_page, name="customer")]
