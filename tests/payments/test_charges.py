"""Extra charges after a PO closed (the second invoice): one order or many (a file of code and
amount, or weight × a rate per zone), each with its own unique amount and deadline, paid like
any payment; the order is paid again once they are. Bad rows are named and nothing is applied."""

from datetime import timedelta

import pytest
from django.utils import translation

from openpo.catalog.errors import OwnersOnly
from openpo.catalog.models import Campaign
from openpo.catalog.services.lifecycle import cancel_campaign, close_campaign
from openpo.core.models import AuditEvent
from openpo.core.regions import PROVINCES
from openpo.messaging.models import OutboxMessage
from openpo.messaging.reminders import remind_settlements_due
from openpo.orders.models import Order
from openpo.orders.services import cancel_order
from openpo.payments.charges_file import ChargeLine, read_charge_lines
from openpo.payments.errors import ChargeNotCancellable, InvalidCharge
from openpo.payments.models import ExpectedPayment, Payment
from openpo.payments.services.charges import (
    add_extra_charge,
    add_extra_charges,
    cancel_extra_charge,
    plan_extra_charges,
)
from openpo.payments.services.recording import confirm_payment, record_payment
from openpo.payments.zones import billable_kilograms, zone_of
from tests import factories
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """These tests read the English wording of the messages (the Indonesian is checked by
    tests/core/test_translations.py)."""
    with translation.override("en"):
        yield


def _fresh(order: Order) -> Order:
    return Order.objects.get(pk=order.pk)


@pytest.fixture
def closed(campaign, alice, now):
    return close_campaign(campaign=campaign, actor=alice, now=now)


@pytest.fixture
def paid(campaign, now):
    """Buyer 1's order of 135.000, paid in full, in the PO that then closed."""
    return factories.paid_order(campaign, now=now)


def _charge(order, alice, now, amount=25_000, label="Ongkir"):
    return add_extra_charge(
        order=order,
        amount=amount,
        label=label,
        due_at=now + timedelta(days=3),
        actor=alice,
        now=now,
    )


def test_it_raises_the_total_and_opens_a_charge_with_its_own_unique_amount(
    paid, closed, alice, now
):
    charge = _charge(paid, alice, now)

    order = _fresh(paid)
    assert (order.extra_charges, order.total) == (25_000, 160_000)
    assert order.payment_status == Order.PaymentStatus.PARTIAL
    assert order.amount_outstanding == 25_000
    assert (charge.kind, charge.label, charge.base_amount) == ("extra", "Ongkir", 25_000)
    assert charge.amount == 25_000 + charge.unique_code and 1 <= charge.unique_code <= 9999
    # Only the charge is open: the order's own part is paid.
    assert list(order.expected_payments.filter(status="open")) == [charge]
    assert AuditEvent.objects.filter(action="payment.extra_charge_added").exists()
    assert OutboxMessage.objects.filter(event="extra_charge", order=order).exists()


def test_the_second_invoice_paid_through_a_statement_line_settles_the_order(
    paid, closed, alice, shop, now
):
    from openpo.payments.services.statements import import_statement

    charge = _charge(paid, alice, now)
    day = now.astimezone(shop.tzinfo).strftime("%d/%m/%Y")
    csv = f"Tanggal,Keterangan,Jumlah\n{day},TRF ONGKIR SARI,{charge.amount}\n"

    summary = import_statement(shop=shop, file=csv.encode(), apply=True, actor=alice, now=now)

    assert (summary["matched"], summary["applied"]) == (1, 1)
    order = _fresh(paid)
    charge.refresh_from_db()
    assert charge.status == ExpectedPayment.Status.PAID
    assert order.payment_status == Order.PaymentStatus.PAID
    assert (order.amount_paid, order.amount_outstanding) == (160_000, 0)
    assert not order.expected_payments.filter(status="open").exists()


def test_a_proof_for_the_charge_goes_through_the_verification_queue(paid, closed, alice, now):
    from openpo.payments.services import submit_payment_proof

    charge = _charge(paid, alice, now)
    submit_payment_proof(order=paid, upload=factories.proof_png(), expected_payment=charge, now=now)
    claim = Payment.objects.get(order=paid, status=Payment.Status.CLAIMED)
    assert claim.expected_payment == charge and claim.amount == charge.amount

    confirm_payment(payment=claim, actor=alice, now=now)

    assert _fresh(paid).payment_status == Order.PaymentStatus.PAID
    charge.refresh_from_db()
    assert charge.status == ExpectedPayment.Status.PAID


