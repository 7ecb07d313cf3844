"""Password reset by email, end to end over a real SMTP server: ask for a link, receive it,
choose a new password, log in with it."""

import re

import pytest
from django.conf import settings

from tests.smtpserver import smtp_server_fixture  # noqa: F401  (registers `smtp_server`)

pytestmark = pytest.mark.django_db


def test_a_seller_resets_a_forgotten_password_by_email(client, shop, alice, smtp_server):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    login_page = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/password_reset/"' in login_page

    form = client.get("/accounts/password_reset/")
    assert form.status_code == 200 and "Forgot your password?" in form.content.decode()
    response = client.post("/accounts/password_reset/", {"email": "alice@example.com"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password_reset/done/"
    assert "Check your email" in client.get(response["Location"]).content.decode()

    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "alice@example.com"
    assert message["Subject"] == "Reset your OpenPO password"
    body = smtp_server.body(message)
    assert "Your username is alice" in body
    (link,) = re.findall(r"http://testserver(/accounts/reset/\S+/)", body)

    # The link answers with a redirect to a URL without the token (kept in the session).
    confirm = client.get(link, follow=True)
    assert confirm.status_code == 200 and "Choose a new password" in confirm.content.decode()
    set_password_url = confirm.redirect_chain[-1][0]
    done = client.post(
        set_password_url,
        {"new_password1": "benang-merah-2026", "new_password2": "benang-merah-2026"},
        follow=True,
    )
    assert "Password changed" in done.content.decode()

    assert client.get(link, follow=True).context["validlink"] is False  # works once
    client.logout()
    old = client.post("/accounts/login/", {"username": "alice", "password": "password"})
    assert old.status_code == 200  # the form again: the old password no longer works
    new = client.post("/accounts/login/", {"username": "alice", "password": "benang-merah-2026"})
    assert new.status_code == 302 and new["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200


def test_an_unknown_email_gets_the_same_answer_and_no_mail(client, shop, smtp_server):
    response = client.post("/accounts/password_reset/", {"email": "nobody@example.com"})

    assert response.status_code == 302 and response["Location"] == "/accounts/password_reset/done/"
    assert smtp_server.messages == []


def test_the_pages_speak_indonesian_by_default(client, shop):
    html = client.get("/accounts/password_reset/").content.decode()

    assert 'lang="id"' in html
    assert 'name="email"' in html


def test_reset_requests_are_rate_limited_per_address(client, shop, settings, smtp_server):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset": (2, 3600)}
    answers = [
        client.post("/accounts/password_reset/", {"email": "alice@example.com"}).status_code
        for _ in range(3)
    ]

    assert answers == [302, 302, 429]
    assert len(smtp_server.wait_for(2)) == 2
