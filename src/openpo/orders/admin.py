"""Staff view of customers and orders; amounts and statuses change only through services."""

from django.contrib import admin

from openpo.orders.models import Customer, Order, OrderLine


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "email", "shop", "created_at"]
    search_fields = ["name", "phone", "email"]
    list_filter = ["shop"]


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    readonly_fields = ["variant", "product_name", "variant_label", "sku", "quantity", "unit_price"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "buyer_name",
        "campaign",
        "status",
        "payment_status",
        "fulfillment_status",
        "total",
        "created_at",
    ]
    list_filter = ["status", "payment_status", "fulfillment_status", "channel", "shop"]
    search_fields = ["code", "buyer_name", "buyer_phone"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "shop",
        "campaign",
        "customer",
        "code",
        "status",
        "payment_status",
        "units",
        "subtotal",
        "shipping_fee",
        "total",
        "deposit_due",
        "amount_paid",
        "created_at",
        "cancelled_at",
        "expired_at",
    ]
    inlines = [OrderLineInline]

    def has_add_permission(self, request) -> bool:
        return False  # orders come through place_order, never a bare insert

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
