"""Editing a PO: sizes × colours become variants in one step, edits never break live orders,
photos get a thumbnail, a PO is duplicated as a fresh draft, and publishing opens or
schedules it."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from openpo.catalog.errors import InvalidCampaign
from openpo.catalog.models import Campaign, Material, Product, ProductPhoto, Variant
from openpo.catalog.services import add_variant, create_campaign
from openpo.catalog.services.campaigns import default_timeline, publish_now, update_campaign
from openpo.catalog.services.duplicating import duplicate_campaign
from openpo.catalog.services.materials import set_material
from openpo.catalog.services.photos import add_product_photo, remove_photo
from openpo.catalog.services.products import (
    add_product_with_variants,
    generate_variants,
    remove_product,
    remove_variant,
    split_values,
    update_variant,
)
from openpo.core.models import AuditEvent
from tests import factories
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db


def png(width=1200, height=800, mode="RGBA") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), (200, 30, 90, 128) if mode == "RGBA" else "red").save(
        buffer, "PNG"
    )
    return SimpleUploadedFile("kaos.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def draft(shop, now):
    return create_campaign(
        shop=shop,
        title="PO Hoodie",
        opens_at=now + timedelta(days=1),
        closes_at=now + timedelta(days=6),
    )


def test_it_generates_a_variant_for_every_size_and_colour(draft, alice):
    product = add_product_with_variants(
        campaign=draft,
        name="Hoodie Basic",
        price=185_000,
        sizes=["M", "L"],
        colours=["Hitam", "Abu"],
        quota=10,
        actor=alice,
    )

    variants = list(product.variants.order_by("position"))
    assert [v.options for v in variants] == [
        {"Ukuran": "M", "Warna": "Hitam"},
        {"Ukuran": "M", "Warna": "Abu"},
        {"Ukuran": "L", "Warna": "Hitam"},
        {"Ukuran": "L", "Warna": "Abu"},
    ]
    assert [v.sku for v in variants] == [
        "HOODIE-BASIC-M-HITAM",
        "HOODIE-BASIC-M-ABU",
        "HOODIE-BASIC-L-HITAM",
        "HOODIE-BASIC-L-ABU",
    ]
    assert {(v.price, v.quota, v.campaign_id) for v in variants} == {(185_000, 10, draft.pk)}
    assert AuditEvent.objects.filter(action="product.added", subject_id=str(product.pk)).exists()


def test_a_size_can_have_its_own_price(draft):
    product = add_product_with_variants(
        campaign=draft, name="Kaos", price=100_000, sizes=["M", "XXL"], size_prices={"xxl": 115_000}
    )
    assert dict(product.variants.values_list("options__Ukuran", "price")) == {
        "M": 100_000,
        "XXL": 115_000,
    }


def test_a_product_without_sizes_gets_one_variant(draft):
    product = add_product_with_variants(campaign=draft, name="Tote Bag", price=60_000)
    assert list(product.variants.values_list("options", "sku")) == [({}, "TOTE-BAG")]


def test_a_refused_variant_leaves_no_half_made_product(draft):
    with pytest.raises(InvalidCampaign) as error:
        add_product_with_variants(
            campaign=draft, name="Kaos", price=100_000, sizes=["S", "M"], early_bird_price=120_000
        )
    assert "early_bird_price" in error.value.field_errors
    assert not Product.objects.filter(campaign=draft).exists()


def test_generating_again_skips_existing_variants_and_keeps_skus_unique(draft):
    product = add_product_with_variants(campaign=draft, name="Kaos", price=1, sizes=["S"])
    added = generate_variants(product=product, price=1, sizes=["S", "M"])
    assert [v.options for v in added] == [{"Ukuran": "M"}]
    twin = add_product_with_variants(campaign=draft, name="Kaos", price=1, sizes=["S"])
    assert twin.variants.get().sku == "KAOS-S-2"


def test_sizes_are_split_on_commas_without_blanks_or_repeats():
    assert split_values(" S, m ,, M,\nXL ") == ["S", "m", "XL"]


def test_the_quota_cannot_go_below_what_is_ordered_while_open(campaign, variants, buyer, now):
    small = variants[0]
    factories.order(campaign, variant=small, units=3, buyer=buyer, now=now)

    with pytest.raises(InvalidCampaign) as error:
        update_variant(variant=small, price=120_000, early_bird_price=None, quota=2, is_active=True)
    assert "3" in error.value.field_errors["quota"][0]
    small.refresh_from_db()
    assert (small.quota, small.reserved_units) == (20, 3)

    update_variant(variant=small, price=125_000, early_bird_price=None, quota=3, is_active=True)
    small.refresh_from_db()
    assert (small.quota, small.price) == (3, 125_000)


def test_the_cap_and_payment_policy_hold_once_orders_exist(campaign, buyer, now):
    factories.order(campaign, units=2, buyer=buyer, now=now)
    with pytest.raises(InvalidCampaign) as error:
        update_campaign(
            campaign=campaign,
            unit_cap=1,
            payment_policy=Campaign.PaymentPolicy.DEPOSIT,
            deposit_percent=50,
            now=now,
        )
    assert set(error.value.field_errors) == {"unit_cap", "payment_policy"}
    campaign.refresh_from_db()
    assert campaign.unit_cap is None and campaign.payment_policy == "full"


def test_an_open_po_keeps_its_opening_time_but_other_settings_change(campaign, now, alice):
    with pytest.raises(InvalidCampaign) as error:
        update_campaign(campaign=campaign, opens_at=now + timedelta(hours=2), now=now)
    assert "opens_at" in error.value.field_errors

    updated = update_campaign(
        campaign=campaign,
        title="PO Kaos September",
        shipping_fee=20_000,
        closes_at=campaign.closes_at + timedelta(days=1),
        actor=alice,
        now=now,
    )
    assert (updated.title, updated.shipping_fee, updated.status) == (
        "PO Kaos September",
        20_000,
        "open",
    )
    event = AuditEvent.objects.get(action="campaign.updated")
    assert event.data["fields"] == ["closes_at", "shipping_fee", "title"]


def test_a_bad_timeline_is_refused_field_by_field(draft, now):
    with pytest.raises(InvalidCampaign) as error:
        update_campaign(
            campaign=draft,
            closes_at=draft.opens_at - timedelta(hours=1),
            production_starts_on=(now - timedelta(days=3)).date(),
            ships_on=(now - timedelta(days=5)).date(),
        )
    assert set(error.value.field_errors) == {"closes_at", "production_starts_on", "ships_on"}


def test_a_closed_po_cannot_be_edited(campaign, now):
    campaign = Campaign.objects.get(pk=campaign.pk)
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.CLOSED)
    with pytest.raises(InvalidCampaign):
        update_campaign(campaign=campaign, title="Baru")


def test_a_photo_gets_a_jpeg_thumbnail_at_most_480_wide(draft, settings):
    product = add_product_with_variants(campaign=draft, name="Kaos", price=1)
    photo = add_product_photo(product=product, image=png(1200, 800))

    with Image.open(photo.thumbnail.path) as thumb:
        assert (thumb.format, thumb.size) == ("JPEG", (480, 320))
    with Image.open(photo.image.path) as original:
        assert original.size == (1200, 800)

    small = add_product_photo(product=product, image=png(300, 300, "RGB"))
    with Image.open(small.thumbnail.path) as thumb:
        assert thumb.size == (300, 300)


def test_a_file_that_is_not_a_photo_is_refused(draft):
    product = add_product_with_variants(campaign=draft, name="Kaos", price=1)
    fake = SimpleUploadedFile("kaos.jpg", b"MZ not a picture", content_type="image/jpeg")
    with pytest.raises(InvalidCampaign) as error:
        add_product_photo(product=product, image=fake)
    assert "image" in error.value.field_errors
    assert not ProductPhoto.objects.exists()


@pytest.mark.parametrize("side", [9000, 14000])  # above our limit; above Pillow's own
def test_a_small_file_with_too_many_pixels_is_refused(draft, side):
    product = add_product_with_variants(campaign=draft, name="Kaos", price=1)
    buffer = io.BytesIO()
    Image.new("1", (side, side)).save(buffer, "PNG")  # a few KB, 81 or 196 megapixels
    bomb = SimpleUploadedFile("bom.png", buffer.getvalue(), content_type="image/png")
    with pytest.raises(InvalidCampaign) as error:
        add_product_photo(product=product, image=bomb)
    assert "image" in error.value.field_errors
    assert not ProductPhoto.objects.exists()


def test_deleting_a_photo_keeps_files_a_copy_still_uses(
    draft, now, django_capture_on_commit_callbacks
):
    product = add_product_with_variants(campaign=draft, name="Kaos", price=1)
    photo = add_product_photo(product=product, image=png())
    copy = duplicate_campaign(campaign=draft, now=now)
    copied = ProductPhoto.objects.get(product__campaign=copy)

    with django_capture_on_commit_callbacks(execute=True):
        remove_photo(photo=photo)
    assert copied.image.storage.exists(copied.image.name)

    with django_capture_on_commit_callbacks(execute=True):
        remove_photo(photo=copied)
    assert not copied.image.storage.exists(copied.image.name)
    assert not copied.thumbnail.storage.exists(copied.thumbnail.name)


def test_materials_can_be_set_for_every_variant_of_a_product(draft):
    product = add_product_with_variants(campaign=draft, name="Kaos", price=1, sizes=["S", "M"])
    first = product.variants.first()
    set_material(variant=first, name="Kain", quantity_per_unit="1,5".replace(",", "."), unit="m")
    set_material(variant=first, name="Sablon", quantity_per_unit=1, unit="pcs", all_variants=True)

    assert sorted(Material.objects.values_list("variant__options__Ukuran", "name")) == [
        ("M", "Sablon"),
        ("S", "Kain"),
        ("S", "Sablon"),
    ]


def test_a_variant_with_orders_is_deactivated_not_deleted(campaign, variants, buyer, now):
    ordered, spare = variants
    factories.order(campaign, variant=ordered, buyer=buyer, now=now)
    assert remove_variant(variant=ordered) is False
    assert remove_variant(variant=spare) is True
    assert list(Variant.objects.filter(campaign=campaign).values_list("pk", "is_active")) == [
        (ordered.pk, False)
    ]
    assert remove_product(product=ordered.product) is False
    assert Product.objects.filter(pk=ordered.product_id).exists()


def test_duplicating_copies_everything_as_a_fresh_draft(shop, now, buyer, alice):
    original = make_campaign(
        shop,
        now=now,
        moq_units=10,
        unit_cap=50,
        payment_policy=Campaign.PaymentPolicy.DEPOSIT,
        deposit_percent=50,
        settlement_due_on=(now + timedelta(days=10)).date(),
        production_starts_on=(now + timedelta(days=4)).date(),
        ships_on=(now + timedelta(days=20)).date(),
        early_bird_units=5,
        terms="Tidak bisa batal.",
    )
    variant = original.variants.first()
    add_variant(product=variant.product, price=150_000, options={"Ukuran": "XL"}, quota=5)
    set_material(variant=variant, name="Kain", quantity_per_unit=2, unit="m")
    add_product_photo(product=variant.product, image=png())
    factories.order(original, variant=variant, units=2, buyer=buyer, now=now)
    Campaign.objects.filter(pk=original.pk).update(status=Campaign.Status.COMPLETED)
    original.refresh_from_db()

    later = now + timedelta(days=30)
    copy = duplicate_campaign(campaign=original, actor=alice, now=later)

    assert copy.status == Campaign.Status.DRAFT and copy.pk != original.pk
    assert copy.slug == f"{original.slug}-2"
    assert copy.opens_at > later and copy.closes_at - copy.opens_at == (
        original.closes_at - original.opens_at
    )
    # It opens tomorrow (shop time) at the hour the original opened.
    tz = shop.tzinfo
    assert copy.opens_at.astimezone(tz).date() == (later + timedelta(days=1)).astimezone(tz).date()
    shift = copy.opens_at - original.opens_at
    assert shift.seconds == 0 and shift.microseconds == 0
    assert copy.settlement_due_on == original.settlement_due_on + shift
    assert copy.ships_on == original.ships_on + shift
    for field in ("moq_units", "unit_cap", "deposit_percent", "early_bird_units", "terms"):
        assert getattr(copy, field) == getattr(original, field), field
    assert (copy.reserved_units, copy.early_bird_units_sold, copy.published_at) == (0, 0, None)
    assert sorted(copy.variants.values_list("sku", "price", "quota", "reserved_units")) == [
        ("KAOS-POLOS-M", 120_000, None, 0),
        ("KAOS-POLOS-S", 120_000, 20, 0),
        ("KAOS-POLOS-XL", 150_000, 5, 0),
    ]
    copied_photo = ProductPhoto.objects.get(product__campaign=copy)
    assert copied_photo.image.name == variant.product.photos.get().image.name
    assert copied_photo.thumbnail.name
    assert Material.objects.filter(variant__campaign=copy, name="Kain").count() == 1
    assert AuditEvent.objects.filter(action="campaign.duplicated").get().data["from"] == original.pk
    assert duplicate_campaign(campaign=copy, now=later).slug == f"{original.slug}-3"


def test_publishing_a_future_po_schedules_it_or_opens_it_now(shop, now):
    scheduled = make_campaign(
        shop, now=now, publish=False, opens_at=now + timedelta(days=1), title="A"
    )
    opened = make_campaign(
        shop, now=now, publish=False, opens_at=now + timedelta(days=1), title="B"
    )

    assert publish_now(campaign=scheduled, now=now).status == Campaign.Status.SCHEDULED
    opened = publish_now(campaign=opened, open_now=True, now=now)
    assert opened.status == Campaign.Status.OPEN
    assert Campaign.objects.get(pk=opened.pk).opens_at == now


def test_a_po_without_an_active_variant_is_not_published(draft, now):
    with pytest.raises(InvalidCampaign) as error:
        publish_now(campaign=draft, open_now=True, now=now)
    assert "products" in error.value.field_errors
    draft.refresh_from_db()
    assert draft.status == Campaign.Status.DRAFT and draft.opens_at > now


def test_new_pos_open_at_seven_in_the_evening_for_five_days(shop):
    from datetime import datetime

    tz = shop.tzinfo
    morning = datetime(2026, 8, 3, 9, 0, tzinfo=tz)
    timeline = default_timeline(morning, tz)
    assert timeline["opens_at"] == datetime(2026, 8, 3, 19, 0, tzinfo=tz)
    assert timeline["closes_at"] == datetime(2026, 8, 8, 21, 0, tzinfo=tz)
    evening = default_timeline(datetime(2026, 8, 3, 18, 30, tzinfo=tz), tz)
    assert evening["opens_at"] == datetime(2026, 8, 4, 19, 0, tzinfo=tz)
