"""The campaign editor: create, edit and duplicate a PO; products, variants, photos,
materials; preview; publish now or schedule.

Placeholder views: replaced by the real pages.
"""

from django.http import Http404
from django.urls import path

from openpo.catalog.models import Campaign
from openpo.dashboard.access import get_shop_object, shop_member_required


@shop_member_required
def campaign_new(request, **ids):
    raise Http404("Not built yet")


@shop_member_required
def campaign_edit(request, **ids):
    get_shop_object(request, Campaign, pk=ids["campaign_id"])
    raise Http404("Not built yet")


urlpatterns = [
    path("po/new/", campaign_new, name="campaign_new"),
    path("po/<int:campaign_id>/edit/", campaign_edit, name="campaign_edit"),
]
