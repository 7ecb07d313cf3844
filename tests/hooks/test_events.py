"""Events are written with the state change that causes them: one delivery per subscribed
endpoint of that shop, none when the change rolls back, never two for one event; and the
real services tell them."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from openpo.catalog.services import close_campaign, create_shop, fail_campaign
from openpo.fulfillment.services.shipping import create_shipment, mark_shipped
from openpo.hooks import events
from openpo.hooks.delivery import deliver_webhooks
from openpo.hooks.events import emit
from openpo.hooks.models import WebhookDelivery
from openpo.hooks.services import create_endpoint, delete_endpoint
from openpo.ops.scheduler import run_tick
from openpo.orders.services import cancel_order, expire_order
from tests import factories
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db


def _types() -> list[str]:
    return list(WebhookDelivery.objects.order_by("id").values_list("event", flat=True))


def test_a_rolled_back_change_leaves_no_delivery(shop, endpoint, now):
    with pytest.raises(RuntimeError), transaction.atomic():
        emit(shop, "order.paid", {"code": "PO-1"}, key="order.paid:1:1", now=now)
        raise RuntimeError("the state change failed")

    assert not WebhookDelivery.objects.exists()


def test_the_same_event_is_written_once_per_endpoint(shop, endpoint, now):
    assert emit(shop, "order.paid", {}, key="order.paid:1:1", now=now) == 1
    emit(shop, "order.paid", {}, key="order.paid:1:1", now=now + timedelta(seconds=5))

    assert WebhookDelivery.objects.count() == 1


def test_only_the_shops_subscribed_active_endpoints_get_it(shop, endpoint, other_shop, now):
    charlies, _ = create_endpoint(
        shop=other_shop, url="https://charlie.example/hook", events=["order.paid"], now=now
    )
    create_endpoint(shop=shop, url="https://alice.example/campaigns", events=["campaign.closed"])
    gone, _ = create_endpoint(shop=shop, url="https://alice.example/old", events=["order.paid"])
    delete_endpoint(endpoint=gone)

    assert emit(shop, "order.paid", {}, key="order.paid:7:1", now=now) == 1

    assert list(WebhookDelivery.objects.values_list("endpoint", flat=True)) == [endpoint.pk]
    body = WebhookDelivery.objects.get().payload
    assert body["shop"] == "toko-alice" and body["type"] == "order.paid"
    assert not WebhookDelivery.objects.filter(endpoint=charlies).exists()


def test_a_shop_without_endpoints_costs_one_query_then_none_for_a_second(
    shop, now, django_assert_num_queries
):
    with django_assert_num_queries(1):
        assert emit(shop, "order.paid", {}, key="a", now=now) == 0
    with django_assert_num_queries(0):
        assert emit(shop, "order.created", {}, key="b", now=now) == 0


def test_a_new_endpoint_is_seen_at_once_in_this_process(shop, now):
    assert emit(shop, "order.paid", {}, key="a", now=now) == 0  # "none" remembered

    create_endpoint(shop=shop, url="https://alice.example/hook", events=["order.paid"])

    assert emit(shop, "order.paid", {}, key="a", now=now) == 1


def test_placing_an_order_tells_order_created(campaign, endpoint, buyer, now):
    order = factories.order(campaign, buyer=buyer, units=2, now=now)

    (created,) = WebhookDelivery.objects.filter(event="order.created")
    data = created.payload["data"]
    assert data["code"] == order.code and data["buyer_name"] == "Sari Wulandari"
    assert data["total"] == order.total and data["amount_paid"] == 0
    assert data["campaign"] == campaign.slug and data["status"] == "active"
    assert data["lines"] == [
        {
            "sku": data["lines"][0]["sku"],
            "product": "Kaos Polos",
            "variant": "S",
            "quantity": 2,
            "unit_price": 120_000,
        }
    ]
    assert "secret" not in str(created.payload) and order.secret not in str(created.payload)


def test_placing_an_order_with_no_endpoint_runs_no_webhook_query(
    campaign, buyer, now, django_assert_max_num_queries
):
    factories.order(campaign, buyer=buyer, now=now)  # warms the message wording, like a war PO
    events.forget()
    with django_assert_max_num_queries(15) as captured:
        factories.order(campaign, buyer=factories.buyer(2), now=now)
    assert sum("hooks_" in q["sql"] for q in captured.captured_queries) == 1
    with django_assert_max_num_queries(15) as captured:
        factories.order(campaign, buyer=factories.buyer(3), now=now)
    assert sum("hooks_" in q["sql"] for q in captured.captured_queries) == 0


def test_paying_in_full_tells_order_paid_once(campaign, endpoint, buyer, now):
    order = factories.paid_order(campaign, buyer=buyer, now=now)

    (paid,) = WebhookDelivery.objects.filter(event="order.paid")
    assert paid.payload["data"]["amount_paid"] == order.amount_paid == order.total
    assert paid.payload["data"]["payment_status"] == "paid"


def test_a_down_payment_is_not_paid_in_full(shop, endpoint, now):
    campaign = factories.dp_campaign(shop, now=now)
    factories.paid_order(campaign, now=now)  # the DP only

    assert not WebhookDelivery.objects.filter(event="order.paid").exists()


def test_cancelling_and_expiring_tell_their_events(campaign, endpoint, now):
    first = factories.order(campaign, buyer=factories.buyer(1), now=now)
    second = factories.order(campaign, buyer=factories.buyer(2), now=now)

    cancel_order(order=first, reason="salah ukuran", now=now)
    cancel_order(order=first, reason="lagi", now=now)  # already cancelled: nothing new
    expire_order(order=second, now=second.payment_deadline + timedelta(minutes=1))

    canceled = WebhookDelivery.objects.get(event="order.canceled")
    assert canceled.payload["data"]["code"] == first.code
    assert canceled.payload["data"]["status"] == "cancelled"
    expired = WebhookDelivery.objects.get(event="order.expired")
    assert expired.payload["data"]["code"] == second.code
    assert expired.payload["data"]["status"] == "expired"


def test_shipping_tells_order_shipped_once_per_order(campaign, endpoint, alice, now):
    first = factories.paid_order(campaign, buyer=factories.buyer(1), now=now)
    shipment = create_shipment(
        orders=[first], courier="jne", tracking_number="CGK0123456789", actor=alice, now=now
    )

    mark_shipped(shipment=shipment, actor=alice, now=now)
    mark_shipped(shipment=shipment, actor=alice, now=now + timedelta(minutes=5))

    (shipped,) = WebhookDelivery.objects.filter(event="order.shipped")
    data = shipped.payload["data"]
    assert data["code"] == first.code and data["fulfillment_status"] == "shipped"
    assert data["shipment"]["tracking_number"] == "CGK0123456789"


def test_a_po_opening_closing_and_failing_tells_each(shop, endpoint, now):
    campaign = make_campaign(shop, now=now, moq_units=10, slug="po-moq")
    assert _types() == ["campaign.opened"]
    assert WebhookDelivery.objects.get().payload["data"]["slug"] == "po-moq"

    close_campaign(campaign=campaign, now=now + timedelta(minutes=1))
    fail_campaign(campaign=campaign, now=now + timedelta(minutes=2))

    assert _types() == ["campaign.opened", "campaign.closed", "campaign.failed"]
    failed = WebhookDelivery.objects.get(event="campaign.failed").payload["data"]
    assert failed["status"] == "failed" and failed["title"] == "PO Kaos Agustus"


def test_the_scheduler_opens_a_scheduled_po_and_delivers_it(shop, endpoint, receiver, now):
    make_campaign(shop, now=now, opens_at=now + timedelta(hours=1), slug="nanti")
    assert not WebhookDelivery.objects.exists()  # published, not open yet

    counts = run_tick(now=now + timedelta(hours=1))
    # The tick delivers by the clock (as the outbox does): the hour it skipped is not real.
    assert counts["webhooks_delivered"] == 0
    assert deliver_webhooks(now=now + timedelta(hours=1)) == 1

    (got,) = receiver.received
    assert got.json["type"] == "campaign.opened" and got.signature_ok


def test_other_shops_events_stay_with_them(endpoint, charlie, now):
    other = create_shop(name="Toko Charlie", slug="toko-charlie", owner=charlie)
    make_campaign(other, now=now)

    assert not WebhookDelivery.objects.exists()


def test_the_scheduler_tick_delivers_what_is_due(shop, endpoint, receiver):
    emit(shop, "order.paid", {}, key="order.paid:1:1", now=timezone.now())

    counts = run_tick()

    assert counts["webhooks_delivered"] == 1 and len(receiver.received) == 1
