"""Orders of a PO: the table (search, filters, sort, pages of 50), bulk actions on selected
rows, and CSV/XLSX exports of the filtered orders. One order's page and its actions live in
`orders.detail`, orders entered by the seller in `orders.new`.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from openpo.catalog.models import Campaign
from openpo.dashboard.access import get_shop_object, shop_member_required
from openpo.dashboard.orders.forms import PER_PAGE, BulkActionForm, OrderFilterForm
from openpo.orders.exports import CONTENT_TYPES, export_file
from openpo.orders.filtering import filter_orders, proof_waiting
from openpo.orders.models import Order
from openpo.orders.services.releasing import cancel_order


@require_GET
@shop_member_required
def orders(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_shop_object(request, Campaign, pk=campaign_id)
    now = timezone.now()
    form = OrderFilterForm(request.GET, campaign=campaign)
    found = filter_orders(campaign, form.filters(), now=now)
    found = found.annotate(proof_waiting=proof_waiting()).prefetch_related("lines")
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for order in rows:
        order.overdue = order.is_overdue(now)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "dashboard/orders/list.html",
        {
            "shop": request.shop,
            "campaign": campaign,
            "phase": campaign.phase(now),
            "dash_section": "pos",
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "bulk_actions": BulkActionForm.ACTIONS,
            "total_count": campaign.orders.count(),
        },
    )


@require_GET
@shop_member_required
def export_csv(request: HttpRequest, campaign_id: int) -> HttpResponse:
    return _export(request, campaign_id, "csv")


@require_GET
@shop_member_required
def export_xlsx(request: HttpRequest, campaign_id: int) -> HttpResponse:
    return _export(request, campaign_id, "xlsx")


def export_response(orders, shop, *, fmt: str, name: str) -> HttpResponse:
    """The orders as a CSV or XLSX download (`orders.exports` makes the file)."""
    content, filename = export_file(orders, shop, fmt=fmt, name=name)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _export(request: HttpRequest, campaign_id: int, fmt: str) -> HttpResponse:
    campaign = get_shop_object(request, Campaign, pk=campaign_id)
    form = OrderFilterForm(request.GET, campaign=campaign)
    found = filter_orders(campaign, form.filters(), now=timezone.now())
    return export_response(found, request.shop, fmt=fmt, name=f"{campaign.slug}-orders")


@require_POST
@shop_member_required
def bulk(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_shop_object(request, Campaign, pk=campaign_id)
    form = BulkActionForm(request.POST)
    back = reverse("dashboard:orders", args=[campaign.pk]) + form.back_query()
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    # Only this PO's orders: ids of other POs or shops are simply not found.
    selected = Order.objects.filter(campaign=campaign, pk__in=form.cleaned_data["ids"])
    action = form.cleaned_data["action"]
    if action in ("export_csv", "export_xlsx"):
        fmt = action.removeprefix("export_")
        return export_response(
            selected.order_by("created_at", "id"),
            request.shop,
            fmt=fmt,
            name=f"{campaign.slug}-selected",
        )
    _bulk_cancel(request, selected, form.cleaned_data["reason"])
    return redirect(back)


def _bulk_cancel(request: HttpRequest, selected, reason: str) -> None:
    """Cancel every selected active order that has no money on it; say what was skipped."""
    cancelled: list[str] = []
    skipped: list[str] = []
    for order in selected.order_by("created_at", "id"):
        if not order.is_active:
            skipped.append(f"{order.code} ({order.get_status_display()})")
        elif order.amount_paid:
            skipped.append(
                _("%(code)s (already paid: cancel it on its own page and refund it)")
                % {"code": order.code}
            )
        elif cancel_order(order=order, reason=reason, actor=request.user).status == "cancelled":
            cancelled.append(order.code)
        else:
            skipped.append(_("%(code)s (changed meanwhile)") % {"code": order.code})
    if cancelled:
        messages.success(
            request,
            ngettext(
                "%(count)d order cancelled: %(codes)s.",
                "%(count)d orders cancelled: %(codes)s.",
                len(cancelled),
            )
            % {"count": len(cancelled), "codes": ", ".join(cancelled)},
        )
    if skipped:
        messages.warning(
            request,
            ngettext(
                "%(count)d order skipped: %(codes)s.",
                "%(count)d orders skipped: %(codes)s.",
                len(skipped),
            )
            % {"count": len(skipped), "codes": "; ".join(skipped)},
        )


urlpatterns = [
    path("po/<int:campaign_id>/orders/", orders, name="orders"),
    path("po/<int:campaign_id>/orders/export.csv", export_csv, name="orders_export_csv"),
    path("po/<int:campaign_id>/orders/export.xlsx", export_xlsx, name="orders_export_xlsx"),
    path("po/<int:campaign_id>/orders/bulk/", bulk, name="orders_bulk"),
]
