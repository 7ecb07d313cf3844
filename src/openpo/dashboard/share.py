"""The share panel of a PO: link, QR code, announcement caption and images.

Placeholder views: replaced by the real pages.
"""

from django.http import Http404
from django.urls import path

from openpo.catalog.models import Campaign
from openpo.dashboard.access import get_shop_object, shop_member_required


@shop_member_required
def share(request, **ids):
    get_shop_object(request, Campaign, pk=ids["campaign_id"])
    raise Http404("Not built yet")


urlpatterns = [
    path("po/<int:campaign_id>/share/", share, name="share"),
]
