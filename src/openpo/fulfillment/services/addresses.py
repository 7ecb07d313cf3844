"""Buyers correcting their own details, and the seller's lock that ends it.

Until the seller locks a PO's addresses, the buyer of a live order that has not been packed may
correct the name, WhatsApp number, address, postal code (and city and province, where the order
has them) from the order page. The change is cleaned like a new order's (`orders.services.
changing.update_buyer_details`), and audited with the actor label "buyer" and each field's old
and new value, which the seller's order page shows. Locking tells every buyer once (the outbox
keys the notice per order, so locking again after an unlock sends nothing twice).
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openpo.catalog.models import Campaign
from openpo.core.audit import audit_event
from openpo.core.errors import DomainError
from openpo.messaging import events
from openpo.orders.models import Order
from openpo.orders.services import BuyerDetails
from openpo.orders.services.changing import update_buyer_details

# The order fields a buyer may correct, and the audit's name for each.
BUYER_FIELDS = ("buyer_name", "buyer_phone", "address", "city", "province", "postal_code")
# Addresses can be locked once orders no longer come in, until the PO is done.
LOCKABLE_PHASES = (Campaign.Status.CLOSED, Campaign.Status.PRODUCING, Campaign.Status.SHIPPING)
# Phases in which a buyer's correction still reaches the parcel.
EDITABLE_PHASES = (
    Campaign.Status.OPEN,
    Campaign.Status.CLOSED,
    Campaign.Status.PRODUCING,
    Campaign.Status.SHIPPING,
)


class BuyerEditRefused(DomainError):
    code = "addresses_locked"
    http_status = 409
    default_message = _(
        "The seller has locked the addresses of this PO: ask the seller to change yours."
    )
    not_editable = _("This order can no longer be changed here: ask the seller.")


class AddressLockRefused(DomainError):
    code = "address_lock"
    http_status = 409
    default_message = _("Addresses can be locked once the PO has closed, until it is done.")


class _Buyer:
    """Who acts in an audit event written for the buyer (no user, the label "buyer")."""

    is_authenticated = False

    def get_username(self) -> str:
        return "buyer"


BUYER = _Buyer()


def addresses_locked(campaign: Campaign) -> bool:
    return campaign.addresses_locked_at is not None


def buyer_may_edit(order: Order) -> bool:
    """Whether the buyer may still correct the order's details (the page asks this)."""
    return (
        order.status == Order.Status.ACTIVE
        and order.campaign.status in EDITABLE_PHASES
        and order.fulfillment_status == Order.FulfillmentStatus.PENDING
        and not addresses_locked(order.campaign)
    )


@dataclass(frozen=True)
class BuyerCorrection:
    name: str
    phone: str
    address: str
    postal_code: str
    # None keeps what the order has (the page shows them only where the order has them).
    city: str | None = None
    province: str | None = None


@transaction.atomic
def correct_buyer_details(
    *, order: Order, correction: BuyerCorrection, now: datetime | None = None
) -> dict[str, list[str]]:
    """The buyer's own correction of name, number and address, refused once the PO's
    addresses are locked or the order is packed; returns the changes (field → [old, new])."""
    now = now or timezone.now()
    # The campaign row first: a lock committed meanwhile is seen, never raced.
    campaign = Campaign.objects.select_for_update().get(pk=order.campaign_id)
    order = Order.objects.select_for_update().get(pk=order.pk)
    order.campaign = campaign
    if addresses_locked(campaign):
        raise BuyerEditRefused()
    if not buyer_may_edit(order):
        raise BuyerEditRefused(BuyerEditRefused.not_editable)
    before = {name: getattr(order, name) for name in BUYER_FIELDS}
    update_buyer_details(
        order=order,
        buyer=BuyerDetails(
            name=correction.name,
            phone=correction.phone,
            email=order.buyer_email,
            address=correction.address,
            city=order.city if correction.city is None else correction.city,
            province=order.province if correction.province is None else correction.province,
            postal_code=correction.postal_code,
            notes=order.notes,
        ),
        actor=BUYER,
        now=now,
    )
    changes = {
        name: [before[name], getattr(order, name)]
        for name in BUYER_FIELDS
        if before[name] != getattr(order, name)
    }
    if changes:
        audit_event(
            action="order.buyer_self_corrected",
            subject=order,
            shop_id=order.shop_id,
            actor_label="buyer",
            at=now,
            data={"changes": changes},
        )
    return changes


@transaction.atomic
def lock_addresses(
    *, campaign: Campaign, actor: AbstractBaseUser | None = None, now: datetime | None = None
) -> Campaign:
    """Stop buyers' own corrections for the PO and tell each buyer of a live order to check
    the address once more (once per order, ever)."""
    now = now or timezone.now()
    campaign = Campaign.objects.select_for_update().select_related("shop").get(pk=campaign.pk)
    if campaign.addresses_locked_at is not None:
        return campaign
    if campaign.status not in LOCKABLE_PHASES:
        raise AddressLockRefused()
    campaign.addresses_locked_at = now
    campaign.save(update_fields=["addresses_locked_at"])
    audit_event(
        action="campaign.addresses_locked",
        subject=campaign,
        shop_id=campaign.shop_id,
        actor=actor,
        at=now,
    )
    events.addresses_locked(campaign, now)
    return campaign


@transaction.atomic
def unlock_addresses(
    *, campaign: Campaign, actor: AbstractBaseUser | None = None, now: datetime | None = None
) -> Campaign:
    """Let buyers correct their details again (no message: they were told to check)."""
    now = now or timezone.now()
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.addresses_locked_at is None:
        return campaign
    campaign.addresses_locked_at = None
    campaign.save(update_fields=["addresses_locked_at"])
    audit_event(
        action="campaign.addresses_unlocked",
        subject=campaign,
        shop_id=campaign.shop_id,
        actor=actor,
        at=now,
    )
    return campaign
