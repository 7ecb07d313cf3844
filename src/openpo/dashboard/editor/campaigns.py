"""The campaign editor: create, edit and duplicate a PO; preview it as buyers will see it;
publish now or on schedule. Products, variants, photos and materials are in `editor.products`.

Opening a PO from scratch takes four submits: the new-PO form, one "add product" per product
(its sizes × colours generated in the same submit, photo included), then "publish" on the
preview page.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openpo.catalog.models import Campaign
from openpo.catalog.services.campaigns import (
    create_campaign,
    default_timeline,
    publish_now,
    update_campaign,
)
from openpo.catalog.services.duplicating import duplicate_campaign
from openpo.core.errors import DomainError
from openpo.core.forms import add_domain_error
from openpo.dashboard.access import get_shop_object, shop_member_required
from openpo.dashboard.editor.forms import CampaignForm
from openpo.dashboard.editor.page import SETTINGS, preview_context, render_edit_page


@require_http_methods(["GET", "POST"])
@shop_member_required
def campaign_new(request: HttpRequest) -> HttpResponse:
    shop = request.shop
    with timezone.override(shop.tzinfo):
        if request.method == "POST":
            form = CampaignForm(request.POST)
            if form.is_valid():
                try:
                    campaign = create_campaign(
                        shop=shop, **form.settings(), actor=request.user, now=timezone.now()
                    )
                except DomainError as error:
                    add_domain_error(form, error)
                else:
                    messages.success(request, _("PO saved as a draft. Now add its products."))
                    return redirect(reverse("dashboard:campaign_edit", args=[campaign.pk]))
        else:
            form = CampaignForm(
                initial={
                    **default_timeline(timezone.now(), shop.tzinfo),
                    "payment_window_hours": shop.default_payment_window_hours,
                }
            )
        return render(
            request,
            "dashboard/editor/new.html",
            {"form": form, "shop": shop, "dash_section": "pos"},
            status=422 if form.is_bound else 200,
        )


@require_http_methods(["GET", "POST"])
@shop_member_required
def campaign_edit(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_shop_object(request, Campaign, pk=campaign_id)
    if request.method == "GET":
        return render_edit_page(request, campaign)
    with timezone.override(request.shop.tzinfo):
        form = CampaignForm(request.POST, prefix=SETTINGS)
        if form.is_valid():
            try:
                update_campaign(
                    campaign=campaign, **form.settings(), actor=request.user, now=timezone.now()
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("PO settings saved."))
                return redirect(reverse("dashboard:campaign_edit", args=[campaign.pk]))
    return render_edit_page(request, campaign, bound={SETTINGS: form}, status=422)


@require_POST
@shop_member_required
def campaign_duplicate(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_shop_object(request, Campaign, pk=campaign_id)
    copy = duplicate_campaign(campaign=campaign, actor=request.user, now=timezone.now())
    messages.success(
        request, _("A new draft copy of the PO is ready: check its dates, then publish it.")
    )
    return redirect(reverse("dashboard:campaign_edit", args=[copy.pk]))


@require_GET
@shop_member_required
def campaign_preview(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_shop_object(request, Campaign, pk=campaign_id)
    context = preview_context(request, campaign)
    response = render(request, "dashboard/editor/preview.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


@require_POST
@shop_member_required
def campaign_publish(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_shop_object(request, Campaign, pk=campaign_id)
    open_now = request.POST.get("when") == "now"
    try:
        campaign = publish_now(
            campaign=campaign, open_now=open_now, actor=request.user, now=timezone.now()
        )
    except DomainError as error:
        problems = [str(p) for ps in error.field_errors.values() for p in ps] or [error.message]
        for problem in problems:
            messages.error(request, problem)
        return redirect(reverse("dashboard:campaign_preview", args=[campaign.pk]))
    if campaign.status == Campaign.Status.OPEN:
        messages.success(request, _("Published: the PO is open. Share its link below."))
    else:
        messages.success(
            request, _("Published: the PO opens at its opening time. Share its link below.")
        )
    return redirect(reverse("dashboard:campaign_edit", args=[campaign.pk]))


urlpatterns = [
    path("po/new/", campaign_new, name="campaign_new"),
    path("po/<int:campaign_id>/edit/", campaign_edit, name="campaign_edit"),
    path("po/<int:campaign_id>/duplicate/", campaign_duplicate, name="campaign_duplicate"),
    path("po/<int:campaign_id>/preview/", campaign_preview, name="campaign_preview"),
    path("po/<int:campaign_id>/publish/", campaign_publish, name="campaign_publish"),
]
