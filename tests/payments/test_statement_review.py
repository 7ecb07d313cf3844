"""The seller's review of imported statement lines: one-tap confirmation of an exact match,
choosing the order of an ambiguous, late or unmatched line, ignoring a line; each line pays
at most once."""

import pytest

from openpo.core.errors import DomainError
from openpo.orders.models import Order
from openpo.payments.models import ExpectedPayment, Payment, StatementLine
from openpo.payments.services.recording import claim_payment, confirm_payment
from openpo.payments.services.statements import (
    apply_exact_matches,
    apply_line,
    choose_candidate,
    ignore_line,
    import_statement,
)
from openpo.payments.statements.errors import StatementCandidateGone, StatementLineNotReviewable
from tests import factories
from tests.payments.statement_world import IMPORTED_AT, build_world, sample

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(shop, buyer):
    world = build_world(shop, buyer)
    import_statement(shop=shop, file=sample("bca.csv"), now=IMPORTED_AT)
    return world


def line(amount: int) -> StatementLine:
    return StatementLine.objects.get(amount=amount)


def test_one_tap_confirms_an_exact_match(world, alice):
    payment = apply_line(line=line(135_123), actor=alice, now=IMPORTED_AT)

    assert (payment.order, payment.amount, payment.decided_by) == (world.sari, 135_123, alice)
    assert line(135_123).match == StatementLine.Match.APPLIED
    world.sari.refresh_from_db()
    assert world.sari.payment_status == Order.PaymentStatus.PAID


def test_a_line_is_applied_once_however_often_it_is_confirmed(world, alice):
    apply_line(line=line(135_123), actor=alice, now=IMPORTED_AT)
    with pytest.raises(StatementLineNotReviewable):
        apply_line(line=line(135_123), actor=alice, now=IMPORTED_AT)
    assert Payment.objects.count() == 1


def test_an_exact_match_whose_order_was_paid_meanwhile_is_not_applied(world, alice):
    proof_payment = claim_payment(order=world.sari, now=IMPORTED_AT)
    confirm_payment(payment=proof_payment, actor=alice, now=IMPORTED_AT)
    with pytest.raises(StatementCandidateGone):
        apply_line(line=line(135_123), actor=alice, now=IMPORTED_AT)
    assert Payment.objects.count() == 1
    assert line(135_123).match == StatementLine.Match.MATCHED


def test_the_seller_picks_the_order_of_an_ambiguous_line(world, alice):
    payment = choose_candidate(line=line(255_000), order=world.budi, actor=alice, now=IMPORTED_AT)

    # Budi forgot the kode unik: all 255.000 counts, nothing of it is a code.
    assert (payment.amount, payment.unique_code, payment.credited) == (255_000, 0, 255_000)
    world.budi.refresh_from_db()
    assert world.budi.amount_paid == 255_000
    assert world.budi.payment_status == Order.PaymentStatus.PAID
    assert line(255_000).match == StatementLine.Match.APPLIED


def test_the_seller_may_apply_a_late_payment_to_the_expired_order(world, alice):
    payment = choose_candidate(line=line(375_321), order=world.citra, actor=alice, now=IMPORTED_AT)
    assert payment.unique_code == 321
    world.citra.refresh_from_db()
    assert world.citra.amount_paid == 375_000  # the kode unik is not credited


def test_the_seller_assigns_an_unmatched_line_to_any_order_of_the_shop(world, alice):
    payment = choose_candidate(line=line(2_500_000), order=world.sari, actor=alice, now=IMPORTED_AT)
    assert payment.expected_payment.order == world.sari
    world.sari.refresh_from_db()
    assert world.sari.amount_paid == payment.credited  # an over-payment, shown as such
    assert world.sari.amount_paid > world.sari.total


def test_an_order_of_another_shop_cannot_be_chosen(world, alice, other_shop, buyer):
    from tests.conftest import make_campaign
    from tests.payments.statement_world import ORDERED_AT

    campaign = make_campaign(other_shop, now=ORDERED_AT)
    foreign = factories.order(campaign, buyer=buyer, now=ORDERED_AT)
    with pytest.raises(DomainError):
        choose_candidate(line=line(2_500_000), order=foreign, actor=alice, now=IMPORTED_AT)
    assert not Payment.objects.exists()


def test_an_ignored_line_is_never_applied(world, alice):
    ignore_line(line=line(2_500_000), actor=alice, now=IMPORTED_AT)
    assert line(2_500_000).match == StatementLine.Match.IGNORED
    with pytest.raises(StatementLineNotReviewable):
        choose_candidate(line=line(2_500_000), order=world.sari, actor=alice, now=IMPORTED_AT)


def test_confirm_all_applies_every_exact_match(world, alice):
    lines = StatementLine.objects.filter(match=StatementLine.Match.MATCHED)
    assert apply_exact_matches(lines=lines, actor=alice, now=IMPORTED_AT) == (1, 0)
    assert Payment.objects.get().order == world.sari
    assert not ExpectedPayment.objects.filter(
        order=world.sari, status=ExpectedPayment.Status.OPEN
    ).exists()
