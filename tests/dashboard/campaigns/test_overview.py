"""A PO's overview: live counters, latest orders, and the lifecycle steps its phase allows,
each confirmed first and refused with a message when the rules say no."""

import re
from datetime import timedelta

import pytest
from django.conf import settings

from openpo.catalog.models import Campaign
from openpo.catalog.services import close_campaign, start_production, start_shipping
from openpo.core.models import AuditEvent
from openpo.orders.models import Order
from tests import factories
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(client, alice, shop):
    client.force_login(alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _stat(html: str, name: str) -> str:
    match = re.search(rf'id="{name}">([^<]*)<', html)
    assert match, f"no #{name} on the page"
    return match.group(1).strip()


def _step(client, campaign, action, **data):
    return client.post(f"/dashboard/po/{campaign.pk}/step/", {"action": action, **data})


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def _status(campaign) -> str:
    campaign.refresh_from_db()
    return campaign.status


# --- counters ----------------------------------------------------------------------------------


def test_it_counts_orders_units_money_and_payment_states(seller, campaign, variants):
    small, medium = variants
    paid = factories.order(campaign, variant=small, units=2)  # 2 × 120.000 + 15.000 = 255.000
    factories.order(campaign, variant=medium, buyer=factories.buyer(2))  # 135.000
    partly = factories.order(campaign, variant=medium, units=3, buyer=factories.buyer(3))  # 375.000
    Order.objects.filter(pk=paid.pk).update(payment_status="paid", amount_paid=paid.total)
    Order.objects.filter(pk=partly.pk).update(payment_status="deposit_paid", amount_paid=100_000)

    html = seller.get(f"/dashboard/po/{campaign.pk}/").content.decode()

    assert _stat(html, "stat-orders") == "3"
    assert _stat(html, "stat-units") == "6"
    assert _stat(html, "stat-due") == "Rp 765.000"
    assert _stat(html, "stat-paid") == "Rp 355.000"
    assert _stat(html, "stat-outstanding") == "Rp 410.000"
    assert re.search(r'id="count-unpaid"><a [^>]+><strong>1<', html)
    assert re.search(r'id="count-deposit-paid"><a [^>]+><strong>1<', html)
    assert re.search(r'id="count-paid"><a [^>]+><strong>1<', html)
    assert "2 / 20" in html  # size S against its quota
    assert f'href="/dashboard/orders/{paid.pk}/"' in html


def test_cancelled_orders_are_not_counted(seller, campaign):
    from openpo.orders.services import cancel_order

    cancel_order(order=factories.order(campaign, units=4), reason="salah ukuran")
    factories.order(campaign, buyer=factories.buyer(2))
    html = seller.get(f"/dashboard/po/{campaign.pk}/").content.decode()
    assert _stat(html, "stat-orders") == "1"
    assert _stat(html, "stat-units") == "1"
    assert "1 / 20" in html


def test_it_shows_the_minimum_order_progress(seller, shop, now):
    campaign = make_campaign(shop, now=now, slug="moq", moq_units=10)
    factories.order(campaign, units=4)
    html = seller.get(f"/dashboard/po/{campaign.pk}/").content.decode()
    assert "4 of 10 units" in html
    assert 'aria-valuenow="4"' in html and '<rect width="40%"' in html


def test_it_shows_early_bird_units_sold(seller, shop, now):
    campaign = make_campaign(shop, now=now, slug="eb", early_bird_units=5)
    variant = campaign.variants.first()
    variant.early_bird_price = 100_000
    variant.save()
    factories.order(campaign, variant=variant, units=2)
    html = seller.get(f"/dashboard/po/{campaign.pk}/").content.decode()
    assert _stat(html, "stat-early-bird") == "2 / 5"


def test_the_live_part_refreshes_alone_every_30_seconds(seller, campaign, variants):
    page = seller.get(f"/dashboard/po/{campaign.pk}/").content.decode()
    assert f'hx-get="/dashboard/po/{campaign.pk}/live/"' in page
    assert 'hx-trigger="every 30s"' in page

    factories.order(campaign, variant=variants[1], units=2)
    response = seller.get(f"/dashboard/po/{campaign.pk}/live/", HTTP_HX_REQUEST="true")
    fragment = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in fragment and 'id="po-live"' in fragment
    assert _stat(fragment, "stat-orders") == "1"


def test_another_shop_cannot_see_the_counters_or_take_steps(client, campaign, charlie):
    from openpo.catalog.services import create_shop

    create_shop(name="Toko Charlie", slug="toko-charlie", owner=charlie)
    client.force_login(charlie)
    assert client.get(f"/dashboard/po/{campaign.pk}/live/").status_code == 404
    assert _step(client, campaign, "close").status_code == 404
    assert _status(campaign) == "open"


# --- which steps are offered -------------------------------------------------------------------


def _offered(client, campaign) -> set[str]:
    html = client.get(f"/dashboard/po/{campaign.pk}/").content.decode()
    return set(re.findall(r'data-action="(\w+)"', html))


def test_an_open_po_offers_closing_early_and_cancelling(seller, campaign):
    assert _offered(seller, campaign) == {"close", "cancel"}


def test_a_po_closed_early_offers_production_reopening_and_cancelling(seller, campaign, alice):
    close_campaign(campaign=campaign, actor=alice)
    assert _offered(seller, campaign) == {"start_production", "reopen", "cancel"}


def test_a_po_closed_below_its_minimum_offers_failing_not_production(seller, shop, now, alice):
    campaign = make_campaign(shop, now=now, slug="moq", moq_units=10)
    close_campaign(campaign=campaign, actor=alice)
    seller.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = seller.get(f"/dashboard/po/{campaign.pk}/").content.decode()
    assert set(re.findall(r'data-action="(\w+)"', html)) == {"reopen", "fail", "cancel"}
    assert "Production can start once the minimum of 10 units is reached (0 ordered)." in html


def test_later_phases_offer_the_next_step_only(seller, campaign, alice):
    close_campaign(campaign=campaign, actor=alice)
    start_production(campaign=campaign, actor=alice)
    assert _offered(seller, campaign) == {"start_shipping"}
    start_shipping(campaign=campaign, actor=alice)
    assert _offered(seller, campaign) == {"complete"}


# --- confirmation ------------------------------------------------------------------------------


def test_closing_early_is_confirmed_first_with_its_consequence(seller, campaign, variants):
    factories.order(campaign, units=2, buyer=factories.buyer(1))
    factories.order(campaign, variant=variants[1], buyer=factories.buyer(2))
    response = seller.get(f"/dashboard/po/{campaign.pk}/step/?action=close")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Orders can no longer be placed. 2 buyers have ordered 3 units." in html
    assert 'name="action" value="close"' in html and "csrfmiddlewaretoken" in html
    assert _status(campaign) == "open"  # nothing happens before the POST


def test_the_confirmation_of_a_step_the_rules_refuse_has_no_button(seller, shop, now, alice):
    campaign = make_campaign(shop, now=now, slug="moq", moq_units=10)
    close_campaign(campaign=campaign, actor=alice)
    html = seller.get(f"/dashboard/po/{campaign.pk}/step/?action=start_production").content
    html = html.decode()
    assert 'id="not-offered"' in html
    assert "has not been reached (0 units ordered)" in html
    assert 'value="start_production"' not in html


def test_a_step_without_a_known_action_goes_back_to_the_overview(seller, campaign):
    response = seller.get(f"/dashboard/po/{campaign.pk}/step/?action=explode", follow=True)
    assert response.redirect_chain[-1][0] == f"/dashboard/po/{campaign.pk}/"
    assert "Choose a step" in _messages(response)


# --- taking the steps --------------------------------------------------------------------------


def test_it_closes_early_and_reopens(seller, campaign, alice):
    response = _step(seller, campaign, "close")
    assert response.status_code == 302 and response["Location"] == f"/dashboard/po/{campaign.pk}/"
    campaign.refresh_from_db()
    assert campaign.status == "closed" and campaign.close_reason == "early"
    assert AuditEvent.objects.filter(action="campaign.close", actor=alice).exists()

    response = _step(seller, campaign, "reopen")
    assert _status(campaign) == "open"
    assert campaign.close_reason == ""
    html = seller.get(response["Location"]).content.decode()
    assert "The PO is open again." in html


def test_it_refuses_to_start_production_below_the_minimum(seller, shop, now, alice):
    campaign = make_campaign(shop, now=now, slug="moq", moq_units=10)
    factories.order(campaign, units=2)
    close_campaign(campaign=campaign, actor=alice)

    response = _step(seller, campaign, "start_production")

    assert response.status_code == 302
    html = seller.get(response["Location"]).content.decode()
    assert "The minimum order of 10 units has not been reached (2 units ordered)." in html
    assert _status(campaign) == "closed"


def test_it_marks_a_po_below_its_minimum_as_failed(seller, shop, now, alice):
    campaign = make_campaign(shop, now=now, slug="moq", moq_units=10)
    close_campaign(campaign=campaign, actor=alice)
    _step(seller, campaign, "fail")
    assert _status(campaign) == "failed"


def test_it_refuses_to_fail_a_po_that_reached_its_minimum(seller, shop, now, alice):
    campaign = make_campaign(shop, now=now, slug="moq", moq_units=2)
    factories.order(campaign, units=2)
    close_campaign(campaign=campaign, actor=alice)
    response = _step(seller, campaign, "fail")
    html = seller.get(response["Location"]).content.decode()
    assert "cannot be marked as failed" in html
    assert _status(campaign) == "closed"


def test_it_takes_a_po_through_production_shipping_and_completion(seller, campaign):
    factories.order(campaign)
    for action, status in [
        ("close", "closed"),
        ("start_production", "producing"),
        ("start_shipping", "shipping"),
        ("complete", "completed"),
    ]:
        assert _step(seller, campaign, action).status_code == 302
        assert _status(campaign) == status
    assert _offered(seller, campaign) == set()


def test_it_cancels_with_a_reason_kept_in_the_history(seller, campaign, alice):
    _step(seller, campaign, "cancel", reason="Pemasok kain tutup")
    assert _status(campaign) == "cancelled"
    event = AuditEvent.objects.get(action="campaign.cancel")
    assert event.data["reason"] == "Pemasok kain tutup"


def test_a_step_the_phase_does_not_allow_is_refused_if_posted_anyway(seller, campaign):
    response = _step(seller, campaign, "start_shipping")
    html = seller.get(response["Location"]).content.decode()
    assert "is not possible while the PO is" in html
    assert _status(campaign) == "open"

    response = seller.get(f"/dashboard/po/{campaign.pk}/step/?action=complete", follow=True)
    assert "is not possible" in _messages(response)


def test_a_completed_po_cannot_be_cancelled(seller, campaign, alice):
    for step in (close_campaign, start_production, start_shipping):
        step(campaign=campaign, actor=alice)
    _step(seller, campaign, "cancel")
    assert _status(campaign) == "shipping"


def test_a_po_past_its_closing_time_catches_up_before_the_step(seller, shop, now):
    campaign = make_campaign(shop, now=now, slug="late", moq_units=5)
    factories.order(campaign)
    Campaign.objects.filter(pk=campaign.pk).update(
        opens_at=now - timedelta(days=3), closes_at=now - timedelta(minutes=1)
    )
    # Still "open" in the database (the worker has not run); the minimum was missed, so the
    # clock has already failed it: starting production is refused, with the reason.
    response = _step(seller, campaign, "start_production")
    html = seller.get(response["Location"]).content.decode()
    assert _status(campaign) == "failed"
    assert "Failed" in html


def test_a_get_never_changes_the_po(seller, campaign):
    seller.get(f"/dashboard/po/{campaign.pk}/step/?action=cancel")
    assert _status(campaign) == "open"


def test_a_failed_po_with_money_in_asks_for_refunds(seller, shop, now, alice):
    campaign = make_campaign(shop, now=now, slug="moq", moq_units=10)
    order = factories.order(campaign)
    Order.objects.filter(pk=order.pk).update(payment_status="paid", amount_paid=order.total)
    close_campaign(campaign=campaign, actor=alice)
    _step(seller, campaign, "fail")
    html = seller.get(f"/dashboard/po/{campaign.pk}/").content.decode()
    assert _offered(seller, campaign) == set()
    warning = re.search(r'id="refund-warning">(.*?)</p>', html, re.S).group(1)
    assert "Rp 135.000 paid for 1 order is still to be refunded." in warning
    assert f'href="/dashboard/po/{campaign.pk}/refunds/"' in warning