def test_several_charges_may_be_open_and_each_is_paid_on_its_own(paid, closed, alice, now):
    ongkir = _charge(paid, alice, now)
    tax = _charge(paid, alice, now, amount=40_000, label="Pajak impor")
    assert ongkir.amount != tax.amount
    record_payment(order=paid, amount=tax.amount, source="statement", expected_payment=tax)

    order = _fresh(paid)
    assert order.payment_status == Order.PaymentStatus.PARTIAL
    assert list(order.expected_payments.filter(status="open")) == [ongkir]


def test_a_dp_order_keeps_its_settlement_beside_the_charge(shop, alice, now):
    campaign = factories.dp_campaign(shop, now=now)
    order = factories.pay(factories.order(campaign, now=now), now=now)  # the DP
    settlement = order.open_expected_payment
    assert settlement.kind == "settlement"
    close_campaign(campaign=campaign, actor=alice, now=now)

    charge = _charge(order, alice, now)

    order = _fresh(order)
    assert order.payment_status == Order.PaymentStatus.DEPOSIT_PAID
    open_ones = list(order.expected_payments.filter(status="open"))
    assert open_ones == [settlement, charge]  # the settlement unchanged, amount and code
    record_payment(order=order, amount=charge.amount, source="statement", expected_payment=charge)
    order = _fresh(order)
    assert list(order.expected_payments.filter(status="open")) == [settlement]
    record_payment(
        order=order, amount=settlement.amount, source="statement", expected_payment=settlement
    )
    assert _fresh(order).payment_status == Order.PaymentStatus.PAID


def test_cancelling_an_unpaid_charge_lowers_the_total_back(paid, closed, alice, now):
    charge = _charge(paid, alice, now)

    cancel_extra_charge(charge=charge, reason="Salah hitung", actor=alice, now=now)

    order = _fresh(paid)
    charge.refresh_from_db()
    assert charge.status == ExpectedPayment.Status.VOID
    assert (order.extra_charges, order.total) == (0, 135_000)
    assert order.payment_status == Order.PaymentStatus.PAID
    event = AuditEvent.objects.get(action="payment.extra_charge_cancelled")
    assert event.data["reason"] == "Salah hitung"


def test_cancelling_needs_a_reason_and_an_unpaid_charge(paid, closed, alice, now):
    charge = _charge(paid, alice, now)
    with pytest.raises(InvalidCharge):
        cancel_extra_charge(charge=charge, reason="  ", actor=alice, now=now)
    record_payment(order=paid, amount=charge.amount, source="statement", expected_payment=charge)
    with pytest.raises(ChargeNotCancellable):
        cancel_extra_charge(charge=charge, reason="oops", actor=alice, now=now)
    assert _fresh(paid).total == 160_000


def test_a_charge_with_a_proof_waiting_is_not_cancelled(paid, closed, alice, now):
    from openpo.payments.services import submit_payment_proof

    charge = _charge(paid, alice, now)
    submit_payment_proof(order=paid, upload=factories.proof_png(), expected_payment=charge)
    with pytest.raises(ChargeNotCancellable):
        cancel_extra_charge(charge=charge, reason="oops", actor=alice, now=now)


def test_an_order_that_no_longer_goes_ahead_takes_no_charge(paid, closed, alice, now):
    cancel_order(order=paid, reason="buyer asked", actor=alice, now=now)
    with pytest.raises(InvalidCharge):
        _charge(paid, alice, now)
    assert _fresh(paid).total == 135_000


def test_a_failed_or_cancelled_po_takes_no_charge_and_voids_open_ones(paid, closed, alice, now):
    charge = _charge(paid, alice, now)
    cancel_campaign(campaign=Campaign.objects.get(pk=paid.campaign_id), actor=alice, now=now)
    charge.refresh_from_db()
    assert charge.status == ExpectedPayment.Status.VOID
    with pytest.raises(InvalidCharge):
        _charge(_fresh(paid), alice, now)


