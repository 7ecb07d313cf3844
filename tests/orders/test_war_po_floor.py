"""The war-PO benchmark's floor (bench/war_po_floor.py) writes what `place_order` writes.

The floor replays OpenPO's order transaction through the raw driver (no Django) with SQL that
Django compiled once from the models, so `bench/war_po.py` can divide OpenPO's orders/s by the
machine's. These tests run it against the test database (SQLite; PostgreSQL with `--postgres`)
and compare its rows with those of an order `place_order` makes on the same campaign, column
by column, and the row counts of every table: a model or `place_order` change the floor does
not follow fails here instead of making the benchmark's ratio quietly wrong.
"""

import re
from datetime import timedelta

import pytest
from bench.war_po_floor import (
    Connection,
    FloorFailed,
    build_plan,
    check_floor,
    new_try,
    run_floor,
)
from django.apps import apps
from django.db import connection

from openpo.catalog.models import Campaign, Variant
from openpo.core.models import AuditEvent
from openpo.orders.models import Customer, Order, OrderLine
from openpo.orders.services import BuyerDetails, place_order
from openpo.orders.services.placing import fingerprint_request
from openpo.payments.models import ExpectedPayment
from tests.conftest import make_campaign

ADDRESS = {
    "address": "Jl. Melati No. 5, RT 01/RW 02",
    "city": "Bandung",
    "province": "Jawa Barat",
    "postal_code": "40115",
}
FIRST_CODE = 5000  # the floor's unique codes; place_order draws from 1-999 first


