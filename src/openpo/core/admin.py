"""Staff view of the audit trail (read-only: history is never edited)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from openpo.core.audit_labels import action_label
from openpo.core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "what",
        "action",
        "subject_type",
        "subject_id",
        "actor_label",
        "shop_name",
    ]
    list_filter = ["action", "subject_type"]
    search_fields = ["subject_id", "action", "actor_label"]
    date_hierarchy = "created_at"
    list_select_related = ["shop"]

    @admin.display(description=_("what happened"))
    def what(self, event: AuditEvent) -> str:
        return action_label(event.action)

    # The field has no verbose name of its own (one would need a migration).
    @admin.display(description=_("shop"), ordering="shop")
    def shop_name(self, event: AuditEvent) -> str:
        return str(event.shop) if event.shop_id else ""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


admin.site.site_header = _("OpenPO administration")
admin.site.site_title = _("OpenPO admin")
admin.site.index_title = _("Staff tools")
