"""Refunds: where the buyer wants their money back and recording one (with the seller's transfer
proof), after which the order's paid amount goes down. Who is owed a refund, and how much, is
`payments.balances` (re-exported here as `refunds_due` and `refund_owed`)."""

import re
import secrets
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openpo.core.audit import audit_event
from openpo.orders.models import Order
from openpo.payments.balances import ENDED_CAMPAIGN, refund_owed, refunds_due
from openpo.payments.errors import InvalidRefund
from openpo.payments.models import Refund
from openpo.payments.services.recording import _locked, settle_order
from openpo.payments.uploads import InvalidUpload, check_proof

__all__ = ["ENDED_CAMPAIGN", "record_refund", "refund_owed", "refunds_due", "set_refund_account"]


@transaction.atomic
def set_refund_account(
    *,
    order: Order,
    bank_name: str,
    account_number: str,
    account_holder: str,
    now: datetime | None = None,
) -> Order:
    """The buyer says where a refund should go (any bank or e-wallet and its number)."""
    now = now or timezone.now()
    bank_name = " ".join(bank_name.split())
    number = re.sub(r"[\s.-]", "", account_number)
    holder = " ".join(account_holder.split())
    errors: dict[str, list] = {}
    if not bank_name:
        errors["bank_name"] = [_("Enter the bank or e-wallet, e.g. BCA or DANA.")]
    if not (number.isdigit() and 5 <= len(number) <= 20):
        errors["account_number"] = [_("An account number has 5 to 20 digits.")]
    if not holder:
        errors["account_holder"] = [_("Enter the name on the account.")]
    if errors:
        raise InvalidRefund(field_errors=errors)
    Order.objects.filter(pk=order.pk).update(
        refund_bank_name=bank_name[:50],
        refund_account_number=number,
        refund_account_holder=holder[:100],
        updated_at=now,
    )
    audit_event(
        action="order.refund_account_set",
        subject=order,
        shop_id=order.shop_id,
        actor_label="buyer",
        at=now,
        data={"bank": bank_name},
    )
    order.refresh_from_db()
    return order


@transaction.atomic
def record_refund(
    *,
    order: Order,
    amount: int,
    proof=None,
    note: str = "",
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> Refund:
    """Money sent back to the buyer: at most what they have paid; the proof of the transfer
    is kept privately, like payment proofs."""
    now = now or timezone.now()
    order = _locked(order)
    if not 1 <= amount <= order.amount_paid:
        raise InvalidRefund(
            field_errors={
                "amount": [
                    _("A refund is between Rp 1 and what was paid (Rp %(paid)s).")
                    % {"paid": f"{order.amount_paid:,}".replace(",", ".")}
                ]
            }
        )
    try:
        checked = check_proof(proof) if proof else None
    except InvalidUpload as refused:  # said of the `proof` argument, so a form shows it there
        raise InvalidUpload(refused.message, field_errors={"proof": [refused.message]}) from refused
    refund = Refund(
        shop_id=order.shop_id,
        order=order,
        amount=amount,
        bank_name=order.refund_bank_name,
        account_number=order.refund_account_number,
        account_holder=order.refund_account_holder,
        note=note.strip(),
        refunded_at=now,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if checked:
        refund.proof.save(f"{secrets.token_hex(16)}.{checked.extension}", proof, save=False)
    refund.save(force_insert=True)
    settle_order(order=order, now=now)
    audit_event(
        action="payment.refunded",
        subject=order,
        shop_id=order.shop_id,
        actor=actor,
        at=now,
        data={"refund": refund.pk, "amount": amount},
    )
    return refund
