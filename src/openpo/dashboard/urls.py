"""Seller URLs under /dashboard/. Every view here goes through `shop_member_required`."""

from django.urls import path

from openpo.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.index, name="index"),
    path("po/<int:campaign_id>/", views.campaign_overview, name="campaign"),
    path("switch/<slug:shop_slug>/", views.switch_shop, name="switch_shop"),
]