def test_a_po_still_open_takes_no_charge(paid, alice, now):
    with pytest.raises(InvalidCharge):
        _charge(paid, alice, now)


def test_cancelling_the_order_voids_its_open_charge(paid, closed, alice, now):
    charge = _charge(paid, alice, now)
    cancel_order(order=_fresh(paid), reason="buyer asked", actor=alice, now=now)
    charge.refresh_from_db()
    assert charge.status == ExpectedPayment.Status.VOID


@pytest.mark.parametrize("amount", [0, -5_000, 1_000_000_001])
def test_it_refuses_a_zero_negative_or_too_large_amount(paid, closed, alice, now, amount):
    with pytest.raises(InvalidCharge) as refused:
        _charge(paid, alice, now, amount=amount)
    assert "amount" in refused.value.field_errors
    assert _fresh(paid).total == 135_000


def test_it_needs_a_label_and_a_future_deadline(paid, closed, alice, now):
    with pytest.raises(InvalidCharge):
        _charge(paid, alice, now, label=" ")
    with pytest.raises(InvalidCharge):
        add_extra_charge(order=paid, amount=1, label="Ongkir", due_at=now, actor=alice, now=now)


def test_only_owners_add_charges(paid, closed, bob, now):
    with pytest.raises(OwnersOnly):
        _charge(paid, bob, now)


def _lines(*rows):
    return [ChargeLine(row=i + 2, code=code, value=value) for i, (code, value) in enumerate(rows)]


def test_many_orders_at_once_from_rows_of_code_and_amount(campaign, alice, now):
    first = factories.paid_order(campaign, now=now, buyer=factories.buyer(1))
    second = factories.paid_order(campaign, now=now, buyer=factories.buyer(2))
    close_campaign(campaign=campaign, actor=alice, now=now)

    charges = add_extra_charges(
        campaign=campaign,
        lines=_lines((first.code.lower(), 20_000), (second.code, 30_000)),
        label="Ongkir",
        due_at=now + timedelta(days=2),
        actor=alice,
        now=now,
    )

    assert sorted(c.base_amount for c in charges) == [20_000, 30_000]
    assert _fresh(first).total == 155_000 and _fresh(second).total == 165_000
    assert (
        OutboxMessage.objects.filter(event="extra_charge").values("order").distinct().count() == 2
    )


def test_bad_rows_are_each_named_and_nothing_is_applied(campaign, shop, other_shop, alice, now):
    good = factories.paid_order(campaign, now=now, buyer=factories.buyer(1))
    cancelled = factories.order(campaign, now=now, buyer=factories.buyer(2))
    cancel_order(order=cancelled, reason="x", actor=alice, now=now)
    other_po = make_campaign(shop, now=now, title="PO lain")
    elsewhere = factories.order(other_po, now=now, buyer=factories.buyer(3))
    foreign = factories.order(make_campaign(other_shop, now=now), now=now)
    close_campaign(campaign=campaign, actor=alice, now=now)
    rows = _lines(
        (good.code, 10_000),
        ("PO-NOPE1", 10_000),
        (foreign.code, 10_000),
        (elsewhere.code, 10_000),
        (cancelled.code, 10_000),
        (good.code, 5_000),
    )
    rows.append(ChargeLine(row=8, code=good.code + "X", value=0))

    with pytest.raises(InvalidCharge) as refused:
        add_extra_charges(
            campaign=campaign,
            lines=rows,
            label="Ongkir",
            due_at=now + timedelta(days=2),
            actor=alice,
            now=now,
        )

    problems = refused.value.field_errors["file"]
    assert problems[0] == "Row 3: no order with the code PO-NOPE1 in this shop."
    assert problems[1].startswith("Row 4: no order with the code")  # another shop's order
    assert problems[2] == f"Row 5: order {elsewhere.code} belongs to another PO."
    assert problems[3].startswith(f"Row 6: order {cancelled.code} no longer goes ahead")
    assert problems[4] == f"Row 7: order {good.code} is already on row 2."
    assert _fresh(good).total == 135_000
    assert not ExpectedPayment.objects.filter(kind="extra").exists()


