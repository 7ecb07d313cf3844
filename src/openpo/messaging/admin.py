"""Operators' views of messaging: the outbox, and WhatsApp Cloud API accounts (the shop's
owner sets those up on the dashboard; here their secrets show only by their last characters
and cannot be read or changed)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from openpo.messaging.models import OutboxMessage, WhatsAppAccount, secret_hint


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "shop", "event", "channel", "recipient", "status", "attempts"]
    list_filter = ["status", "channel", "event"]
    search_fields = ["recipient", "event_key"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]


@admin.register(WhatsAppAccount)
class WhatsAppAccountAdmin(admin.ModelAdmin):
    list_display = ["shop", "phone_number_id", "is_active"]
    exclude = ["access_token", "app_secret"]
    readonly_fields = ["access_token_ends", "app_secret_ends"]

    @admin.display(description=_("access token"))
    def access_token_ends(self, account: WhatsAppAccount) -> str:
        return secret_hint(account.access_token)

    @admin.display(description=_("app secret"))
    def app_secret_ends(self, account: WhatsAppAccount) -> str:
        return secret_hint(account.app_secret)
