"""The API tokens page: each member makes personal tokens for the seller API (/api/v1/shop/)
and revokes them; owners see and may revoke every token of the shop. A new token is shown
once, on the answer to the form that made it; afterwards only its first characters.

Every token in a URL is fetched through `get_shop_object`, so other shops' ids answer 404; a
member's id of a token not theirs answers 404 too, unless they own the shop.
"""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from openpo.catalog.models import ApiToken, Membership
from openpo.catalog.services.api_tokens import create_token, revoke_token
from openpo.core.errors import DomainError
from openpo.core.forms import Form, add_domain_error
from openpo.dashboard.access import get_shop_object, shop_member_required


class TokenForm(Form):
    name = forms.CharField(
        label=gettext_lazy("What is it for?"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Google Sheets sync")}),
    )


def _is_owner(request: HttpRequest) -> bool:
    return request.membership.role == Membership.Role.OWNER


@shop_member_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_token = ""
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_token = create_token(
                shop=request.shop, user=request.user, name=form.cleaned_data["name"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            form = TokenForm()
    tokens = ApiToken.objects.filter(shop=request.shop).select_related("user")
    if not _is_owner(request):
        tokens = tokens.filter(user=request.user)
    context = {
        "shop": request.shop,
        "dash_section": "settings",
        "form": form,
        "new_token": new_token,
        "tokens": tokens.order_by("revoked_at", "-created_at"),
        "is_owner": _is_owner(request),
    }
    status = 422 if request.method == "POST" and not new_token else 200
    return render(request, "dashboard/shop/api_tokens.html", context, status=status)


@shop_member_required
@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_shop_object(request, ApiToken, pk=token_id)
    if token.user_id != request.user.pk and not _is_owner(request):
        raise Http404
    if revoke_token(token=token, actor=request.user):
        messages.success(request, _("Token %(token)s no longer works.") % {"token": token})
    return redirect("dashboard:api_tokens")


urlpatterns = [
    path("settings/api-tokens/", api_tokens, name="api_tokens"),
    path("settings/api-tokens/<int:token_id>/revoke/", api_token_revoke, name="api_token_revoke"),
]
