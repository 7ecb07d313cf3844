"""Which lifecycle steps a seller may take when (`allowed_steps`, `phase_allows`): by phase,
then the minimum order and the closing time, as the services judge them."""

from datetime import timedelta

import pytest

from openpo.catalog.models import Campaign
from openpo.catalog.services import close_campaign, start_production, start_shipping
from openpo.catalog.services.lifecycle import (
    SELLER_STEPS,
    TRANSITIONS,
    allowed_steps,
    can_reopen,
    minimum_reached,
    phase_allows,
)
from tests import factories
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db
S = Campaign.Status


def _order(campaign, buyer, units, now):
    factories.order(campaign, units=units, buyer=buyer, now=now)


def test_each_phase_allows_its_steps_in_the_order_they_are_offered(shop, now):
    # Opening tomorrow, so the phase of each status set below is that status.
    campaign = make_campaign(
        shop,
        now=now,
        publish=False,
        opens_at=now + timedelta(days=1),
        closes_at=now + timedelta(days=4),
    )
    open_at = campaign.opens_at
    expected = {
        S.DRAFT: ["cancel"],
        S.SCHEDULED: ["cancel"],
        S.OPEN: ["close", "cancel"],
        S.CLOSED: ["start_production", "reopen", "fail", "cancel"],
        S.PRODUCING: ["start_shipping"],
        S.SHIPPING: ["complete"],
        S.COMPLETED: [],
        S.FAILED: [],
        S.CANCELLED: [],
    }
    for status, steps in expected.items():
        campaign.status = status
        at = open_at if status == S.OPEN else now
        assert [s for s in SELLER_STEPS if phase_allows(campaign, s, at)] == steps, status


def test_the_seller_steps_are_the_transitions_less_publishing_and_opening():
    assert list(SELLER_STEPS) == [s for s in TRANSITIONS if s not in ("publish", "open")]
    for step, phases in SELLER_STEPS.items():
        assert phases <= TRANSITIONS[step][0], step


def test_a_phase_follows_the_clock_before_any_transition_ran(shop, now):
    campaign = make_campaign(shop, now=now)  # open until now + 3 days
    later = campaign.closes_at
    assert campaign.status == S.OPEN
    assert phase_allows(campaign, "close", now)
    assert not phase_allows(campaign, "close", later)
    assert phase_allows(campaign, "start_production", later)
    # Still `open` in the database: reopening needs a PO that was closed by hand.
    assert allowed_steps(campaign, later) == ["start_production", "cancel"]


def test_an_unknown_step_is_never_allowed(shop, now):
    campaign = make_campaign(shop, now=now)
    assert not phase_allows(campaign, "publish", now)
    assert not phase_allows(campaign, "explode", now)


def test_a_po_closed_early_may_start_production_reopen_or_cancel(shop, now):
    campaign = close_campaign(campaign=make_campaign(shop, now=now), now=now)
    assert allowed_steps(campaign, now) == ["start_production", "reopen", "cancel"]


def test_reopening_ends_at_the_closing_time(shop, now):
    campaign = close_campaign(campaign=make_campaign(shop, now=now), now=now)
    assert can_reopen(campaign, campaign.closes_at - timedelta(seconds=1))
    assert not can_reopen(campaign, campaign.closes_at)
    assert "reopen" not in allowed_steps(campaign, campaign.closes_at)


def test_a_po_closed_by_the_clock_cannot_reopen(shop, now):
    campaign = make_campaign(shop, now=now)
    campaign = close_campaign(
        campaign=campaign, reason=Campaign.CloseReason.TIME, now=campaign.closes_at
    )
    assert not can_reopen(campaign, now)
    assert allowed_steps(campaign, campaign.closes_at) == ["start_production", "cancel"]


def test_below_the_minimum_a_closed_po_may_fail_but_not_start_production(shop, now, buyer):
    campaign = make_campaign(shop, now=now, moq_units=3)
    _order(campaign, buyer, 2, now)
    close_campaign(campaign=campaign, now=now)
    assert not minimum_reached(campaign, 2)
    assert allowed_steps(campaign, now) == ["reopen", "fail", "cancel"]


def test_at_the_minimum_a_closed_po_may_start_production_but_not_fail(shop, now, buyer):
    campaign = make_campaign(shop, now=now, moq_units=3)
    _order(campaign, buyer, 3, now)
    close_campaign(campaign=campaign, now=now)
    assert minimum_reached(campaign, 3)
    assert allowed_steps(campaign, now) == ["start_production", "reopen", "cancel"]


def test_a_po_without_a_minimum_never_fails(shop, now):
    campaign = close_campaign(campaign=make_campaign(shop, now=now), now=now)
    assert minimum_reached(campaign, 0)
    assert "fail" not in allowed_steps(campaign, now)


def test_the_units_given_are_judged_instead_of_read(shop, now, buyer):
    campaign = make_campaign(shop, now=now, moq_units=3)
    _order(campaign, buyer, 3, now)
    close_campaign(campaign=campaign, now=now)
    assert allowed_steps(campaign, now, units=1) == ["reopen", "fail", "cancel"]


def test_later_phases_allow_the_next_step_only(shop, now):
    campaign = close_campaign(campaign=make_campaign(shop, now=now), now=now)
    start_production(campaign=campaign, now=now)
    assert allowed_steps(campaign, now) == ["start_shipping"]
    start_shipping(campaign=campaign, now=now)
    assert allowed_steps(campaign, now) == ["complete"]
