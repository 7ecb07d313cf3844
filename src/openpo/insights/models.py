"""Tallies: the insights figures kept per PO and per buyer, so a shop's page adds up a few
hundred small rows instead of counting a million orders on every view.

- `CampaignTally`: one PO's figures (what `figures.py` counts over its standing orders), as JSON;
- `BuyerTally`: per buyer, the standing orders' first and last time, POs, orders and spend —
  the segments and the repeat rate are counts over these rows;
- `TallyMark`: per shop, the time up to which every changed order is counted, up to which
  settled changes were counted once more (late commits), and the time zone of the figures.

`tallies.refresh(shop)` brings them up to date from the orders changed since the mark (every
order change sets `Order.updated_at`), so they are never more than one refresh behind: the
pages refresh before they read, the worker refreshes in the background.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from openpo.catalog.models import Campaign, Shop
from openpo.orders.models import Customer


class CampaignTally(models.Model):
    campaign = models.OneToOneField(
        Campaign, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    figures = models.JSONField(_("figures"), default=dict)
    counted_at = models.DateTimeField(_("counted at"))

    class Meta:
        verbose_name = _("PO tally")
        verbose_name_plural = _("PO tallies")

    def __str__(self) -> str:
        return f"tally of campaign {self.campaign_id}"


class BuyerTally(models.Model):
    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, primary_key=True, related_name="tally"
    )
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    first_at = models.DateTimeField(_("first order at"))
    last_at = models.DateTimeField(_("last order at"))
    pos = models.PositiveIntegerField(_("POs ordered from"))
    orders = models.PositiveIntegerField(_("orders"))
    spend = models.BigIntegerField(_("spend (Rp)"))

    class Meta:
        verbose_name = _("buyer tally")
        verbose_name_plural = _("buyer tallies")
        indexes = [
            models.Index(fields=["shop", "last_at", "pos"]),
            models.Index(fields=["shop", "-spend"]),
        ]

    def __str__(self) -> str:
        return f"tally of customer {self.customer_id}"


class TallyMark(models.Model):
    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, primary_key=True, related_name="+")
    timezone = models.CharField(_("time zone"), max_length=64)
    counted_to = models.DateTimeField(_("orders counted up to"))
    swept_to = models.DateTimeField(_("settled changes counted again up to"))
    # Orders above it are counted whatever their `updated_at` (one loaded in bulk with its own).
    last_order_id = models.BigIntegerField(_("last order counted"), default=0)

    class Meta:
        verbose_name = _("tally mark")
        verbose_name_plural = _("tally marks")

    def __str__(self) -> str:
        return f"tallies of shop {self.shop_id} to {self.counted_to:%Y-%m-%d %H:%M}"
