"""Each insights figure against a small data set worked out by hand.

Shop time zone WIB (UTC+7). PO "kaos" opens Monday 2 March 2026 09:00 WIB, closes three days
and an hour later; size S has a quota of 3, M none. PO "hoodie" opens a week later.

| # | PO     | placed (WIB)     | buyer | items    | channel  | province    |
|---|--------|------------------|-------|----------|----------|-------------|
| 1 | kaos   | Mon 2 Mar 10:00  | 1     | S×2      | web      | Jawa Barat  |
| 2 | kaos   | Mon 2 Mar 11:00  | 2     | M×1      | whatsapp | DKI Jakarta |
| 3 | kaos   | Tue 3 Mar 12:00  | 3     | S×1, M×2 | web      | Jawa Barat  |
| 4 | kaos   | Tue 3 Mar 13:00  | 4     | M×1      | web      | Bali        | cancelled
| 5 | hoodie | Mon 9 Mar 10:00  | 1     | S×1      | manual   | Jawa Barat  |
| 6 | hoodie | Mon 9 Mar 13:00  | 5     | M×3      | import   | (none)      |

Standing: 1, 2, 3, 5, 6 → 5 orders, 10 units. S of "kaos" reached its quota with order 3,
27 hours after the PO opened.
"""

import io
import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command

from openpo.insights.report import insights
from openpo.insights.segments import members
from tests.insights.conftest import NOW

pytestmark = pytest.mark.django_db


def test_the_shops_figures_match_the_hand_count(shop, world):
    f = insights(shop, now=NOW)

    assert (f["orders"], f["units"]) == (5, 10)
    assert f["by_weekday"] == [4, 1, 0, 0, 0, 0, 0]
    assert f["by_hour"][10] == 2 and f["by_hour"][11] == 1 and f["by_hour"][12] == 1
    assert f["by_hour"][13] == 1 and sum(f["by_hour"]) == 5  # the cancelled 13:00 not counted
    assert f["provinces"] == {"Jawa Barat": 3, "DKI Jakarta": 1, "-": 1}
    assert f["channels"] == {"web": 2, "import": 1, "manual": 1, "whatsapp": 1}
    assert (f["customers"], f["repeat_customers"], f["repeat_rate"]) == (4, 1, 0.25)
    assert f["segments"] == {"new": 3, "loyal": 1, "at_risk": 0, "lapsed": 0}


def test_units_per_variant_and_how_fast_a_quota_sold_out(shop, world):
    rows = {(v["campaign"], v["sku"]): v for v in insights(shop, now=NOW)["variants"]}

    assert set(rows) == {
        ("kaos", "KAOS-POLOS-S"),
        ("kaos", "KAOS-POLOS-M"),
        ("hoodie", "KAOS-POLOS-S"),
        ("hoodie", "KAOS-POLOS-M"),
    }
    small = rows[("kaos", "KAOS-POLOS-S")]
    assert (small["units"], small["orders"], small["sold_out_after_hours"]) == (3, 2, 27.0)
    medium = rows[("kaos", "KAOS-POLOS-M")]
    assert (medium["units"], medium["orders"], medium["sold_out_after_hours"]) == (3, 2, None)
    assert rows[("hoodie", "KAOS-POLOS-M")]["units"] == 3
    assert small["variant"] == "S" and small["product"] == "Kaos Polos"


def test_one_po_counts_its_own_orders_only(shop, world):
    f = insights(shop, world["kaos"], now=NOW)

    assert (f["orders"], f["units"], f["customers"]) == (3, 6, 3)
    assert f["repeat_customers"] == 0
    assert f["by_weekday"] == [2, 1, 0, 0, 0, 0, 0]


def test_segments_move_with_time(shop, world):
    half_year_on = insights(shop, now=NOW + timedelta(days=200))["segments"]
    year_on = insights(shop, now=NOW + timedelta(days=400))["segments"]

    assert half_year_on == {"new": 0, "loyal": 0, "at_risk": 4, "lapsed": 0}
    assert year_on == {"new": 0, "loyal": 0, "at_risk": 0, "lapsed": 4}


