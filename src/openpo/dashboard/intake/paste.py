"""Orders from chats: the seller pastes what buyers wrote (one order, several, or a WhatsApp
chat export, also as the exported .txt), checks and corrects the orders read from it, and
imports the ticked ones as WhatsApp orders. The page also gives the "format order" block to
send buyers, in the shop's message language.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from openpo.catalog.models import Campaign
from openpo.core.uploads import limit_upload
from openpo.dashboard.access import get_shop_object, shop_member_required
from openpo.dashboard.intake import preview
from openpo.dashboard.intake.forms import MAX_CHAT_BYTES, PasteForm
from openpo.intake.catalogue import catalogue_for
from openpo.intake.order_format import format_order
from openpo.intake.parser import parse_text
from openpo.orders.models import Order


def _paste_page(
    request: HttpRequest, campaign: Campaign, form: PasteForm, *, status: int = 200
) -> HttpResponse:
    with translation.override(campaign.shop.message_language):
        order_format = format_order(campaign.title, catalogue_for(campaign))
    now = timezone.now()
    return render(
        request,
        "dashboard/intake/paste.html",
        {
            "shop": request.shop,
            "campaign": campaign,
            "dash_section": "pos",
            "form": form,
            "order_format": order_format,
            "is_open": campaign.is_open(now),
            "phase": campaign.phase(now),
        },
        status=status,
    )


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    campaign = get_shop_object(request, Campaign, pk=campaign_id)
    campaign.shop = request.shop  # the same row; saves a query per use
    return campaign


@require_http_methods(["GET", "POST"])
@shop_member_required
@limit_upload(MAX_CHAT_BYTES)
def intake_paste(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The paste box (and chat export upload); posted, the preview of the orders read."""
    campaign = _campaign(request, campaign_id)
    if request.method == "GET":
        return _paste_page(request, campaign, PasteForm())
    form = PasteForm(request.POST, request.FILES)
    if not form.is_valid():
        return _paste_page(request, campaign, form, status=422)
    orders = parse_text(form.chat(), catalogue_for(campaign))
    if not orders:
        form.add_error(
            None,
            _("No order was found in this text. Does it name a product of this PO?"),
        )
        return _paste_page(request, campaign, form, status=422)
    action = reverse("dashboard:intake_paste_check", args=[campaign.pk])
    shown = preview.first_preview(campaign, orders, action=action)
    return preview.render_preview(request, campaign, shown, context=_back(campaign))


def _back(campaign: Campaign) -> dict:
    return {
        "back_url": reverse("dashboard:intake_paste", args=[campaign.pk]),
        "back_label": _("Paste other text"),
    }


@require_POST
@shop_member_required
def intake_paste_check(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The preview posted back: check every order again, or import the ticked ones."""
    campaign = _campaign(request, campaign_id)
    action = reverse("dashboard:intake_paste_check", args=[campaign.pk])
    posted = preview.handle_post(request, campaign, channel=Order.Channel.WHATSAPP, action=action)
    if posted.report is None:
        status = 422 if posted.preview.problem else 200
        return preview.render_preview(
            request, campaign, posted.preview, context=_back(campaign), status=status
        )
    return preview.render_result(
        request,
        campaign,
        posted,
        again_url=reverse("dashboard:intake_paste", args=[campaign.pk]),
    )


urlpatterns = [
    path("po/<int:campaign_id>/intake/", intake_paste, name="intake_paste"),
    path("po/<int:campaign_id>/intake/check/", intake_paste_check, name="intake_paste_check"),
]
