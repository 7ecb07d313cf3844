"""Operators' views of messaging: the outbox, and WhatsApp Cloud API accounts (set up here
until the shop settings page has a form for them)."""

from django.contrib import admin

from openpo.messaging.models import OutboxMessage, WhatsAppAccount


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "shop", "event", "channel", "recipient", "status", "attempts"]
    list_filter = ["status", "channel", "event"]
    search_fields = ["recipient", "event_key"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]


@admin.register(WhatsAppAccount)
class WhatsAppAccountAdmin(admin.ModelAdmin):
    list_display = ["shop", "phone_number_id", "is_active"]
