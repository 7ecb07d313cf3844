"""Operators' views of webhooks: endpoints (secrets not shown) and the delivery outbox."""

from django.contrib import admin

from openpo.hooks.models import WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["shop", "url", "is_active", "created_at", "deleted_at"]
    list_filter = ["is_active"]
    exclude = ["secret"]
    readonly_fields = ["shop", "created_at", "created_by", "deleted_at"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "endpoint", "event", "status", "attempts", "last_status_code"]
    list_filter = ["status", "event"]
    search_fields = ["event_id"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
