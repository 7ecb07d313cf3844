"""App config for the storefront: the pages buyers (and visitors of the demo) see. A seller's
saved change to a shop, PO, product, photo or testimonial is drawn afresh at once in this
process (page_memory.py; other processes within its second)."""

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _

# Models a campaign page shows, by label.
SHOWN_ON_PAGES = {
    "catalog.shop",
    "catalog.campaign",
    "catalog.product",
    "catalog.productphoto",
    "catalog.variant",
    "catalog.bankaccount",
    "fulfillment.testimonial",
}


def _forget_pages(sender, **kwargs) -> None:
    if sender._meta.label_lower in SHOWN_ON_PAGES:
        from openpo.storefront import page_memory

        page_memory.pages.forget()


class StorefrontConfig(AppConfig):
    name = "openpo.storefront"
    label = "storefront"
    verbose_name = _("Buyer pages")

    def ready(self) -> None:
        post_save.connect(_forget_pages, dispatch_uid="storefront-pages-saved")
        post_delete.connect(_forget_pages, dispatch_uid="storefront-pages-deleted")
