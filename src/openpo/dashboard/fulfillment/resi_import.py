"""Bulk resi import for the shop: upload a CSV or XLSX (order code, courier, resi), see the
preview with every row's problem, then apply it all at once. The upload waits between the two
steps in private storage under a random name tied to the session; the work is done by
`openpo.fulfillment.services.resi_import`.
"""

import re
import secrets

from django import forms
from django.contrib import messages
from django.core.files.base import ContentFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from openpo.core.errors import DomainError
from openpo.core.forms import Form
from openpo.core.uploads import limit_upload
from openpo.dashboard.access import shop_member_required
from openpo.fulfillment.services.resi_import import import_resi
from openpo.payments.statements.reading import MAX_STATEMENT_BYTES
from openpo.payments.uploads import proof_storage

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


class ResiUploadForm(Form):
    file = forms.FileField(
        label=gettext_lazy("Resi file (CSV or XLSX)"),
        help_text=gettext_lazy(
            "Columns: order code (kode pesanan), courier (kurir), resi; in any order. "
            "Optional: weight (berat, grams)."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_STATEMENT_BYTES:
            raise forms.ValidationError(
                _("The file is too large: at most %(limit)s MB.")
                % {"limit": MAX_STATEMENT_BYTES // (1024 * 1024)}
            )
        return upload


class ResiApplyForm(Form):
    upload = forms.CharField(max_length=64)
    accept_warnings = forms.BooleanField(required=False)


def _path(shop_id: int, token: str) -> str:
    return f"resi/pending/{shop_id}/{token}"


@require_http_methods(["GET", "POST"])
@shop_member_required
@limit_upload(MAX_STATEMENT_BYTES)
def resi_import(request: HttpRequest) -> HttpResponse:
    """Upload a resi file: the dry run's preview, with the button to apply it."""
    posted = request.method == "POST"
    form = ResiUploadForm(request.POST if posted else None, request.FILES if posted else None)
    context: dict = {"form": form, "dash_section": "pos"}
    status = 200
    if posted:
        status = 422
        if form.is_valid():
            data = form.cleaned_data["file"].read()
            try:
                result = import_resi(shop=request.shop, data=data, apply=False)
            except DomainError as error:
                form.add_error("file", error.message)
            else:
                status = 200
                context["result"] = result
                if not result.errors:
                    token = secrets.token_urlsafe(24)
                    proof_storage().save(_path(request.shop.pk, token), ContentFile(data))
                    request.session[f"resi_upload:{token}"] = request.shop.pk
                    context["token"] = token
    return render(request, "dashboard/fulfillment/resi_import.html", context, status=status)


@shop_member_required
@require_POST
def resi_import_apply(request: HttpRequest) -> HttpResponse:
    """Apply the previewed file: every row, or none when anything changed since."""
    form = ResiApplyForm(request.POST)
    token = request.POST.get("upload", "")
    if (
        not form.is_valid()
        or not _TOKEN.match(token)
        or request.session.get(f"resi_upload:{token}") != request.shop.pk
    ):
        messages.error(request, _("That upload is gone; upload the resi file again."))
        return redirect("dashboard:resi_import")
    storage, name = proof_storage(), _path(request.shop.pk, token)
    if not storage.exists(name):
        messages.error(request, _("That upload is gone; upload the resi file again."))
        return redirect("dashboard:resi_import")
    with storage.open(name, "rb") as handle:
        data = handle.read()
    try:
        result = import_resi(
            shop=request.shop,
            data=data,
            apply=True,
            accept_warnings=form.cleaned_data["accept_warnings"],
            actor=request.user,
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("dashboard:resi_import")
    if result.errors:
        return render(
            request,
            "dashboard/fulfillment/resi_import.html",
            {"form": ResiUploadForm(), "result": result, "dash_section": "pos"},
            status=422,
        )
    storage.delete(name)
    request.session.pop(f"resi_upload:{token}", None)
    messages.success(
        request,
        _("%(applied)s orders shipped in %(parcels)s parcels; %(already)s were already shipped.")
        % {
            "applied": result.applied,
            "parcels": result.parcels,
            "already": result.already_shipped,
        },
    )
    return redirect("dashboard:resi_import")


urlpatterns = [
    path("shipping/resi/", resi_import, name="resi_import"),
    path("shipping/resi/apply/", resi_import_apply, name="resi_import_apply"),
]
