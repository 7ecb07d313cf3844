"""What tests build again and again: a buyer, an order placed (and paid), a payment claimed
with its proof, the proof's picture, a PO paid with a DP.

Plain functions with keyword arguments, like `make_campaign` in tests/conftest.py; each goes
through the services as a buyer or seller would, so what it leaves is what they would leave.
Test modules import the module (`from tests import factories`) since `order` and `buyer` are
also the names of fixtures.
"""

import io
from collections.abc import Mapping
from datetime import datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from openpo.catalog.models import Campaign, Shop, Variant
from openpo.orders.models import Order
from openpo.orders.services import BuyerDetails, place_order
from openpo.payments.models import Payment
from openpo.payments.services import record_payment, submit_payment_proof
from tests.conftest import make_campaign

PROOF_COLOUR = (20, 120, 200)


def buyer(n: int = 1, **details) -> BuyerDetails:
    """Buyer number `n`: "Pembeli n", a phone number of their own and an address; `details`
    replace any of these or add other fields."""
    defaults = {"name": f"Pembeli {n}", "phone": f"0812{n:08d}", "address": "Jl. Melati 2"}
    return BuyerDetails(**{**defaults, **details})


def _first_buyer() -> BuyerDetails:
    return buyer(1)


def order(
    campaign: Campaign,
    *,
    variant: Variant | None = None,
    units: int = 1,
    items: Mapping[int, int] | None = None,
    buyer: BuyerDetails | None = None,
    channel: str = Order.Channel.WEB,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> Order:
    """An order placed with the PO's terms accepted: `units` of `variant` (the PO's first) or
    the `items` given (variant id → units), for `buyer` (buyer 1)."""
    if items is None:
        items = {(variant or campaign.variants.first()).pk: units}
    return place_order(
        campaign=campaign,
        buyer=buyer or _first_buyer(),
        items=items,
        terms_accepted=True,
        channel=channel,
        idempotency_key=idempotency_key,
        now=now,
    )


def pay(
    order: Order,
    *,
    amount: int | None = None,
    source: str = Payment.Source.MANUAL,
    allow_overpayment: bool = False,
    now: datetime | None = None,
) -> Order:
    """Money on the order, confirmed at once: `amount`, or without one the open expected
    payment to the rupiah (kode unik included), matched to it. The order as it is now."""
    expected = None
    if amount is None:
        expected = order.open_expected_payment
        amount = expected.amount
    record_payment(
        order=order,
        amount=amount,
        source=source,
        expected_payment=expected,
        allow_overpayment=allow_overpayment,
        now=now,
    )
    return Order.objects.get(pk=order.pk)


def paid_order(
    campaign: Campaign,
    *,
    amount: int | None = None,
    source: str = Payment.Source.MANUAL,
    allow_overpayment: bool = False,
    now: datetime | None = None,
    **placing,
) -> Order:
    """An order placed (`placing` as for `order`) and paid as `pay` pays it."""
    placed = order(campaign, now=now, **placing)
    return pay(placed, amount=amount, source=source, allow_overpayment=allow_overpayment, now=now)


def png(width: int = 40, height: int = 60, *, colour: tuple[int, int, int] = PROOF_COLOUR) -> bytes:
    """A PNG of one colour."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    return buffer.getvalue()


def black_png(width: int, height: int) -> bytes:
    """A black PNG of one bit a pixel: even one of many megapixels takes little memory."""
    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


def proof_png(
    name: str = "bukti.png", *, colour: tuple[int, int, int] = PROOF_COLOUR
) -> SimpleUploadedFile:
    """A transfer proof as the buyer uploads it: a small PNG."""
    return SimpleUploadedFile(name, png(colour=colour), content_type="image/png")


def proof_pdf(name: str = "struk.pdf") -> SimpleUploadedFile:
    """A receipt as the buyer uploads it: the start of a PDF."""
    return SimpleUploadedFile(name, b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n", "application/pdf")


def claimed(
    order: Order, *, proof: SimpleUploadedFile | None = None, now: datetime | None = None
) -> Payment:
    """The buyer's "I paid", waiting for the seller: `proof` (a PNG, `proof_png`) uploaded on
    the order's open expected payment."""
    submit_payment_proof(order=order, upload=proof or proof_png(), now=now)
    return order.payments.get(status=Payment.Status.CLAIMED)


def dp_campaign(shop: Shop, *, now: datetime, settles_in_days: int = 30, **options) -> Campaign:
    """An open PO paid in two steps: a 50 % down payment (DP) when ordering, the settlement by
    `settles_in_days` days after `now`; `options` as for `make_campaign`."""
    deposit = {
        "payment_policy": Campaign.PaymentPolicy.DEPOSIT,
        "deposit_percent": 50,
        "settlement_due_on": (now + timedelta(days=settles_in_days)).date(),
    }
    return make_campaign(shop, now=now, **{**deposit, **options})
