"""Seller pages: the shop's POs with live counters, one PO's overview, switching shops."""

from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from openpo.catalog.models import Campaign, Membership
from openpo.dashboard.access import SESSION_KEY, get_shop_object, shop_member_required
from openpo.orders.models import Order

LIVE = Q(orders__status=Order.Status.ACTIVE)


@require_GET
@shop_member_required
def index(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    campaigns = (
        Campaign.objects.filter(shop=request.shop)
        .annotate(
            live_orders=Count("orders", filter=LIVE),
            due=Sum("orders__total", filter=LIVE),
            paid=Sum("orders__amount_paid", filter=LIVE),
        )
        .order_by("-opens_at")
    )
    rows = [(c, c.phase(now)) for c in campaigns]
    memberships = Membership.objects.filter(user=request.user).select_related("shop")
    return render(
        request,
        "dashboard/index.html",
        {"shop": request.shop, "campaigns": rows, "memberships": memberships},
    )


@require_GET
@shop_member_required
def campaign_overview(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_shop_object(request, Campaign, pk=campaign_id)
    variants = campaign.variants.select_related("product").order_by(
        "product__position", "position", "id"
    )
    orders = campaign.orders.filter(status=Order.Status.ACTIVE)
    totals = orders.aggregate(count=Count("id"), due=Sum("total"), paid=Sum("amount_paid"))
    return render(
        request,
        "dashboard/campaign.html",
        {
            "shop": request.shop,
            "campaign": campaign,
            "phase": campaign.phase(timezone.now()),
            "variants": variants,
            "totals": totals,
            "recent_orders": orders.order_by("-created_at")[:20],
        },
    )


@require_POST
@shop_member_required
def switch_shop(request: HttpRequest, shop_slug: str) -> HttpResponse:
    membership = get_object_or_404(Membership, user=request.user, shop__slug=shop_slug)
    request.session[SESSION_KEY] = membership.shop_id
    return redirect("dashboard:index")
