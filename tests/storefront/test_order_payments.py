"""The buyer's order page and money: what was paid and what is left, the DP and the settlement
each with its exact amount and deadline, a payment waiting for the seller, a rejected payment
with the seller's reason, the refund account form and the refunds received."""

import pytest
from django.conf import settings

from openpo.catalog.models import Campaign
from openpo.catalog.services.lifecycle import cancel_campaign
from openpo.orders.models import Order
from openpo.orders.services import cancel_order
from openpo.payments.models import Payment
from openpo.payments.services.recording import claim_payment, record_payment, reject_payment
from openpo.payments.services.refunds import record_refund
from tests import factories

pytestmark = pytest.mark.django_db


def _rp(amount: int) -> str:
    return f"Rp {amount:,}".replace(",", ".")


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def order(campaign, buyer, now) -> Order:
    return factories.order(campaign, buyer=buyer, now=now)


@pytest.fixture
def dp_campaign(shop, now) -> Campaign:
    return factories.dp_campaign(shop, now=now, settles_in_days=40)


def test_a_dp_order_shows_the_dp_amount_and_when_the_settlement_is_due(
    english, dp_campaign, buyer, now
):
    order = factories.order(dp_campaign, buyer=buyer, now=now)
    deposit = order.open_expected_payment

    html = english.get(f"/o/{order.secret}/").content.decode()

    assert "Down payment (DP)" in html and "Settlement" in html
    assert _rp(deposit.amount) in html
    assert _rp(order.total - order.deposit_due) in html
    assert dp_campaign.settlement_due_on.strftime("%-d %B %Y") in html


def test_after_the_dp_the_page_asks_for_the_settlement_with_its_own_amount(
    english, dp_campaign, buyer, now
):
    order = factories.order(dp_campaign, buyer=buyer, now=now)
    deposit = order.open_expected_payment
    factories.pay(order, source=Payment.Source.STATEMENT, now=now)
    settlement = Order.objects.get(pk=order.pk).open_expected_payment

    html = english.get(f"/o/{order.secret}/").content.decode()

    assert "Pay the settlement" in html
    assert f'data-amount="{settlement.amount}"' in html
    # Its own expected payment (the kode unik is drawn anew; by chance it may equal the DP's).
    assert settlement.pk != deposit.pk and settlement.kind == "settlement"
    assert "Left to pay" in html and "Confirmed" in html


def test_a_payment_waiting_for_the_seller_is_said_so(english, order, now):
    claim_payment(order=order, now=now)

    html = english.get(f"/o/{order.secret}/").content.decode()

    assert "Your payment is waiting for the seller" in html
    assert "Waiting for the seller" in html


def test_while_a_proof_waits_the_page_says_so_and_the_deadline_is_on_hold(client, order):
    upload = factories.proof_png()
    client.post(f"/o/{order.secret}/proof/", {"proof": upload})

    html = client.get(f"/o/{order.secret}/").content.decode()

    page = html[html.index('<article class="order-page">') :]
    header = page[: page.index("</header>")]
    assert "Bukti transfer Anda sedang dicek penjual." in header
    assert "tidak akan batal walau lewat batas bayar" in header
    assert "data-countdown-to" not in html  # no countdown ticking towards the deadline
    assert "ditunda selama penjual mengecek pembayaran Anda" in html
    # What to pay again is folded away, the form for another proof still inside.
    folded = html[html.index('<details class="pay-again"') : html.index("</details>")]
    assert "Lihat lagi cara bayar" in folded and 'action="/o/' in folded


def test_before_any_proof_the_deadline_counts_down(client, order):
    html = client.get(f"/o/{order.secret}/").content.decode()

    assert "data-countdown-to" in html
    assert "sedang dicek penjual" not in html and "pay-again" not in html


def test_a_paid_dp_says_paid_not_settled_in_full(client, dp_campaign, buyer, now):
    order = factories.paid_order(dp_campaign, buyer=buyer, source=Payment.Source.STATEMENT, now=now)

    html = client.get(f"/o/{order.secret}/").content.decode()

    dp_line = html[html.index("<li><span>DP</span>") :]
    dp_line = dp_line[: dp_line.index("</li>")]
    assert "Dibayar" in dp_line and "Lunas" not in dp_line


def test_a_rejected_payment_shows_the_sellers_reason(english, order, alice, now):
    payment = claim_payment(order=order, now=now)
    reject_payment(payment=payment, reason="Nominal tidak sesuai", actor=alice)

    html = english.get(f"/o/{order.secret}/").content.decode()

    assert "could not confirm your payment" in html
    assert "Nominal tidak sesuai" in html
    assert f'action="/o/{order.secret}/proof/"' in html  # they can send a new proof


def test_an_unpaid_active_order_has_no_refund_form(client, order):
    html = client.get(f"/o/{order.secret}/").content.decode()
    assert 'id="refund"' not in html and 'name="account_number"' not in html


def test_a_cancelled_paid_order_asks_where_the_refund_should_go(client, order, alice, now):
    record_payment(order=order, amount=60_000, source=Payment.Source.MANUAL, now=now)
    cancel_order(order=Order.objects.get(pk=order.pk), reason="stok", actor=alice, now=now)

    page = client.get(f"/o/{order.secret}/").content.decode()
    assert 'id="refund"' in page and _rp(60_000) in page

    response = client.post(
        f"/o/{order.secret}/",
        {"bank_name": "DANA", "account_number": "0813-2222-3333", "account_holder": "Sari"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/o/{order.secret}/#refund"
    order.refresh_from_db()
    assert (order.refund_bank_name, order.refund_account_number) == ("DANA", "081322223333")
    assert order.refund_account_holder == "Sari"


def test_a_bad_account_number_is_shown_on_its_field(client, order, campaign, now):
    record_payment(order=order, amount=135_000, source=Payment.Source.MANUAL, now=now)
    cancel_campaign(campaign=campaign, reason="batal")

    response = client.post(
        f"/o/{order.secret}/",
        {"bank_name": "BCA", "account_number": "12", "account_holder": "Sari"},
    )

    assert response.status_code == 422
    assert 'class="field has-error"' in response.content.decode()
    order.refresh_from_db()
    assert order.refund_account_number == ""


def test_the_refund_account_form_is_rate_limited(client, order, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "proof": (2, 600)}
    data = {"bank_name": "BCA", "account_number": "1234567", "account_holder": "Sari"}
    codes = [client.post(f"/o/{order.secret}/", data).status_code for _ in range(3)]
    assert codes[-1] == 429
    assert client.get(f"/o/{order.secret}/").status_code == 200  # reading is never limited


def test_a_refund_received_shows_on_the_page(english, order, campaign, alice, now):
    record_payment(order=order, amount=135_000, source=Payment.Source.MANUAL, now=now)
    cancel_campaign(campaign=campaign, reason="MOQ")
    record_refund(order=Order.objects.get(pk=order.pk), amount=135_000, note="tunai", actor=alice)

    html = english.get(f"/o/{order.secret}/").content.decode()

    assert "Refunded to you" in html
    assert "−Rp 135.000" in html
    assert 'name="account_number"' not in html  # nothing more is owed
