"""The production recap of a PO: units per variant and the materials they need.

Placeholder views: replaced by the real pages.
"""

from django.http import Http404
from django.urls import path

from openpo.catalog.models import Campaign
from openpo.dashboard.access import get_shop_object, shop_member_required


@shop_member_required
def recap(request, **ids):
    get_shop_object(request, Campaign, pk=ids["campaign_id"])
    raise Http404("Not built yet")


urlpatterns = [
    path("po/<int:campaign_id>/recap/", recap, name="recap"),
]
