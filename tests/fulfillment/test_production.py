"""Production stages and progress updates (`fulfillment.services.production`): default stages in
the shop's language, editing, marking done with photos, updates sent to buyers once, and what is
late against plan."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from openpo.catalog.errors import OwnersOnly
from openpo.catalog.models import Campaign
from openpo.core.models import AuditEvent
from openpo.fulfillment.models import ProductionPhoto, ProductionStage, ProductionUpdate
from openpo.fulfillment.services.production import (
    InvalidProduction,
    ProductionEnded,
    add_default_stages,
    add_stage,
    current_stage,
    late_items,
    mark_stage_done,
    mark_stage_not_done,
    move_stage,
    post_update,
    remove_stage,
    remove_update,
    send_update,
    stages_of,
    update_stage,
)
from openpo.messaging.models import OutboxMessage
from openpo.orders.models import Order
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """These tests read the English wording of the messages (the Indonesian is checked by
    tests/core/test_translations.py)."""
    with translation.override("en"):
        yield


def _photo(name="kain.png"):
    return SimpleUploadedFile(name, factories.png(80, 60), content_type="image/png")


def test_it_adds_the_usual_stages_in_the_shops_language(campaign, alice):
    stages = add_default_stages(campaign=campaign, actor=alice)
    assert [s.name for s in stages] == ["Bahan dibeli", "Potong", "Jahit/produksi", "QC", "Packing"]
    assert [s.position for s in stages] == [0, 1, 2, 3, 4]
    assert AuditEvent.objects.filter(action="production.stages_added").count() == 1


def test_it_adds_english_stages_for_an_english_shop(shop, campaign):
    shop.message_language = "en"
    shop.save()
    names = [s.name for s in add_default_stages(campaign=campaign)]
    assert names[0] == "Materials bought" and names[-1] == "Packing"


def test_it_keeps_existing_stages_when_defaults_are_asked_again(campaign):
    add_stage(campaign=campaign, name="Sablon")
    assert [s.name for s in add_default_stages(campaign=campaign)] == ["Sablon"]


def test_it_plans_the_defaults_between_production_start_and_ship_date(campaign, now):
    start = now.date() + timedelta(days=10)
    campaign.production_starts_on, campaign.ships_on = start, start + timedelta(days=20)
    campaign.save()
    stages = add_default_stages(campaign=campaign)
    assert stages[-1].planned_on == campaign.ships_on
    assert all(start <= s.planned_on <= campaign.ships_on for s in stages)
    assert [s.planned_on for s in stages] == sorted(s.planned_on for s in stages)


def test_it_edits_reorders_and_removes_stages(campaign, now):
    first = add_stage(campaign=campaign, name="  Potong  ")
    second = add_stage(campaign=campaign, name="Jahit", planned_on=now.date())
    assert first.name == "Potong"
    update_stage(stage=first, name="Potong kain", planned_on=now.date())
    move_stage(stage=second, up=True)
    assert [s.name for s in stages_of(campaign)] == ["Jahit", "Potong kain"]
    remove_stage(stage=second)
    assert [s.name for s in stages_of(campaign)] == ["Potong kain"]


def test_it_refuses_a_stage_without_a_name(campaign):
    with pytest.raises(InvalidProduction) as refused:
        add_stage(campaign=campaign, name="   ")
    assert "name" in refused.value.field_errors


def test_it_marks_a_stage_done_with_a_time_a_note_and_photos(campaign, bob, now):
    stage = add_stage(campaign=campaign, name="Potong")
    done_at = now - timedelta(hours=2)
    update = mark_stage_done(
        stage=stage, done_at=done_at, note="Kain sudah dipotong", photos=[_photo()], actor=bob
    )
    stage.refresh_from_db()
    assert stage.done_at == done_at
    assert update.stage == stage and update.text == "Kain sudah dipotong"
    (photo,) = update.photos.all()
    assert photo.image.name.startswith(f"production/{campaign.pk}/")
    assert photo.thumbnail.name.endswith("-thumb.jpg")
    assert not update.sent_to_buyers  # staff post; only owners send
    assert AuditEvent.objects.filter(action="production.stage_done").count() == 1


def test_a_stage_done_without_a_note_says_so(campaign):
    stage = add_stage(campaign=campaign, name="QC")
    assert mark_stage_done(stage=stage).text == "QC: done."


def test_it_refuses_a_stage_done_in_the_future(campaign, now):
    stage = add_stage(campaign=campaign, name="QC")
    with pytest.raises(InvalidProduction):
        mark_stage_done(stage=stage, done_at=now + timedelta(days=1), now=now)
    stage.refresh_from_db()
    assert stage.done_at is None


def test_it_undoes_a_stage_marked_done(campaign):
    stage = add_stage(campaign=campaign, name="QC")
    mark_stage_done(stage=stage)
    mark_stage_not_done(stage=stage)
    stage.refresh_from_db()
    assert stage.done_at is None


def test_it_refuses_a_file_that_is_not_a_photo_and_keeps_nothing(campaign):
    fake = SimpleUploadedFile("x.png", b"not a picture", content_type="image/png")
    with pytest.raises(InvalidProduction) as refused:
        post_update(campaign=campaign, text="Kain datang", photos=[fake])
    assert "photos" in refused.value.field_errors
    assert not ProductionUpdate.objects.exists() and not ProductionPhoto.objects.exists()


def test_it_refuses_a_gif(campaign):
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "GIF")
    gif = SimpleUploadedFile("x.gif", buffer.getvalue(), content_type="image/gif")
    with pytest.raises(InvalidProduction):
        post_update(campaign=campaign, text="Kain datang", photos=[gif])


def test_it_refuses_too_many_photos(campaign):
    with pytest.raises(InvalidProduction):
        post_update(campaign=campaign, text="x", photos=[_photo() for _ in range(7)])


def test_it_refuses_an_empty_update(campaign):
    with pytest.raises(InvalidProduction) as refused:
        post_update(campaign=campaign, text="  ")
    assert "text" in refused.value.field_errors


def test_an_update_is_sent_to_every_live_buyer_once(campaign, alice, now):
    first = factories.order(campaign, buyer=factories.buyer(1, email="a@example.com"))
    factories.order(campaign, buyer=factories.buyer(2, email="b@example.com"))
    update = post_update(campaign=campaign, text="Kain datang", send_to_buyers=True, actor=alice)
    sent = OutboxMessage.objects.filter(event="production_update")
    assert sent.count() > 0
    assert set(sent.values_list("order_id", flat=True)) == set(
        Order.objects.filter(campaign=campaign).values_list("pk", flat=True)
    )
    assert all("Kain datang" in m.body for m in sent)
    count = sent.count()
    # Again, a retry, or a second tap: nothing new.
    assert send_update(update=update, actor=alice) == 0
    update.sent_to_buyers = False  # a stale copy (a double submit) still sends nothing new
    send_update(update=update, actor=alice)
    assert OutboxMessage.objects.filter(event="production_update").count() == count
    assert first.messages.filter(event="production_update").count() >= 1
    assert ProductionUpdate.objects.get(pk=update.pk).sent_to_buyers


def test_staff_post_updates_but_only_owners_send_them(campaign, bob):
    factories.order(campaign)
    update = post_update(campaign=campaign, text="Kain datang", actor=bob)
    with pytest.raises(OwnersOnly):
        send_update(update=update, actor=bob)
    with pytest.raises(OwnersOnly):
        post_update(campaign=campaign, text="Kain datang", send_to_buyers=True, actor=bob)
    assert not OutboxMessage.objects.filter(event="production_update").exists()
    assert ProductionUpdate.objects.count() == 1


def test_an_update_sent_while_marking_a_stage_done_goes_out_once(campaign, alice):
    factories.order(campaign)
    stage = add_stage(campaign=campaign, name="Potong")
    update = mark_stage_done(stage=stage, send_to_buyers=True, actor=alice)
    assert update.sent_to_buyers
    count = OutboxMessage.objects.filter(event="production_update").count()
    assert count >= 1
    send_update(update=update, actor=alice)
    assert OutboxMessage.objects.filter(event="production_update").count() == count


def test_it_removes_an_update_and_its_photos(campaign):
    update = post_update(campaign=campaign, text="Kain datang", photos=[_photo()])
    remove_update(update=update)
    assert not ProductionUpdate.objects.exists() and not ProductionPhoto.objects.exists()


def test_an_ended_po_keeps_its_production_as_it_was(campaign):
    stage = add_stage(campaign=campaign, name="Potong")
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.CANCELLED)
    campaign.refresh_from_db()
    with pytest.raises(ProductionEnded):
        add_stage(campaign=campaign, name="QC")
    with pytest.raises(ProductionEnded):
        mark_stage_done(stage=ProductionStage.objects.get(pk=stage.pk))


def test_the_current_stage_is_the_first_not_done_once_work_began(campaign):
    first = add_stage(campaign=campaign, name="Potong")
    add_stage(campaign=campaign, name="Jahit")
    assert current_stage(stages_of(campaign)) is None
    mark_stage_done(stage=first)
    assert current_stage(stages_of(campaign)).name == "Jahit"


def test_it_flags_a_stage_late_against_plan(campaign, now):
    today = now.date()
    add_stage(campaign=campaign, name="Potong", planned_on=today - timedelta(days=2))
    add_stage(campaign=campaign, name="Jahit", planned_on=today + timedelta(days=2))
    done = add_stage(campaign=campaign, name="Beli", planned_on=today - timedelta(days=5))
    mark_stage_done(stage=done)
    (flag,) = late_items(campaign, today)
    assert "Potong" in flag


def test_it_flags_the_ship_date_passed_with_orders_not_shipped(campaign, now):
    factories.order(campaign)
    campaign.ships_on = now.date() - timedelta(days=1)
    campaign.save()
    (flag,) = late_items(campaign, now.date())
    assert "1 order" in flag
    assert late_items(campaign, campaign.ships_on) == []  # on the day itself, not yet late


def test_nothing_is_late_for_an_ended_po(campaign, now):
    add_stage(campaign=campaign, name="Potong", planned_on=now.date() - timedelta(days=2))
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.COMPLETED)
    campaign.refresh_from_db()
    assert late_items(campaign, now.date()) == []
