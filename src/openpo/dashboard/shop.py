"""Shop settings (name, logo, WhatsApp, time zone, bank accounts, QRIS, payment window,
message language) and the team: members and invitations.

Placeholder views: replaced by the real pages.
"""

from django.http import Http404
from django.urls import path

from openpo.dashboard.access import owner_required, shop_member_required


@owner_required
def settings(request, **ids):
    raise Http404("Not built yet")


@shop_member_required
def team(request, **ids):
    raise Http404("Not built yet")


urlpatterns = [
    path("settings/", settings, name="settings"),
    path("team/", team, name="team"),
]
