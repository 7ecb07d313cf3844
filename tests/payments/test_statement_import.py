"""Importing a bank statement: exact, ambiguous (forgotten kode unik), late and unmatched lines;
duplicates from a re-import or an overlapping statement are never applied twice; a bad file
imports nothing."""

import pytest

from openpo.core.models import AuditEvent
from openpo.orders.models import Order
from openpo.payments.models import ExpectedPayment, Payment, StatementImport, StatementLine
from openpo.payments.services.recording import claim_payment, confirm_payment
from openpo.payments.services.statements import import_statement
from openpo.payments.statements.errors import StatementError
from tests import factories
from tests.payments.statement_world import IMPORTED_AT, build_world, sample

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(shop, buyer):
    return build_world(shop, buyer)


def lines_by_amount(shop) -> dict[int, StatementLine]:
    return {line.amount: line for line in StatementLine.objects.filter(shop=shop)}


def test_it_sorts_each_credit_line_into_exact_ambiguous_late_and_unmatched(shop, world):
    summary = import_statement(shop=shop, file=sample("bca.csv"), now=IMPORTED_AT)

    assert summary["format"] == "bca"
    assert {k: summary[k] for k in ("matched", "ambiguous", "late", "unmatched")} == {
        "matched": 1,
        "ambiguous": 1,
        "late": 1,
        "unmatched": 1,
    }
    assert (summary["applied"], summary["duplicates"], summary["debits_skipped"]) == (0, 0, 2)
    lines = lines_by_amount(shop)
    assert lines[135_123].match == StatementLine.Match.MATCHED
    assert lines[135_123].expected_payment.order == world.sari
    budi_payment = world.budi.expected_payments.get(status=ExpectedPayment.Status.OPEN)
    assert lines[255_000].match == StatementLine.Match.AMBIGUOUS
    assert lines[255_000].candidates == [budi_payment.pk]
    assert lines[375_321].match == StatementLine.Match.LATE
    assert lines[375_321].expected_payment.order == world.citra
    assert lines[2_500_000].match == StatementLine.Match.UNMATCHED
    # Nothing is applied without the seller (or --apply, or automatic confirmation).
    assert not Payment.objects.exists()
    assert StatementImport.objects.get().summary == summary


def test_with_apply_an_exact_match_is_recorded_on_its_order_once(shop, world, alice):
    summary = import_statement(
        shop=shop, file=sample("bca.csv"), apply=True, actor=alice, now=IMPORTED_AT
    )

    assert (summary["matched"], summary["applied"]) == (1, 1)
    payment = Payment.objects.get()
    assert (payment.order, payment.amount, payment.unique_code) == (world.sari, 135_123, 123)
    assert payment.source == Payment.Source.STATEMENT
    assert payment.received_at.astimezone(shop.tzinfo).hour == 12
    assert payment.statement_line.match == StatementLine.Match.APPLIED
    world.sari.refresh_from_db()
    assert world.sari.payment_status == Order.PaymentStatus.PAID
    assert world.sari.amount_paid == 135_000  # the kode unik only identified the transfer
    # The late and the ambiguous lines wait for the seller.
    world.citra.refresh_from_db()
    world.budi.refresh_from_db()
    assert world.citra.amount_paid == world.budi.amount_paid == 0
    assert AuditEvent.objects.filter(action="statement.imported").count() == 1


def test_the_shops_automatic_confirmation_applies_exact_matches(shop, world):
    shop.auto_confirm_exact_matches = True
    shop.save()
    summary = import_statement(shop=shop, file=sample("mandiri.csv"), now=IMPORTED_AT)
    assert summary["applied"] == 1
    assert Payment.objects.get().order == world.sari


def test_importing_the_same_statement_twice_applies_nothing_twice(shop, world):
    import_statement(shop=shop, file=sample("bca.csv"), apply=True, now=IMPORTED_AT)
    again = import_statement(shop=shop, file=sample("bca.csv"), apply=True, now=IMPORTED_AT)

    assert again["duplicates"] == 4
    assert (again["matched"], again["applied"]) == (0, 0)
    assert StatementLine.objects.count() == 4
    assert Payment.objects.count() == 1
    world.sari.refresh_from_db()
    assert world.sari.amount_paid == 135_000  # the kode unik only identified the transfer


def test_an_overlapping_statement_adds_only_its_new_lines(shop, world):
    import_statement(shop=shop, file=sample("bca.csv"), apply=True, now=IMPORTED_AT)
    summary = import_statement(
        shop=shop, file=sample("bca_overlap.csv"), apply=True, now=IMPORTED_AT
    )

    # 04/11 and 05/11 were in the first statement; the 50.000 pending then is new now.
    assert summary["duplicates"] == 2
    assert summary["credits"] == 3
    assert summary["unmatched"] == 1
    assert StatementLine.objects.count() == 5
    assert Payment.objects.count() == 1


def test_a_reimport_leaves_the_lines_of_the_first_import_to_the_sellers_review(shop, world):
    # The first import only stores the exact match (for one-tap confirmation) …
    import_statement(shop=shop, file=sample("bri.csv"), now=IMPORTED_AT)
    # … the second (same lines, same balances) finds the same transactions: nothing new.
    summary = import_statement(shop=shop, file=sample("bri.csv"), apply=True, now=IMPORTED_AT)
    assert summary["duplicates"] == 4 and summary["applied"] == 0
    assert not Payment.objects.exists()


