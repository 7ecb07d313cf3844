"""URLs of the payment gateway: Midtrans' notification endpoint (one per shop, the URL a
seller pastes into the Midtrans dashboard) and the buyer's "pay online" button."""

from django.urls import path

from openpo.payments import webhooks

urlpatterns = [
    path(
        "api/v1/payments/midtrans/<slug:shop_slug>/notification",
        webhooks.midtrans_notification,
        name="midtrans_notification",
    ),
    path("o/<str:secret>/pay/midtrans/", webhooks.midtrans_pay, name="midtrans_pay"),
]
