"""The production page of a PO: stages, updates with photos, sending to buyers (owners), late
flags and moving a date with a reason."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from openpo.fulfillment.models import ProductionStage, ProductionUpdate, ScheduleChange
from openpo.fulfillment.services.production import add_stage, post_update
from openpo.messaging.models import OutboxMessage
from tests import factories

pytestmark = pytest.mark.django_db


def _url(name, *args):
    return reverse(f"dashboard:{name}", args=args)


def _photo():
    return SimpleUploadedFile("jahit.png", factories.png(60, 40), content_type="image/png")


def test_it_shows_the_page_to_staff(client, bob, campaign):
    add_stage(campaign=campaign, name="Potong")
    client.force_login(bob)
    response = client.get(_url("production", campaign.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Potong" in html
    assert _url("production_move_date", campaign.pk) not in html  # owners move dates


def test_it_adds_the_usual_stages(client, alice, campaign):
    client.force_login(alice)
    response = client.post(_url("production_stage_defaults", campaign.pk))
    assert response.status_code == 302
    assert ProductionStage.objects.filter(campaign=campaign).count() == 5


def test_it_adds_and_edits_a_stage(client, alice, campaign, now):
    client.force_login(alice)
    client.post(_url("production_stage_add", campaign.pk), {"new-name": "Sablon"})
    stage = ProductionStage.objects.get(campaign=campaign)
    day = (now.date() + timedelta(days=3)).isoformat()
    response = client.post(
        _url("production_stage_edit", stage.pk),
        {f"stage{stage.pk}-name": "Sablon depan", f"stage{stage.pk}-planned_on": day},
    )
    assert response.status_code == 302
    stage.refresh_from_db()
    assert (stage.name, stage.planned_on.isoformat()) == ("Sablon depan", day)


def test_a_stage_without_a_name_comes_back_with_the_error(client, alice, campaign):
    client.force_login(alice)
    response = client.post(_url("production_stage_add", campaign.pk), {"new-name": ""})
    assert response.status_code == 422
    assert not ProductionStage.objects.exists()


def test_staff_mark_a_stage_done_with_a_photo(client, bob, campaign):
    stage = add_stage(campaign=campaign, name="Jahit")
    client.force_login(bob)
    response = client.post(
        _url("production_stage_done", stage.pk),
        {f"done{stage.pk}-note": "Setengah jadi", f"done{stage.pk}-photos": [_photo(), _photo()]},
    )
    assert response.status_code == 302
    stage.refresh_from_db()
    assert stage.done_at is not None
    update = ProductionUpdate.objects.get()
    assert update.text == "Setengah jadi" and update.photos.count() == 2


def test_a_file_that_is_not_a_photo_is_refused_on_the_page(client, alice, campaign):
    client.force_login(alice)
    fake = SimpleUploadedFile("x.png", b"nope", content_type="image/png")
    response = client.post(
        _url("production_update_add", campaign.pk), {"text": "Kain datang", "photos": fake}
    )
    assert response.status_code == 422
    assert not ProductionUpdate.objects.exists()


def test_the_owner_posts_and_sends_an_update_once(client, alice, campaign):
    factories.order(campaign)
    client.force_login(alice)
    response = client.post(
        _url("production_update_add", campaign.pk),
        {"text": "Kain datang", "send_to_buyers": "on", "photos": _photo()},
    )
    assert response.status_code == 302
    update = ProductionUpdate.objects.get()
    assert update.sent_to_buyers
    count = OutboxMessage.objects.filter(event="production_update").count()
    assert count >= 1
    client.post(_url("production_update_send", update.pk))
    assert OutboxMessage.objects.filter(event="production_update").count() == count


def test_staff_cannot_send_an_update(client, bob, campaign):
    factories.order(campaign)
    update = post_update(campaign=campaign, text="Kain datang")
    client.force_login(bob)
    client.post(_url("production_update_send", update.pk))
    update.refresh_from_db()
    assert not update.sent_to_buyers
    assert not OutboxMessage.objects.filter(event="production_update").exists()


def test_the_page_flags_a_late_stage(client, alice, campaign, now):
    add_stage(campaign=campaign, name="Potong", planned_on=now.date() - timedelta(days=3))
    client.force_login(alice)
    html = client.get(_url("production", campaign.pk)).content.decode()
    assert "late-items" in html and "Potong" in html


def test_moving_a_date_needs_a_reason(client, alice, campaign, now):
    client.force_login(alice)
    day = (now.date() + timedelta(days=40)).isoformat()
    response = client.post(
        _url("production_move_date", campaign.pk),
        {"field": "ships_on", "new_date": day, "reason": ""},
    )
    assert response.status_code == 422
    assert not ScheduleChange.objects.exists()
    response = client.post(
        _url("production_move_date", campaign.pk),
        {"field": "ships_on", "new_date": day, "reason": "Kain telat"},
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.ships_on.isoformat() == day
    assert ScheduleChange.objects.get().reason == "Kain telat"


def test_staff_cannot_move_a_date(client, bob, campaign, now):
    client.force_login(bob)
    day = (now.date() + timedelta(days=40)).isoformat()
    response = client.post(
        _url("production_move_date", campaign.pk),
        {"field": "ships_on", "new_date": day, "reason": "Kain telat"},
    )
    assert response.status_code in (403, 422)
    assert not ScheduleChange.objects.exists()


def _settings_data(shop, **changes):
    data = {
        "name": shop.name,
        "slug": shop.slug,
        "whatsapp_number": "",
        "email": "",
        "timezone": shop.timezone,
        "brand_color": shop.brand_color,
        "static_qris": "",
        "default_payment_window_hours": shop.default_payment_window_hours,
        "message_language": shop.message_language,
    }
    return {**data, **changes}


def test_the_owner_sets_the_delay_limit_in_the_shop_settings(client, alice, shop):
    client.force_login(alice)
    assert 'name="delay_cancel_after_days"' in client.get(_url("settings")).content.decode()
    response = client.post(_url("settings"), _settings_data(shop, delay_cancel_after_days=14))
    assert response.status_code == 302
    shop.refresh_from_db()
    assert shop.delay_cancel_after_days == 14
    # Posted without it (an older form), the limit stays.
    client.post(_url("settings"), _settings_data(shop))
    shop.refresh_from_db()
    assert shop.delay_cancel_after_days == 14
    response = client.post(_url("settings"), _settings_data(shop, delay_cancel_after_days=0))
    assert response.status_code == 422
    shop.refresh_from_db()
    assert shop.delay_cancel_after_days == 14
