"""The database itself refuses impossible catalog data, whatever code writes it."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from openpo.catalog.models import BankAccount, Campaign, Material, Membership, Shop, Variant

pytestmark = pytest.mark.django_db


def _refused(queryset_or_callable, **changes):
    with pytest.raises(IntegrityError), transaction.atomic():
        if changes:
            queryset_or_callable.update(**changes)
        else:
            queryset_or_callable()


def test_a_variant_cannot_reserve_more_than_its_quota(variants):
    small = Variant.objects.filter(pk=variants[0].pk)
    _refused(small, reserved_units=21)
    small.update(reserved_units=20)
    assert small.get().reserved_units == 20


def test_an_unlimited_variant_can_reserve_any_amount(variants):
    Variant.objects.filter(pk=variants[1].pk).update(reserved_units=10_000)


def test_reserved_units_and_prices_cannot_go_negative(variants, campaign):
    _refused(Variant.objects.filter(pk=variants[1].pk), reserved_units=-1)
    _refused(Variant.objects.filter(pk=variants[1].pk), price=-1)
    _refused(Campaign.objects.filter(pk=campaign.pk), reserved_units=-1)
    _refused(Campaign.objects.filter(pk=campaign.pk), shipping_fee=-1)


def test_a_campaign_cannot_reserve_past_its_cap(campaign):
    rows = Campaign.objects.filter(pk=campaign.pk)
    rows.update(unit_cap=10, reserved_units=10)
    _refused(rows, reserved_units=11)
    _refused(rows, unit_cap=0, reserved_units=0)


def test_a_campaign_closes_after_it_opens(campaign):
    _refused(Campaign.objects.filter(pk=campaign.pk), closes_at=campaign.opens_at)
    _refused(
        Campaign.objects.filter(pk=campaign.pk), closes_at=campaign.opens_at - timedelta(hours=1)
    )


def test_a_deposit_policy_needs_a_sensible_percentage(campaign):
    rows = Campaign.objects.filter(pk=campaign.pk)
    _refused(rows, payment_policy="deposit", deposit_percent=None)
    _refused(rows, payment_policy="deposit", deposit_percent=100)
    _refused(rows, payment_policy="full", deposit_percent=50)
    rows.update(payment_policy="deposit", deposit_percent=50)


def test_limits_and_windows_are_at_least_one(campaign, shop):
    _refused(Campaign.objects.filter(pk=campaign.pk), max_units_per_order=0)
    _refused(Campaign.objects.filter(pk=campaign.pk), payment_window_hours=0)
    _refused(Shop.objects.filter(pk=shop.pk), default_payment_window_hours=0)


def test_slugs_and_skus_are_unique_where_they_must_be(campaign, variants, shop, other_shop):
    _refused(Shop.objects.filter(pk=other_shop.pk), slug=shop.slug)
    twin = Campaign.objects.get(pk=campaign.pk)
    twin.pk = None
    _refused(twin.save)
    _refused(Variant.objects.filter(pk=variants[1].pk), sku=variants[0].sku)


def test_a_user_is_a_member_of_a_shop_once(shop, alice):
    _refused(lambda: Membership.objects.create(shop=shop, user=alice))


def test_a_bank_account_is_listed_once(shop):
    BankAccount.objects.create(
        shop=shop, bank_name="BCA", account_number="123456", account_holder="Alice"
    )
    _refused(
        lambda: BankAccount.objects.create(
            shop=shop, bank_name="BCA", account_number="123456", account_holder="Alice"
        )
    )


def test_a_material_quantity_is_positive(variants):
    _refused(
        lambda: Material.objects.create(
            variant=variants[0], name="Kain", quantity_per_unit=0, unit="m"
        )
    )
