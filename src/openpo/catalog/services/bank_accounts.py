"""A shop's bank accounts, the ones buyers transfer to: adding, correcting, hiding or showing
and deleting them; every change is audited."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openpo.catalog.errors import InvalidShop
from openpo.catalog.models import BankAccount, Shop
from openpo.core.audit import audit_event


def _account_errors(bank_name: str, digits: str, account_holder: str) -> dict[str, list]:
    errors: dict[str, list] = {}
    if not bank_name.strip():
        errors["bank_name"] = [_("Enter the bank's name.")]
    if not 5 <= len(digits) <= 34:
        errors["account_number"] = [_("Enter the account number (digits only).")]
    if not account_holder.strip():
        errors["account_holder"] = [_("Enter the account holder's name.")]
    return errors


@transaction.atomic
def add_bank_account(
    *,
    shop: Shop,
    bank_name: str,
    account_number: str,
    account_holder: str,
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> BankAccount:
    """Add an account buyers can transfer to; the account number keeps digits only."""
    digits = "".join(ch for ch in account_number if ch.isdigit())
    errors = _account_errors(bank_name, digits, account_holder)
    if errors:
        raise InvalidShop(field_errors=errors)
    try:
        with transaction.atomic():
            account = BankAccount.objects.create(
                shop=shop,
                bank_name=bank_name.strip(),
                account_number=digits,
                account_holder=account_holder.strip(),
                position=shop.bank_accounts.count(),
            )
    except IntegrityError as exc:
        raise InvalidShop(
            field_errors={"account_number": [_("This account is already listed.")]}
        ) from exc
    _audit_account("shop.bank_account_added", account, actor, now)
    return account


@transaction.atomic
def update_bank_account(
    *,
    account: BankAccount,
    actor: AbstractBaseUser | None,
    bank_name: str,
    account_number: str,
    account_holder: str,
) -> BankAccount:
    """Correct an account's bank, number or holder; the number keeps digits only."""
    digits = "".join(ch for ch in account_number if ch.isdigit())
    errors = _account_errors(bank_name, digits, account_holder)
    duplicate = (
        BankAccount.objects.filter(
            shop_id=account.shop_id, bank_name=bank_name.strip(), account_number=digits
        )
        .exclude(pk=account.pk)
        .exists()
    )
    if duplicate:
        errors["account_number"] = [_("This account is already listed.")]
    if errors:
        raise InvalidShop(field_errors=errors)
    account.bank_name = bank_name.strip()
    account.account_number = digits
    account.account_holder = account_holder.strip()
    account.save(update_fields=["bank_name", "account_number", "account_holder"])
    _audit_account("shop.bank_account_changed", account, actor)
    return account


@transaction.atomic
def set_bank_account_active(
    *, account: BankAccount, actor: AbstractBaseUser | None, active: bool
) -> BankAccount:
    """Show (active) or hide (inactive) an account on the buyers' payment pages."""
    if account.is_active != active:
        account.is_active = active
        account.save(update_fields=["is_active"])
        action = "shop.bank_account_activated" if active else "shop.bank_account_deactivated"
        _audit_account(action, account, actor)
    return account


@transaction.atomic
def delete_bank_account(*, account: BankAccount, actor: AbstractBaseUser | None) -> None:
    """Remove an account for good (nothing else refers to it; orders show the current list)."""
    _audit_account("shop.bank_account_deleted", account, actor)
    account.delete()


def _audit_account(
    action: str,
    account: BankAccount,
    actor: AbstractBaseUser | None,
    now: datetime | None = None,
) -> None:
    audit_event(
        action=action,
        subject=account,
        shop_id=account.shop_id,
        actor=actor,
        at=now or timezone.now(),
        data={"bank": account.bank_name, "account_number": account.account_number},
    )
