"""Seller URLs under /dashboard/. Every view here goes through `shop_member_required`.

Each page module owns its `urlpatterns`; this list joins them (flat, so the isolation test sees
every pattern).
"""

from django.urls import path

from openpo.dashboard import (
    cashflow,
    editor,
    messages,
    messages_templates,
    orders,
    overview,
    payments,
    recap,
    refunds,
    share,
    shop,
    statements,
    views,
)

app_name = "dashboard"
urlpatterns = [
    path("", views.index, name="index"),
    path("po/<int:campaign_id>/", views.campaign_overview, name="campaign"),
    path("switch/<slug:shop_slug>/", views.switch_shop, name="switch_shop"),
    *overview.urlpatterns,
    *shop.urlpatterns,
    *editor.urlpatterns,
    *share.urlpatterns,
    *orders.urlpatterns,
    *recap.urlpatterns,
    *cashflow.urlpatterns,
    *payments.urlpatterns,
    *refunds.urlpatterns,
    *statements.urlpatterns,
    *messages.urlpatterns,
    *messages_templates.urlpatterns,
]
