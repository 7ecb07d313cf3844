"""Pages anyone can open: the home page (what OpenPO is, and the demo's POs) and a health check."""

from django.db import connection
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

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
