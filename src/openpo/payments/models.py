"""Money in and out of orders: expected payments (the exact amount a buyer transfers for one
part of an order), payments (claimed by the buyer, confirmed or rejected by the seller, or
found in a bank statement or a gateway notification), refunds, and imported bank statements.

A transfer is matched to its order by the amount alone, so each open expected payment of a shop
has an amount no other open one has: the base amount plus a "kode unik" of up to four digits.
The database holds that rule (a partial unique constraint), so two concurrent orders can
never be told to transfer the same amount.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ExpectedPayment(models.Model):
    class Kind(models.TextChoices):
        FULL = "full", _("Full payment")
        DEPOSIT = "deposit", _("Down payment (DP)")
        SETTLEMENT = "settlement", _("Settlement")
        EXTRA = "extra", _("Extra charge")

    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting transfer")
        # Not "Lunas": a paid DP leaves the order still to settle.
        PAID = "paid", pgettext_lazy("a payment step", "Paid")
        VOID = "void", _("No longer due")

    shop = models.ForeignKey("catalog.Shop", on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(
        "orders.Order", on_delete=models.CASCADE, related_name="expected_payments"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # What an extra charge is for ("Ongkir", "Pajak impor"); empty for the order's own steps.
    label = models.CharField(_("what it is for"), max_length=100, blank=True)
    base_amount = models.PositiveIntegerField(_("amount before the unique code (Rp)"))
    unique_code = models.PositiveSmallIntegerField(_("unique code"))
    amount = models.PositiveIntegerField(_("amount to transfer (Rp)"))
    due_at = models.DateTimeField(_("due at"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("created at"))
    # The buyer says it is paid (a proof was uploaded); the seller has not confirmed it yet.
    claimed_at = models.DateTimeField(_("claimed paid at"), null=True, blank=True)
    # When the buyer was reminded that this payment is due soon (once per expected payment).
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("expected payment")
        verbose_name_plural = _("expected payments")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "amount"],
                condition=Q(status="open"),
                name="expected_payment_unique_open_amount",
            ),
            models.CheckConstraint(
                condition=Q(amount=F("base_amount") + F("unique_code")),
                name="expected_payment_amount_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(unique_code__gte=1, unique_code__lte=9999),
                name="expected_payment_code_range",
            ),
            models.CheckConstraint(
                condition=Q(base_amount__gte=1), name="expected_payment_base_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind} {self.amount}"


def _private_storage():
    from openpo.payments.uploads import proof_storage

    return proof_storage()


def _proof_path(instance: "PaymentProof", filename: str) -> str:
    return f"{instance.order.shop_id}/{instance.order_id}/{filename}"


class PaymentProof(models.Model):
    """A buyer's "bukti transfer": kept outside the web root, shown only to the shop."""

    order = models.ForeignKey(
        "orders.Order", on_delete=models.CASCADE, related_name="payment_proofs"
    )
    expected_payment = models.ForeignKey(
        ExpectedPayment, on_delete=models.SET_NULL, null=True, blank=True, related_name="proofs"
    )
    # The claim this proof supports: a second proof sent while a claim waits joins it, so one
    # transfer is never counted twice.
    claim = models.ForeignKey(
        "payments.Payment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="claim_proofs",
    )
    file = models.FileField(_("file"), upload_to=_proof_path, storage=_private_storage)
    content_type = models.CharField(_("file type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("payment proof")
        verbose_name_plural = _("payment proofs")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.original_name}"


def _refund_proof_path(instance: "Refund", filename: str) -> str:
    return f"refunds/{instance.shop_id}/{instance.order_id}/{filename}"


class Payment(models.Model):
    """Money a buyer sent for an order: claimed (proof or "sudah transfer"), then confirmed or
    rejected by the seller; statement and gateway payments arrive confirmed. Only confirmed
    payments count towards `Order.amount_paid`."""

    class Status(models.TextChoices):
        CLAIMED = "claimed", _("Waiting for the seller's check")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    class Source(models.TextChoices):
        PROOF = "proof", _("Proof uploaded by the buyer")
        STATEMENT = "statement", _("Bank statement")
        GATEWAY = "gateway", _("Payment gateway")
        MANUAL = "manual", _("Recorded by the seller")

    shop = models.ForeignKey("catalog.Shop", on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="payments")
    expected_payment = models.ForeignKey(
        ExpectedPayment, on_delete=models.SET_NULL, null=True, blank=True, related_name="payments"
    )
    # The money that arrived, kode unik included …
    amount = models.PositiveIntegerField(_("amount (Rp)"))
    # … of which the kode unik only identified the transfer: it is not credited to the order
    # (so it never shows as an over-payment to refund). 0 when the buyer left it out.
    unique_code = models.PositiveSmallIntegerField(_("unique code"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    proof = models.ForeignKey(
        PaymentProof, on_delete=models.SET_NULL, null=True, blank=True, related_name="payments"
    )
    statement_line = models.OneToOneField(
        "payments.StatementLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment",
    )
    # The gateway's transaction id: one notification, however often repeated, is one payment.
    gateway_reference = models.CharField(_("gateway reference"), max_length=100, blank=True)
    received_at = models.DateTimeField(_("received at"))
    created_at = models.DateTimeField(_("recorded at"))
    decided_at = models.DateTimeField(_("confirmed or rejected at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Shown to the buyer when a payment is rejected.
    reject_reason = models.TextField(_("reason for rejecting"), blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=1), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(unique_code__lt=F("amount")), name="payment_code_within_amount"
            ),
            models.UniqueConstraint(
                fields=["shop", "gateway_reference"],
                condition=~Q(gateway_reference=""),
                name="payment_unique_gateway_reference",
            ),
            models.CheckConstraint(
                condition=Q(status="claimed", decided_at__isnull=True)
                | Q(status__in=["confirmed", "rejected"], decided_at__isnull=False),
                name="payment_decided_when_not_claimed",
            ),
        ]
        indexes = [models.Index(fields=["shop", "status"])]

    def __str__(self) -> str:
        return f"{self.order_id} {self.amount} {self.status}"

    @property
    def time_known(self) -> bool:
        """Whether `received_at` holds a real time of day: a bank statement gives the day only
        (the payment is dated at noon), so pages show its date alone."""
        return self.source != self.Source.STATEMENT

    @property
    def credited(self) -> int:
        """What counts towards the order: the money minus the kode unik."""
        return self.amount - self.unique_code


class Refund(models.Model):
    """Money given back to a buyer (a failed or cancelled PO, a cancelled order, an
    over-payment), with the account it went to and the seller's transfer proof."""

    shop = models.ForeignKey("catalog.Shop", on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="refunds")
    amount = models.PositiveIntegerField(_("amount (Rp)"))
    bank_name = models.CharField(_("bank"), max_length=50, blank=True)
    account_number = models.CharField(_("account number"), max_length=34, blank=True)
    account_holder = models.CharField(_("account holder"), max_length=100, blank=True)
    proof = models.FileField(
        _("transfer proof"),
        upload_to=_refund_proof_path,
        storage=_private_storage,
        blank=True,
    )
    note = models.TextField(_("note"), blank=True)
    refunded_at = models.DateTimeField(_("refunded at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-refunded_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=1), name="refund_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} −{self.amount}"


class StatementImport(models.Model):
    """One bank statement file imported by a seller (or `openpo import_statement`)."""

    shop = models.ForeignKey("catalog.Shop", on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    bank_format = models.CharField(_("format"), max_length=20)
    imported_at = models.DateTimeField(_("imported at"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    summary = models.JSONField(_("summary"), default=dict, blank=True)

    class Meta:
        verbose_name = _("bank statement import")
        verbose_name_plural = _("bank statement imports")
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.imported_at:%Y-%m-%d})"


class StatementLine(models.Model):
    """One credit line of a bank statement. Its fingerprint is the same whenever the same
    transaction is imported again (an overlapping statement), so it is applied once."""

    class Match(models.TextChoices):
        MATCHED = "matched", _("Matches one order")
        AMBIGUOUS = "ambiguous", _("Matches several orders")
        UNMATCHED = "unmatched", _("No matching order")
        LATE = "late", _("Arrived after the order expired or was cancelled")
        APPLIED = "applied", _("Applied to an order")
        IGNORED = "ignored", _("Ignored by the seller")

    shop = models.ForeignKey("catalog.Shop", on_delete=models.CASCADE, related_name="+")
    statement = models.ForeignKey(StatementImport, on_delete=models.CASCADE, related_name="lines")
    fingerprint = models.CharField(max_length=64)
    posted_on = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=500, blank=True)
    amount = models.PositiveIntegerField(_("amount (Rp)"))
    match = models.CharField(_("match"), max_length=10, choices=Match.choices)
    expected_payment = models.ForeignKey(
        ExpectedPayment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Expected payment ids of the orders it could be, when ambiguous or late.
    candidates = models.JSONField(_("candidates"), default=list, blank=True)

    class Meta:
        verbose_name = _("bank statement line")
        verbose_name_plural = _("bank statement lines")
        ordering = ["posted_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "fingerprint"], name="statement_line_unique_fingerprint"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=1), name="statement_line_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.posted_on} {self.amount} {self.description[:30]}"
