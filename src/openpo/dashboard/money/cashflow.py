"""Cash-flow pages: one PO's and the whole shop's money collected (and before production
started), outstanding and refunded, with a bar per day and the daily series as CSV.

The numbers are `payments.cashflow`'s; this module only scopes, shapes the chart and exports.
"""

import csv

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from openpo.catalog.models import Campaign, Shop
from openpo.dashboard.access import get_shop_object, shop_member_required
from openpo.payments.cashflow import (
    CashFlow,
    campaign_cash_flow,
    cash_by_campaign,
    shop_cash_flow,
)


def _percent(part: int, whole: int) -> int:
    """A bar's height; at least 1 % when there is money at all, so it stays visible."""
    if not whole or not part:
        return 0
    return max(1, round(100 * part / whole))


def chart_rows(flow: CashFlow) -> list[dict[str, object]]:
    """One row per day with the heights of its two bars (collected, refunded)."""
    top = flow.busiest_day
    return [
        {
            "day": d.day,
            "collected": d.collected,
            "refunded": d.refunded,
            "net": d.net,
            "collected_percent": _percent(d.collected, top),
            "refunded_percent": _percent(d.refunded, top),
        }
        for d in flow.days
    ]


def _csv(flow: CashFlow, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so spreadsheet apps read the file as UTF-8
    writer = csv.writer(response)
    writer.writerow(["date", "collected", "refunded", "net"])
    for d in flow.days:
        writer.writerow([d.day.isoformat(), d.collected, d.refunded, d.net])
    return response


def _wants_csv(request: HttpRequest) -> bool:
    return request.GET.get("export") == "csv"


@require_GET
@shop_member_required
def campaign_cashflow(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """One PO's cash flow; `?export=csv` downloads its daily series."""
    campaign = get_shop_object(request, Campaign, pk=campaign_id)
    flow = campaign_cash_flow(campaign)
    if _wants_csv(request):
        return _csv(flow, f"cashflow-{campaign.slug}.csv")
    return render(
        request,
        "dashboard/cashflow/campaign.html",
        {
            "shop": request.shop,
            "campaign": campaign,
            "phase": campaign.phase(timezone.now()),
            "flow": flow,
            "rows": chart_rows(flow),
            "dash_section": "pos",
        },
    )


@require_GET
@shop_member_required
def shop_cashflow(request: HttpRequest) -> HttpResponse:
    """Every PO of the shop together, and each PO's line; `?export=csv` downloads the days."""
    shop: Shop = request.shop
    flow = shop_cash_flow(shop)
    if _wants_csv(request):
        day = timezone.localdate(timezone=shop.tzinfo)
        return _csv(flow, f"cashflow-{shop.slug}-{day.isoformat()}.csv")
    return render(
        request,
        "dashboard/cashflow/shop.html",
        {
            "shop": shop,
            "flow": flow,
            "rows": chart_rows(flow),
            "campaigns": cash_by_campaign(shop),
            "dash_section": "cashflow",
        },
    )


urlpatterns = [
    path("po/<int:campaign_id>/cashflow/", campaign_cashflow, name="campaign_cashflow"),
    path("cashflow/", shop_cashflow, name="shop_cashflow"),
]
