"""Pages anyone can open: the home page (what OpenPO is, and the demo's POs), a health check
and /favicon.ico."""

from pathlib import Path

from django.contrib.staticfiles import finders
from django.db import connection
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_safe

from openpo.catalog.models import Campaign, Shop


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    campaigns = (
        Campaign.objects.exclude(status=Campaign.Status.DRAFT)
        .order_by("-opens_at")
        .annotate(live_orders=Count("orders", filter=Q(orders__status="active")))
    )
    shops = Shop.objects.prefetch_related(Prefetch("campaigns", queryset=campaigns))[:20]
    rows = [(shop, [(c, c.phase(now)) for c in shop.campaigns.all()]) for shop in shops]
    return render(request, "storefront/home.html", {"shops": rows, "now": now})


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers and link previews ask for whatever a page links: the icon
    itself (a redirect to the static file's hashed name would be kept by browsers for good)."""
    icon = Path(finders.find("openpo/favicon.ico")).read_bytes()  # 4 KB
    response = HttpResponse(icon, content_type="image/x-icon")
    patch_cache_control(response, public=True, max_age=24 * 60 * 60)
    return response