def test_a_payment_arriving_after_its_order_expired_is_never_applied_automatically(shop, world):
    summary = import_statement(shop=shop, file=sample("bni.csv"), apply=True, now=IMPORTED_AT)

    assert summary["late"] == 1
    line = StatementLine.objects.get(amount=375_321)
    assert line.match == StatementLine.Match.LATE
    assert not Payment.objects.filter(order=world.citra).exists()
    world.citra.refresh_from_db()
    assert world.citra.status == Order.Status.EXPIRED


def test_a_transfer_without_the_kode_unik_is_offered_to_the_seller_not_applied(shop, world):
    summary = import_statement(shop=shop, file=sample("generic.csv"), apply=True, now=IMPORTED_AT)
    assert summary["ambiguous"] == 1
    line = StatementLine.objects.get(amount=255_000)
    assert line.match == StatementLine.Match.AMBIGUOUS
    assert line.expected_payment is None
    assert not Payment.objects.filter(order=world.budi).exists()


def test_two_orders_that_could_be_meant_make_the_line_ambiguous(shop, world, buyer, campaign):
    # Budi's exact amount is 255.789; another order's amount before its code is 255.789 too.
    from dataclasses import replace

    from tests.payments.statement_world import ORDERED_AT

    budi_expected = world.budi.expected_payments.get(status=ExpectedPayment.Status.OPEN)
    other = world.sari.campaign
    order = factories.order(
        other, buyer=replace(buyer, name="Dodi", phone="0813 8888 9999"), now=ORDERED_AT
    )
    ExpectedPayment.objects.filter(order=order).update(
        base_amount=255_789, unique_code=5, amount=255_794
    )
    data = b"date,description,amount\n2025-11-04,Transfer,255789\n"

    summary = import_statement(shop=shop, file=data, apply=True, now=IMPORTED_AT)

    assert (summary["ambiguous"], summary["applied"]) == (1, 0)
    line = StatementLine.objects.get()
    assert sorted(line.candidates) == sorted([budi_expected.pk, order.open_expected_payment.pk])


def test_money_the_seller_already_confirmed_from_a_proof_is_not_counted_again(shop, world, alice):
    payment = claim_payment(order=world.sari, now=IMPORTED_AT)
    confirm_payment(payment=payment, actor=alice, now=IMPORTED_AT)

    summary = import_statement(shop=shop, file=sample("bca.csv"), apply=True, now=IMPORTED_AT)

    assert summary["already_confirmed"] == 1 and summary["applied"] == 0
    assert Payment.objects.count() == 1
    payment.refresh_from_db()
    assert payment.statement_line.amount == 135_123
    world.sari.refresh_from_db()
    assert world.sari.amount_paid == 135_000  # the kode unik only identified the transfer


def test_a_bad_file_imports_nothing(shop, world):
    with pytest.raises(StatementError) as error:
        import_statement(shop=shop, file=sample("broken.csv"), apply=True, now=IMPORTED_AT)
    assert "2025-11-31" in error.value.message
    assert not StatementImport.objects.exists()
    assert not StatementLine.objects.exists()
    assert not Payment.objects.exists()


def test_a_line_outside_the_payment_window_is_not_an_exact_match(shop, world):
    data = b"date,description,amount\n2025-10-20,Transfer lama,135123\n"
    summary = import_statement(shop=shop, file=data, apply=True, now=IMPORTED_AT)
    assert summary["unmatched"] == 1 and summary["applied"] == 0


@pytest.mark.parametrize(
    ("name", "bank", "debits"), [("bri_ib.csv", "bri", 4), ("mandiri_livin.csv", "mandiri", 3)]
)
def test_bri_internet_banking_and_livin_exports_import_like_any_other(
    shop, world, name, bank, debits
):
    summary = import_statement(shop=shop, file=sample(name), apply=True, now=IMPORTED_AT)

    assert summary["format"] == bank
    assert {k: summary[k] for k in ("credits", "matched", "ambiguous", "late", "unmatched")} == {
        "credits": 4,
        "matched": 1,
        "ambiguous": 1,
        "late": 1,
        "unmatched": 1,
    }
    assert (summary["debits_skipped"], summary["credit_total"]) == (debits, 3_265_444)
    assert summary["applied"] == 1
    lines = lines_by_amount(shop)
    assert lines[135_123].match == StatementLine.Match.APPLIED
    assert "SARI WULANDARI" in lines[135_123].description.upper()
    assert lines[375_321].match == StatementLine.Match.LATE
    assert "CITRA LESTARI" in lines[375_321].description
    assert lines[2_500_000].description.startswith(("SETORAN TUNAI", "Setoran Tunai"))
    assert StatementImport.objects.get().bank_format == bank
    world.sari.refresh_from_db()
    assert world.sari.amount_paid == 135_000
    # The same file again adds nothing (the joined descriptions are stable).
    again = import_statement(shop=shop, file=sample(name), apply=True, now=IMPORTED_AT)
    assert (again["duplicates"], again["applied"]) == (4, 0)
    assert StatementLine.objects.count() == 4
    assert Payment.objects.count() == 1


def test_a_livin_statement_as_the_seller_uploads_it_imports_its_multi_line_remarks(shop, world):
    import_statement(
        shop=shop, file=sample("mandiri_livin.csv"), file_name="e-statement.csv", now=IMPORTED_AT
    )

    descriptions = sorted(StatementLine.objects.values_list("description", flat=True))
    assert descriptions == [
        "Setoran Tunai KCP Bandung Dago",
        "Transfer BI-FAST Dari CITRA LESTARI BRI - 002101234567",
        "Transfer BI-FAST Dari SARI WULANDARI BCA - 0123456789",
        "Transfer dari BUDI SANTOSO PO BATIK 2 PCS Livin\u2019 by Mandiri",
    ]
