"""Making, revoking and checking personal API tokens (`catalog.models.ApiToken`).

A token belongs to a member of a shop and sees only that shop; it stops working when revoked
or when its user is no longer a member. The API checks it with `authenticate` (api/auth.py).
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openpo.catalog.models import ApiToken, Membership, Shop
from openpo.core.audit import audit_event
from openpo.core.errors import DomainError
from openpo.core.text import text_problem

PREFIX = "opo_"
# `last_used_at` is written at most this often per token, not on every request.
TOUCH_EVERY = timedelta(minutes=5)


class NotAMember(DomainError):
    code = "not_a_member"
    http_status = 403
    default_message = _("Only a member of the shop can make a token for it.")


class InvalidTokenName(DomainError):
    code = "invalid"
    http_status = 422
    default_message = _("Please correct the token's name.")


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def create_token(
    *, shop: Shop, user: AbstractBaseUser, name: str, now: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token of `user` for `shop`, and the token itself, to be shown once."""
    name = " ".join(name.split())
    if not name:
        raise InvalidTokenName(field_errors={"name": [_("Give the token a name.")]})
    if len(name) > 100 or (problem := text_problem(name)):
        raise InvalidTokenName(field_errors={"name": [problem or _("This is too long.")]})
    if not Membership.objects.filter(shop=shop, user=user).exists():
        raise NotAMember()
    raw = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        shop=shop,
        user=user,
        name=name,
        prefix=raw[:11],
        digest=_digest(raw),
        created_at=now or timezone.now(),
    )
    audit_event(
        action="shop.api_token_created",
        subject=token,
        shop_id=shop.pk,
        actor=user,
        at=token.created_at,
        data={"name": name, "prefix": token.prefix},
    )
    return token, raw


@transaction.atomic
def revoke_token(
    *, token: ApiToken, actor: AbstractBaseUser | None = None, now: datetime | None = None
) -> bool:
    """Stop `token` from working; False if it was revoked already."""
    now = now or timezone.now()
    if not ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(revoked_at=now):
        return False
    audit_event(
        action="shop.api_token_revoked",
        subject=token,
        shop_id=token.shop_id,
        actor=actor,
        at=now,
        data={"name": token.name, "prefix": token.prefix},
    )
    return True


def authenticate(raw: str, now: datetime | None = None) -> ApiToken | None:
    """The live token `raw` names, with its shop, if its user is still a member."""
    if not raw.startswith(PREFIX) or len(raw) > 100:
        return None
    still_member = Exists(Membership.objects.filter(shop=OuterRef("shop"), user=OuterRef("user")))
    token = (
        ApiToken.objects.select_related("shop", "user")
        .filter(still_member, digest=_digest(raw), revoked_at=None, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
