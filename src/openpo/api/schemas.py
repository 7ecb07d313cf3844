"""The JSON shapes of the public API. Other tools rely on these fields: add, never rename."""

from datetime import date, datetime
from typing import Annotated

from ninja import Field, Schema
from pydantic import AfterValidator, BaseModel, field_validator
from pydantic_core import PydanticCustomError

from openpo.core.text import text_problem
from openpo.orders.services.placing import MAX_UNITS_PER_LINE

# The years a PO's times and dates may fall in: a year 353 or 9999 is a typing slip.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _one_line(value: str) -> str:
    if problem := text_problem(value):
        raise PydanticCustomError("text", problem)
    return value


def _lines(value: str) -> str:
    if problem := text_problem(value, multiline=True):
        raise PydanticCustomError("text", problem)
    return value


def _in_years(value: date) -> date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise PydanticCustomError("year_out_of_range", "year out of range")
    return value


# Text the database and a reader can use (no control characters, no lone surrogates), on one
# line or several; a time or a date in a year a PO can have. A time without an offset is the
# shop's local time (the endpoint makes it so).
Line = Annotated[str, AfterValidator(_one_line)]
Text = Annotated[str, AfterValidator(_lines)]
Moment = Annotated[datetime, AfterValidator(_in_years)]
Day = Annotated[date, AfterValidator(_in_years)]


class VariantOut(Schema):
    sku: str
    product: str
    name: str = Field(
        description="The variant's options, e.g. `M / Hitam`; the product's name when it has none."
    )
    price: int = Field(description="Rupiah: the normal price.")
    current_price: int = Field(
        description="Rupiah: what one unit costs now (the early-bird price while it is on)."
    )
    early_bird_price: int | None = Field(description="Rupiah; null without an early-bird price.")
    available: int | None = Field(description="Units left; null when unlimited.")


class CampaignOut(Schema):
    shop: str
    slug: str
    title: str
    status: str = Field(
        description=(
            "upcoming, open, sold_out, closed, producing, shipping, completed, failed, cancelled"
        )
    )
    opens_at: datetime
    closes_at: datetime
    moq_units: int
    ordered_units: int
    units_left: int | None
    shipping_fee: int
    payment_policy: str
    deposit_percent: int | None
    early_bird_until: datetime | None = Field(description="The early-bird price ends then.")
    early_bird_units_left: int | None = Field(
        description="Units still sold at early-bird prices; null without a unit limit."
    )
    terms: str
    url: str
    variants: list[VariantOut]


class ItemIn(BaseModel):
    # A plain pydantic model: ninja's Schema reads attributes of anything, so a line sent as
    # a string would be "sku: missing" instead of "send an object".

    sku: str = Field(max_length=64)
    quantity: int = Field(
        ge=1,
        le=MAX_UNITS_PER_LINE,
        description=(
            'Whole units: a JSON integer from 1. Strict: 1.0, "2" and true are refused, '
            "each with its own message under `items.N.quantity`."
        ),
    )

    @field_validator("quantity", mode="before")
    @classmethod
    def _whole_units(cls, value: object) -> int:
        """Say what is wrong with a quantity (pydantic would take 1.0 and "2", and call -3
        and "dua" alike "not an integer"); api.errors words each type."""
        if isinstance(value, bool):
            raise PydanticCustomError("quantity_boolean", "not a number of units")
        if isinstance(value, float):
            raise PydanticCustomError("quantity_fraction", "not a whole number")
        if isinstance(value, str):
            quoted = value.strip().lstrip("+-").isdigit()
            raise PydanticCustomError(
                "quantity_quoted" if quoted else "quantity_text", "not a number"
            )
        if not isinstance(value, int):
            raise PydanticCustomError("int_type", "not a whole number")
        if value == 0:
            raise PydanticCustomError("quantity_zero", "at least 1")
        if value < 0:
            raise PydanticCustomError("quantity_negative", "negative")
        if value > MAX_UNITS_PER_LINE:
            raise PydanticCustomError(
                "quantity_too_large", "at most {max}", {"max": MAX_UNITS_PER_LINE}
            )
        return value


class OrderIn(Schema):
    name: str = Field(max_length=100)
    phone: str = Field(max_length=30)
    email: str = Field("", max_length=254)
    address: str = Field(max_length=1000)
    city: str = Field(max_length=100)
    province: str = Field(max_length=100)
    postal_code: str = Field(max_length=10)
    notes: str = Field("", max_length=2000)
    items: list[ItemIn] = Field(
        max_length=200, description="One line per SKU; lines of the same SKU are added up."
    )


class OrderCreated(Schema):
    code: str
    order_url: str
    status: str
    total: int
    transfer_amount: int | None = Field(description="What to transfer now, unique code included.")
    payment_deadline: datetime
    qris: str | None = Field(description="Dynamic QRIS payload for transfer_amount, or null.")


class ErrorOut(Schema):
    """Every refusal (4xx, and 503): the codes are listed in the API's description."""

    code: str = Field(description="Stable, for programs: `invalid`, `sold_out`, `not_found`, …")
    message: str = Field(
        description="For people: in Indonesian, or English with the `django_language=en` cookie."
    )
    errors: dict[str, list[str]] | None = Field(
        None,
        description="With `invalid` only: problems by the field's path, e.g. `items.0.quantity`.",
    )
