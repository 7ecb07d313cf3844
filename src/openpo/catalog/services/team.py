"""A shop's team: inviting people by a secret link (sent by email, shareable over WhatsApp),
revoking and accepting invitations, giving someone a role directly, changing roles and
removing members.

A shop always keeps at least one owner: changes that would leave it without one are refused
while the shop's row is locked, so two owners removing each other at once cannot both win.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from openpo.catalog.errors import InvalidShop
from openpo.catalog.models import Invitation, Membership, Shop
from openpo.core.audit import audit_event
from openpo.core.errors import DomainError

logger = logging.getLogger(__name__)

INVITATION_DAYS = 7


class InvitationUnusable(DomainError):
    """The invitation link cannot be used (any more); `code` says why."""

    code = "invitation_unusable"
    http_status = 410
    default_message = _("This invitation can no longer be used.")
    expired = _("This invitation has expired. Ask the shop owner for a new one.")
    revoked = _("This invitation was withdrawn by the shop. Ask the shop owner for a new one.")
    used = _(
        "This invitation has already been used: each link works only once. "
        "If you joined with it, just log in."
    )


class LastOwner(DomainError):
    code = "last_owner"
    http_status = 409
    default_message = _("A shop needs at least one owner: make someone else an owner first.")


def accept_url(token: str, *, base_url: str) -> str:
    """The absolute link that accepts an invitation (`base_url` like `https://openpo.id`)."""
    return base_url.rstrip("/") + reverse("invitation_accept", kwargs={"token": token})


@transaction.atomic
def invite_member(
    *,
    shop: Shop,
    actor: AbstractBaseUser,
    email: str,
    role: str,
    base_url: str,
    now: datetime | None = None,
) -> Invitation:
    """Invite `email` to the shop with `role`, for 7 days; the email goes out after commit."""
    now = now or timezone.now()
    email = (email or "").strip()
    errors: dict[str, list] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Enter a valid email address.")]
    if role not in Membership.Role.values:
        errors["role"] = [_("Choose owner or staff.")]
    # A staff member may still be invited as an owner; anything else would change nothing.
    members = Membership.objects.filter(shop=shop, user__email__iexact=email)
    if not errors and members.filter(role__in={role, Membership.Role.OWNER}).exists():
        errors["email"] = [_("Someone with this email is already in the team.")]
    if errors:
        raise InvalidShop(field_errors=errors)
    invitation = Invitation.objects.create(
        shop=shop,
        email=email,
        role=role,
        token=secrets.token_urlsafe(32),
        invited_by=actor,
        created_at=now,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    audit_event(
        action="shop.member_invited",
        subject=invitation,
        shop_id=shop.pk,
        actor=actor,
        at=now,
        data={"email": email, "role": role},
    )
    link = accept_url(invitation.token, base_url=base_url)
    transaction.on_commit(lambda: send_invitation_email(invitation=invitation, link=link))
    return invitation


def send_invitation_email(*, invitation: Invitation, link: str) -> bool:
    """Email the invitation link, in the shop's message language; False if sending failed.

    A failed send loses nothing: the link is on the team page to share another way.
    """
    shop = invitation.shop
    inviter = invitation.invited_by
    with translation.override(shop.message_language):
        context = {
            "shop": shop,
            "invitation": invitation,
            "link": link,
            "inviter": (inviter.get_full_name() or inviter.get_username()) if inviter else "",
            "role": invitation.get_role_display(),
            "days": INVITATION_DAYS,
        }
        subject = str(_("Join the team of %(shop)s on OpenPO") % {"shop": shop.name})
        body = render_to_string("registration/invitation_email.html", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
    except Exception:  # SMTP down, refused address, timeout…
        logger.exception("Could not email invitation %s to %s", invitation.pk, invitation.email)
        return False
    return True


@transaction.atomic
def revoke_invitation(
    *, invitation: Invitation, actor: AbstractBaseUser, now: datetime | None = None
) -> Invitation:
    """Withdraw an invitation that has not been accepted: its link stops working."""
    now = now or timezone.now()
    if invitation.accepted_at is not None:
        raise InvitationUnusable(InvitationUnusable.used)
    if invitation.revoked_at is None:
        invitation.revoked_at = now
        invitation.save(update_fields=["revoked_at"])
        audit_event(
            action="shop.invitation_revoked",
            subject=invitation,
            shop_id=invitation.shop_id,
            actor=actor,
            at=now,
            data={"email": invitation.email},
        )
    return invitation


def check_usable(invitation: Invitation, at: datetime) -> None:
    """Raise `InvitationUnusable` saying why, unless the invitation can still be accepted."""
    if invitation.accepted_at is not None:
        raise InvitationUnusable(InvitationUnusable.used)
    if invitation.revoked_at is not None:
        raise InvitationUnusable(InvitationUnusable.revoked)
    if at >= invitation.expires_at:
        raise InvitationUnusable(InvitationUnusable.expired)


@transaction.atomic
def accept_invitation(
    *, invitation: Invitation, user: AbstractBaseUser, now: datetime | None = None
) -> Membership:
    """Make `user` a member of the invitation's shop; each invitation works once.

    Someone already in the team keeps the higher of their role and the invited one.
    """
    now = now or timezone.now()
    check_usable(invitation, now)
    # One conditional UPDATE claims the invitation: of two tabs accepting at once, one wins.
    claimed = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).update(accepted_at=now, accepted_by=user)
    if not claimed:
        invitation.refresh_from_db()
        check_usable(invitation, now)
        raise InvitationUnusable()
    invitation.accepted_at, invitation.accepted_by = now, user
    membership = Membership.objects.filter(shop_id=invitation.shop_id, user=user).first()
    if membership is None:
        membership = Membership.objects.create(
            shop_id=invitation.shop_id, user=user, role=invitation.role
        )
    elif invitation.role == Membership.Role.OWNER and membership.role != invitation.role:
        membership.role = Membership.Role.OWNER
        membership.save(update_fields=["role"])
    audit_event(
        action="shop.invitation_accepted",
        subject=invitation,
        shop_id=invitation.shop_id,
        actor=user,
        at=now,
        data={"user": user.get_username(), "role": membership.role},
    )
    return membership


@transaction.atomic
def add_member(
    *, shop: Shop, user: AbstractBaseUser, role: str, actor: AbstractBaseUser | None = None
) -> Membership:
    """Give `user` a role in `shop` (or change the role they have)."""
    if role not in Membership.Role.values:
        raise InvalidShop(field_errors={"role": [_("Choose owner or staff.")]})
    membership, _created = Membership.objects.update_or_create(
        shop=shop, user=user, defaults={"role": role}
    )
    audit_event(
        action="shop.member_set",
        subject=membership,
        shop_id=shop.pk,
        actor=actor,
        at=timezone.now(),
        data={"user": user.get_username(), "role": role},
    )
    return membership


def _lock_owners(shop_id: int) -> int:
    """Lock the shop's row (serialising team changes) and count its owners."""
    Shop.objects.select_for_update().filter(pk=shop_id).values_list("pk", flat=True).get()
    return Membership.objects.filter(shop_id=shop_id, role=Membership.Role.OWNER).count()


