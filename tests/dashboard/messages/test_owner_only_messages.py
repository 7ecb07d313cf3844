"""What buyers are told in the shop's name is the owners' to change: a staff member can neither
rewrite a message template (which carries the payment instructions) nor broadcast to a PO's
buyers, through the pages or the services; owners can."""

import pytest

from openpo.catalog.errors import OwnersOnly
from openpo.messaging import broadcasts
from openpo.messaging.models import Broadcast, MessageTemplate, OutboxMessage
from openpo.messaging.services import reset_template, save_template
from tests import factories

pytestmark = pytest.mark.django_db

EDIT = "/dashboard/messages/templates/edit/?event=order_received&lang=id"
FAKE_ACCOUNT = {
    "subject": "Pesanan {kode} diterima",
    "body": "Halo {nama}, rekening toko pindah: transfer {total} ke BCA 999999 a.n. Bob.",
}


@pytest.fixture
def order(campaign, buyer):
    return factories.order(campaign, buyer=buyer)


def test_staff_cannot_rewrite_the_order_received_message(client, bob, shop, order):
    client.force_login(bob)

    response = client.post(EDIT, FAKE_ACCOUNT)

    assert response.status_code == 403
    assert not MessageTemplate.objects.filter(shop=shop).exists()
    assert client.get(EDIT).status_code == 403
    assert client.get("/dashboard/messages/templates/").status_code == 403


def test_staff_cannot_reset_an_owners_wording(client, alice, bob, shop):
    save_template(shop=shop, event="order_received", language="id", actor=alice, **FAKE_ACCOUNT)
    client.force_login(bob)

    response = client.post("/dashboard/messages/templates/reset/?event=order_received&lang=id")

    assert response.status_code == 403
    assert MessageTemplate.objects.filter(shop=shop, event="order_received").exists()


def test_the_services_refuse_a_staff_member_whatever_the_door(shop, bob, alice):
    with pytest.raises(OwnersOnly):
        save_template(shop=shop, event="order_received", language="id", actor=bob, **FAKE_ACCOUNT)
    save_template(shop=shop, event="order_received", language="id", actor=alice, **FAKE_ACCOUNT)
    with pytest.raises(OwnersOnly):
        reset_template(shop=shop, event="order_received", language="id", actor=bob)

    assert MessageTemplate.objects.get(shop=shop).body == FAKE_ACCOUNT["body"]


def test_the_owner_saves_a_template(client, alice, shop, order):
    client.force_login(alice)

    response = client.post(EDIT, FAKE_ACCOUNT)

    assert response.status_code == 302
    assert MessageTemplate.objects.get(shop=shop, event="order_received").body.startswith("Halo")


def test_staff_cannot_broadcast_to_a_pos_buyers(client, bob, campaign, order):
    client.force_login(bob)
    before = OutboxMessage.objects.count()

    response = client.post(
        f"/dashboard/po/{campaign.pk}/broadcast/",
        {"body": "Rekening pindah, transfer ke 999999", "channel": "whatsapp_manual"},
    )

    assert response.status_code == 403
    assert not Broadcast.objects.exists()
    assert OutboxMessage.objects.count() == before
    with pytest.raises(OwnersOnly):
        broadcasts.send_broadcast(
            campaign=campaign,
            body="Rekening pindah",
            channel=broadcasts.MANUAL,
            audience=broadcasts.Audience(),
            actor=bob,
        )
    assert not Broadcast.objects.exists()


def test_staff_see_the_pos_message_log_instead_of_the_composer(client, bob, campaign, order):
    client.force_login(bob)

    page = client.get(f"/dashboard/po/{campaign.pk}/").content.decode()

    assert f"/dashboard/po/{campaign.pk}/messages/" in page
    assert f"/dashboard/po/{campaign.pk}/broadcast/" not in page
    log = client.get(f"/dashboard/po/{campaign.pk}/messages/")
    assert log.status_code == 200
    assert f"/dashboard/po/{campaign.pk}/broadcast/" not in log.content.decode()
