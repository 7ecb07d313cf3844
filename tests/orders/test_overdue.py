"""What "overdue" means (`Order.is_overdue`, `Order.objects.overdue`): an active order still
unpaid after its payment deadline. The orders table, the order page and the "Unpaid past the
deadline" filter all ask this rule; the method and the query must agree on every order."""

from datetime import timedelta

import pytest

from openpo.orders.models import Order
from openpo.orders.services import cancel_order, expire_order
from openpo.payments.models import Payment
from openpo.payments.services import claim_payment, record_payment
from tests import factories
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders(shop, now):
    """One order of each kind, all placed at `now` with the same payment deadline."""
    campaign = make_campaign(shop, now=now, quotas=(None,))
    variant = campaign.variants.get()

    def order(n: int) -> Order:
        return factories.order(campaign, variant=variant, buyer=factories.buyer(n), now=now)

    made = {
        name: order(n)
        for n, name in enumerate(
            ["unpaid", "paid", "partly_paid", "proof_waiting", "cancelled", "expired"]
        )
    }
    paid, partly = made["paid"], made["partly_paid"]
    record_payment(order=paid, amount=paid.total, source=Payment.Source.MANUAL, now=now)
    record_payment(order=partly, amount=10_000, source=Payment.Source.MANUAL, now=now)
    claim_payment(order=made["proof_waiting"], now=now)
    cancel_order(order=made["cancelled"], now=now)
    expire_order(order=made["expired"], now=made["expired"].payment_deadline)
    for found in made.values():
        found.refresh_from_db()
    return made


def _overdue(orders: dict, at) -> set[str]:
    by_pk = {order.pk: name for name, order in orders.items()}
    query = {by_pk[pk] for pk in Order.objects.overdue(at).values_list("pk", flat=True)}
    method = {name for name, order in orders.items() if order.is_overdue(at)}
    assert query == method
    return query


def test_an_unpaid_active_order_past_its_deadline_is_overdue(orders):
    deadline = orders["unpaid"].payment_deadline
    assert orders["unpaid"].payment_status == Order.PaymentStatus.UNPAID
    assert "unpaid" in _overdue(orders, deadline + timedelta(seconds=1))


def test_before_and_at_its_deadline_it_is_not(orders):
    deadline = orders["unpaid"].payment_deadline
    assert _overdue(orders, deadline - timedelta(hours=1)) == set()
    assert _overdue(orders, deadline) == set()


def test_paid_partly_paid_cancelled_and_expired_orders_are_not(orders):
    assert orders["paid"].payment_status == Order.PaymentStatus.PAID
    assert orders["partly_paid"].payment_status == Order.PaymentStatus.PARTIAL
    assert orders["cancelled"].status == Order.Status.CANCELLED
    assert orders["expired"].status == Order.Status.EXPIRED
    late = orders["unpaid"].payment_deadline + timedelta(days=1)
    assert _overdue(orders, late) == {"unpaid", "proof_waiting"}


def test_a_proof_waiting_for_the_check_does_not_stop_the_clock(orders):
    waiting = orders["proof_waiting"]
    assert waiting.payment_status == Order.PaymentStatus.UNPAID
    assert waiting.payments.filter(status=Payment.Status.CLAIMED).exists()
    assert waiting.is_overdue(waiting.payment_deadline + timedelta(minutes=1))


def test_the_query_narrows_any_set_of_orders(orders):
    late = orders["unpaid"].payment_deadline + timedelta(days=1)
    mine = Order.objects.filter(pk__in=[orders["unpaid"].pk, orders["paid"].pk])
    assert list(mine.overdue(late)) == [orders["unpaid"]]