@transaction.atomic
def change_member_role(*, membership: Membership, actor: AbstractBaseUser, role: str) -> Membership:
    """Make a member owner or staff; the last owner cannot step down."""
    if role not in Membership.Role.values:
        raise InvalidShop(field_errors={"role": [_("Choose owner or staff.")]})
    owners = _lock_owners(membership.shop_id)
    membership.refresh_from_db()
    if membership.role == role:
        return membership
    if membership.role == Membership.Role.OWNER and owners <= 1:
        raise LastOwner()
    membership.role = role
    membership.save(update_fields=["role"])
    audit_event(
        action="shop.member_set",
        subject=membership,
        shop_id=membership.shop_id,
        actor=actor,
        at=timezone.now(),
        data={"user": membership.user.get_username(), "role": role},
    )
    return membership


@transaction.atomic
def remove_member(*, membership: Membership, actor: AbstractBaseUser) -> None:
    """Take someone out of the team; the last owner cannot be removed."""
    owners = _lock_owners(membership.shop_id)
    membership.refresh_from_db()
    if membership.role == Membership.Role.OWNER and owners <= 1:
        raise LastOwner()
    audit_event(
        action="shop.member_removed",
        subject=membership,
        shop_id=membership.shop_id,
        actor=actor,
        at=timezone.now(),
        data={"user": membership.user.get_username(), "role": membership.role},
    )
    membership.delete()
