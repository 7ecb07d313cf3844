"""`openpo demo` loads a shop with POs in every phase, once, through the services.

Loading takes a few seconds, so this module loads it once (the `demo` fixture) inside a
transaction that is rolled back after the module's last test; each test runs in a savepoint.
"""

import io
from datetime import timedelta

import phonenumbers
import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from openpo.catalog.models import BankAccount, Campaign, Material, Membership, Shop, Variant
from openpo.core.models import AuditEvent
from openpo.orders.models import Customer, Order, OrderLine

PHASES = {"scheduled", "open", "closed", "producing", "shipping", "completed", "failed"}


def run_demo() -> str:
    out = io.StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The output of a first `openpo demo` on an empty database."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield run_demo()
        transaction.set_rollback(True)


def snapshot() -> dict[str, int]:
    models = [
        get_user_model(),
        Shop,
        Membership,
        BankAccount,
        Campaign,
        Variant,
        Material,
        Customer,
        Order,
        OrderLine,
        AuditEvent,
    ]
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.django_db
def test_it_loads_every_phase(demo):

    campaigns = Campaign.objects.filter(shop__slug="demo")
    now = timezone.now()
    assert {c.status for c in campaigns} == PHASES
    assert all(c.phase(now) == c.status for c in campaigns)  # no timed step left undone
    failed = campaigns.get(status=Campaign.Status.FAILED)
    assert failed.reserved_units < failed.moq_units
    assert campaigns.filter(payment_policy=Campaign.PaymentPolicy.DEPOSIT).exists()
    open_po = campaigns.get(status=Campaign.Status.OPEN)
    assert any(v.units_left for v in open_po.variants.all())  # slots left to order


@pytest.mark.django_db
def test_it_loads_a_few_hundred_customers_and_orders_inside_each_po_window(demo):

    orders = (
        Order.objects.filter(shop__slug="demo")
        .exclude(campaign__slug__startswith="arsip-")  # the story's POs (history: below)
        .select_related("campaign")
    )
    # The buyers by id (a join on a subquery of just-loaded, never-analysed tables once took
    # PostgreSQL's planner minutes).
    customers = Customer.objects.filter(pk__in=set(orders.values_list("customer_id", flat=True)))
    assert 300 <= orders.count() <= 600
    assert 250 <= customers.count() <= 400
    assert all(o.campaign.opens_at <= o.created_at < o.campaign.closes_at for o in orders)
    assert orders.filter(status=Order.Status.CANCELLED).exists()
    assert orders.filter(status=Order.Status.EXPIRED).exists()
    assert orders.filter(payment_status=Order.PaymentStatus.PAID).exists()
    repeat = customers.annotate(pos=Count("orders__campaign", distinct=True)).filter(pos__gte=2)
    assert repeat.count() >= 20
    for order in orders:
        number = phonenumbers.parse(order.buyer_phone)
        assert phonenumbers.is_valid_number(number) and number.country_code == 62
        assert len(order.postal_code) == 5 and order.postal_code.isdigit()


@pytest.mark.django_db
def test_the_shop_and_each_po_were_created_when_the_story_says(demo):

    shop = Shop.objects.get(slug="demo")
    campaigns = list(shop.campaigns.order_by("opens_at"))
    events = AuditEvent.objects.filter(action__in=["shop.created", "campaign.created"])
    created = {(e.subject_type, e.subject_id): e.created_at for e in events}
    assert created[("catalog.shop", str(shop.pk))] == shop.created_at
    assert shop.created_at < campaigns[0].created_at
    assert timezone.now() - campaigns[0].created_at > timedelta(days=60)
    for campaign in campaigns:
        assert campaign.created_at < campaign.opens_at, campaign.slug  # announced, then opened
        assert created[("catalog.campaign", str(campaign.pk))] == campaign.created_at


@pytest.mark.django_db
def test_every_reserved_unit_belongs_to_an_active_order(demo):

    active = OrderLine.objects.filter(order__status=Order.Status.ACTIVE)
    for variant in Variant.objects.filter(campaign__shop__slug="demo"):
        held = active.filter(variant=variant).aggregate(units=Sum("quantity"))["units"] or 0
        assert variant.reserved_units == held, variant.sku
        assert variant.quota is None or variant.reserved_units <= variant.quota
    for campaign in Campaign.objects.filter(shop__slug="demo"):
        units = campaign.orders.filter(status=Order.Status.ACTIVE).aggregate(units=Sum("units"))
        assert campaign.reserved_units == (units["units"] or 0), campaign.slug


