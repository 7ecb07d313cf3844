"""Who may do what in a shop, for the rules that hold whatever door a change comes through.

What buyers are told in the shop's name (message templates, which carry the payment
instructions, and broadcasts to a PO's buyers) and where their money goes (bank accounts,
QRIS, the payment gateway) are the owners' to change: a staff member who could rewrite "order
received" to name another bank account could take a PO's money.
"""

from django.contrib.auth.models import AbstractBaseUser

from openpo.catalog.errors import OwnersOnly
from openpo.catalog.models import Membership, Shop


def is_owner(shop: Shop | int, user: AbstractBaseUser | None) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    shop_id = shop if isinstance(shop, int) else shop.pk
    return Membership.objects.filter(
        shop_id=shop_id, user=user, role=Membership.Role.OWNER
    ).exists()


def require_owner(shop: Shop | int, actor: AbstractBaseUser | None) -> None:
    """Raise `OwnersOnly` unless `actor` owns the shop; None is the system (the demo, a
    command run by the operator), which may."""
    if actor is not None and not is_owner(shop, actor):
        raise OwnersOnly()
