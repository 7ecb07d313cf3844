"""The shipping page of a PO: what to ship next grouped by buyer, packing and shipping a parcel,
the parcel's next steps, and the resi import page (preview, then apply)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from openpo.fulfillment.models import Shipment
from openpo.fulfillment.services.shipping import create_shipment
from openpo.messaging.models import OutboxMessage
from openpo.orders.models import Order
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def rina_orders(campaign, now):
    rina = factories.buyer(2, name="Rina Ayu")
    return [factories.paid_order(campaign, buyer=rina, now=now) for _ in range(2)]


def _url(campaign, suffix=""):
    return f"/dashboard/po/{campaign.pk}/shipping/{suffix}"


def test_it_lists_paid_orders_to_ship_grouped_by_buyer(client, alice, campaign, rina_orders, now):
    unpaid = factories.order(campaign, buyer=factories.buyer(3, name="Dewi"), now=now)
    client.force_login(alice)

    response = client.get(_url(campaign))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="count-to-ship">2<' in html
    assert "Rina Ayu" in html and "ship-group-combine" in html
    assert all(o.code in html for o in rina_orders)
    assert unpaid.code in html and "ship-group-unpaid" in html


def test_it_packs_and_ships_a_combined_parcel(client, bob, campaign, rina_orders):
    client.force_login(bob)

    response = client.post(
        _url(campaign, "pack/"),
        {
            "orders": [o.pk for o in rina_orders],
            "courier": "jnt",
            "tracking_number": "JP1234567890",
            "ship_now": "1",
        },
    )

    assert response.status_code == 302
    shipment = Shipment.objects.get()
    assert set(shipment.orders.all()) == set(rina_orders)
    assert shipment.status == "shipped"
    assert OutboxMessage.objects.filter(event="shipped", channel="whatsapp").count() == 2


def test_it_refuses_an_unpaid_order_without_a_reason(client, alice, campaign, now):
    unpaid = factories.order(campaign, now=now)
    client.force_login(alice)

    response = client.post(
        _url(campaign, "pack/"), {"orders": [unpaid.pk], "courier": "jne", "tracking_number": "A1"}
    )

    assert response.status_code == 422
    assert unpaid.code in response.content.decode()
    assert not Shipment.objects.exists()

    response = client.post(
        _url(campaign, "pack/"),
        {
            "orders": [unpaid.pk],
            "courier": "jne",
            "tracking_number": "A1",
            "override_reason": "Bayar di tempat",
        },
    )
    assert response.status_code == 302
    assert Shipment.objects.get().override_reason == "Bayar di tempat"


def test_it_takes_a_parcel_through_its_steps(client, alice, campaign, rina_orders):
    shipment = create_shipment(orders=rina_orders[:1], courier="jne")
    client.force_login(alice)
    step = f"/dashboard/shipments/{shipment.pk}/step/"

    client.post(step, {"step": "ship", "courier": "sicepat", "tracking_number": "000123456789"})
    shipment.refresh_from_db()
    assert (shipment.status, shipment.tracking_number) == ("shipped", "000123456789")

    client.post(step, {"step": "deliver"})
    assert Order.objects.get(pk=rina_orders[0].pk).fulfillment_status == "delivered"
    client.post(step, {"step": "return", "note": "Alamat tidak ditemukan"})
    assert Order.objects.get(pk=rina_orders[0].pk).fulfillment_status == "returned"


def test_the_resi_import_page_previews_then_applies(client, alice, campaign, rina_orders):
    client.force_login(alice)
    content = "kode,kurir,resi\n" + "".join(f"{o.code},J&T,JP1234567890\n" for o in rina_orders)

    preview = client.post(
        "/dashboard/shipping/resi/",
        {"file": SimpleUploadedFile("resi.csv", content.encode(), "text/csv")},
    )
    assert preview.status_code == 200
    assert not Shipment.objects.exists()
    token = preview.context["token"]

    applied = client.post("/dashboard/shipping/resi/apply/", {"upload": token})
    assert applied.status_code == 302
    assert Shipment.objects.get().orders.count() == 2
    # The upload is used once.
    again = client.post("/dashboard/shipping/resi/apply/", {"upload": token})
    assert again.status_code == 302
    assert OutboxMessage.objects.filter(event="shipped", channel="whatsapp").count() == 2


def test_the_resi_import_page_names_the_bad_rows(client, alice, campaign):
    client.force_login(alice)

    response = client.post(
        "/dashboard/shipping/resi/",
        {"file": SimpleUploadedFile("r.csv", b"order,courier,resi\nPO-NOPE1,jne,A1\n", "text/csv")},
    )

    assert response.status_code == 200
    assert 'data-row="2"' in response.content.decode()
    assert "token" not in response.context


def test_another_shops_member_cannot_pack_this_shops_orders(
    client, charlie, other_shop, campaign, rina_orders
):
    client.force_login(charlie)

    response = client.post(
        _url(campaign, "pack/"), {"orders": [rina_orders[0].pk], "courier": "jne"}
    )

    assert response.status_code == 404
    assert not Shipment.objects.exists()
