"""The campaign lifecycle: each transition allowed from the right status, refused otherwise."""

from datetime import timedelta

import pytest

from openpo.catalog.errors import (
    InvalidCampaign,
    InvalidTransition,
    MinimumNotReached,
    MinimumReached,
    TransitionNotDue,
)
from openpo.catalog.models import Campaign
from openpo.catalog.services import (
    advance_campaign,
    cancel_campaign,
    close_campaign,
    complete_campaign,
    fail_campaign,
    open_campaign,
    publish_campaign,
    reopen_campaign,
    start_production,
    start_shipping,
)
from openpo.core.models import AuditEvent
from tests import factories
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db
S = Campaign.Status


def _upcoming(shop, now, **options):
    return make_campaign(
        shop,
        now=now,
        opens_at=now + timedelta(days=1),
        closes_at=now + timedelta(days=4),
        **options,
    )


def _closed(shop, now, buyer, *, units=0, moq=0):
    campaign = make_campaign(shop, now=now, moq_units=moq)
    if units:
        factories.order(campaign, units=units, buyer=buyer, now=now)
    return close_campaign(campaign=campaign, now=now)


def test_publishing_a_draft_schedules_it(shop, now, alice):
    campaign = _upcoming(shop, now, publish=False)
    assert campaign.status == S.DRAFT
    campaign = publish_campaign(campaign=campaign, actor=alice, now=now)

    assert campaign.status == S.SCHEDULED
    campaign.refresh_from_db()
    assert campaign.status == S.SCHEDULED and campaign.published_at == now
    event = AuditEvent.objects.get(action="campaign.publish")
    assert event.actor == alice and event.data == {"from": "draft", "to": "scheduled"}


def test_publishing_during_the_window_opens_it_at_once(shop, now):
    campaign = make_campaign(shop, now=now)
    assert campaign.status == S.OPEN


def test_it_refuses_to_publish_a_campaign_without_products(shop, now):
    from openpo.catalog.services import create_campaign

    campaign = create_campaign(
        shop=shop, title="Kosong", opens_at=now, closes_at=now + timedelta(days=1)
    )
    with pytest.raises(InvalidCampaign) as exc:
        publish_campaign(campaign=campaign, now=now)
    assert "products" in exc.value.field_errors
    campaign.refresh_from_db()
    assert campaign.status == S.DRAFT


def test_it_refuses_to_publish_twice(shop, now):
    campaign = _upcoming(shop, now)
    with pytest.raises(InvalidTransition):
        publish_campaign(campaign=campaign, now=now)


def test_it_opens_only_when_the_time_has_come(shop, now):
    campaign = _upcoming(shop, now)
    with pytest.raises(TransitionNotDue):
        open_campaign(campaign=campaign, now=now)
    campaign = open_campaign(campaign=campaign, now=campaign.opens_at)
    assert Campaign.objects.get(pk=campaign.pk).status == S.OPEN


def test_advancing_applies_what_time_made_due_and_is_idempotent(shop, now):
    campaign = _upcoming(shop, now)
    assert advance_campaign(campaign=campaign, now=now).status == S.SCHEDULED
    opened = advance_campaign(campaign=campaign, now=campaign.opens_at + timedelta(minutes=1))
    assert opened.status == S.OPEN
    after_close = campaign.closes_at + timedelta(minutes=1)
    closed = advance_campaign(campaign=opened, now=after_close)
    assert (closed.status, closed.close_reason) == (S.CLOSED, "time")
    assert advance_campaign(campaign=closed, now=after_close).status == S.CLOSED
    assert AuditEvent.objects.filter(action="campaign.close").count() == 1


def test_advancing_a_scheduled_campaign_past_its_close_closes_it(shop, now):
    campaign = _upcoming(shop, now)
    closed = advance_campaign(campaign=campaign, now=campaign.closes_at + timedelta(hours=1))
    assert closed.status == S.CLOSED


def test_advancing_fails_a_po_that_missed_its_minimum(shop, now, buyer):
    campaign = make_campaign(shop, now=now, moq_units=10)
    factories.order(campaign, units=3, buyer=buyer, now=now)
    failed = advance_campaign(campaign=campaign, now=campaign.closes_at)
    assert failed.status == S.FAILED
    assert Campaign.objects.get(pk=campaign.pk).status == S.FAILED


