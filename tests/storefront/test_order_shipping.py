"""The buyer's order page shows the parcel: courier, resi, status and a tracking link."""

import pytest

from openpo.fulfillment.services.shipping import create_shipment, mark_delivered
from tests import factories

pytestmark = pytest.mark.django_db


def _page(client, order):
    return client.get(f"/o/{order.secret}/")


def test_it_shows_courier_resi_status_and_the_tracking_link(client, campaign, buyer, now):
    order = factories.paid_order(campaign, buyer=buyer, now=now)
    create_shipment(
        orders=[order], courier="jne", tracking_number="CGK0123456789", ship=True, now=now
    )

    response = _page(client, order)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="parcel-courier">JNE<' in html
    assert "CGK0123456789" in html
    assert 'href="https://www.jne.co.id/id/tracking/trace/CGK0123456789"' in html
    assert "badge-shipped" in html


def test_it_shows_the_delivered_status_and_the_orders_sent_together(client, campaign, now):
    buyer = factories.buyer(2)
    first = factories.paid_order(campaign, buyer=buyer, now=now)
    second = factories.paid_order(campaign, buyer=buyer, now=now)
    shipment = create_shipment(
        orders=[first, second], courier="sicepat", tracking_number="000123456789", ship=True
    )
    mark_delivered(shipment=shipment, now=now)

    html = _page(client, first).content.decode()

    assert "badge-delivered" in html
    assert second.code in html
    assert "https://www.sicepat.com/checkAwb/000123456789" in html


def test_nothing_shows_before_the_order_is_packed(client, campaign, buyer, now):
    order = factories.paid_order(campaign, buyer=buyer, now=now)

    assert "parcel-courier" not in _page(client, order).content.decode()
