"""A shop's customers through the API: the list (search, cursor pages) with what each ordered
and paid, and one customer with their order history. A customer is a buyer of one shop, known
by their WhatsApp number; another shop's customer answers 404.
"""

from datetime import datetime

from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema

from openpo.api.seller.common import REFUSALS, get_own, local, shop_of
from openpo.api.seller.listing import (
    CURSOR_DESCRIPTION,
    DEFAULT_LIMIT,
    LIMIT_DESCRIPTION,
    MAX_CURSOR_LENGTH,
    MAX_ID,
    MAX_LIMIT,
    InvalidQuery,
    ShopPageOut,
    page,
)
from openpo.core.text import text_problem
from openpo.orders.filtering import phone_match
from openpo.orders.models import Customer

router = Router(tags=["seller: customers"])


class ShopCustomerOut(Schema):
    id: int
    name: str
    phone: str = Field(description="WhatsApp number, E.164 (+62…).")
    email: str
    reminders_opt_in: bool = Field(description="Asked to hear about the shop's next POs.")
    opted_out_at: datetime | None = Field(
        description="Replied STOP / berhenti on WhatsApp: no broadcasts or news since."
    )
    whatsapp_last_message_at: datetime | None = Field(
        description="The buyer's last WhatsApp message to the shop (free text may be sent "
        "for 24 hours after it)."
    )
    order_count: int = Field(description="Orders of every status.")
    total_spent: int = Field(description="Rupiah paid over all orders, refunds deducted.")
    last_order_at: datetime | None
    created_at: datetime


class ShopCustomerListOut(ShopPageOut):
    items: list[ShopCustomerOut]


class ShopCustomerOrderOut(Schema):
    code: str
    campaign: str = Field(description="The PO's slug.")
    status: str
    payment_status: str
    fulfillment_status: str
    total: int
    amount_paid: int
    created_at: datetime


class ShopCustomerDetailOut(ShopCustomerOut):
    orders: list[ShopCustomerOrderOut] = Field(description="Newest first.")


def _customers(request: HttpRequest) -> QuerySet[Customer]:
    return Customer.objects.filter(shop=shop_of(request)).annotate(
        order_count=Count("orders"),
        total_spent=Sum(F("orders__amount_paid") - F("orders__amount_refunded"), default=0),
        last_order_at=Max("orders__created_at"),
    )


def _out(request: HttpRequest, customer: Customer) -> dict:
    return {
        "id": customer.pk,
        "name": customer.name,
        "phone": customer.phone,
        "email": customer.email,
        "reminders_opt_in": customer.reminders_opt_in,
        "opted_out_at": local(request, customer.opted_out_at),
        "whatsapp_last_message_at": local(request, customer.whatsapp_last_inbound_at),
        "order_count": customer.order_count,
        "total_spent": customer.total_spent,
        "last_order_at": local(request, customer.last_order_at),
        "created_at": local(request, customer.created_at),
    }


@router.get(
    "/customers",
    response={200: ShopCustomerListOut, **REFUSALS},
    summary="The shop's customers, newest first, a page at a time",
    description=(
        "`q` finds a name, or a WhatsApp number (whole, or 4 digits or more of it, typed as "
        "0812… or +62812…). Walk the pages with `next_cursor`."
    ),
)
def list_customers(
    request: HttpRequest,
    q: str = Query("", max_length=100, description="Name or WhatsApp number."),
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=LIMIT_DESCRIPTION),
    cursor: str = Query("", max_length=MAX_CURSOR_LENGTH, description=CURSOR_DESCRIPTION),
):
    if problem := text_problem(q):
        raise InvalidQuery(field_errors={"q": [problem]})
    customers = _customers(request)
    if text := " ".join(q.split()):
        customers = customers.filter(Q(name__icontains=text) | phone_match("phone", text))
    found, next_cursor = page(customers, cursor=cursor, limit=limit)
    return {"items": [_out(request, c) for c in found], "next_cursor": next_cursor}


@router.get(
    "/customers/{customer_id}",
    response={200: ShopCustomerDetailOut, **REFUSALS},
    summary="One customer with their orders in every PO of the shop",
)
def get_customer(request: HttpRequest, customer_id: int = Path(..., ge=1, le=MAX_ID)):
    customer = get_own(request, _customers(request), pk=customer_id)
    orders = customer.orders.select_related("campaign").order_by("-created_at", "-pk")
    return {
        **_out(request, customer),
        "orders": [
            {
                "code": o.code,
                "campaign": o.campaign.slug,
                "status": o.status,
                "payment_status": o.payment_status,
                "fulfillment_status": o.fulfillment_status,
                "total": o.total,
                "amount_paid": o.amount_paid,
                "created_at": local(request, o.created_at),
            }
            for o in orders
        ],
    }
