"""Expected payments: the exact amount a buyer transfers for one part of an order.

A transfer is matched to its order by the amount alone, so each open expected payment of a shop
has an amount no other open one has: the base amount plus a "kode unik" of up to four digits.
The database holds that rule (a partial unique constraint), so two concurrent orders can
never be told to transfer the same amount.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class ExpectedPayment(models.Model):
    class Kind(models.TextChoices):
        FULL = "full", _("Full payment")
        DEPOSIT = "deposit", _("Down payment (DP)")
        SETTLEMENT = "settlement", _("Settlement")

    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting transfer")
        PAID = "paid", _("Paid")
        VOID = "void", _("No longer due")

    shop = models.ForeignKey("catalog.Shop", on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(
        "orders.Order", on_delete=models.CASCADE, related_name="expected_payments"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
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
