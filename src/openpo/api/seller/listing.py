"""What the seller API's lists share: pages behind an opaque cursor, and times in queries.

A list runs newest first by (created_at, id); the cursor is the position of a page's last row,
so the next page starts right after it whatever arrives meanwhile (new rows are newer: they
come before the first page, never into the middle of a walk). The cursor is base64 of JSON, but
clients must treat it as opaque.
"""

import base64
import binascii
import json
from datetime import UTC, datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema

from openpo.core.errors import DomainError

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_CURSOR_LENGTH = 200
MAX_ID = 2**63 - 1

CURSOR_DESCRIPTION = "`next_cursor` of the previous page; empty for the first page."
LIMIT_DESCRIPTION = f"Rows per page, 1 to {MAX_LIMIT}."


class InvalidQuery(DomainError):
    """A query parameter the list cannot use; `field_errors` names it."""

    code = "invalid"
    http_status = 422
    default_message = _("Please correct the query.")


class ShopPageOut(Schema):
    next_cursor: str | None = Field(
        description="Send it as `cursor` for the next page; null on the last page."
    )


def _cursor_of(created_at: datetime, pk: int) -> str:
    text = json.dumps([created_at.astimezone(UTC).isoformat(), pk], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _position(cursor: str) -> tuple[datetime, int]:
    """The (created_at, id) a cursor names; InvalidQuery for anything this module did not make."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, pk = json.loads(text)
        moment = datetime.fromisoformat(at)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError, RecursionError):
        moment, pk = None, None
    if (
        moment is None
        or moment.tzinfo is None
        or type(pk) is not int
        or not 0 < pk <= MAX_ID
        or aware(moment) is None
    ):
        raise InvalidQuery(
            field_errors={"cursor": [_("This cursor is not one this list gave; start again.")]}
        )
    return moment, pk


def page(rows: QuerySet, *, cursor: str, limit: int) -> tuple[list, str | None]:
    """One page of `rows`, newest first, after `cursor`; and the cursor of the next page."""
    rows = rows.order_by("-created_at", "-pk")
    if cursor:
        at, pk = _position(cursor)
        rows = rows.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk))
    found = list(rows[: limit + 1])
    if len(found) <= limit:
        return found, None
    last = found[limit - 1]
    return found[:limit], _cursor_of(last.created_at, last.pk)


def aware(moment: datetime, tzinfo=None) -> datetime | None:
    """`moment` as an aware time (a naive one read in `tzinfo`), or None when it cannot be
    told in UTC (a year 1 or 9999 time whose offset pushes it out of the calendar; the
    schemas' `Moment` keeps bodies and queries within 2000-2100, a cursor is checked here)."""
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, tzinfo or UTC)
        moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    return moment


def since(value: datetime | None, field: str, tzinfo) -> datetime | None:
    """A `…_since` parameter as an aware time (a naive one in the shop's time zone)."""
    if value is None:
        return None
    moment = aware(value, tzinfo)
    if moment is None:
        raise InvalidQuery(
            field_errors={field: [_("Enter a date between the years 2000 and 2100.")]}
        )
    return moment
