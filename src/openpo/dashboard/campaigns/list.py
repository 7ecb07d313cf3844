"""Seller pages: the shop's POs with their counters, one PO's overview, switching shops.

The overview's counters, live refresh and lifecycle steps live in `campaigns.overview`.
"""

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from openpo.catalog.models import Campaign, Membership
from openpo.dashboard.access import SESSION_KEY, get_shop_object, shop_member_required
from openpo.dashboard.campaigns.overview import AFTER_CLOSE, live_context
from openpo.dashboard.money.verification import claimed_payments
from openpo.fulfillment.services.reconfirmation import open_counts
from openpo.fulfillment.services.shipping import to_ship_count
from openpo.orders.models import Order
from openpo.payments.balances import Balance, balance_by_campaign, campaign_goes_ahead

LIVE = Q(orders__status=Order.Status.ACTIVE)


@require_GET
@shop_member_required
def index(request: HttpRequest) -> HttpResponse:
    """The shop's POs, newest first, each with its phase, dates, orders, units and money
    (paid of due while it goes ahead; to refund and refunded once it failed or was cancelled)."""
    now = timezone.now()
    campaigns = (
        Campaign.objects.filter(shop=request.shop)
        .annotate(live_orders=Count("orders", filter=LIVE))
        .order_by("-opens_at", "-id")
    )
    balances = balance_by_campaign(Order.objects.filter(shop=request.shop))
    campaigns = list(campaigns)
    to_reconfirm = open_counts([c.pk for c in campaigns if c.status in AFTER_CLOSE], now=now)
    rows = []
    for campaign in campaigns:
        campaign.balance = balances.get(campaign.pk, Balance())
        campaign.goes_ahead = campaign_goes_ahead(campaign)
        campaign.to_ship = campaign.to_reconfirm = None
        if campaign.status in AFTER_CLOSE:
            # One count per PO in its second half: a shop has a handful of those at a time.
            campaign.to_ship = to_ship_count(campaign)
            campaign.to_reconfirm = to_reconfirm.get(campaign.pk, 0)
        rows.append((campaign, campaign.phase(now)))
    memberships = (
        Membership.objects.filter(user=request.user).select_related("shop").order_by("shop__name")
    )
    return render(
        request,
        "dashboard/index.html",
        {
            "shop": request.shop,
            "campaigns": rows,
            "memberships": memberships,
            "payments_waiting": claimed_payments(request.shop).count(),
            "dash_section": "pos",
        },
    )


@require_GET
@shop_member_required
def campaign_overview(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """One PO: live counters, latest orders, and the lifecycle steps allowed now."""
    campaign = get_shop_object(request, Campaign, pk=campaign_id)
    context = {**live_context(request, campaign), "dash_section": "pos"}
    return render(request, "dashboard/campaign.html", context)


@require_POST
@shop_member_required
def switch_shop(request: HttpRequest, shop_slug: str) -> HttpResponse:
    membership = get_object_or_404(Membership, user=request.user, shop__slug=shop_slug)
    request.session[SESSION_KEY] = membership.shop_id
    return redirect("dashboard:index")


urlpatterns = [
    path("", index, name="index"),
    path("po/<int:campaign_id>/", campaign_overview, name="campaign"),
    path("switch/<slug:shop_slug>/", switch_shop, name="switch_shop"),
]
