"""Seller endpoints under /api/v1/shop/ (a personal API token, `Authorization: Bearer …`):
the token's shop only; another shop's objects answer 404, as if they did not exist."""

from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from ninja import Router, Schema

from openpo.api.auth import TokenAuth
from openpo.api.schemas import ErrorOut
from openpo.catalog.models import Campaign

router = Router(tags=["seller"], auth=TokenAuth())


class SellerCampaignOut(Schema):
    slug: str
    title: str
    status: str
    opens_at: datetime
    closes_at: datetime
    reserved_units: int
    url: str


def _campaign_out(request: HttpRequest, campaign: Campaign) -> dict:
    shop = request.auth.shop
    return {
        "slug": campaign.slug,
        "title": campaign.title,
        "status": campaign.status,
        "opens_at": timezone.localtime(campaign.opens_at, shop.tzinfo),
        "closes_at": timezone.localtime(campaign.closes_at, shop.tzinfo),
        "reserved_units": campaign.reserved_units,
        "url": request.build_absolute_uri(reverse("campaign", args=[shop.slug, campaign.slug])),
    }


@router.get(
    "/campaigns",
    response={200: list[SellerCampaignOut], 401: ErrorOut},
    summary="The shop's POs, newest first",
)
def list_campaigns(request: HttpRequest):
    campaigns = Campaign.objects.filter(shop=request.auth.shop).order_by("-opens_at", "-pk")
    return [_campaign_out(request, c) for c in campaigns]


@router.get(
    "/campaigns/{slug}",
    response={200: SellerCampaignOut, 401: ErrorOut, 404: ErrorOut},
    summary="One PO of the shop",
)
def get_campaign(request: HttpRequest, slug: str):
    return _campaign_out(request, get_object_or_404(Campaign, shop=request.auth.shop, slug=slug))
