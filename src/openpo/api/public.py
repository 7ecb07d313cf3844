"""Public endpoints (no account needed): read a PO, place an order. Same service as the form."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Header, Router
from ninja.responses import Status

from openpo.api.schemas import CampaignOut, ErrorOut, OrderCreated, OrderIn, VariantOut
from openpo.catalog.selectors import (
    availability,
    get_orderable_campaign,
    get_public_campaign,
    public_variants,
)
from openpo.catalog.terms import po_terms
from openpo.core.errors import DomainError
from openpo.core.ratelimit import rate_limit
from openpo.orders import refusals
from openpo.orders.models import Order
from openpo.orders.services import BuyerDetails, place_order

router = Router(tags=["public"])


@router.get(
    "/{shop}/{campaign}",
    response={200: CampaignOut, 404: ErrorOut},
    summary="A PO: status, times, stock",
)
def read_campaign(request: HttpRequest, shop: str, campaign: str):
    found = get_public_campaign(shop, campaign)
    variants = public_variants(found)
    now = timezone.now()
    state = availability(found, variants, now)
    return {
        "shop": found.shop.slug,
        "slug": found.slug,
        "title": found.title,
        "status": state.state,
        "opens_at": timezone.localtime(found.opens_at, found.shop.tzinfo),
        "closes_at": timezone.localtime(found.closes_at, found.shop.tzinfo),
        "moq_units": found.moq_units,
        "ordered_units": state.units_ordered,
        "units_left": state.units_left,
        "shipping_fee": found.shipping_fee,
        "payment_policy": found.payment_policy,
        "deposit_percent": found.deposit_percent,
        "early_bird_until": found.early_bird_until
        and timezone.localtime(found.early_bird_until, found.shop.tzinfo),
        "early_bird_units_left": found.early_bird_units_left,
        "terms": po_terms(found),
        "url": request.build_absolute_uri(reverse("campaign", args=[shop, campaign])),
        "variants": [
            VariantOut(
                sku=v.sku,
                product=v.product.name,
                name=v.label or v.product.name,
                price=v.price,
                current_price=v.price_at(found, now),
                early_bird_price=v.early_bird_price,
                available=v.units_left,
            )
            for v in variants
        ],
    }


def _item_errors(
    payload: OrderIn, by_sku: dict[str, int], *, limit: int | None
) -> dict[str, list[str]]:
    """What the schema cannot know, by the line it concerns: an SKU this PO does not sell, a
    line above the PO's units per order. (The order's total against the limit, and the
    stock, are the service's.)"""
    errors: dict[str, list[str]] = {}
    for index, item in enumerate(payload.items):
        if item.sku.upper() not in by_sku:
            errors[f"items.{index}.sku"] = [
                _("This PO has no item with SKU %(sku)s.") % {"sku": item.sku}
            ]
        if limit and item.quantity > limit:
            errors[f"items.{index}.quantity"] = [
                _("At most %(limit)s units per order.") % {"limit": limit}
            ]
    return errors


def _error(error: DomainError) -> Status:
    if error.field_errors:
        return Status(
            422,
            {
                "code": "invalid",
                "message": error.message,
                "errors": {f: [str(m) for m in msgs] for f, msgs in error.field_errors.items()},
            },
        )
    return Status(error.http_status, {"code": error.code, "message": error.message})


@router.post(
    "/{shop}/{campaign}/orders",
    response={
        201: OrderCreated,
        **{status: ErrorOut for status in (400, 404, 409, 413, 415, 422, 429, 503)},
    },
    summary="Place an order",
    description=(
        "Send an `Idempotency-Key` header (up to 64 characters) to make retrying safe: the same "
        "key with the same order answers the first order again; the same key with a different "
        "order (buyer, items) is refused with 422 `idempotency_mismatch` and shows nothing of "
        "the first."
    ),
)
def create_order(
    request: HttpRequest,
    shop: str,
    campaign: str,
    payload: OrderIn,
    idempotency_key: str = Header("", alias="Idempotency-Key"),
):
    # A PO that refused everyone a moment ago is answered from memory, before the rate limit:
    # in a war PO that is most requests, and they cost nothing to answer.
    if refusal := refusals.standing_refusal(shop, campaign, idempotency_key):
        return _error(refusal)
    return _place(request, shop, campaign, payload, idempotency_key)


@rate_limit("order")
def _place(
    request: HttpRequest, shop: str, campaign: str, payload: OrderIn, idempotency_key: str
) -> Status:
    found, skus = get_orderable_campaign(shop, campaign)
    by_sku = {sku.upper(): pk for sku, pk in skus.items()}
    if errors := _item_errors(payload, by_sku, limit=found.max_units_per_order):
        return Status(
            422, {"code": "invalid", "message": _("Please correct the order."), "errors": errors}
        )
    items: dict[int, int] = {}
    for item in payload.items:
        variant_id = by_sku[item.sku.upper()]
        items[variant_id] = items.get(variant_id, 0) + item.quantity
    try:
        order = place_order(
            campaign=found,
            buyer=BuyerDetails(
                name=payload.name,
                phone=payload.phone,
                email=payload.email,
                address=payload.address,
                city=payload.city,
                province=payload.province,
                postal_code=payload.postal_code,
                notes=payload.notes,
            ),
            items=items,
            channel=Order.Channel.API,
            idempotency_key=idempotency_key,
        )
    except DomainError as error:
        refusals.remember(shop, campaign, found.pk, error)
        return _error(error)
    expected = order.open_expected_payment
    order.shop = found.shop
    return Status(
        201,
        {
            "code": order.code,
            "order_url": request.build_absolute_uri(reverse("order_page", args=[order.secret])),
            "status": order.payment_status,
            "total": order.total,
            "transfer_amount": expected.amount if expected else None,
            "payment_deadline": timezone.localtime(order.payment_deadline, found.shop.tzinfo),
            "qris": order.dynamic_qris,
        },
    )
