"""The PO list and a PO's overview in the second half: what is left to ship, the parcels'
steps, the orders that need the buyer again, and what is late against plan."""

from datetime import date, timedelta

import pytest

from openpo.catalog.models import Campaign
from openpo.catalog.services import close_campaign, start_production
from openpo.fulfillment.services.production import add_default_stages
from openpo.fulfillment.services.reconfirmation import add_note
from openpo.fulfillment.services.shipping import create_shipment
from tests import factories
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db


def _producing(shop, now, alice):
    campaign = make_campaign(shop, now=now, closes_at=now + timedelta(hours=1))
    paid = [
        factories.paid_order(
            campaign,
            now=now,
            buyer=factories.buyer(n),
        )
        for n in (1, 2, 3)
    ]
    unpaid = factories.order(campaign, now=now, buyer=factories.buyer(9))
    later = now + timedelta(hours=2)
    close_campaign(campaign=campaign, reason=Campaign.CloseReason.TIME, now=later)
    campaign = start_production(campaign=campaign, actor=alice, now=later)
    return campaign, paid, unpaid, later


def test_the_po_list_counts_orders_to_ship_and_to_reconfirm(client, shop, now, alice):
    campaign, paid, _unpaid, later = _producing(shop, now, alice)
    create_shipment(orders=[paid[0]], courier="jne", tracking_number="", ship=False, now=later)
    add_note(order=paid[1], note="Minta ganti warna", actor=alice, now=later)
    open_po = make_campaign(shop, now=now, slug="buka", title="PO Buka")

    client.force_login(alice)
    html = client.get("/dashboard/").content.decode()

    row = html[html.index(f'id="po-{campaign.pk}"') :]
    row = row[: row.index("</li>")]
    assert '<dd class="po-to-ship"><a href="/dashboard/po/' in row
    assert f'/shipping/">{2}</a>' in row  # 3 paid, 1 packed already
    # Every order lacks a postal code (4) and one has the seller's note: 5 to ask again.
    assert f'/reconfirm/">{5}</a>' in row
    open_row = html[html.index(f'id="po-{open_po.pk}"') :]
    assert "po-to-ship" not in open_row[: open_row.index("</li>")]


def test_the_overview_shows_parcel_steps_and_what_is_late(client, shop, now, alice):
    campaign, paid, _unpaid, later = _producing(shop, now, alice)
    add_default_stages(campaign=campaign, actor=alice, now=later)
    first = campaign.production_stages.first()
    first.planned_on = date(2020, 1, 1)  # long past, not done
    first.save()
    create_shipment(orders=[paid[0]], courier="jne", ship=False, now=later)

    client.force_login(alice)
    html = client.get(f"/dashboard/po/{campaign.pk}/").content.decode()

    assert 'id="after-close"' in html
    assert '<dd id="count-packed">1</dd>' in html
    assert f'/shipping/">{2}</a></dd>' in html
    assert first.name in html[html.index("late-flags") :]
    assert f'href="/dashboard/po/{campaign.pk}/production/"' in html


def test_an_open_po_has_no_second_half_card(client, shop, now, alice, campaign):
    client.force_login(alice)
    html = client.get(f"/dashboard/po/{campaign.pk}/").content.decode()
    assert 'id="after-close"' not in html
