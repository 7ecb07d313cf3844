"""The campaign page's live counts: a small JSON document with an ETag, never over a second old."""

import time

import pytest

from openpo.storefront import live
from tests import factories
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db


def _url(campaign):
    return f"/{campaign.shop.slug}/{campaign.slug}/live.json"


def test_it_gives_the_state_and_slots_left_with_the_line_the_page_shows(client, shop, now, buyer):
    campaign = make_campaign(shop, now=now, quotas=(5, 3, 1), slug="tiga")
    five, three, one = (campaign.variants.get(quota=q) for q in (5, 3, 1))
    factories.order(campaign, variant=five, buyer=buyer, now=now)
    factories.order(campaign, variant=one, buyer=factories.buyer(2), now=now)

    response = client.get(_url(campaign))

    assert response.status_code == 200
    assert response.json() == {
        "state": "open",
        "units_left": 7,
        "units_ordered": 2,
        "moq_percent": 100,
        "slots_text": "Sisa 7 slot",
        "ordered_text": "2 pcs sudah dipesan",
        "variants": {str(five.pk): "sisa 4", str(three.pk): "sisa 3", str(one.pk): "habis"},
    }
    assert response["Cache-Control"] == "public, max-age=1"
    assert f'data-live-url="{_url(campaign)}"' in client.get(f"/{shop.slug}/tiga/").content.decode()


def test_an_unchanged_count_is_answered_304_without_a_body(client, campaign, variants):
    first = client.get(_url(campaign))
    again = client.get(_url(campaign), headers={"If-None-Match": first["ETag"]})

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]


def test_a_new_order_changes_the_count_and_the_etag_within_a_second(client, shop, now, buyer):
    campaign = make_campaign(shop, now=now, quotas=(5,), slug="lima")
    first = client.get(_url(campaign))
    factories.order(campaign, variant=campaign.variants.get(), buyer=buyer, now=now)
    started = time.monotonic()

    while (
        response := client.get(_url(campaign), headers={"If-None-Match": first["ETag"]})
    ).status_code == 304:
        assert time.monotonic() - started < live.HOLD_SECONDS + 0.5
        time.sleep(0.05)

    assert response.json()["units_left"] == 4
    assert response["ETag"] != first["ETag"]


def test_a_draft_and_an_unknown_po_are_not_found(client, shop, now):
    draft = make_campaign(shop, now=now, slug="draf", publish=False)

    assert client.get(_url(draft)).status_code == 404
    assert client.get(f"/{shop.slug}/tidak-ada/live.json").status_code == 404