def test_amount_problems_name_their_row(paid, closed, now):
    with pytest.raises(InvalidCharge) as refused:
        plan_extra_charges(campaign=closed, lines=_lines((paid.code, 0)), now=now)
    assert refused.value.field_errors["file"] == ["Row 2: the amount must be at least Rp 1."]
    with pytest.raises(InvalidCharge) as refused:
        plan_extra_charges(campaign=closed, lines=_lines((paid.code, 2_000_000_000)), now=now)
    assert refused.value.field_errors["file"][0].startswith("Row 2: the amount is more than")


def test_weight_is_rounded_up_to_whole_kilograms_and_priced_by_zone(campaign, alice, now):
    java = factories.paid_order(campaign, now=now, buyer=factories.buyer(1, province="Jawa Barat"))
    bali = factories.paid_order(campaign, now=now, buyer=factories.buyer(2, province="bali"))
    close_campaign(campaign=campaign, actor=alice, now=now)
    rates = {"jawa": 10_000, "bali_nusa": 25_000}

    plan = plan_extra_charges(
        campaign=campaign, lines=_lines((java.code, 1_200), (bali.code, 800)), rates=rates, now=now
    )

    assert [(p.kilograms, p.zone, p.amount) for p in plan] == [
        (2, "jawa", 20_000),
        (1, "bali_nusa", 25_000),
    ]
    add_extra_charges(
        campaign=campaign,
        lines=_lines((java.code, 1_200)),
        rates=rates,
        label="Ongkir",
        due_at=now + timedelta(days=2),
        actor=alice,
        now=now,
    )
    assert _fresh(java).extra_charges == 20_000


def test_a_zone_without_a_rate_or_a_province_without_a_zone_is_named(campaign, alice, now):
    papua = factories.paid_order(campaign, now=now, buyer=factories.buyer(1, province="Papua"))
    nowhere = factories.paid_order(campaign, now=now, buyer=factories.buyer(2, province="Atlantis"))
    close_campaign(campaign=campaign, actor=alice, now=now)
    with pytest.raises(InvalidCharge) as refused:
        plan_extra_charges(
            campaign=campaign,
            lines=_lines((papua.code, 500), (nowhere.code, 500)),
            rates={"jawa": 10_000},
            now=now,
        )
    problems = refused.value.field_errors["file"]
    assert problems[0].startswith("Row 2: no rate per kg for Maluku, Papua")
    assert problems[1].startswith("Row 3:") and "Atlantis" in problems[1]


def test_every_province_has_exactly_one_zone():
    assert all(zone_of(p) for p in PROVINCES)
    assert (billable_kilograms(1), billable_kilograms(1000), billable_kilograms(1001)) == (1, 1, 2)


def test_the_file_reader_skips_a_header_and_names_malformed_rows():
    lines = read_charge_lines(b"kode,ongkir\nPO-AAAAA,25.000\npo-bbbbb,Rp 30000\n")
    assert [(line.row, line.code, line.value) for line in lines] == [
        (2, "PO-AAAAA", 25_000),
        (3, "PO-BBBBB", 30_000),
    ]
    with pytest.raises(InvalidCharge) as refused:
        read_charge_lines(b"kode,ongkir\nPO-AAAAA,dua puluh\nPO-BBBBB,1,2\n")
    assert refused.value.field_errors["file"] == [
        "Row 2: “dua puluh” is not a whole number.",
        "Row 3: give an order code and one number, separated by a comma.",
    ]
    with pytest.raises(InvalidCharge):
        read_charge_lines(b"")


def test_reminders_go_once_before_the_deadline(paid, closed, alice, now):
    charge = add_extra_charge(
        order=paid,
        amount=25_000,
        label="Ongkir",
        due_at=now + timedelta(hours=20),
        actor=alice,
        now=now,
    )
    assert remind_settlements_due(now=now) == 1
    assert remind_settlements_due(now=now + timedelta(hours=1)) == 0
    charge.refresh_from_db()
    assert charge.reminded_at == now
    assert OutboxMessage.objects.filter(event_key__startswith="extra_charge_reminder:").exists()
    assert AuditEvent.objects.filter(action="payment.extra_charge_reminder").count() == 1
