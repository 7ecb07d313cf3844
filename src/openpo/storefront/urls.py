"""Buyer URLs. `/<shop>/…` catches every first path segment left over, so it comes last."""

from django.urls import path

from openpo.storefront import (
    buyer_edits,
    campaigns,
    live,
    orders,
    production,
    testimonials,
    views,
)

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("o/<str:secret>/", orders.order_page, name="order_page"),
    path("o/<str:secret>/proof/", orders.proof_upload, name="proof_upload"),
    path("o/<str:secret>/pay/midtrans/", orders.midtrans_pay, name="midtrans_pay"),
    path("o/<str:secret>/cancel-for-delay/", production.delay_cancel, name="order_delay_cancel"),
    path("o/<str:secret>/details/", buyer_edits.correct, name="order_buyer_edit"),
    path("o/<str:secret>/testimonial/", testimonials.write, name="order_testimonial"),
    path(
        "testimonials/<int:testimonial_id>/photo/",
        testimonials.photo,
        name="testimonial_photo",
    ),
    path("<slug:shop_slug>/", campaigns.shop_page, name="shop"),
    path("<slug:shop_slug>/<slug:campaign_slug>/", campaigns.campaign_page, name="campaign"),
    path(
        "<slug:shop_slug>/<slug:campaign_slug>/order/",
        campaigns.order_create,
        name="order_create",
    ),
    path(
        "<slug:shop_slug>/<slug:campaign_slug>/live.json",
        live.campaign_live,
        name="campaign_live",
    ),
    path(
        "<slug:shop_slug>/<slug:campaign_slug>/remind/",
        campaigns.reminder_signup,
        name="reminder_signup",
    ),
    path(
        "<slug:shop_slug>/<slug:campaign_slug>/po.ics",
        campaigns.campaign_calendar,
        name="campaign_calendar",
    ),
]
