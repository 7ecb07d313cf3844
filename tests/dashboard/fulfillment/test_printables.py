"""Printables: shipping labels (sender, recipient, address, items, code and QR), packing slips
and the pick list, on A4 or 100×150 mm thermal paper; 200 labels in one page load with a
fixed number of queries."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openpo.fulfillment.services.shipping import create_shipment
from tests import factories

pytestmark = pytest.mark.django_db


def _url(campaign, kind):
    return f"/dashboard/po/{campaign.pk}/print/{kind}/"


def test_a_label_has_everything_the_courier_needs(client, alice, shop, campaign, buyer, now):
    order = factories.paid_order(campaign, buyer=buyer, units=2, now=now)
    client.force_login(alice)

    response = client.get(_url(campaign, "labels"), {"size": "thermal"})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="print size-thermal"' in html
    assert f'data-order="{order.code}"' in html
    assert "Toko Alice" in html and shop.whatsapp_number in html
    assert "Sari Wulandari" in html and order.buyer_phone in html
    assert "Jl. Melati No. 5" in html and "Bandung" in html
    assert "2 × Kaos Polos" in html
    assert 'class="label-qr"' in html and f'aria-label="{order.code}"' in html
    assert "<script>" not in html and "style=" not in html


def test_it_prints_the_ticked_orders_only_and_the_shipped_ones_resi(client, alice, campaign, now):
    first = factories.paid_order(campaign, buyer=factories.buyer(1), now=now)
    second = factories.paid_order(campaign, buyer=factories.buyer(2), now=now)
    unpaid = factories.order(campaign, buyer=factories.buyer(3), now=now)
    create_shipment(orders=[second], courier="jnt", tracking_number="JP1234567890")
    client.force_login(alice)

    everything = client.get(_url(campaign, "labels")).content.decode()
    assert first.code in everything and second.code in everything
    assert unpaid.code not in everything
    assert "JP1234567890" in everything

    ticked = client.get(_url(campaign, "slips"), {"order": [first.pk]}).content.decode()
    assert f'data-order="{first.code}"' in ticked
    assert f'data-order="{second.code}"' not in ticked


def test_another_shops_ticked_orders_are_not_printed(client, charlie, other_shop, campaign, now):
    mine = factories.paid_order(campaign, now=now)
    client.force_login(charlie)

    assert client.get(_url(campaign, "labels"), {"order": [mine.pk]}).status_code == 404


def test_the_pick_list_totals_units_per_variant(client, alice, campaign, now):
    small, medium = list(campaign.variants.order_by("position"))
    factories.paid_order(campaign, buyer=factories.buyer(1), items={small.pk: 2}, now=now)
    factories.paid_order(
        campaign, buyer=factories.buyer(2), items={small.pk: 1, medium.pk: 3}, now=now
    )
    client.force_login(alice)

    response = client.get(_url(campaign, "picklist"))

    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-sku="{small.sku}"' in html
    assert 'id="picklist-total">6<' in html


def test_200_labels_are_one_page_load_with_few_queries(
    client, alice, campaign, now, record_property
):
    unlimited = campaign.variants.order_by("position").last()
    for n in range(200):
        factories.paid_order(campaign, variant=unlimited, buyer=factories.buyer(n + 1), now=now)
    client.force_login(alice)

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_url(campaign, "labels"))
    elapsed = time.perf_counter() - started

    assert response.status_code == 200
    assert response.content.decode().count('class="sheet label"') == 200
    assert len(queries) <= 12, [q["sql"] for q in queries]
    record_property("result", f"200 labels: {len(queries)} queries, {elapsed:.2f} s")
