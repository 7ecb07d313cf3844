"""A number that links to a list opens exactly the rows it counts: the overview's orders and
payment states (cancelled and expired orders are not counted, so the list is filtered to active
ones), its orders to refund, and the PO list's payments to check."""

import html as htmllib
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse

from openpo.orders.models import Order
from openpo.orders.services import cancel_order, expire_order
from openpo.payments.services import claim_payment
from tests import factories
from tests.payments import failed_po_world as world

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(client, alice):
    client.force_login(alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def busy_po(campaign):
    """12 active orders (5 unpaid, 2 paid short, 5 paid in full), 2 cancelled (one of them
    paid, so to refund) and 1 expired: 15 orders in all."""
    for n in range(5):
        factories.order(campaign, buyer=factories.buyer(n))
    for n in range(5, 7):
        factories.paid_order(campaign, buyer=factories.buyer(n), amount=50_000)
    for n in range(7, 12):
        factories.paid_order(campaign, buyer=factories.buyer(n), amount=135_000)
    cancel_order(order=factories.order(campaign, buyer=factories.buyer(12)))
    cancel_order(order=factories.paid_order(campaign, buyer=factories.buyer(13), amount=135_000))
    late = factories.order(campaign, buyer=factories.buyer(14))
    expire_order(order=late, now=late.payment_deadline + timedelta(minutes=1))
    return campaign


def _rows_listed(client, url: str) -> int:
    """How many rows the linked list shows, checked against the count it prints."""
    page = client.get(url).content.decode()
    if "/refunds/" in url:
        shown = page.count('class="card refund-due"')
        assert re.search(rf"<h1>{shown} refunds? to make</h1>", page)
        return shown
    if "/payments/" in url:
        shown = page.count('class="card pay-item"')
        assert re.search(rf"<h1>{shown} payments? to check</h1>", page)
        return shown
    shown = page.count('<tr class="order-row')
    found = re.search(r'id="result-count">(\d+) orders? found', page)
    assert found and int(found.group(1)) == shown
    return shown


def _count_links(html: str) -> dict[str, tuple[int, str]]:
    """Each `<li id="count-…"><a href=…><strong>N</strong>` of the overview: N and the link."""
    found = re.findall(r'<li id="(count-[\w-]+)"><a href="([^"]+)"><strong>(\d+)</strong>', html)
    return {name: (int(number), htmllib.unescape(url)) for name, url, number in found}


def test_the_overviews_order_count_opens_exactly_those_orders(seller, busy_po):
    html = seller.get(reverse("dashboard:campaign", args=[busy_po.pk])).content.decode()

    number = int(re.search(r'id="stat-orders">(\d+)<', html).group(1))
    link = re.search(r'<a id="all-orders" href="([^"]+)">All (\d+) active orders', html)

    assert number == int(link.group(2)) == 12
    assert _rows_listed(seller, htmllib.unescape(link.group(1))) == number
    assert Order.objects.filter(campaign=busy_po).count() == 15  # the list has them all


def test_each_payment_state_count_opens_exactly_its_orders(seller, busy_po):
    html = seller.get(reverse("dashboard:campaign", args=[busy_po.pk])).content.decode()

    links = _count_links(html)

    assert {name: number for name, (number, _) in links.items()} == {
        "count-unpaid": 5,
        "count-partly-paid": 2,
        "count-paid": 5,
        "count-to-refund": 1,
    }
    for name, (number, url) in links.items():
        assert _rows_listed(seller, url) == number, name


def test_a_failed_pos_to_refund_count_opens_exactly_those_refunds(seller, shop, now):
    failed = world.build_failed_po(shop, now=now)
    html = seller.get(reverse("dashboard:campaign", args=[failed.campaign.pk])).content.decode()

    links = _count_links(html)

    assert links["count-to-refund"][0] == world.ORDERS_TO_REFUND
    assert _rows_listed(seller, links["count-to-refund"][1]) == world.ORDERS_TO_REFUND


def test_the_po_lists_payments_to_check_opens_exactly_those(seller, busy_po):
    unpaid = Order.objects.filter(campaign=busy_po, status="active", payment_status="unpaid")
    for order in unpaid[:3]:
        claim_payment(order=order)

    html = seller.get(reverse("dashboard:index")).content.decode()
    link = re.search(r'<a href="([^"]+)">(\d+) payment proofs? to check', html)

    assert int(link.group(2)) == 3
    assert _rows_listed(seller, link.group(1)) == 3
