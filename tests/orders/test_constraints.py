"""The database itself refuses impossible orders, whatever code writes them."""

import pytest
from django.db import IntegrityError, transaction

from openpo.orders.models import Customer, Order, OrderLine
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(campaign, buyer, now):
    return factories.order(campaign, buyer=buyer, idempotency_key="k", now=now)


def _refused(rows, **changes):
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(**changes)


def test_totals_must_add_up(order):
    rows = Order.objects.filter(pk=order.pk)
    _refused(rows, total=order.total + 1)
    _refused(rows, deposit_due=order.total + 1)
    _refused(rows, subtotal=-1)
    _refused(rows, amount_paid=-1)


def test_an_order_has_at_least_one_unit_and_each_line_a_positive_quantity(order):
    _refused(Order.objects.filter(pk=order.pk), units=0)
    _refused(OrderLine.objects.filter(order=order), quantity=0)


def test_cancelled_and_expired_orders_carry_their_timestamps(order, now):
    rows = Order.objects.filter(pk=order.pk)
    _refused(rows, status="cancelled")
    _refused(rows, status="expired")
    _refused(rows, cancelled_at=now)
    rows.update(status="cancelled", cancelled_at=now)


def test_codes_and_idempotency_keys_are_unique(order, campaign, buyer, now):
    other = factories.order(campaign, buyer=buyer, now=now)
    _refused(Order.objects.filter(pk=other.pk), code=order.code)
    _refused(Order.objects.filter(pk=other.pk), idempotency_key="k")
    _refused(Order.objects.filter(pk=other.pk), secret=order.secret)
    # Orders without a key do not collide with each other.
    factories.order(campaign, buyer=buyer, now=now)


def test_a_customer_is_one_per_phone_and_shop_and_stored_as_e164(order, shop):
    customer = Customer.objects.get()
    twin = Customer(
        shop=shop,
        phone=customer.phone,
        name="X",
        created_at=customer.created_at,
        updated_at=customer.updated_at,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    _refused(Customer.objects.filter(pk=customer.pk), phone="081322223333")
