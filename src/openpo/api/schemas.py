"""The JSON shapes of the public API. Other tools rely on these fields: add, never rename."""

from datetime import datetime

from ninja import Field, Schema


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


class ItemIn(Schema):
    sku: str = Field(max_length=64)
    quantity: int


class OrderIn(Schema):
    name: str = Field(max_length=100)
    phone: str = Field(max_length=30)
    email: str = Field("", max_length=254)
    address: str = Field(max_length=1000)
    city: str = Field(max_length=100)
    province: str = Field(max_length=100)
    postal_code: str = Field(max_length=10)
    notes: str = Field("", max_length=2000)
    items: list[ItemIn] = Field(max_length=200)


class OrderCreated(Schema):
    code: str
    order_url: str
    status: str
    total: int
    transfer_amount: int | None = Field(description="What to transfer now, unique code included.")
    payment_deadline: datetime
    qris: str | None = Field(description="Dynamic QRIS payload for transfer_amount, or null.")


class ErrorOut(Schema):
    code: str
    message: str
    errors: dict[str, list[str]] | None = None
