"""Insights pages: the shop's figures (`/dashboard/insights/`), one PO's
(`/dashboard/po/<id>/insights/`) and the buyers behind a segment. The numbers are
`openpo.insights`'; this module scopes, shapes them into tables and charts, and exports a
table with `?table=<key>&format=csv|xlsx` on the page's own URL.
"""

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from openpo.catalog.models import Campaign, Shop
from openpo.dashboard.access import get_shop_object, shop_member_required
from openpo.dashboard.insights.tables import (
    day_table,
    download,
    plan_tables,
    shop_tables,
    weekday_label,
)
from openpo.insights.campaign import campaign_figures
from openpo.insights.report import insights
from openpo.insights.segments import SEGMENTS, members
from openpo.insights.suggest import WEEKDAYS

PER_PAGE = 50


def _charts(tables: dict) -> dict:
    return {key: t.chart for key, t in tables.items() if t.chart}


def _export(request: HttpRequest, tables: dict, name: str) -> HttpResponse | None:
    key = request.GET.get("table")
    if key is None:
        return None
    if key not in tables:
        raise Http404("Unknown table")
    return download(tables[key], request.GET.get("format", "csv"), f"{name}-{key}")


def _plan_day(plan: dict) -> str:
    day = plan["open_weekday"]
    return weekday_label(WEEKDAYS.index(day)) if day else ""


@require_GET
@shop_member_required
def shop_insights(request: HttpRequest) -> HttpResponse:
    shop: Shop = request.shop
    figures = insights(shop)
    tables = {**shop_tables(figures), **plan_tables(figures["next_po"])}
    if response := _export(request, tables, f"insights-{shop.slug}"):
        return response
    return render(
        request,
        "dashboard/insights/shop.html",
        {
            "shop": shop,
            "f": figures,
            "tables": tables,
            "charts": _charts(tables),
            "plan_day": _plan_day(figures["next_po"]),
            "segments": [(n, SEGMENTS[n], count) for n, count in figures["segments"].items()],
            "dash_section": "insights",
        },
    )


@require_GET
@shop_member_required
def campaign_insights(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_shop_object(request, Campaign, pk=campaign_id)
    figures = insights(request.shop, campaign)
    po = campaign_figures(campaign)
    tables = shop_tables(figures)
    tables = {"days": day_table(po), **tables}
    if response := _export(request, tables, f"insights-{campaign.slug}"):
        return response
    return render(
        request,
        "dashboard/insights/campaign.html",
        {
            "shop": request.shop,
            "campaign": campaign,
            "phase": campaign.phase(timezone.now()),
            "f": figures,
            "po": po,
            "tables": tables,
            "charts": _charts(tables),
            "dash_section": "pos",
        },
    )


@require_GET
@shop_member_required
def segment_buyers(request: HttpRequest, segment: str) -> HttpResponse:
    """The buyers of one segment, biggest spenders first, paginated."""
    if segment not in SEGMENTS:
        raise Http404("Unknown segment")
    shop: Shop = request.shop
    buyers = members(shop, segment)
    page = Paginator(buyers, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "dashboard/insights/segment.html",
        {
            "shop": shop,
            "segment": segment,
            "label": SEGMENTS[segment],
            "page": page,
            "dash_section": "insights",
        },
    )


# One path per segment (not a <str:segment> converter): the URL names only segments that
# exist, and a shop-level page carries no id that another shop could ask for.
urlpatterns = [
    path("insights/", shop_insights, name="insights"),
    *(
        path(
            f"insights/segments/{name}/", segment_buyers, {"segment": name}, name="insights_segment"
        )
        for name in SEGMENTS
    ),
    path("po/<int:campaign_id>/insights/", campaign_insights, name="campaign_insights"),
]
