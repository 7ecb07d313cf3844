"""Every page answers with a strict Content-Security-Policy (django-csp, configured in settings):
scripts only from our own static files or carrying the response's nonce, no inline styles or
event handlers, no plugins, never framed, forms only to the site itself and Midtrans Snap.

Here the header and the HTML are checked; the dashboard part walks the URLconf as
tests/dashboard/test_isolation.py does, so a new page is checked without being listed. That a
browser refuses nothing while the pages still work is tests/e2e/test_csp.py.
"""

import urllib.parse
from html.parser import HTMLParser

import pytest
from django.core import mail

from openpo.payments.gateways.midtrans import snap_base_url
from tests import factories
from tests.conftest import make_campaign
from tests.dashboard.test_isolation import _alices_ids, _dashboard_patterns, _url_with_ids
from tests.ops.test_settings import _setting

pytestmark = pytest.mark.django_db

# The policy apart from the nonce, which is new in every response.
STRICT = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
}
PROOF_POLICY = "default-src 'none'; sandbox"
EXECUTABLE = {"", "text/javascript", "application/javascript", "module"}


class _PageScan(HTMLParser):
    """What a page would ask the policy for: its scripts, <style> blocks, inline attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.style_blocks = 0
        self.inline_attributes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script" and (attributes.get("type") or "").lower() in EXECUTABLE:
            self.scripts.append(attributes)
        if tag == "style":
            self.style_blocks += 1
        for name, value in attributes.items():
            if name == "style" or name.startswith("on"):
                self.inline_attributes.append(f"<{tag} {name}>")
            elif (value or "").strip().lower().startswith("javascript:"):
                self.inline_attributes.append(f"<{tag} {name}=javascript:>")


def policy_of(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        directive.split()[0]: directive.split()[1:]
        for directive in header.split(";")
        if directive.strip()
    }


def nonce_of(response) -> str | None:
    nonces = [s for s in policy_of(response)["script-src"] if s.startswith("'nonce-")]
    assert len(nonces) <= 1, nonces
    return nonces[0].removeprefix("'nonce-").removesuffix("'") if nonces else None


def assert_strict(response, *, scripts_expected: bool = True) -> _PageScan:
    """The strict policy, every script of the page carrying the header's nonce, and nothing
    inline that the policy would refuse (a browser would block it and log an error)."""
    assert "Content-Security-Policy" in response, response.request["PATH_INFO"]
    policy = policy_of(response)
    nonce = nonce_of(response)
    without_nonce = {k: [s for s in v if not s.startswith("'nonce-")] for k, v in policy.items()}
    assert without_nonce.items() >= STRICT.items(), policy
    assert without_nonce["form-action"][0] == "'self'"
    assert "'unsafe-inline'" not in policy["script-src"] + policy["style-src"]
    assert "'unsafe-eval'" not in policy["script-src"]

    page = _PageScan()
    page.feed(response.content.decode())
    url = response.request["PATH_INFO"]
    if scripts_expected:
        assert page.scripts, f"{url}: no scripts; is this a page of base.html?"
        assert nonce, f"{url}: the header has no nonce although the page has scripts"
    for script in page.scripts:
        assert script.get("nonce") == nonce, (url, script)
    assert page.style_blocks == 0, f"{url}: a <style> block (move it to a static .css file)"
    assert page.inline_attributes == [], (url, page.inline_attributes)
    return page


@pytest.fixture
def order(campaign, buyer, now):
    return factories.order(campaign, units=2, buyer=buyer, now=now)


def test_the_campaign_page_runs_only_scripts_with_its_nonce(client, campaign):
    response = client.get(f"/{campaign.shop.slug}/{campaign.slug}/")
    assert response.status_code == 200
    page = assert_strict(response)
    sources = {script["src"] for script in page.scripts}
    assert {"/static/vendor/htmx-2.0.11/htmx.min.js", "/static/openpo/site.js"} <= sources


def test_each_response_has_a_new_nonce(client, campaign):
    url = f"/{campaign.shop.slug}/{campaign.slug}/"
    first, second = nonce_of(client.get(url)), nonce_of(client.get(url))
    assert first and second and first != second
    assert len(first) >= 22  # 128 bits, base64


def test_the_minimum_order_bar_is_drawn_without_a_style_attribute(client, shop, now, buyer):
    campaign = make_campaign(shop, now=now, moq_units=10, slug="moq")
    factories.order(campaign, units=4, buyer=buyer)
    response = client.get(f"/{shop.slug}/moq/")
    assert_strict(response)
    assert '<rect width="40%" height="100%"/>' in response.content.decode()


def test_the_order_form_fragment_that_htmx_swaps_in_has_nothing_inline(client, campaign):
    response = client.post(
        f"/{campaign.shop.slug}/{campaign.slug}/order/", {"name": ""}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert_strict(response, scripts_expected=False)


def test_the_buyers_order_page_has_the_policy_and_no_style_block(client, order):
    response = client.get(f"/o/{order.secret}/")
    assert response.status_code == 200
    assert_strict(response)


def test_the_pay_online_button_may_send_the_buyer_to_midtrans_snap(client, order):
    # The button posts to our own URL, which redirects to Snap's payment page: browsers hold
    # the redirect to form-action too.
    snap = urllib.parse.urlsplit(snap_base_url())
    form_action = policy_of(client.get(f"/o/{order.secret}/"))["form-action"]
    assert form_action == ["'self'", f"{snap.scheme}://{snap.netloc}"]


@pytest.mark.parametrize(
    "url", ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password_reset/"]
)
def test_the_public_pages_have_the_policy(client, shop, url):
    response = client.get(url)
    assert response.status_code == 200
    assert_strict(response)


def test_the_login_page_past_the_lockout_has_the_policy(client, alice, settings):
    settings.LOGIN_FAILURES_PER_USER = 1
    for _attempt in range(3):
        response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    assert response.status_code == 429
    assert_strict(response)


def test_the_rate_limited_page_has_the_policy(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset": (1, 60)}
    client.post("/accounts/password_reset/", {"email": "nobody@example.com"})
    response = client.post("/accounts/password_reset/", {"email": "nobody@example.com"})
    assert response.status_code == 429
    assert_strict(response)
    assert len(mail.outbox) == 0  # no such user: nothing sent, but the limit counts


def test_a_page_not_found_has_the_policy(client, shop):
    response = client.get(f"/{shop.slug}/no-such-po/")
    assert response.status_code == 404
    assert_strict(response, scripts_expected=False)


def test_every_dashboard_page_has_the_policy_and_nothing_inline(
    client, shop, alice, buyer, now, campaign
):
    ids = _alices_ids(shop, alice, buyer, now)
    # A proof in the payments queue, with its data-autofocus Confirm button.
    factories.claimed(factories.order(campaign, buyer=buyer), now=now)
    client.force_login(alice)

    pages = []
    for pattern in _dashboard_patterns():
        url = _url_with_ids(pattern, ids)
        response = client.get(url)
        assert "Content-Security-Policy" in response, (url, response.status_code)
        if response["Content-Security-Policy"] == PROOF_POLICY:
            continue  # a proof file's own, stricter policy
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            partial = not response.content.lstrip().startswith(b"<!doctype html>")
            assert_strict(response, scripts_expected=not partial)
            pages.append(pattern.name)
    assert len(pages) >= 30, pages
    assert {"orders", "share", "payments", "recap", "campaign_cashflow", "index"} <= set(pages)


def test_the_proof_files_keep_their_own_sandbox_policy(client, alice, campaign, order, now):
    factories.claimed(order, now=now)
    client.force_login(alice)
    response = client.get(f"/dashboard/payments/proofs/{order.payment_proofs.get().pk}/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == PROOF_POLICY


def test_the_api_docs_run_no_inline_script(client):
    # Swagger UI from ninja's own static files (ninja is an installed app), not from a CDN.
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = _PageScan()
    page.feed(response.content.decode())
    assert page.scripts and all(s["src"].startswith("/static/ninja/") for s in page.scripts)
    assert policy_of(response)["script-src"] == ["'self'"]


def test_the_admin_and_the_api_have_the_policy_too(admin_client, campaign):
    for url in ["/admin/", "/admin/orders/order/", f"/api/v1/public/{campaign.shop.slug}/x"]:
        response = admin_client.get(url)
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"], url


def test_the_other_buyer_urls_have_the_policy(client, shop, campaign):
    for url in [
        f"/{shop.slug}/",
        f"/{shop.slug}/{campaign.slug}/po.ics",
        "/health/",
        "/accounts/password_reset/done/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Content-Security-Policy" in response, url
        if response["Content-Type"].startswith("text/html"):
            assert_strict(response)


def test_the_report_address_and_the_snap_origin_come_from_the_environment(tmp_path):
    directives = _setting(
        's.CONTENT_SECURITY_POLICY["DIRECTIVES"]',
        tmp_path,
        OPENPO_CSP_REPORT_URI="https://csp.example.id/report",
        OPENPO_MIDTRANS_SNAP_URL="https://app.midtrans.com/",
    )
    assert "'report-uri': 'https://csp.example.id/report'" in directives
    assert "'form-action': [\"'self'\", 'https://app.midtrans.com']" in directives
    without = _setting('s.CONTENT_SECURITY_POLICY["DIRECTIVES"]', tmp_path)
    assert "report-uri" not in without