@pytest.mark.django_db
def test_running_it_twice_changes_nothing(demo):
    before = snapshot()

    output = run_demo()

    assert snapshot() == before
    assert "already loaded" in output


@pytest.mark.django_db
def test_demo_demo_logs_in_as_the_shops_owner_and_staff(demo):

    user = authenticate(username="demo", password="demo")

    assert user is not None and user.is_staff and user.is_superuser
    shop = Shop.objects.get(slug="demo")
    assert shop.memberships.get(user=user).role == Membership.Role.OWNER
    assert sorted(shop.bank_accounts.values_list("bank_name", flat=True)) == ["BCA", "Mandiri"]


@pytest.mark.django_db
def test_it_reports_what_it_loaded(demo):
    assert "Loaded the demo shop" in demo
    past = Campaign.objects.filter(shop__slug="demo", slug__startswith="arsip-").count()
    assert f"{7 + past} POs ({past} of them past, over two years)" in demo
    assert f"Before these, {past} completed POs over two years" in demo
    assert (
        "Dashboard  http://127.0.0.1:8000/dashboard/  (sellers log in at "
        "http://127.0.0.1:8000/accounts/login/ as demo / demo)"
    ) in demo
    assert "http://127.0.0.1:8000/admin/" in demo


@pytest.mark.django_db
def test_it_prints_the_home_admin_and_campaign_urls_again_when_loaded(demo, settings):
    settings.SITE_URL = "https://po.example.com"

    output = run_demo()

    assert "https://po.example.com/\n" in output
    assert "https://po.example.com/admin/" in output and "demo / demo" in output
    for campaign in Campaign.objects.filter(shop__slug="demo"):
        listed = f"https://po.example.com/demo/{campaign.slug}/" in output
        assert listed != campaign.slug.startswith("arsip-")  # past POs: one line, not 22
    assert "https://po.example.com/dashboard/insights/" in output


@pytest.mark.django_db
def test_two_years_of_past_pos_show_the_seasons_and_feed_the_insights(demo):
    from statistics import mean

    from openpo.insights.report import insights
    from openpo.insights.suggest import backtest

    shop = Shop.objects.get(slug="demo")
    past = list(shop.campaigns.filter(slug__startswith="arsip-").order_by("opens_at"))
    story = shop.campaigns.exclude(slug__startswith="arsip-").order_by("opens_at").first()
    assert len(past) >= 20 and {c.status for c in past} == {"completed"}
    assert timezone.now() - past[0].opens_at > timedelta(days=700)
    assert past[-1].closes_at < story.opens_at
    orders = Order.objects.filter(campaign__in=past).select_related("campaign")
    assert all(o.campaign.opens_at <= o.created_at < o.campaign.closes_at for o in orders)
    standing = orders.filter(status=Order.Status.ACTIVE)
    per_po = {c.pk: standing.filter(campaign=c).count() for c in past}
    lebaran = [per_po[c.pk] for c in past if "Lebaran" in c.title]
    harbolnas = [per_po[c.pk] for c in past if "12.12" in c.title]
    others = [per_po[c.pk] for c in past if "Lebaran" not in c.title and "12.12" not in c.title]
    assert len(lebaran) == 2 and mean(lebaran) > 1.5 * mean(others)
    assert harbolnas and mean(harbolnas) > mean(others)
    regulars = Customer.objects.filter(shop=shop).annotate(
        pos=Count("orders__campaign", distinct=True)
    )
    assert regulars.filter(pos__gte=2).count() >= 200
    assert standing.values("province").distinct().count() >= 5
    assert standing.values("channel").distinct().count() == 3

    figures = insights(shop)
    assert figures["orders"] > 2500 and figures["next_po"]["variants"]
    assert all(figures["segments"].values())  # every segment has buyers
    result = backtest(shop)
    assert len(result.rows) > 100 and result.plan_mape is not None