def test_the_list_behind_a_segment_is_its_buyers_biggest_spender_first(shop, world):

    loyal = list(members(shop, "loyal", NOW))

    assert [c.name for c in loyal] == ["Pembeli 1"]
    assert loyal[0].pos == 2


def test_the_next_po_plan_shows_its_working(shop, world):
    plan = insights(shop, now=NOW)["next_po"]

    # From "kaos" only (hoodie is still open): S sold 3 but sold out after 27 of its 73 hours,
    # so its demand counts 1.5 times (the cap): 4.5; M sold 3. Product 7.5 units, S's share
    # 0.6 → 4.5 → 4 (rounded half to even), M's 0.4 → 3.
    assert plan["variants"] == [
        {"sku": "KAOS-POLOS-S", "units": 4},
        {"sku": "KAOS-POLOS-M", "units": 3},
    ]
    assert (plan["open_weekday"], plan["open_hour"]) == ("Monday", 10)
    used = [e for e in plan["evidence"] if "sku" in e]
    assert {(e["campaign"], e["sku"], e["units"], e["demand"]) for e in used} == {
        ("kaos", "KAOS-POLOS-S", 3, 4.5),
        ("kaos", "KAOS-POLOS-M", 3, 3.0),
    }


def test_the_command_prints_the_same_figures_as_json(shop, world):
    out = io.StringIO()

    call_command("insights", shop.slug, "--json", stdout=out)

    printed = json.loads(out.getvalue())
    assert (printed["orders"], printed["units"]) == (5, 10)
    assert printed["by_weekday"] == [4, 1, 0, 0, 0, 0, 0]
    assert printed["channels"] == {"web": 2, "import": 1, "manual": 1, "whatsapp": 1}
    for key in ("variants", "by_hour", "provinces", "customers", "repeat_customers"):
        assert key in printed
    assert set(printed["next_po"]) >= {"variants", "open_weekday", "open_hour", "evidence"}


def test_the_command_reads_one_po_and_refuses_unknown_ones(shop, world):
    out = io.StringIO()
    call_command("insights", shop.slug, "--campaign", "kaos", "--json", stdout=out)
    assert json.loads(out.getvalue())["orders"] == 3

    call_command("insights", shop.slug, stdout=(text := io.StringIO()))
    assert "KAOS-POLOS-S" in text.getvalue()

    with pytest.raises(CommandError):
        call_command("insights", "no-such-shop", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("insights", shop.slug, "--campaign", "nope", stdout=io.StringIO())


def test_the_plan_is_back_tested_against_what_each_po_sold(shop, world):
    from openpo.catalog.services.lifecycle import advance_campaign
    from openpo.insights.suggest import backtest

    hoodie = world["hoodie"]
    advance_campaign(campaign=hoodie, now=hoodie.closes_at + timedelta(minutes=1))

    result = backtest(shop)

    # hoodie planned from kaos: S 4 (sold out: demand × 1.5), M 3; it sold S 1, M 3.
    assert sorted(result.rows, key=lambda row: row["sku"]) == [
        {"campaign": "hoodie", "sku": "KAOS-POLOS-M", "planned": 3, "last_time": 3, "sold": 3}
        | {"sold_out": False},
        {"campaign": "hoodie", "sku": "KAOS-POLOS-S", "planned": 4, "last_time": 3, "sold": 1}
        | {"sold_out": False},
    ]
    assert (result.plan_mape, result.naive_mape) == (150.0, 100.0)  # S: 300 % and 200 %

    out = io.StringIO()
    call_command("insights", shop.slug, "--backtest", "--json", stdout=out)
    assert json.loads(out.getvalue())["backtest"]["plan_mape"] == 150.0


def test_a_variant_that_sold_out_only_counts_a_guess_below_what_it_sold():
    from openpo.insights.suggest import Backtest

    result = Backtest(
        rows=[
            {"planned": 10, "last_time": 4, "sold": 5, "sold_out": True},  # plan 0 %, naive 20 %
            {"planned": 3, "last_time": 8, "sold": 4, "sold_out": False},  # plan 25 %, naive 100 %
        ]
    )

    assert (result.plan_mape, result.naive_mape) == (12.5, 60.0)
