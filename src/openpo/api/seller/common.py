"""What every seller endpoint shares: the token's shop and person, the refusals each answer
may carry (documented in the OpenAPI document), finding the shop's objects (404 otherwise),
local times and the owner check."""

import re
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from openpo.api.schemas import ErrorOut
from openpo.catalog.errors import OwnersOnly
from openpo.catalog.models import Campaign, Membership, Shop

# The statuses any seller endpoint may answer besides its success (ErrorOut each). A body
# endpoint adds BODY_REFUSALS.
REFUSALS = {status: ErrorOut for status in (401, 403, 404, 409, 422, 429)}
BODY_REFUSALS = {status: ErrorOut for status in (400, 413, 415)}


def shop_of(request: HttpRequest) -> Shop:
    return request.auth.shop


def actor_of(request: HttpRequest) -> AbstractBaseUser:
    return request.auth.user


def local(request: HttpRequest, moment: datetime | None) -> datetime | None:
    """A stored time in the shop's time zone (the offset says which)."""
    return moment and timezone.localtime(moment, shop_of(request).tzinfo)


def get_own(request: HttpRequest, queryset: QuerySet, **lookup) -> Model:
    """The object of the token's shop that `lookup` names; 404 for anything else."""
    found = queryset.filter(**lookup).first()
    if found is None:
        raise Http404
    return found


# What a PO's link may look like; anything else (a NUL byte PostgreSQL would refuse to even
# compare, a slash, 5 000 characters) is no PO of the shop, answered without a query.
SLUG = re.compile(r"[-A-Za-z0-9_]{1,80}")


def own_campaign(request: HttpRequest, slug: str) -> Campaign:
    if not SLUG.fullmatch(slug):
        raise Http404
    campaigns = Campaign.objects.filter(shop=shop_of(request))
    return get_own(request, campaigns.select_related("shop"), slug=slug)


def require_owner(request: HttpRequest) -> None:
    """Steps the dashboard leaves to the shop's owner (a staff member's token gets 403)."""
    if not Membership.objects.filter(
        shop=shop_of(request), user=actor_of(request), role=Membership.Role.OWNER
    ).exists():
        raise OwnersOnly()
