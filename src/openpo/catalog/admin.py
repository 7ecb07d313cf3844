"""Staff tools for the catalog. Counters kept by the services (reserved units) are read-only."""

from django.contrib import admin

from openpo.catalog.models import (
    BankAccount,
    Campaign,
    Material,
    Membership,
    Product,
    Shop,
    Variant,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class BankAccountInline(admin.TabularInline):
    model = BankAccount
    extra = 0


@admin.register(Shop)
class ShopAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "whatsapp_number", "timezone", "created_at"]
    search_fields = ["name", "slug", "whatsapp_number"]
    inlines = [MembershipInline, BankAccountInline]


class ProductInline(admin.TabularInline):
    model = Product
    extra = 0
    show_change_link = True


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "shop",
        "status",
        "opens_at",
        "closes_at",
        "reserved_units",
        "moq_units",
    ]
    list_filter = ["status", "payment_policy", "shop"]
    search_fields = ["title", "slug", "shop__name"]
    readonly_fields = ["status", "reserved_units", "close_reason", "published_at", "closed_at"]
    inlines = [ProductInline]


class VariantInline(admin.TabularInline):
    model = Variant
    extra = 0
    fields = ["sku", "options", "price", "quota", "reserved_units", "is_active", "position"]
    readonly_fields = ["reserved_units"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "campaign", "position"]
    search_fields = ["name", "campaign__title"]
    inlines = [VariantInline]


class MaterialInline(admin.TabularInline):
    model = Material
    extra = 0


@admin.register(Variant)
class VariantAdmin(admin.ModelAdmin):
    list_display = ["sku", "product", "price", "quota", "reserved_units", "is_active"]
    search_fields = ["sku", "product__name"]
    list_filter = ["campaign__shop"]
    readonly_fields = ["campaign", "reserved_units"]
    inlines = [MaterialInline]
