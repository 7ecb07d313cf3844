"""The team page: who works in the shop and with which role (every member may look); owners
invite by email or a link to share on WhatsApp, revoke invitations, change roles, remove
members. Accepting an invitation is `team_invitation`.
"""

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from openpo.catalog.models import Invitation, Membership
from openpo.catalog.services.team import (
    accept_url,
    change_member_role,
    invite_member,
    remove_member,
    revoke_invitation,
)
from openpo.core.errors import DomainError
from openpo.core.forms import Form, add_domain_error
from openpo.dashboard.access import get_shop_object, owner_required, shop_member_required


class InviteForm(Form):
    email = forms.EmailField(
        label=gettext_lazy("Email"),
        widget=forms.EmailInput(attrs={"autocomplete": "off", "placeholder": "nama@email.com"}),
    )
    role = forms.ChoiceField(
        label=gettext_lazy("Role"),
        choices=Membership.Role.choices,
        initial=Membership.Role.STAFF,
        help_text=gettext_lazy(
            "Staff run POs and orders. Owners can also change shop settings and the team."
        ),
    )


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _share_text(invitation: Invitation, link: str) -> str:
    return _(
        "Hi! You are invited to join the team of %(shop)s on OpenPO as %(role)s. "
        "Open this link to join (valid until %(date)s): %(link)s"
    ) % {
        "shop": invitation.shop.name,
        "role": invitation.get_role_display().lower(),
        "date": timezone.localtime(invitation.expires_at, invitation.shop.tzinfo).strftime(
            "%d-%m-%Y"
        ),
        "link": link,
    }


def render_team(
    request: HttpRequest, *, invite_form: InviteForm | None = None, status: int = 200
) -> HttpResponse:
    shop = request.shop
    is_owner = request.membership.role == Membership.Role.OWNER
    members = shop.memberships.select_related("user").order_by("role", "user__username")
    pending = shop.invitations.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("invited_by")
    invitations = []
    for invitation in pending:
        link = accept_url(invitation.token, base_url=_base_url(request)) if is_owner else ""
        share = "https://wa.me/?text=" + quote(_share_text(invitation, link)) if is_owner else ""
        invitations.append({"invitation": invitation, "link": link, "share_url": share})
    return render(
        request,
        "dashboard/team/team.html",
        {
            "shop": shop,
            "dash_section": "team",
            "is_owner": is_owner,
            "members": members,
            "owner_count": sum(1 for m in members if m.role == Membership.Role.OWNER),
            "invitations": invitations,
            "invite_form": invite_form or InviteForm(),
            "roles": Membership.Role.choices,
        },
        status=status,
    )


@require_GET
@shop_member_required
def team(request: HttpRequest) -> HttpResponse:
    return render_team(request)


@owner_required
@require_POST
def invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = invite_member(
                shop=request.shop,
                actor=request.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                base_url=_base_url(request),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("Invitation emailed to %(email)s. You can also send the link below on WhatsApp.")
                % {"email": invitation.email},
            )
            return redirect(reverse("dashboard:team") + f"#invitation-{invitation.pk}")
    return render_team(request, invite_form=form, status=422)


@owner_required
@require_POST
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = get_shop_object(request, Invitation, pk=invitation_id)
    try:
        revoke_invitation(invitation=invitation, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Invitation for %(email)s withdrawn.") % {"email": invitation.email}
        )
    return redirect("dashboard:team")


def _member(request: HttpRequest) -> Membership:
    """The member named by the form's `member` field: one of this shop's, or 404."""
    member_id = request.POST.get("member", "")
    return get_shop_object(request, Membership, pk=int(member_id) if member_id.isdigit() else 0)


@owner_required
@require_POST
def member_role(request: HttpRequest) -> HttpResponse:
    membership = _member(request)
    try:
        change_member_role(
            membership=membership, actor=request.user, role=request.POST.get("role", "")
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("dashboard:team")
    messages.success(
        request,
        _("%(user)s is now %(role)s.")
        % {"user": membership.user.get_username(), "role": membership.get_role_display()},
    )
    if membership.user_id == request.user.pk and membership.role != Membership.Role.OWNER:
        return redirect("dashboard:index")  # the settings and team tools are owners' only
    return redirect("dashboard:team")


@owner_required
@require_POST
def member_remove(request: HttpRequest) -> HttpResponse:
    membership = _member(request)
    name = membership.user.get_username()
    try:
        remove_member(membership=membership, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("dashboard:team")
    messages.success(request, _("%(user)s was removed from the team.") % {"user": name})
    if membership.user_id == request.user.pk:
        return redirect("dashboard:index")
    return redirect("dashboard:team")


urlpatterns = [
    path("team/", team, name="team"),
    path("team/invite/", invite, name="team_invite"),
    path(
        "team/invitations/<int:invitation_id>/revoke/",
        invitation_revoke,
        name="team_invitation_revoke",
    ),
    path("team/members/role/", member_role, name="team_member_role"),
    path("team/members/remove/", member_remove, name="team_member_remove"),
]
