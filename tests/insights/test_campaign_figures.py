"""One PO's story against the hand-counted shop of conftest.py.

"kaos" is open from Monday 2 March 09:00 WIB to Thursday 5 March 10:00 WIB: orders 1 and 2 on
Monday (3 units, both in its first six hours), order 3 on Tuesday (3 units), nothing on its last
day; order 4 was cancelled. "hoodie" has a minimum of 3 units: order 5 (1 unit, Monday 9 March
10:00) and order 6 (3 units, 13:00) reach it.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from openpo.insights.campaign import campaign_figures
from openpo.orders.models import Order, ReminderSignup
from tests import factories
from tests.insights.conftest import NOW, T0

pytestmark = pytest.mark.django_db


def test_orders_by_day_over_the_window_with_empty_days(world):
    f = campaign_figures(world["kaos"], now=NOW)

    assert f["by_day"] == [
        {"date": "2026-03-02", "orders": 2, "units": 3, "units_to_date": 3},
        {"date": "2026-03-03", "orders": 1, "units": 3, "units_to_date": 6},
        {"date": "2026-03-04", "orders": 0, "units": 0, "units_to_date": 6},
        {"date": "2026-03-05", "orders": 0, "units": 0, "units_to_date": 6},
    ]
    assert f["first_hours_share"] == round(2 / 3, 4)
    assert f["last_day_share"] == 0.0
    assert (f["cancelled"], f["expired"]) == (1, 0)


def test_remind_me_sign_ups_that_ordered(world):
    kaos = world["kaos"]
    for phone in ("+6281200000001", "+6281299999999"):  # buyer 1 ordered; the other did not
        ReminderSignup.objects.create(campaign=kaos, phone=phone, created_at=T0)

    assert campaign_figures(kaos, now=NOW)["reminders"] == {
        "signups": 2,
        "ordered": 1,
        "conversion": 0.5,
    }


def test_payment_speed_and_cash_before_production(world):
    transfer = world["first"].open_expected_payment.amount  # the kode unik included
    factories.pay(world["first"], now=T0 + timedelta(hours=2))

    f = campaign_figures(world["kaos"], now=NOW)

    assert f["payment_speed"] == {"paid_orders": 1, "median_hours": 2.0, "within_24h_share": 1.0}
    # The money that arrived (what the bank shows), before production started.
    assert f["cash_before_production"] == transfer > 0


def test_when_the_minimum_was_reached(world):
    f = campaign_figures(world["hoodie"], now=NOW)

    assert f["moq"]["moq_units"] == 3 and f["moq"]["units"] == 4
    assert f["moq"]["reached_at"].isoformat() == "2026-03-09T13:00:00+07:00"
    assert campaign_figures(world["kaos"], now=NOW)["moq"]["reached_at"] is None  # no minimum


def test_a_po_without_orders_has_zeros_not_errors(shop, now):
    from tests.conftest import make_campaign

    empty = make_campaign(shop, now=now, slug="kosong")

    f = campaign_figures(empty, now=now)

    assert f["first_hours_share"] == 0.0 and f["payment_speed"]["median_hours"] is None
    # Opened an hour ago: one day, or two when that hour crossed midnight in WIB.
    first, last = (timezone.localtime(t, shop.tzinfo).date() for t in (empty.opens_at, now))
    assert [d["orders"] for d in f["by_day"]] == [0] * ((last - first).days + 1)
    assert Order.objects.filter(campaign=empty).count() == 0
