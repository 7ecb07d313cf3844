"""Importing parsed chat orders: through `place_order`, once each, within the quota."""

from datetime import timedelta

import pytest

from openpo.intake.catalogue import catalogue_for
from openpo.intake.parser import parse_text
from openpo.intake.services.importing import import_orders
from openpo.orders.models import Order
from openpo.orders.services.releasing import expire_order
from openpo.payments.models import ExpectedPayment
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db

CHAT = """\
Nama: Budi Santoso
No HP: 0812-3456-7890
Alamat: Jl. Melati No. 5, Bandung 40162
Pesanan: kaos polos S 2pcs

Nama: Sari
WA: +62 813 2222 3333
Alamat: Jl. Kenanga 10, Surabaya
Order: kaos M x1, kaos S (3)
"""


def _import(campaign, text=CHAT, **options):
    orders = parse_text(text, catalogue_for(campaign))
    return orders, import_orders(campaign=campaign, orders=orders, **options)


def test_a_paste_becomes_orders_with_their_own_transfer_amounts(campaign, now):
    _orders, report = _import(campaign, now=now)

    assert [o.status for o in report.outcomes] == ["imported", "imported"]
    budi, sari = (o.order for o in report.imported)
    assert (budi.buyer_phone, budi.units, budi.channel) == ("+6281234567890", 2, "whatsapp")
    assert sari.units == 4 and sari.address == "Jl. Kenanga 10, Surabaya"
    amounts = set(
        ExpectedPayment.objects.filter(order__in=[budi, sari]).values_list("amount", flat=True)
    )
    assert len(amounts) == 2  # each buyer transfers an amount of their own
    assert budi.payment_deadline > now


def test_the_same_paste_imported_twice_makes_each_order_once(campaign, now):
    _import(campaign, now=now)
    _orders, again = _import(campaign, now=now)

    assert [o.status for o in again.outcomes] == ["duplicate", "duplicate"]
    assert "sudah ada di po ini" in again.outcomes[0].message.lower()
    assert Order.objects.filter(campaign=campaign).count() == 2


def test_an_order_written_twice_in_one_paste_is_imported_once(campaign, now):
    text = CHAT.split("\n\n")[0]
    _orders, report = _import(campaign, text=f"{text}\n\n{text}", now=now)

    assert [o.status for o in report.outcomes] == ["imported", "duplicate"]
    assert Order.objects.filter(campaign=campaign).count() == 1


def test_a_buyer_whose_order_expired_may_send_it_again(campaign, now):
    _orders, first = _import(campaign, text=CHAT.split("\n\n")[0], now=now)
    expire_order(order=first.imported[0].order, now=now + timedelta(days=2))

    _orders, again = _import(campaign, text=CHAT.split("\n\n")[0], now=now)

    assert [o.status for o in again.outcomes] == ["imported"]


def test_an_oversized_paste_stops_at_the_quota_and_says_which_did_not_fit(shop, now):
    campaign = make_campaign(shop, now=now, quotas=(3,))  # size S: 3 units
    text = "\n\n".join(
        f"Nama: Pembeli {n}\nHP: 0812 3456 70{n:02d}\nAlamat: Jl. Mawar {n}, Depok\n"
        f"Pesanan: kaos S x{units}"
        for n, units in enumerate([2, 2, 1, 1], start=1)
    )
    _orders, report = _import(campaign, text=text, now=now)

    assert [o.status for o in report.outcomes] == ["imported", "failed", "imported", "failed"]
    assert [o.index for o in report.sold_out] == [1, 3]
    assert report.failed[0].message == "Maaf, “Kaos Polos — S” hanya tersisa 1."
    assert report.failed[1].message == "Maaf, “Kaos Polos — S” sudah habis."
    campaign.refresh_from_db()
    assert campaign.reserved_units == 3


def test_orders_with_errors_are_left_for_the_seller(campaign, now):
    text = "Nama: Dodi\nPesanan: kaos S 1\nAlamat: Jl. Anggrek 2"  # no phone
    orders, report = _import(campaign, text=text, now=now)

    assert [p.code for p in orders[0].errors] == ["missing_phone"]
    assert report.outcomes[0].status == "skipped"
    assert not Order.objects.filter(campaign=campaign).exists()


def test_a_closed_po_takes_no_imported_orders(shop, now):
    campaign = make_campaign(shop, now=now, publish=False)
    _orders, report = _import(campaign, now=now)

    assert [o.status for o in report.outcomes] == ["failed", "failed"]
    assert not Order.objects.exists()
