"""Orders by month beside the Indonesian shopping calendar, by date of the month (payday),
and the size curve per product — against the hand-counted shop of test_figures.py (all its
standing orders in March 2026: the 2nd, 3rd and 9th; sizes S and M of "Kaos Polos")."""

from datetime import date

import pytest
from django.utils import translation

from openpo.insights.calendar import moments, months
from openpo.insights.report import insights
from openpo.insights.sizes import size_curves
from tests.insights.conftest import NOW

pytestmark = pytest.mark.django_db


def test_the_month_and_the_dates_orders_came_in(shop, world):
    f = insights(shop, now=NOW)

    assert f["by_month"] == {"2026-03": [5, 10]}
    assert f["by_monthday"][1] == 2 and f["by_monthday"][2] == 1 and f["by_monthday"][8] == 2
    assert sum(f["by_monthday"]) == 5
    # March 2026: Ramadan ended on the 19th, Idul Fitri on the 20th (per `holidays`).
    (march,) = f["months"]
    assert (march["month"], march["orders"], march["units"]) == ("2026-03", 5, 10)
    assert march["moments"] == ["Ramadan", "Lebaran"]


def test_a_month_without_orders_between_two_with_orders_is_shown_empty():
    found = months({"2025-11": [3, 4], "2026-02": [1, 1]})

    assert [m["month"] for m in found] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert [m["orders"] for m in found] == [3, 0, 0, 1]
    assert "Harbolnas 12.12" in found[1]["moments"]  # the same words in both languages
    assert months({}) == []


def test_ramadan_runs_into_the_month_before_lebaran():
    with translation.override("en"):
        marks = moments(range(2025, 2026))

    # Idul Fitri 2025 fell on 31 March; Ramadan began around 1 March.
    assert marks["2025-03"][:2] == ["Ramadan", "Lebaran"]
    assert "Ramadan" not in marks.get("2025-04", [])
    assert marks["2025-12"] == ["Harbolnas 12.12", "Christmas and New Year"]
    assert date(2025, 3, 31).month == 3


def test_the_size_curve_adds_each_size_over_the_pos(shop, world):
    f = insights(shop, now=NOW)

    # Kaos Polos: S 3 (kaos) + 1 (hoodie) = 4, M 3 + 3 = 6, of 10 units.
    assert f["size_curves"] == [
        {"product": "Kaos Polos", "size": "S", "units": 4, "share": 0.4},
        {"product": "Kaos Polos", "size": "M", "units": 6, "share": 0.6},
    ]


def test_sizes_go_small_to_large_and_products_without_sizes_have_no_curve():
    variants = [
        {"product": "Kaos", "options": {"Ukuran": "XL"}, "units": 2},
        {"product": "Kaos", "options": {"Ukuran": "S"}, "units": 1},
        {"product": "Kaos", "options": {"Ukuran": "M"}, "units": 1},
        {"product": "Sepatu", "options": {"Size": "41"}, "units": 1},
        {"product": "Sepatu", "options": {"Size": "39"}, "units": 3},
        {"product": "Tas", "options": {"Warna": "Hitam"}, "units": 9},
    ]

    rows = size_curves(variants)

    assert [(r["product"], r["size"]) for r in rows] == [
        ("Kaos", "S"),
        ("Kaos", "M"),
        ("Kaos", "XL"),
        ("Sepatu", "39"),
        ("Sepatu", "41"),
    ]
    assert [r["share"] for r in rows] == [0.25, 0.25, 0.5, 0.75, 0.25]


def test_the_calendar_speaks_indonesian():
    with translation.override("id"):
        assert moments(range(2025, 2026))["2025-12"][1] == "Natal dan Tahun Baru"
