"""Seller accounts: log-in with a lockout after repeated failures, and sign-up, which makes the
user and their first shop in one step (`catalog.services.shops.sign_up`, whose rules the
form does not repeat)."""

from django import forms
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME, login
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from openpo.catalog.services.shops import sign_up
from openpo.core.errors import DomainError
from openpo.core.forms import Form, add_domain_error
from openpo.core.login_guard import locked_out_message, lockout_seconds
from openpo.core.ratelimit import rate_limit


class LockoutLoginView(LoginView):
    """Django's log-in; past the lockout (core/login_guard.py) it answers 429 and says why."""

    def form_invalid(self, form):
        if message := locked_out_message(self.request):
            form.errors.clear()
            form.add_error(None, message)
            response = self.render_to_response(self.get_context_data(form=form), status=429)
            response["Retry-After"] = str(lockout_seconds())
            return response
        return super().form_invalid(form)


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin's log-in page sends to the site's, keeping where the admin was going."""
    target = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("admin:index")
    return redirect(f"{reverse('login')}?{urlencode({REDIRECT_FIELD_NAME: target})}")


class SignupForm(Form):
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


@require_http_methods(["GET", "POST"])
@rate_limit("signup")
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            user, _shop = sign_up(
                username=data["username"],
                email=data["email"],
                password=data["password"],
                shop_name=data["shop_name"],
                shop_slug=data["shop_slug"],
                whatsapp_number=data["whatsapp_number"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
            return redirect("dashboard:index")
    status = 422 if request.method == "POST" else 200
    return render(request, "registration/signup.html", {"form": form}, status=status)
