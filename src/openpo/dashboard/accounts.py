"""Seller accounts: log-in with a lockout after repeated failures, and sign-up, which makes the
user and their first shop in one step."""

import hashlib

from django import forms
from django.contrib.auth import get_user_model, login, password_validation
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from openpo.catalog.services import create_shop
from openpo.catalog.services.setup import shop_slug_problem
from openpo.core.client_ip import client_ip
from openpo.core.errors import DomainError
from openpo.core.ratelimit import rate_limit

MAX_FAILURES = 5
LOCKOUT_SECONDS = 15 * 60


def _failure_key(request: HttpRequest) -> str:
    username = request.POST.get("username", "").strip().lower()
    digest = hashlib.sha256(f"{username}|{client_ip(request)}".encode()).hexdigest()[:32]
    return f"login-failures:{digest}"


class LockoutLoginView(LoginView):
    """Django's log-in, refusing a username from one address after five wrong passwords."""

    def post(self, request, *args, **kwargs):
        if (cache.get(_failure_key(request)) or 0) >= MAX_FAILURES:
            form = self.get_form()
            form.errors.clear()
            form.add_error(
                None,
                _("Too many wrong passwords. Wait %(minutes)s minutes, or reset your password.")
                % {"minutes": LOCKOUT_SECONDS // 60},
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        key = _failure_key(self.request)
        cache.add(key, 0, LOCKOUT_SECONDS)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, LOCKOUT_SECONDS)
        return super().form_invalid(form)

    def form_valid(self, form):
        cache.delete(_failure_key(self.request))
        return super().form_valid(form)


class SignupForm(forms.Form):
    username = forms.SlugField(label=gettext_lazy("Username"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("Email"))
    password = forms.CharField(label=gettext_lazy("Password"), widget=forms.PasswordInput)
    shop_name = forms.CharField(label=gettext_lazy("Shop name"), max_length=100)
    shop_slug = forms.SlugField(
        label=gettext_lazy("Shop link"),
        max_length=50,
        help_text=gettext_lazy("Your buyers will open /<link>/, e.g. /rajut-kirana/."),
    )
    whatsapp_number = forms.CharField(label=gettext_lazy("Shop WhatsApp number"), max_length=30)

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is taken."))
        return username

    def clean_shop_slug(self) -> str:
        slug = self.cleaned_data["shop_slug"]
        if problem := shop_slug_problem(slug):
            raise forms.ValidationError(problem)
        return slug

    def clean(self):
        data = super().clean()
        if data.get("password"):
            user = get_user_model()(username=data.get("username", ""), email=data.get("email", ""))
            try:
                password_validation.validate_password(data["password"], user)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return data


@require_http_methods(["GET", "POST"])
@rate_limit("signup")
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                user = get_user_model().objects.create_user(
                    username=data["username"], email=data["email"], password=data["password"]
                )
                create_shop(
                    name=data["shop_name"],
                    slug=data["shop_slug"],
                    owner=user,
                    whatsapp_number=data["whatsapp_number"],
                    email=data["email"],
                )
        except DomainError as error:
            for field, messages in error.field_errors.items():
                target = {"name": "shop_name", "slug": "shop_slug"}.get(field, field)
                for message in messages:
                    form.add_error(target if target in form.fields else None, str(message))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("dashboard:index")
    status = 422 if request.method == "POST" else 200
    return render(request, "registration/signup.html", {"form": form}, status=status)
