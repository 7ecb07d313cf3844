"""The share panel of a PO: its public link to copy, the link's QR code, the announcement
caption (with a WhatsApp share link) and the announcement images for a feed post and a story.

Everything here only reads; the caption comes from `catalog.announcement`, the pictures from
`share.images`.
"""

from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from openpo.catalog.announcement import announcement_text
from openpo.catalog.models import Campaign
from openpo.dashboard.access import get_shop_object, shop_member_required
from openpo.dashboard.share import images
from openpo.dashboard.share.qr import link_qr_png, link_qr_svg


def _public_url(request: HttpRequest, campaign: Campaign) -> str:
    return request.build_absolute_uri(reverse("campaign", args=[campaign.shop.slug, campaign.slug]))


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    campaign = get_shop_object(request, Campaign, pk=campaign_id)
    campaign.shop = request.shop  # the same row; saves a query per use
    return campaign


@require_GET
@shop_member_required
def share(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    url = _public_url(request, campaign)
    caption = announcement_text(campaign, url=url)
    return render(
        request,
        "dashboard/share/page.html",
        {
            "shop": request.shop,
            "campaign": campaign,
            "dash_section": "pos",
            "is_draft": campaign.status == Campaign.Status.DRAFT,
            "url": url,
            "qr": link_qr_svg(url, label=_("QR code of the PO's link")),
            "caption": caption,
            "whatsapp_url": "https://wa.me/?text=" + quote(caption, safe=""),
        },
    )


def _poster(request: HttpRequest, campaign_id: int, kind: str) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    poster = images.poster_for(campaign, url=_public_url(request, campaign))
    etag = f'"{images.poster_version(poster, kind)}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(images.poster_png(poster, kind), content_type="image/png")
        response["Content-Disposition"] = f'attachment; filename="{campaign.slug}-{kind}.png"'
    response["ETag"] = etag
    # Private: a seller's page; revalidated each time, so an edited PO shows at once.
    patch_cache_control(response, private=True, no_cache=True)
    return response


@require_GET
@shop_member_required
def share_feed(request: HttpRequest, campaign_id: int) -> HttpResponse:
    return _poster(request, campaign_id, images.FEED)


@require_GET
@shop_member_required
def share_story(request: HttpRequest, campaign_id: int) -> HttpResponse:
    return _poster(request, campaign_id, images.STORY)


@require_GET
@shop_member_required
def share_qr_code(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    png = link_qr_png(_public_url(request, campaign))
    response = HttpResponse(png, content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="{campaign.slug}-qr.png"'
    return response


urlpatterns = [
    path("po/<int:campaign_id>/share/", share, name="share"),
    path("po/<int:campaign_id>/share/feed.png", share_feed, name="share_feed"),
    path("po/<int:campaign_id>/share/story.png", share_story, name="share_story"),
    path("po/<int:campaign_id>/share/qr.png", share_qr_code, name="share_qr"),
]
