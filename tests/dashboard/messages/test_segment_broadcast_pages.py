"""From a segment's page to the broadcast composer of a PO with the segment chosen, the
composer's count and sending for a segment, its refusals, and who may use it."""

import pytest

from openpo.catalog.models import Campaign, Membership
from openpo.messaging.models import Broadcast, OutboxMessage
from tests.conftest import make_campaign
from tests.messaging.segment_world import DAY, segment_world  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

NEWS = "Halo {nama}, PO baru dibuka: {po}\n\n{link}"


def _composer(campaign) -> str:
    return f"/dashboard/po/{campaign.pk}/broadcast/"


def test_the_segment_page_links_to_messaging_the_segment(client, alice, segment_world):  # noqa: F811
    client.force_login(alice)

    html = client.get("/dashboard/insights/segments/loyal/").content.decode()

    assert 'href="/dashboard/messages/segments/loyal/"' in html


def test_staff_see_no_link_and_may_not_follow_it(client, bob, segment_world):  # noqa: F811
    client.force_login(bob)

    html = client.get("/dashboard/insights/segments/loyal/").content.decode()

    assert "/dashboard/messages/segments/" not in html
    assert client.get("/dashboard/messages/segments/loyal/").status_code == 403


def test_the_link_leads_to_the_open_pos_composer_with_the_segment_chosen(
    client,
    alice,
    segment_world,  # noqa: F811
):
    client.force_login(alice)
    baru = segment_world["baru"]

    response = client.get("/dashboard/messages/segments/loyal/", follow=True)

    assert response.redirect_chain == [(f"{_composer(baru)}?segment=loyal", 302)]
    form = response.context["form"]
    assert form["segment"].value() == "loyal"
    assert "{po}" in form["body"].value() and "{kode}" not in form["body"].value()
    assert response.context["count"] == 1  # Sari
    html = response.content.decode()
    assert '<option value="loyal" selected>' in html


def test_with_several_pos_open_the_seller_picks_one(client, alice, shop, segment_world, now):  # noqa: F811
    client.force_login(alice)
    later = make_campaign(
        shop, now=now, slug="po-desember", title="PO Desember", opens_at=now + DAY
    )

    response = client.get("/dashboard/messages/segments/at_risk/")

    html = response.content.decode()
    assert response.status_code == 200
    assert [c.pk for c in response.context["campaigns"]] == [later.pk, segment_world["baru"].pk]
    assert f'href="{_composer(later)}?segment=at_risk"' in html
    assert f'href="{_composer(segment_world["baru"])}?segment=at_risk"' in html


def test_with_no_po_open_it_says_to_open_one(client, alice, segment_world):  # noqa: F811
    client.force_login(alice)
    Campaign.objects.filter(pk=segment_world["baru"].pk).update(status=Campaign.Status.CLOSED)

    response = client.get("/dashboard/messages/segments/new/")

    html = response.content.decode()
    assert response.status_code == 200 and response.context["campaigns"] == []
    assert 'id="segment-pick-none"' in html and 'href="/dashboard/po/new/"' in html


def test_the_composer_sends_to_the_segment(client, alice, segment_world):  # noqa: F811
    client.force_login(alice)
    baru = segment_world["baru"]
    count = client.get(
        f"/dashboard/po/{baru.pk}/broadcast/count/",
        {"segment": "new", "channel": "whatsapp_manual"},
    )

    response = client.post(
        f"{_composer(baru)}?segment=new",
        {"segment": "new", "channel": "whatsapp_manual", "body": NEWS},
    )

    broadcast = Broadcast.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/dashboard/messages/whatsapp/?broadcast={broadcast.pk}"
    assert count.context["count"] == broadcast.recipients == 2
    assert OutboxMessage.objects.filter(event_key=broadcast.event_key).count() == 2
    assert broadcast.audience["segment"] == "new"
    page = client.get(_composer(baru)).content.decode()
    assert 'class="broadcast-segment"' in page


def test_the_composer_refuses_kode_for_a_segment(client, alice, segment_world):  # noqa: F811
    client.force_login(alice)
    baru = segment_world["baru"]

    response = client.post(
        _composer(baru),
        {"segment": "loyal", "channel": "whatsapp_manual", "body": "Pesanan {kode} siap"},
    )

    assert response.status_code == 422
    assert "Hapus {kode}" in response.context["form"].errors["body"][0]
    assert response.context["count"] == 1  # still the segment's count, Sari
    assert not Broadcast.objects.exists()


def test_the_composer_refuses_a_segment_for_a_closed_po(client, alice, segment_world):  # noqa: F811
    client.force_login(alice)
    maret = segment_world["maret"]

    response = client.post(
        _composer(maret), {"segment": "loyal", "channel": "whatsapp_manual", "body": NEWS}
    )

    assert response.status_code == 422
    assert "dibuka atau dijadwalkan" in response.context["form"].errors["segment"][0]
    assert 'id="segment-not-invitable"' in response.content.decode()
    assert not Broadcast.objects.exists()


def test_another_shops_po_is_404(client, charlie, segment_world):  # noqa: F811
    client.force_login(charlie)
    baru = segment_world["baru"]

    assert client.get(f"{_composer(baru)}?segment=loyal").status_code == 404
    response = client.post(
        _composer(baru), {"segment": "loyal", "channel": "whatsapp_manual", "body": NEWS}
    )
    assert response.status_code == 404
    count = client.get(f"/dashboard/po/{baru.pk}/broadcast/count/", {"segment": "loyal"})
    assert count.status_code == 404
    assert not Broadcast.objects.exists()


def test_charlies_link_leads_to_his_own_po(client, charlie, other_shop, segment_world, now):  # noqa: F811
    client.force_login(charlie)
    mine = make_campaign(other_shop, now=now, slug="po-charlie", title="PO Charlie")

    response = client.get("/dashboard/messages/segments/loyal/", follow=True)

    assert response.redirect_chain == [(f"{_composer(mine)}?segment=loyal", 302)]
    assert response.context["count"] == 1  # Fajar, not alice's Sari
    assert Membership.objects.filter(user=charlie, shop=other_shop).exists()
