"""Customers, orders and order lines.

An order keeps a snapshot of the buyer and of each line's price, so later edits of the
customer or the catalog never rewrite what was ordered. Changes go through `orders.services`.
"""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from openpo.catalog.models import Campaign, Shop, Variant


class Customer(models.Model):
    """A buyer of one shop, identified by their WhatsApp number (E.164)."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="customers")
    phone = models.CharField(_("WhatsApp number"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    email = models.EmailField(_("email"), blank=True)
    # The buyer ticked "tell me about this shop's next POs" (never assumed).
    reminders_opt_in = models.BooleanField(_("wants to hear about new POs"), default=False)
    # The buyer asked to hear no more news or broadcasts (replied STOP / berhenti). It holds
    # until they reply START / mulai: a later order's tick does not undo it on its own.
    opted_out_at = models.DateTimeField(_("opted out of news at"), null=True, blank=True)
    # When the buyer last wrote to the shop's WhatsApp Cloud API number: free-form messages may
    # follow for 24 h (`messaging.window`).
    whatsapp_last_inbound_at = models.DateTimeField(
        _("last WhatsApp message from the buyer"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name"]
        indexes = [
            # Buyers changed since the insights tallies were counted (insights.tallies).
            models.Index(fields=["shop", "updated_at"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["shop", "phone"], name="customer_unique_phone"),
            models.CheckConstraint(condition=Q(phone__startswith="+"), name="customer_phone_e164"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.phone})"


class OrderQuerySet(models.QuerySet):
    def overdue(self, now: datetime) -> "OrderQuerySet":
        """The orders `Order.is_overdue` at `now`, as one query."""
        return self.filter(
            status=Order.Status.ACTIVE,
            payment_status=Order.PaymentStatus.UNPAID,
            payment_deadline__lt=now,
        )


class Order(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired (not paid in time)")

    class PaymentStatus(models.TextChoices):
        UNPAID = "unpaid", _("Awaiting payment")
        PARTIAL = "partial", _("Partly paid (short)")
        DEPOSIT_PAID = "deposit_paid", _("Down payment received")
        PAID = "paid", _("Paid")
        REFUNDED = "refunded", _("Refunded")

    class FulfillmentStatus(models.TextChoices):
        PENDING = "pending", _("Not shipped yet")
        PACKED = "packed", _("Packed")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")
        RETURNED = "returned", _("Returned to the seller")

    class Channel(models.TextChoices):
        WEB = "web", _("Order form")
        WHATSAPP = "whatsapp", _("WhatsApp chat")
        IMPORT = "import", _("Imported (CSV)")
        MANUAL = "manual", _("Entered by the seller")
        API = "api", _("API")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="orders")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="orders")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    code = models.CharField(_("order code"), max_length=12)
    # The buyer's order page lives at /o/<secret>/: 192 random bits, never shown in lists.
    secret = models.CharField(max_length=43, unique=True, editable=False)

    buyer_name = models.CharField(_("name"), max_length=100)
    buyer_phone = models.CharField(_("WhatsApp number"), max_length=20)
    buyer_email = models.EmailField(_("email"), blank=True)
    address = models.TextField(_("address"), blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    province = models.CharField(_("province"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB
    )

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    payment_status = models.CharField(
        _("payment status"),
        max_length=12,
        choices=PaymentStatus.choices,
        default=PaymentStatus.UNPAID,
    )
    fulfillment_status = models.CharField(
        _("fulfilment status"),
        max_length=10,
        choices=FulfillmentStatus.choices,
        default=FulfillmentStatus.PENDING,
    )

    units = models.PositiveIntegerField(_("units"))
    subtotal = models.PositiveIntegerField(_("subtotal (Rp)"))
    shipping_fee = models.PositiveIntegerField(_("shipping fee (Rp)"))
    # Charges added after the PO closed (shipping by weight, cargo, tax), each with its own
    # expected payment of kind "extra"; kept by payments.services, part of the total.
    extra_charges = models.PositiveIntegerField(_("extra charges (Rp)"), default=0)
    total = models.PositiveIntegerField(_("total (Rp)"))
    # What must be paid first: the whole total, or the down payment under a DP policy.
    deposit_due = models.PositiveIntegerField(_("due up front (Rp)"))
    # Confirmed payments minus refunds paid out (kept by payments.services, never by hand).
    amount_paid = models.PositiveIntegerField(_("amount paid (Rp)"), default=0)
    amount_refunded = models.PositiveIntegerField(_("amount refunded (Rp)"), default=0)
    # Where the buyer wants a refund to go, should one be due (given on the order page).
    refund_bank_name = models.CharField(_("bank for a refund"), max_length=50, blank=True)
    refund_account_number = models.CharField(
        _("account number for a refund"), max_length=34, blank=True
    )
    refund_account_holder = models.CharField(
        _("account holder for a refund"), max_length=100, blank=True
    )
    # Whether this order's units were counted against the PO's early-bird units.
    early_bird = models.BooleanField(_("early-bird price"), default=False)
    payment_deadline = models.DateTimeField(_("payment deadline"))

    terms_accepted = models.TextField(_("PO terms as accepted"), blank=True)
    idempotency_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    # sha256 of what the request with that key asked for (buyer, items, channel): a replay of
    # the key with another body is refused instead of answered with this order. Empty on
    # orders placed before the check, which match any body.
    request_fingerprint = models.CharField(max_length=64, blank=True, default="", editable=False)
    created_at = models.DateTimeField(_("ordered at"), db_index=True)
    updated_at = models.DateTimeField(_("updated at"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.TextField(_("cancellation reason"), blank=True)
    expired_at = models.DateTimeField(_("expired at"), null=True, blank=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "code"], name="order_unique_code"),
            models.UniqueConstraint(
                fields=["campaign", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="order_unique_idempotency_key",
            ),
            models.CheckConstraint(condition=Q(units__gte=1), name="order_units_positive"),
            models.CheckConstraint(
                condition=Q(total=F("subtotal") + F("shipping_fee") + F("extra_charges")),
                name="order_total_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(deposit_due__lte=F("total")), name="order_deposit_within_total"
            ),
            models.CheckConstraint(
                condition=Q(amount_paid__gte=0), name="order_amount_paid_nonnegative"
            ),
            models.CheckConstraint(
                condition=Q(status="active", cancelled_at__isnull=True, expired_at__isnull=True)
                | Q(status="cancelled", cancelled_at__isnull=False)
                | Q(status="expired", expired_at__isnull=False),
                name="order_status_timestamps",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "status", "payment_status"]),
            models.Index(fields=["status", "payment_deadline"]),
            # The orders changed since the insights tallies were counted (insights.tallies).
            models.Index(fields=["shop", "updated_at"]),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def is_overdue(self, now: datetime) -> bool:
        """Still active and unpaid after its payment deadline: the seller should chase it or let
        it expire. A proof waiting for the seller's check does not change that (expiry, in
        `orders.services.releasing`, waits for the check; this flag only says the time is up).
        `Order.objects.overdue(now)` is the same rule as a query."""
        return (
            self.status == self.Status.ACTIVE
            and self.payment_status == self.PaymentStatus.UNPAID
            and self.payment_deadline < now
        )

    @property
    def amount_outstanding(self) -> int:
        return max(self.total - self.amount_paid, 0)

    @property
    def amount_overpaid(self) -> int:
        return max(self.amount_paid - self.total, 0)

    @cached_property
    def dynamic_qris(self) -> str | None:
        """The shop's QRIS with the open payment's amount filled in, or None (no QRIS, nothing
        to pay, or a broken static QRIS: bank transfer still works then)."""
        from openpo.payments.qris import InvalidQris, make_dynamic

        expected = self.open_expected_payment
        if not expected or not self.shop.static_qris:
            return None
        try:
            return make_dynamic(self.shop.static_qris, expected.amount)
        except InvalidQris:
            return None

    @cached_property
    def open_expected_payment(self):
        """The payment the buyer should make now (amount with its unique code), if any."""
        from openpo.payments.models import ExpectedPayment

        return self.expected_payments.filter(status=ExpectedPayment.Status.OPEN).first()


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="order_lines")
    # Snapshots: what the buyer saw when ordering.
    product_name = models.CharField(_("product"), max_length=150)
    variant_label = models.CharField(_("variant"), max_length=150, blank=True)
    sku = models.CharField(_("SKU"), max_length=64)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.PositiveIntegerField(_("unit price (Rp)"))

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "variant"], name="order_line_unique_variant"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="order_line_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_name} {self.variant_label}".strip()

    @property
    def line_total(self) -> int:
        return self.quantity * self.unit_price


class ReminderSignup(models.Model):
    """A visitor who asked to be told when a PO opens ("Ingatkan saya")."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reminders")
    phone = models.CharField(_("WhatsApp number"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    created_at = models.DateTimeField(_("signed up at"))
    notified_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder sign-up")
        verbose_name_plural = _("reminder sign-ups")
        constraints = [
            models.CheckConstraint(
                condition=~Q(phone="") | ~Q(email=""), name="reminder_has_a_contact"
            ),
            models.UniqueConstraint(
                fields=["campaign", "phone"],
                condition=~Q(phone=""),
                name="reminder_unique_phone",
            ),
            models.UniqueConstraint(
                fields=["campaign", "email"],
                condition=~Q(email=""),
                name="reminder_unique_email",
            ),
        ]

    def __str__(self) -> str:
        return self.phone or self.email


class OrderNote(models.Model):
    """An internal note on an order, for the shop's team only (never shown to the buyer)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="internal_notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(_("written at"))

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:50]
