"""The team: every member sees it; owners invite (email over real SMTP, and a link to share on
WhatsApp), withdraw, change roles and remove; an invitation link works once, for 7 days; a
shop never loses its last owner."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from openpo.catalog.models import Invitation, Membership
from openpo.catalog.services.team import (
    InvitationUnusable,
    LastOwner,
    accept_invitation,
    invite_member,
    remove_member,
)
from openpo.core.models import AuditEvent
from openpo.dashboard.access import SESSION_KEY
from tests.concurrency import run_at_once
from tests.smtpserver import smtp_server_fixture  # noqa: F401  (registers `smtp_server`)

pytestmark = pytest.mark.django_db

TEAM = "/dashboard/team/"


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _invite(shop, alice, email="dina@example.com", role=Membership.Role.STAFF, **kwargs):
    return invite_member(
        shop=shop, actor=alice, email=email, role=role, base_url="http://testserver", **kwargs
    )


def test_every_member_sees_the_team_but_only_owners_get_the_tools(client, shop, alice, bob):
    invitation = _invite(shop, alice)
    client.force_login(bob)
    html = client.get(TEAM).content.decode()

    assert "alice" in html and "bob" in html
    assert 'action="/dashboard/team/invite/"' not in html
    assert "dina@example.com" in html and invitation.token not in html  # no link for staff

    client.force_login(alice)
    html = client.get(TEAM).content.decode()
    assert 'action="/dashboard/team/invite/"' in html
    assert f"/accounts/invite/{invitation.token}/" in html


def test_staff_cannot_invite_change_roles_or_remove(client, shop, alice, bob):
    client.force_login(bob)
    alices = Membership.objects.get(shop=shop, user=alice)

    assert client.post("/dashboard/team/invite/", {"email": "x@example.com"}).status_code == 403
    assert (
        client.post(
            "/dashboard/team/members/role/", {"member": alices.pk, "role": "staff"}
        ).status_code
        == 403
    )
    assert client.post("/dashboard/team/members/remove/", {"member": alices.pk}).status_code == 403
    assert not Invitation.objects.exists()
    assert Membership.objects.get(pk=alices.pk).role == Membership.Role.OWNER


def test_an_invitation_is_emailed_and_accepted_by_a_new_user(
    client, shop, alice, smtp_server, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/dashboard/team/invite/", {"email": "dina@example.com", "role": "staff"}
        )

    invitation = Invitation.objects.get()
    assert response.status_code == 302
    assert invitation.shop == shop and invitation.invited_by == alice
    assert len(invitation.token) >= 43
    assert timedelta(days=6, hours=23) < invitation.expires_at - timezone.now() <= timedelta(days=7)
    page = client.get(TEAM).content.decode()
    assert "https://wa.me/?text=" in page and invitation.token in page

    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "dina@example.com"
    assert "Toko Alice" in message["Subject"]
    (link,) = re.findall(r"http://testserver(/accounts/invite/\S+/)", smtp_server.body(message))

    client.logout()
    visitor = _english(client)
    assert "Join the team of Toko Alice" in visitor.get(link).content.decode()
    response = visitor.post(
        link, {"username": "dina", "password1": "rajut-kirana-77", "password2": "rajut-kirana-77"}
    )

    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    membership = Membership.objects.get(shop=shop, user__username="dina")
    assert membership.role == Membership.Role.STAFF
    assert membership.user.email == "dina@example.com"
    assert visitor.session[SESSION_KEY] == shop.pk
    assert "Toko Alice" in visitor.get("/dashboard/").content.decode()
    invitation.refresh_from_db()
    assert invitation.accepted_by == membership.user and invitation.accepted_at
    assert AuditEvent.objects.filter(action="shop.invitation_accepted").exists()


def test_a_used_invitation_link_is_refused(client, shop, alice, charlie):
    invitation = _invite(shop, alice)
    link = f"/accounts/invite/{invitation.token}/"
    client.force_login(charlie)
    assert client.post(link).status_code == 302
    assert Membership.objects.filter(shop=shop, user=charlie).exists()

    client.logout()
    again = _english(client).post(
        link, {"username": "eko", "password1": "rajut-kirana-77", "password2": "rajut-kirana-77"}
    )

    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    assert not Membership.objects.filter(user__username="eko").exists()


def test_an_expired_invitation_link_is_refused(client, shop, alice, charlie):
    invitation = _invite(shop, alice, now=timezone.now() - timedelta(days=8))
    client.force_login(charlie)
    _english(client)

    page = client.get(f"/accounts/invite/{invitation.token}/")
    assert page.status_code == 410 and "has expired" in page.content.decode()
    assert client.post(f"/accounts/invite/{invitation.token}/").status_code == 410
    assert not Membership.objects.filter(shop=shop, user=charlie).exists()


def test_a_withdrawn_invitation_link_is_refused(client, shop, alice, charlie):
    invitation = _invite(shop, alice)
    client.force_login(alice)
    response = client.post(f"/dashboard/team/invitations/{invitation.pk}/revoke/")
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None

    client.force_login(charlie)
    page = _english(client).post(f"/accounts/invite/{invitation.token}/")
    assert page.status_code == 410 and "withdrawn" in page.content.decode()
    assert not Membership.objects.filter(shop=shop, user=charlie).exists()


def test_an_unknown_invitation_link_answers_404(client):
    assert client.get("/accounts/invite/nope/").status_code == 404


def test_a_new_user_with_mismatched_passwords_is_asked_again(client, shop, alice):
    invitation = _invite(shop, alice)
    response = _english(client).post(
        f"/accounts/invite/{invitation.token}/",
        {"username": "dina", "password1": "rajut-kirana-77", "password2": "rajut-kirana-78"},
    )

    assert response.status_code == 422
    assert "The two passwords differ" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not Membership.objects.filter(user__username="dina").exists()


def test_an_owner_invitation_makes_a_staff_member_an_owner(client, shop, alice, bob):
    invitation = _invite(shop, alice, email="bob@example.com", role=Membership.Role.OWNER)
    client.force_login(bob)
    client.post(f"/accounts/invite/{invitation.token}/")

    assert Membership.objects.get(shop=shop, user=bob).role == Membership.Role.OWNER


def test_inviting_a_bad_email_or_a_member_is_explained(client, shop, alice):
    client.force_login(alice)
    _english(client)

    bad = client.post("/dashboard/team/invite/", {"email": "not-an-email", "role": "staff"})
    member = client.post("/dashboard/team/invite/", {"email": "bob@example.com", "role": "staff"})

    assert bad.status_code == 422 and member.status_code == 422
    assert "already in the team" in member.content.decode()
    assert not Invitation.objects.exists()


def test_the_owner_changes_a_role_and_removes_a_member(client, shop, alice, bob):
    client.force_login(alice)
    bobs = Membership.objects.get(shop=shop, user=bob)

    client.post("/dashboard/team/members/role/", {"member": bobs.pk, "role": "owner"})
    assert Membership.objects.get(pk=bobs.pk).role == Membership.Role.OWNER

    client.post("/dashboard/team/members/remove/", {"member": bobs.pk})
    assert not Membership.objects.filter(pk=bobs.pk).exists()
    assert AuditEvent.objects.filter(action="shop.member_removed").exists()


def test_the_last_owner_can_be_neither_removed_nor_demoted(client, shop, alice):
    client.force_login(alice)
    _english(client)
    alices = Membership.objects.get(shop=shop, user=alice)

    response = client.post("/dashboard/team/members/remove/", {"member": alices.pk}, follow=True)
    assert "at least one owner" in response.content.decode()
    client.post("/dashboard/team/members/role/", {"member": alices.pk, "role": "staff"})

    assert Membership.objects.get(pk=alices.pk).role == Membership.Role.OWNER
    with pytest.raises(LastOwner):
        remove_member(membership=alices, actor=alice)


def test_an_owner_may_step_down_when_another_owner_remains(client, shop, alice, bob):
    Membership.objects.filter(shop=shop, user=bob).update(role=Membership.Role.OWNER)
    client.force_login(alice)
    alices = Membership.objects.get(shop=shop, user=alice)

    response = client.post("/dashboard/team/members/role/", {"member": alices.pk, "role": "staff"})

    assert response["Location"] == "/dashboard/"
    assert Membership.objects.get(pk=alices.pk).role == Membership.Role.STAFF


def test_members_of_another_shop_cannot_be_touched(client, shop, alice, other_shop, charlie):
    charlies = Membership.objects.get(shop=other_shop, user=charlie)
    client.force_login(alice)

    assert (
        client.post("/dashboard/team/members/remove/", {"member": charlies.pk}).status_code == 404
    )
    assert client.post("/dashboard/team/members/remove/", {"member": "x"}).status_code == 404
    assert Membership.objects.filter(pk=charlies.pk).exists()


def test_a_failing_mail_server_does_not_lose_the_invitation(
    client, shop, alice, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/dashboard/team/invite/", {"email": "dina@example.com", "role": "staff"}
        )

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.token in client.get(TEAM).content.decode()


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_two_owners_removing_each_other_at_once_leave_one_owner(
    shop, alice, bob, vendor, record_property
):
    Membership.objects.filter(shop=shop, user=bob).update(role=Membership.Role.OWNER)
    alices = Membership.objects.get(shop=shop, user=alice)
    bobs = Membership.objects.get(shop=shop, user=bob)

    results, errors = run_at_once(
        [
            lambda: remove_member(membership=Membership.objects.get(pk=bobs.pk), actor=alice),
            lambda: remove_member(membership=Membership.objects.get(pk=alices.pk), actor=bob),
        ]
    )

    assert len(results) == 1 and len(errors) == 1 and isinstance(errors[0], LastOwner)
    owners = Membership.objects.filter(shop=shop, role=Membership.Role.OWNER).count()
    assert owners == 1
    record_property("result", f"{vendor}: 2 owners remove each other → {owners} owner left")


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_one_invitation_accepted_from_two_tabs_at_once_is_used_once(
    shop, alice, charlie, django_user_model, vendor, record_property
):
    dina = django_user_model.objects.create_user("dina", "dina@example.com", "password")
    invitation = _invite(shop, alice)

    def accept(user):
        return lambda: accept_invitation(
            invitation=Invitation.objects.get(pk=invitation.pk), user=user
        )

    results, errors = run_at_once([accept(charlie), accept(dina)])

    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], InvitationUnusable)
    joined = Membership.objects.filter(shop=shop, user__in=[charlie, dina]).count()
    assert joined == 1
    record_property("result", f"{vendor}: 2 tabs accept one invitation → {joined} joins")
