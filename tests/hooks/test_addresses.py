"""A webhook goes to the internet, never into the server's own network (hooks.addresses)."""

import socket

import pytest

from openpo.hooks.addresses import resolved_problem, url_problem
from openpo.hooks.models import WebhookAttempt
from openpo.hooks.services import InvalidEndpoint, create_endpoint

pytestmark = pytest.mark.django_db

INSIDE = [
    "https://10.0.0.5/hook",
    "https://192.168.1.1/hook",
    "https://172.16.0.1/hook",
    "https://169.254.169.254/latest/meta-data",
    "https://[fd00::1]/hook",
    "https://100.64.0.1/hook",  # carrier-grade NAT
    "https://0.0.0.0/hook",
]


@pytest.mark.parametrize("url", INSIDE)
def test_an_address_inside_a_private_network_is_refused_when_saved(url, shop, alice, settings):
    settings.WEBHOOKS_ALLOW_LOCAL = True  # even with this machine allowed

    with pytest.raises(InvalidEndpoint) as refused:
        create_endpoint(shop=shop, url=url, events=["order.created"], actor=alice)

    assert "url" in refused.value.field_errors


@pytest.mark.parametrize(
    "url", ["https://127.0.0.1/hook", "http://localhost:8000/hook", "https://[::1]/h"]
)
def test_this_machine_is_refused_in_production_and_allowed_in_development(url, settings):
    settings.WEBHOOKS_ALLOW_LOCAL = False
    assert url_problem(url) is not None
    settings.WEBHOOKS_ALLOW_LOCAL = True
    assert url_problem(url) is None


def test_plain_http_to_the_internet_is_refused_and_https_taken(settings):
    settings.WEBHOOKS_ALLOW_LOCAL = False
    assert url_problem("http://hooks.example.com/openpo") is not None
    assert url_problem("https://hooks.example.com/openpo") is None
    assert url_problem("https://user:pw@hooks.example.com/") is not None


def _own_name() -> str:
    """This machine's name: not a literal local address, so it is looked up, and what it
    resolves to (127.0.0.1 here, a private address in most containers) is inside."""
    return socket.gethostname()


def test_a_name_that_resolves_inside_is_not_posted_to(settings):
    settings.WEBHOOKS_ALLOW_LOCAL = False
    assert url_problem(f"https://{_own_name()}/hook") is None  # a name: fine as typed
    problem = resolved_problem(f"https://{_own_name()}/hook")
    assert problem is not None and problem.startswith(_own_name())


def test_a_delivery_to_such_a_name_is_a_failed_attempt_not_a_request(shop, alice, settings, now):
    from openpo.hooks import events
    from openpo.hooks.delivery import deliver_due

    settings.WEBHOOKS_ALLOW_LOCAL = True
    endpoint, _secret = create_endpoint(
        shop=shop, url=f"https://{_own_name()}/hook", events=["order.created"], actor=alice
    )
    settings.WEBHOOKS_ALLOW_LOCAL = False
    events.emit(shop, "order.created", {"code": "PO-TEST1"}, key="t:1", now=now)

    deliver_due(now=now)

    (attempt,) = WebhookAttempt.objects.filter(delivery__endpoint=endpoint)
    assert attempt.status_code is None and attempt.error.startswith(_own_name())