def _target() -> str:
    """What the raw driver connects to: the test database's file, or its PostgreSQL URL."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return settings["NAME"]
    from psycopg.conninfo import make_conninfo

    parts = {
        "dbname": settings["NAME"],
        "user": settings["USER"],
        "password": settings["PASSWORD"],
        "host": settings["HOST"],
        "port": settings["PORT"],
    }
    return make_conninfo(**{k: str(v) for k, v in parts.items() if v})


def _columns(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _same_but(a, b, *different: str) -> None:
    """Every column of rows `a` and `b` is equal, except `different`."""
    left, right = _columns(a), _columns(b)
    assert set(different) <= set(left), set(different) - set(left)
    for name in different:
        del left[name], right[name]
    assert left == right


def _row_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def _grown(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {label: after[label] - before[label] for label in after if after[label] != before[label]}


def _changed(before, after) -> dict:
    old, new = _columns(before), _columns(after)
    return {name: (old[name], new[name]) for name in old if old[name] != new[name]}


def _counters(campaign: Campaign, variant: Variant) -> tuple[Campaign, Variant]:
    return Campaign.objects.get(pk=campaign.pk), Variant.objects.get(pk=variant.pk)


@pytest.fixture
def war_campaign(shop, now):
    """A war PO as the benchmark makes one: one variant with a quota, paid in full."""
    return make_campaign(shop, now=now, quotas=(10,))


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_the_floor_writes_what_place_order_writes(war_campaign, now):
    campaign, variant = war_campaign, war_campaign.variants.get()
    plan = build_plan(campaign.pk, **ADDRESS)
    floor = Connection(plan, _target())
    items = {variant.pk: 1}
    ours = BuyerDetails(name="Sari Wulandari", phone="0813 2222 3333", **ADDRESS)
    theirs = BuyerDetails(name="Sari Wulandari", phone="0813 2222 4444", **ADDRESS)
    theirs_fingerprint = fingerprint_request(buyer=theirs, items=items, channel=Order.Channel.API)
    try:
        counts = _row_counts()
        before = _counters(campaign, variant)
        placed = place_order(
            campaign=Campaign.objects.select_related("shop").get(pk=campaign.pk),
            buyer=ours,
            items=items,
            channel=Order.Channel.API,
            idempotency_key="key-ours",
            now=now,
        )
        placed_rows = _grown(counts, _row_counts())
        after_placed = _counters(campaign, variant)

        counts = _row_counts()
        assert floor.left(plan) == 9
        values = new_try(
            plan,
            0,
            first_code=FIRST_CODE,
            now=now,
            name=theirs.name,
            phone="+6281322224444",
            key="key-theirs",
            fingerprint=theirs_fingerprint,
        )
        assert floor.place(plan, values) is True
        floor_rows = _grown(counts, _row_counts())
        after_floor = _counters(campaign, variant)
    finally:
        floor.close()

    # The same tables grow by the same rows: no table place_order writes is left out.
    assert floor_rows == placed_rows
    assert placed_rows == {
        "orders.Customer": 1,
        "orders.Order": 1,
        "orders.OrderLine": 1,
        "payments.ExpectedPayment": 1,
        "core.AuditEvent": 1,
    }
    # The counters: one unit more on the variant and the campaign, nothing else changed.
    for old, new, newer in zip(before, after_placed, after_floor, strict=True):
        assert _changed(old, new) == {"reserved_units": (0, 1)}
        assert _changed(new, newer) == {"reserved_units": (1, 2)}

    made = Order.objects.get(campaign=campaign, idempotency_key="key-theirs")
    _same_but(
        placed,
        made,
        "id",
        "code",
        "secret",
        "customer_id",
        "buyer_phone",
        "idempotency_key",
        "request_fingerprint",
    )
    assert made.buyer_phone == "+6281322224444"
    assert made.request_fingerprint == theirs_fingerprint
    assert re.fullmatch(r"PO-[2-9A-HJKMNP-Z]{5}", made.code)
    assert len(made.secret) == len(placed.secret)
    assert (made.created_at, made.payment_deadline) == (now, now + timedelta(hours=24))

    _same_but(placed.customer, made.customer, "id", "phone")
    _same_but(placed.lines.get(), made.lines.get(), "id", "order_id")
    ours_due, theirs_due = (ExpectedPayment.objects.get(order=o) for o in (placed, made))
    _same_but(ours_due, theirs_due, "id", "order_id", "unique_code", "amount")
    assert theirs_due.unique_code == FIRST_CODE
    assert theirs_due.amount == theirs_due.base_amount + theirs_due.unique_code
    ours_event, theirs_event = (
        AuditEvent.objects.get(subject_type="orders.order", subject_id=str(o.pk))
        for o in (placed, made)
    )
    _same_but(ours_event, theirs_event, "id", "subject_id")


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_a_returning_buyer_updates_their_customer_as_place_order_does(war_campaign, now):
    campaign, variant = war_campaign, war_campaign.variants.get()
    plan = build_plan(campaign.pk, **ADDRESS)
    first = place_order(
        campaign=campaign,
        buyer=BuyerDetails(name="Sari", phone="0813 2222 3333", **ADDRESS),
        items={variant.pk: 1},
        channel=Order.Channel.API,
        now=now,
    )
    floor = Connection(plan, _target())
    try:
        # The floor's buyer returns through place_order; place_order's through the floor.
        assert floor.place(plan, new_try(plan, 0, first_code=FIRST_CODE, now=now, name="Budi"))
        floor_customer = Customer.objects.get(name="Budi")
        later = now + timedelta(minutes=5)
        for_floor = new_try(
            plan, 1, first_code=FIRST_CODE, now=later, name="Sari W.", phone="+6281322223333"
        )
        assert floor.place(plan, for_floor)
    finally:
        floor.close()
    place_order(
        campaign=campaign,
        buyer=BuyerDetails(name="Budi S.", phone=floor_customer.phone, **ADDRESS),
        items={variant.pk: 1},
        channel=Order.Channel.API,
        now=later,
    )

    assert Customer.objects.filter(shop=campaign.shop).count() == 2
    changed_by_floor = _changed(first.customer, Customer.objects.get(pk=first.customer_id))
    changed_by_place = _changed(floor_customer, Customer.objects.get(pk=floor_customer.pk))
    assert changed_by_floor == {"name": ("Sari", "Sari W."), "updated_at": (now, later)}
    assert changed_by_place == {"name": ("Budi", "Budi S."), "updated_at": (now, later)}


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_the_floor_sells_the_quota_exactly_from_many_threads(war_campaign):
    campaign, variant = war_campaign, war_campaign.variants.get()
    plan = build_plan(campaign.pk, **ADDRESS)

    run = run_floor(
        plan=plan, target=_target(), attempts=25, threads=4, seed=3, first_code=FIRST_CODE
    )

    check_floor(run)
    assert (run["accepted"], run["sold_out"], run["errors"]) == (10, 15, 0)
    campaign, variant = _counters(campaign, variant)
    assert variant.reserved_units == campaign.reserved_units == 10
    orders = Order.objects.filter(campaign=campaign, status=Order.Status.ACTIVE)
    assert orders.count() == 10
    assert len({o.code for o in orders}) == 10
    assert OrderLine.objects.filter(order__in=orders, quantity=1).count() == 10
    payments = ExpectedPayment.objects.filter(order__in=orders, status="open")
    assert payments.count() == 10
    assert len({p.amount for p in payments}) == 10
    assert AuditEvent.objects.filter(action="order.placed").count() == 10
    assert Customer.objects.filter(shop=campaign.shop).count() == 10


@pytest.mark.django_db(transaction=True)
def test_a_floor_with_errors_stops_with_their_message(war_campaign):
    plan = build_plan(war_campaign.pk, **ADDRESS)
    order_insert = plan["writes"][1]
    assert order_insert["table"] == "orders_order"
    order_insert["sql"] = order_insert["sql"].replace('"buyer_name"', '"buyer_nickname"')

    run = run_floor(plan=plan, target=_target(), attempts=4, threads=2)

    assert (run["accepted"], run["errors"]) == (0, 4)
    with pytest.raises(FloorFailed, match=r"4 of 4 tries failed: .*buyer_nickname"):
        check_floor(run, label="floor")
    assert Variant.objects.get(pk=war_campaign.variants.get().pk).reserved_units == 0
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_the_plan_refuses_what_the_floor_cannot_sell(shop, now):
    two_variants = make_campaign(shop, now=now, quotas=(10, 10))
    with pytest.raises(ValueError, match="one variant"):
        build_plan(two_variants.pk)
    unlimited = make_campaign(shop, now=now, quotas=(None,), slug="unlimited")
    with pytest.raises(ValueError, match="a quota"):
        build_plan(unlimited.pk)


@pytest.mark.django_db
def test_the_plan_fails_when_a_per_order_column_is_gone(war_campaign, monkeypatch):
    from bench import war_po_floor

    monkeypatch.setitem(
        war_po_floor.PER_ORDER, "orders.order", {**war_po_floor.PER_ORDER["orders.order"]}
    )
    war_po_floor.PER_ORDER["orders.order"]["buyer_nickname"] = "name"
    with pytest.raises(ValueError, match="buyer_nickname"):
        build_plan(war_campaign.pk)


@pytest.mark.django_db(transaction=True)
def test_the_http_floor_app_sells_through_the_same_transaction(shop, now):
    import io
    import json

    from bench.war_po_http_floor import FloorApp

    campaign = make_campaign(shop, now=now, quotas=(2,))
    variant = campaign.variants.get()
    path = f"/api/v1/public/{shop.slug}/{campaign.slug}/orders"
    app = FloorApp({path: build_plan(campaign.pk, **ADDRESS)}, _target())

    def post(number: int, sku: str = variant.sku) -> tuple[str, dict]:
        body = json.dumps(
            {
                "name": f"Pembeli {number}",
                "phone": f"0812-0000-{number:04d}",
                **ADDRESS,
                "items": [{"sku": sku.lower(), "quantity": 1}],
            }
        ).encode()
        answer = {}
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": path,
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "HTTP_IDEMPOTENCY_KEY": f"key-{number}",
        }
        chunks = app(environ, lambda status, headers: answer.update(status=status))
        return answer["status"], json.loads(b"".join(chunks))

    try:
        assert post(1, sku="NOPE")[0].startswith("422")
        statuses = [post(n) for n in range(1, 5)]
    finally:
        app._drop_connection()

    assert [s for s, _ in statuses] == ["201 Created"] * 2 + ["409 Conflict"] * 2
    assert statuses[2][1] == {"code": "sold_out"}
    orders = Order.objects.filter(campaign=campaign).order_by("id")
    assert [o.code for o in orders] == [answer["code"] for _, answer in statuses[:2]]
    assert [o.buyer_phone for o in orders] == ["+6281200000001", "+6281200000002"]
    assert [o.idempotency_key for o in orders] == ["key-1", "key-2"]
    assert Variant.objects.get(pk=variant.pk).reserved_units == 2
