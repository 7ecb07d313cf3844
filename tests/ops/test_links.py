"""Links in messages and emails follow the address served: `make run PORT=8100` and
`openpo serve --port 8100` write :8100 links unless OPENPO_SITE_URL is set; the admin leads
back to the dashboard."""

import os
import subprocess
from pathlib import Path

import pytest

from openpo.messaging.models import OutboxMessage
from openpo.ops import serve
from tests import factories

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def no_site_url(settings, monkeypatch):
    monkeypatch.delenv("OPENPO_SITE_URL", raising=False)
    settings.SITE_URL_IS_SET = False
    settings.SITE_URL = "http://127.0.0.1:8000"
    yield
    os.environ.pop("OPENPO_SITE_URL", None)


def _options(host="127.0.0.1", port=8100):
    return serve.make_options(host=host, port=port, workers=1, threads=1)


@pytest.mark.django_db
def test_an_order_served_on_8100_is_told_an_8100_link(no_site_url, campaign, buyer):
    serve.follow_served_address(_options(port=8100))

    order = factories.order(campaign, buyer=buyer)

    bodies = list(OutboxMessage.objects.filter(order=order).values_list("body", flat=True))
    assert bodies and all(f"http://127.0.0.1:8100/o/{order.secret}/" in body for body in bodies)
    assert os.environ["OPENPO_SITE_URL"] == "http://127.0.0.1:8100"


def test_a_wildcard_host_links_to_this_machine(no_site_url):
    assert serve.follow_served_address(_options(host="0.0.0.0", port=9000)) == (
        "http://127.0.0.1:9000"
    )


def test_a_site_url_that_is_set_wins(settings, monkeypatch):
    settings.SITE_URL_IS_SET = True
    settings.SITE_URL = "https://po.example.id"

    assert serve.follow_served_address(_options(port=8100)) == "https://po.example.id"


def test_make_run_gives_the_demo_worker_and_server_the_port_it_serves():
    plan = subprocess.run(
        ["make", "-n", "run", "PORT=8100"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout

    assert "OPENPO_SITE_URL=${OPENPO_SITE_URL:-http://127.0.0.1:8100}" in plan
    assert plan.index("export OPENPO_SITE_URL") < plan.index("openpo worker")
    assert "kill -TERM $worker 2>/dev/null" in plan


@pytest.mark.django_db
def test_the_admin_leads_back_to_the_dashboard(admin_client):
    page = admin_client.get("/admin/").content.decode()

    assert 'href="/dashboard/"' in page