def test_advancing_keeps_a_po_that_reached_its_minimum(shop, now, buyer):
    campaign = make_campaign(shop, now=now, moq_units=3)
    factories.order(campaign, units=3, buyer=buyer, now=now)
    assert advance_campaign(campaign=campaign, now=campaign.closes_at).status == S.CLOSED


def test_the_seller_can_close_early_and_reopen_before_the_closing_time(shop, now, alice):
    campaign = make_campaign(shop, now=now)
    campaign = close_campaign(campaign=campaign, actor=alice, now=now)
    assert (campaign.status, campaign.close_reason) == (S.CLOSED, "early")
    campaign = reopen_campaign(campaign=campaign, actor=alice, now=now + timedelta(hours=1))
    assert campaign.status == S.OPEN and campaign.close_reason == ""


def test_it_refuses_to_reopen_after_the_closing_time(shop, now):
    campaign = close_campaign(campaign=make_campaign(shop, now=now), now=now)
    with pytest.raises(InvalidTransition):
        reopen_campaign(campaign=campaign, now=campaign.closes_at)


def test_it_refuses_to_close_early_a_po_that_has_not_opened(shop, now):
    campaign = _upcoming(shop, now)
    with pytest.raises(InvalidTransition):
        close_campaign(campaign=campaign, now=now)
    with pytest.raises(TransitionNotDue):
        close_campaign(campaign=campaign, reason=Campaign.CloseReason.TIME, now=now)


def test_production_needs_the_minimum(shop, now, buyer):
    campaign = _closed(shop, now, buyer, units=2, moq=5)
    with pytest.raises(MinimumNotReached) as exc:
        start_production(campaign=campaign, now=now)
    assert exc.value.params == {"moq": 5, "units": 2}
    assert Campaign.objects.get(pk=campaign.pk).status == S.CLOSED


def test_a_po_that_reached_its_minimum_cannot_be_failed(shop, now, buyer):
    campaign = _closed(shop, now, buyer, units=5, moq=5)
    with pytest.raises(MinimumReached):
        fail_campaign(campaign=campaign, now=now)


def test_it_walks_the_happy_path_to_completed(shop, now, buyer):
    campaign = _closed(shop, now, buyer, units=5, moq=5)
    for step, expected in [
        (start_production, S.PRODUCING),
        (start_shipping, S.SHIPPING),
        (complete_campaign, S.COMPLETED),
    ]:
        campaign = step(campaign=campaign, now=now)
        assert Campaign.objects.get(pk=campaign.pk).status == expected


@pytest.mark.parametrize(
    ("step", "allowed_from"),
    [
        (start_production, {S.CLOSED}),
        (start_shipping, {S.PRODUCING}),
        (complete_campaign, {S.SHIPPING}),
        (fail_campaign, {S.CLOSED}),
        (cancel_campaign, {S.DRAFT, S.SCHEDULED, S.OPEN, S.CLOSED}),
    ],
)
def test_each_step_is_refused_from_every_other_status(shop, now, step, allowed_from):
    campaign = make_campaign(shop, now=now, publish=False)
    for status in set(S.values) - set(allowed_from):
        Campaign.objects.filter(pk=campaign.pk).update(status=status)
        campaign.refresh_from_db()
        with pytest.raises(InvalidTransition):
            step(campaign=campaign, now=now)
        assert Campaign.objects.get(pk=campaign.pk).status == status


def test_cancelling_is_possible_before_production_only(shop, now, buyer):
    campaign = _closed(shop, now, buyer)
    assert cancel_campaign(campaign=campaign, reason="Bahan tidak tersedia", now=now).status == (
        S.CANCELLED
    )
    producing = start_production(campaign=_closed(shop, now, buyer, units=1), now=now)
    with pytest.raises(InvalidTransition):
        cancel_campaign(campaign=producing, now=now)


def test_a_stale_copy_cannot_move_a_campaign_someone_else_moved(shop, now):
    campaign = make_campaign(shop, now=now)
    stale = Campaign.objects.get(pk=campaign.pk)
    close_campaign(campaign=campaign, now=now)
    cancel_campaign(campaign=campaign, now=now)
    with pytest.raises(InvalidTransition):
        close_campaign(campaign=stale, now=now)
    assert Campaign.objects.get(pk=campaign.pk).status == S.CANCELLED


def test_a_phase_follows_the_clock_without_any_transition(shop, now):
    campaign = _upcoming(shop, now)
    assert campaign.phase(now) == S.SCHEDULED
    assert campaign.phase(campaign.opens_at) == S.OPEN
    assert campaign.phase(campaign.closes_at) == S.CLOSED
