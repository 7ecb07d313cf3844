"""WhatsApp's 24-hour rule, asked with the clock passed in: free text within 24 hours of the
buyer's last message, else the approved template, else the seller's phone queue."""

from datetime import timedelta

import pytest

from openpo.messaging.window import WhatsAppRoute, in_service_window, whatsapp_route


@pytest.mark.parametrize(
    ("ago", "has_template", "route"),
    [
        (timedelta(minutes=1), True, WhatsAppRoute.TEXT),
        (timedelta(hours=23, minutes=59), False, WhatsAppRoute.TEXT),
        (timedelta(hours=24), True, WhatsAppRoute.TEMPLATE),
        (timedelta(hours=25), True, WhatsAppRoute.TEMPLATE),
        (timedelta(hours=25), False, WhatsAppRoute.PHONE),
        (None, True, WhatsAppRoute.TEMPLATE),
        (None, False, WhatsAppRoute.PHONE),
    ],
)
def test_it_picks_the_route_the_rule_allows(now, ago, has_template, route):
    last = None if ago is None else now - ago

    assert whatsapp_route(last_inbound_at=last, has_template=has_template, now=now) == route


def test_a_message_stamped_a_little_ahead_counts_as_just_now(now):
    assert in_service_window(now + timedelta(seconds=5), now=now)


def test_the_window_is_measured_at_sending_time_not_writing_time(now):
    last = now - timedelta(hours=20)

    assert in_service_window(last, now=now)
    assert not in_service_window(last, now=now + timedelta(hours=5))
