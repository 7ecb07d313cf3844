"""Accepting an invitation at /accounts/invite/<token>/: a logged-in user joins with one
button; a visitor logs in first, or makes an account (username and password) and joins in
the same step. Links that expired, were withdrawn or were used already say so plainly.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login, password_validation
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from openpo.catalog.models import Invitation
from openpo.catalog.services.team import InvitationUnusable, accept_invitation, check_usable
from openpo.core.errors import DomainError
from openpo.core.forms import Form
from openpo.core.ratelimit import rate_limit
from openpo.dashboard.access import SESSION_KEY


class JoinForm(Form):
    """A new account for the invited person: a username and a password typed twice."""

    username = forms.SlugField(
        label=gettext_lazy("Username"),
        max_length=150,
        help_text=gettext_lazy("Letters, numbers, - and _; you log in with it."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password1 = forms.CharField(
        label=gettext_lazy("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=gettext_lazy("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is taken."))
        return username

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            user = get_user_model()(username=data.get("username", ""), email=self.email)
            try:
                password_validation.validate_password(first, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


def _page(
    request: HttpRequest,
    invitation: Invitation | None,
    *,
    problem: str = "",
    form: JoinForm | None = None,
    status: int = 200,
) -> HttpResponse:
    if invitation is not None and form is None and not request.user.is_authenticated:
        form = JoinForm(email=invitation.email)
    return render(
        request,
        "registration/invitation.html",
        {"invitation": invitation, "problem": problem, "form": form},
        status=status,
    )


def _joined(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    request.session[SESSION_KEY] = invitation.shop_id
    messages.success(
        request,
        _("Welcome to the team of %(shop)s!") % {"shop": invitation.shop.name},
    )
    return redirect("dashboard:index")


@require_http_methods(["GET", "POST"])
@rate_limit("signup")
def accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = Invitation.objects.select_related("shop", "invited_by").filter(token=token).first()
    if invitation is None:
        problem = _("This invitation link is not valid. Check that you copied all of it.")
        return _page(request, None, problem=problem, status=404)
    try:
        check_usable(invitation, timezone.now())
    except InvitationUnusable as error:
        return _page(request, invitation, problem=error.message, status=error.http_status)
    if request.method == "GET":
        return _page(request, invitation)

    if request.user.is_authenticated:
        try:
            accept_invitation(invitation=invitation, user=request.user)
        except DomainError as error:
            return _page(request, invitation, problem=error.message, status=error.http_status)
        return _joined(request, invitation)

    form = JoinForm(request.POST, email=invitation.email)
    if not form.is_valid():
        return _page(request, invitation, form=form, status=422)
    try:
        with transaction.atomic():
            user = get_user_model().objects.create_user(
                username=form.cleaned_data["username"],
                email=invitation.email,
                password=form.cleaned_data["password1"],
            )
            accept_invitation(invitation=invitation, user=user)
    except DomainError as error:
        return _page(request, invitation, problem=error.message, status=error.http_status)
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    return _joined(request, invitation)
