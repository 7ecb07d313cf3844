"""A shop whose buyers fall in every segment, for the segment broadcast tests (messaging and
dashboard): alice's shop with three past POs and one open now, and charlie's shop next door.

| buyer | orders (alice's shop)                     | segment at `now`          |
|-------|-------------------------------------------|---------------------------|
| Sari  | PO Maret ×2 (40 days ago), PO April (20)  | loyal                     |
| Budi  | PO Maret                                  | new                       |
| Citra | PO April, then replied STOP               | new, opted out            |
| Dewi  | PO Baru (open now), no email              | new                       |
| Eko   | PO Lama (200 days ago)                    | at risk                   |

Charlie's shop: Fajar in two of its POs (loyal there), and a buyer with Sari's number.
"""

from datetime import timedelta

import pytest

from openpo.orders.models import Customer
from tests import factories
from tests.conftest import make_campaign

DAY = timedelta(days=1)


@pytest.fixture
def segment_world(shop, other_shop, now):
    maret = make_campaign(shop, now=now - 40 * DAY, slug="po-maret", title="PO Maret")
    april = make_campaign(shop, now=now - 20 * DAY, slug="po-april", title="PO April")
    lama = make_campaign(shop, now=now - 200 * DAY, slug="po-lama", title="PO Lama")
    baru = make_campaign(shop, now=now, slug="po-baru", title="PO Baru")

    sari = factories.buyer(1, name="Sari", email="sari@example.com")
    budi = factories.buyer(2, name="Budi", email="budi@example.com")
    citra = factories.buyer(3, name="Citra", email="citra@example.com")
    dewi = factories.buyer(4, name="Dewi")
    eko = factories.buyer(5, name="Eko", email="eko@example.com")
    factories.order(maret, buyer=sari, now=now - 40 * DAY)
    factories.order(maret, buyer=sari, units=2, now=now - 40 * DAY + timedelta(hours=1))
    factories.order(april, buyer=sari, now=now - 20 * DAY)
    factories.order(maret, buyer=budi, now=now - 39 * DAY)
    factories.order(april, buyer=citra, now=now - 19 * DAY)
    dewi_order = factories.order(baru, buyer=dewi, now=now)
    factories.order(lama, buyer=eko, now=now - 200 * DAY)
    Customer.objects.filter(shop=shop, name="Citra").update(opted_out_at=now - DAY)

    kopi = make_campaign(other_shop, now=now - 30 * DAY, slug="kopi", title="PO Kopi")
    teh = make_campaign(other_shop, now=now - 10 * DAY, slug="teh", title="PO Teh")
    fajar = factories.buyer(6, name="Fajar", email="fajar@example.com")
    factories.order(kopi, buyer=fajar, now=now - 30 * DAY)
    factories.order(teh, buyer=fajar, now=now - 10 * DAY)
    factories.order(teh, buyer=factories.buyer(1, name="Sari di Charlie"), now=now - 10 * DAY)
    return {"maret": maret, "april": april, "lama": lama, "baru": baru, "dewi_order": dewi_order}
