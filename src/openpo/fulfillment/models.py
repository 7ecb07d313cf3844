"""The second half of a PO's life: production stages and the updates buyers see, shipments
with courier and resi, the orders that need the buyer again, moved dates, and testimonials.

Models state what is true and hold the invariants the database can keep; every change of
state goes through `fulfillment.services`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from openpo.catalog.models import Campaign, Shop
from openpo.orders.models import Customer, Order


def _production_photo_path(instance: "ProductionPhoto", filename: str) -> str:
    return f"production/{instance.update.campaign_id}/{filename}"


def _testimonial_photo_path(instance: "Testimonial", filename: str) -> str:
    return f"testimonials/{instance.shop_id}/{filename}"


class ProductionStage(models.Model):
    """One step of making a PO's goods (bahan dibeli, potong, jahit, QC, packing)."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="production_stages"
    )
    name = models.CharField(_("stage"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    planned_on = models.DateField(_("planned for"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("production stage")
        verbose_name_plural = _("production stages")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class ProductionUpdate(models.Model):
    """A progress note (optionally marking a stage done) that buyers see on their order page."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="production_updates"
    )
    stage = models.ForeignKey(
        ProductionStage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="updates",
    )
    text = models.TextField(_("update"))
    # Whether the update was sent to the buyers (once, through the outbox).
    sent_to_buyers = models.BooleanField(_("sent to buyers"), default=False)
    created_at = models.DateTimeField(_("posted at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("production update")
        verbose_name_plural = _("production updates")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text[:50]


class ProductionPhoto(models.Model):
    update = models.ForeignKey(ProductionUpdate, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=_production_photo_path)
    thumbnail = models.ImageField(_("thumbnail"), upload_to=_production_photo_path, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("production photo")
        verbose_name_plural = _("production photos")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.image.name


class Shipment(models.Model):
    """One parcel: one or more orders of the same buyer, a courier and a tracking number."""

    class Status(models.TextChoices):
        PACKED = "packed", _("Packed")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")
        RETURNED = "returned", _("Returned")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="shipments")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="shipments")
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="shipments", null=True, blank=True
    )
    orders = models.ManyToManyField(Order, related_name="shipments")
    # A key of `fulfillment.couriers.COURIERS` ("jne", "jnt", "sicepat", …, "pickup", "other").
    courier = models.CharField(_("courier"), max_length=20)
    # The courier's name as the seller wrote it, for "other".
    courier_name = models.CharField(_("courier name"), max_length=60, blank=True)
    tracking_number = models.CharField(_("tracking number (resi)"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PACKED
    )
    weight_grams = models.PositiveIntegerField(_("weight (grams)"), null=True, blank=True)
    # Why an order that is not fully paid ships anyway (audited); empty when all were paid.
    override_reason = models.TextField(_("reason to ship unpaid"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    packed_at = models.DateTimeField(_("packed at"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "courier", "tracking_number"],
                condition=~Q(tracking_number=""),
                name="shipment_unique_tracking_number",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "status"])]

    def __str__(self) -> str:
        return f"{self.courier} {self.tracking_number}".strip()


class Reconfirmation(models.Model):
    """An order that needs the buyer again, with why; resolved once the seller has sorted it.

    Address and settlement reasons are also found at read time (`fulfillment.services`); a row
    for them records that the seller resolved (dismissed) that reason for that order."""

    class Reason(models.TextChoices):
        ADDRESS = "address", _("Address incomplete or doubtful")
        SETTLEMENT = "settlement", _("Settlement unpaid past its due date")
        RETURNED = "returned", _("Parcel returned")
        NOTE = "note", _("Seller's note")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="reconfirmations")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="reconfirmations")
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution = models.TextField(_("how it was resolved"), blank=True)

    class Meta:
        verbose_name = _("reconfirmation")
        verbose_name_plural = _("reconfirmations")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "reason"],
                condition=Q(resolved_at__isnull=True),
                name="reconfirmation_one_open_per_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.reason}"


class ScheduleChange(models.Model):
    """A moved date of a PO (production start or ship date), with the reason buyers were told."""

    class Field(models.TextChoices):
        PRODUCTION_START = "production_starts_on", _("Production starts on")
        SHIPS_ON = "ships_on", _("Ships from")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="schedule_changes"
    )
    field = models.CharField(_("date"), max_length=24, choices=Field.choices)
    old_date = models.DateField(_("old date"), null=True, blank=True)
    new_date = models.DateField(_("new date"))
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("changed at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("schedule change")
        verbose_name_plural = _("schedule changes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.field} → {self.new_date}"


class Testimonial(models.Model):
    """A buyer's rating of a delivered order; shown publicly only once the seller approves."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="testimonials")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="testimonials")
    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="testimonial")
    rating = models.PositiveSmallIntegerField(_("rating"))
    text = models.TextField(_("testimonial"), max_length=500, blank=True)
    photo = models.ImageField(_("photo"), upload_to=_testimonial_photo_path, blank=True)
    # The name shown with it ("Rina S."), taken from the order when it was written.
    author_name = models.CharField(_("name shown"), max_length=100)
    created_at = models.DateTimeField(_("written at"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("testimonial")
        verbose_name_plural = _("testimonials")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="testimonial_rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}★ {self.author_name}"
