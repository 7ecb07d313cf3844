"""A PO that missed its minimum says the same about its money on every page: the overview's
counters and cash-flow card, the PO's cash flow, the PO list, the shop's cash flow, the refund
list and each buyer's order page. Nothing is owed; what was paid is to refund until it is
refunded; no "paid in full" count, no production timeline, no "not shipped yet"."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from tests.payments import failed_po_world as world

pytestmark = pytest.mark.django_db

RUPIAH = re.compile(r"Rp\s*([\d.]+)")


def _rupiah(text: str) -> int:
    match = RUPIAH.search(text)
    assert match, f"no amount in {text!r}"
    return int(match.group(1).replace(".", ""))


def _by_id(html: str, name: str) -> str:
    """The text of the element with id `name`, up to its first tag."""
    match = re.search(rf'id="{name}"[^>]*>([^<]*)<', html)
    assert match, f"no #{name} on the page"
    return match.group(1).strip()


def _count(html: str, name: str) -> int:
    match = re.search(rf'id="{name}">(?:<a [^>]+>)?<strong>(\d+)</strong>', html)
    assert match, f"no #{name} count on the page"
    return int(match.group(1))


@pytest.fixture
def failed(shop, now) -> world.FailedPO:
    return world.build_failed_po(shop, now=now)


@pytest.fixture
def seller(client, alice):
    client.force_login(alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _overview(seller, failed) -> tuple[int, int]:
    html = _get(seller, reverse("dashboard:campaign", args=[failed.campaign.pk]))
    now_card = (_rupiah(_by_id(html, "stat-to-refund")), _rupiah(_by_id(html, "stat-refunded")))
    cash_card = (
        _rupiah(_by_id(html, "cf-card-to-refund")),
        _rupiah(_by_id(html, "cf-card-refunded")),
    )
    assert now_card == cash_card
    return now_card


def _campaign_cash_flow(seller, failed) -> tuple[int, int]:
    html = _get(seller, reverse("dashboard:campaign_cashflow", args=[failed.campaign.pk]))
    assert 'id="cf-outstanding"' not in html
    assert "This PO ended before production" in html
    return _rupiah(_by_id(html, "cf-to-refund")), _rupiah(_by_id(html, "cf-refunded"))


def _po_list(seller, failed) -> tuple[int, int]:
    html = _get(seller, reverse("dashboard:index"))
    row = html[html.index(f'id="po-{failed.campaign.pk}"') :].split("</li>")[0]
    assert "Paid / due" not in row
    refunds_url = reverse("dashboard:campaign_refunds", args=[failed.campaign.pk])
    link = re.search(r'<a class="po-to-refund" href="([^"]+)">([^<]+)</a>', row)
    assert link and link.group(1) == refunds_url
    refunded = re.search(r'class="muted po-refunded">([^<]+) refunded<', row)
    return _rupiah(link.group(2)), _rupiah(refunded.group(1))


def _shop_cash_flow(seller, failed) -> tuple[int, int]:
    html = _get(seller, reverse("dashboard:shop_cashflow"))
    row = html[html.index(f'data-campaign="{failed.campaign.pk}"') :].split("</tr>")[0]
    cells = dict(re.findall(r'class="num (cf-[\w-]+)">(?:<a [^>]+>)?([^<]*)<', row))
    assert cells["cf-outstanding"] == "—"
    # The shop has no other PO: its totals are this PO's.
    assert _rupiah(_by_id(html, "cf-outstanding")) == 0
    assert _rupiah(_by_id(html, "cf-to-refund")) == _rupiah(cells["cf-to-refund"])
    return _rupiah(cells["cf-to-refund"]), _rupiah(cells["cf-refunded"])


def _refund_list(seller, failed) -> tuple[int, int]:
    html = _get(seller, reverse("dashboard:campaign_refunds", args=[failed.campaign.pk]))
    to_refund = re.search(r"Still to give back: <strong>([^<]+)</strong>", html).group(1)
    made = re.search(r"Refunds made <span class=\"muted\">· ([^<]+)</span>", html).group(1)
    assert html.count('class="card refund-due"') == world.ORDERS_TO_REFUND
    return _rupiah(to_refund), _rupiah(made)


def _buyer_pages(client, failed) -> tuple[int, int]:
    to_refund = refunded = 0
    for order in failed.orders:
        html = _get(client, f"/o/{order.secret}/")
        assert "Left to pay" not in html
        if match := re.search(r"To be refunded to you</td><td class=\"num\">([^<]+)<", html):
            to_refund += _rupiah(match.group(1))
        if match := re.search(r"Refunded to you</td><td class=\"num\">−([^<]+)<", html):
            refunded += _rupiah(match.group(1))
    return to_refund, refunded


def _order_pages(seller, failed) -> tuple[int, int]:
    to_refund = refunded = 0
    for order in failed.orders:
        html = _get(seller, f"/dashboard/orders/{order.pk}/")
        assert ">Outstanding<" not in html
        to_refund += _rupiah(re.search(r"To refund</td><td class=\"num\">([^<]+)<", html)[1])
        if match := re.search(r">Refunded</td><td class=\"num\">([^<]+)<", html):
            refunded += _rupiah(match.group(1))
    return to_refund, refunded


def test_every_page_says_the_same_about_a_failed_pos_money(client, seller, failed):
    expected = (world.TO_REFUND, world.REFUNDED)

    figures = {
        "order pages": _order_pages(seller, failed),
        "overview": _overview(seller, failed),
        "PO cash flow": _campaign_cash_flow(seller, failed),
        "PO list": _po_list(seller, failed),
        "shop cash flow": _shop_cash_flow(seller, failed),
        "refund list": _refund_list(seller, failed),
    }
    client.logout()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    figures["buyer pages"] = _buyer_pages(client, failed)

    assert figures == dict.fromkeys(figures, expected)


def test_the_overview_of_a_failed_po_asks_for_refunds_not_payments(seller, failed):
    html = _get(seller, reverse("dashboard:campaign", args=[failed.campaign.pk]))

    for owed in ("stat-due", "stat-paid", "stat-outstanding", "cf-card-outstanding"):
        assert f'id="{owed}"' not in html
    for going_ahead in ("count-unpaid", "count-paid", "count-deposit-paid"):
        assert f'id="{going_ahead}"' not in html
    assert _count(html, "count-to-refund") == world.ORDERS_TO_REFUND
    assert _count(html, "count-refunded") == world.ORDERS_REFUNDED
    warning = re.search(r'id="refund-warning">(.*?)</p>', html, re.S).group(1)
    assert "Rp 285.000 paid for 3 orders is still to be refunded." in warning
    refunds_url = reverse("dashboard:campaign_refunds", args=[failed.campaign.pk])
    assert f'href="{refunds_url}"' in warning
    latest = html[html.index('class="data latest-orders"') :]
    assert "to refund Rp 100.000" in latest and "Nothing paid" in latest
    assert ">Paid<" not in latest


def test_once_every_refund_is_made_the_overview_says_so(seller, failed, alice):
    from openpo.payments.services import record_refund

    for order in (failed.paid, failed.partly_paid, failed.cancelled):
        record_refund(order=order, amount=order.amount_paid, note="tunai", actor=alice)

    html = _get(seller, reverse("dashboard:campaign", args=[failed.campaign.pk]))

    assert _rupiah(_by_id(html, "stat-to-refund")) == 0
    assert _rupiah(_by_id(html, "stat-refunded")) == world.TO_REFUND + world.REFUNDED
    assert "Every refund is made: Rp 455.000 went back to the buyers." in html
    assert _count(html, "count-to-refund") == 0
    assert _count(html, "count-refunded") == 4


@pytest.fixture
def buyer_client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_buyer_of_a_failed_po_reads_what_happens_to_their_money(buyer_client, failed):
    html = _get(buyer_client, f"/o/{failed.paid.secret}/")

    assert "PO failed: minimum not reached" in html and "Refund due" in html
    assert "did not reach its minimum order" in html
    assert "The seller owes you <strong>Rp 100.000</strong>." in html
    assert "tell the seller where to send it" in html  # no account given yet
    assert 'name="account_number"' in html  # where should the refund go
    refund = failed.paid.refunds.get()
    day = refund.refunded_at.astimezone(failed.campaign.shop.tzinfo).strftime("%-d %B %Y")
    assert day in html  # the partial refund already made, with its date
    for timeline in ("What happens next", "Not shipped yet", "Estimated shipping", ">Paid<"):
        assert timeline not in html
    assert 'id="payment"' not in html


def test_a_buyer_who_paid_nothing_is_told_nothing_is_owed(buyer_client, failed):
    for order in (failed.unpaid, failed.expired):
        html = _get(buyer_client, f"/o/{order.secret}/")

        assert "nothing is owed either way" in html
        assert "Transfer exactly" not in html and 'id="payment"' not in html
        assert 'name="account_number"' not in html
        assert "What happens next" not in html
    assert "expired because it was not paid in time" in html


def test_a_refunded_buyer_reads_how_much_came_back_and_when(buyer_client, failed):
    html = _get(buyer_client, f"/o/{failed.refunded.secret}/")

    assert "Everything you paid has been refunded: Rp 135.000 in all." in html
    assert 'class="badge badge-paid">Refunded<' in html
    assert 'name="account_number"' not in html
    refund = failed.refunded.refunds.get()
    assert refund.refunded_at.astimezone(failed.campaign.shop.tzinfo).strftime("%-d %B %Y") in html


def test_a_cancelled_order_of_the_failed_po_is_owed_its_money_back(buyer_client, failed):
    html = _get(buyer_client, f"/o/{failed.cancelled.secret}/")

    assert "This order was cancelled" in html
    assert "The seller owes you <strong>Rp 135.000</strong>." in html
