"""Orders from a Google Forms export: upload the responses (CSV, or the .zip Google Forms
downloads), say what each column holds (pre-filled with a guess from its title), then the
same editable preview as for chats, imported as CSV-imported orders.

The upload waits between the steps in private storage under a random token that the session
ties to this shop and PO (as the resi import keeps its file); the file itself is never sent
back in a form field, only its token. Once every order of the file has been previewed and
imported, it is deleted.
"""

import re
import secrets

from django.contrib import messages
from django.core.files.base import ContentFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from openpo.catalog.models import Campaign
from openpo.core.errors import DomainError
from openpo.core.uploads import limit_upload
from openpo.dashboard.access import get_shop_object, shop_member_required
from openpo.dashboard.intake import preview
from openpo.dashboard.intake.forms import (
    ColumnRolesForm,
    CsvUploadForm,
    role_choices,
)
from openpo.intake.catalogue import catalogue_for
from openpo.intake.forms_csv import (
    MAX_BYTES,
    ROLES,
    Sheet,
    guess_mapping,
    orders_from_sheet,
    read_sheet,
)
from openpo.orders.models import Order
from openpo.payments.uploads import proof_storage

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
SAMPLE_ROWS = 3


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    campaign = get_shop_object(request, Campaign, pk=campaign_id)
    campaign.shop = request.shop
    return campaign


def _path(shop_id: int, token: str) -> str:
    return f"intake/pending/{shop_id}/{token}"


def _session_key(token: str) -> str:
    return f"intake_sheet:{token}"


def _pending(request: HttpRequest, campaign: Campaign, token: str) -> dict | None:
    """The session's record of this upload, if it is this shop's and this PO's."""
    if not _TOKEN.match(token or ""):
        return None
    record = request.session.get(_session_key(token))
    if not isinstance(record, dict):
        return None
    if record.get("shop") != request.shop.pk or record.get("campaign") != campaign.pk:
        return None
    if not proof_storage().exists(_path(request.shop.pk, token)):
        return None
    return record


def _read(request: HttpRequest, token: str) -> Sheet:
    with proof_storage().open(_path(request.shop.pk, token), "rb") as handle:
        return read_sheet(handle.read())


def _forget(request: HttpRequest, token: str) -> None:
    proof_storage().delete(_path(request.shop.pk, token))
    request.session.pop(_session_key(token), None)


def _gone(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    messages.error(request, _("That upload is gone; upload the responses file again."))
    return redirect("dashboard:intake_form", campaign.pk)


@require_http_methods(["GET", "POST"])
@shop_member_required
@limit_upload(MAX_BYTES)
def intake_form(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Upload the responses of a Google Form; a readable file goes on to its columns."""
    campaign = _campaign(request, campaign_id)
    posted = request.method == "POST"
    form = CsvUploadForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        data = form.cleaned_data["file"].read()
        try:
            read_sheet(data)
        except DomainError as error:
            form.add_error("file", error.message)
        else:
            token = secrets.token_urlsafe(24)
            proof_storage().save(_path(request.shop.pk, token), ContentFile(data))
            request.session[_session_key(token)] = {
                "shop": request.shop.pk,
                "campaign": campaign.pk,
                "mapping": None,
            }
            url = reverse("dashboard:intake_form_columns", args=[campaign.pk])
            return redirect(f"{url}?upload={token}")
    return render(
        request,
        "dashboard/intake/form_upload.html",
        {"shop": request.shop, "campaign": campaign, "dash_section": "pos", "form": form},
        status=422 if posted else 200,
    )


@require_http_methods(["GET", "POST"])
@shop_member_required
def intake_form_columns(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """What each column holds; posted, the preview of the orders of the file."""
    campaign = _campaign(request, campaign_id)
    token = request.POST.get("upload") or request.GET.get("upload") or ""
    record = _pending(request, campaign, token)
    if record is None:
        return _gone(request, campaign)
    try:
        sheet = _read(request, token)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("dashboard:intake_form", campaign.pk)
    catalogue = catalogue_for(campaign)
    form = ColumnRolesForm(
        request.POST or None, columns=sheet.columns, choices=role_choices(ROLES, catalogue)
    )
    form.initial_of(record.get("mapping") or guess_mapping(sheet.columns, catalogue))
    if request.method == "POST" and form.is_valid():
        mapping = form.mapping()
        orders = orders_from_sheet(sheet, mapping, catalogue)
        if orders:
            action = reverse("dashboard:intake_form_check", args=[campaign.pk])
            shown = preview.first_preview(campaign, orders, action=action, hidden={"upload": token})
            request.session[_session_key(token)] = {
                **record,
                "mapping": mapping,
                "more": shown.more,
            }
            return preview.render_preview(request, campaign, shown, context=_back(campaign, token))
        form.add_error(None, _("No response of this file has anything in the chosen columns."))
    samples = [
        [row[index] for row in sheet.rows[:SAMPLE_ROWS] if index < len(row) and row[index]]
        for index in range(len(sheet.columns))
    ]
    return render(
        request,
        "dashboard/intake/form_columns.html",
        {
            "shop": request.shop,
            "campaign": campaign,
            "dash_section": "pos",
            "form": form,
            "token": token,
            "columns": [
                (form[f"col_{index}"], samples[index]) for index in range(len(sheet.columns))
            ],
            "responses": len(sheet.rows),
        },
        status=422 if request.method == "POST" else 200,
    )


def _back(campaign: Campaign, token: str) -> dict:
    url = reverse("dashboard:intake_form_columns", args=[campaign.pk])
    return {"back_url": f"{url}?upload={token}", "back_label": _("Change the columns")}


@require_POST
@shop_member_required
def intake_form_check(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The preview of a form export posted back: check again, or import the ticked orders."""
    campaign = _campaign(request, campaign_id)
    # The orders come back in the posted fields, read again here: the file is not needed, so
    # a second tap on Import after the file was deleted still answers with the result.
    token = request.POST.get("upload", "")
    record = _pending(request, campaign, token)
    hidden = {"upload": token} if record else {}
    back = _back(campaign, token) if record else {}
    action = reverse("dashboard:intake_form_check", args=[campaign.pk])
    posted = preview.handle_post(
        request, campaign, channel=Order.Channel.IMPORT, action=action, hidden=hidden
    )
    if posted.report is None:
        status = 422 if posted.preview.problem else 200
        return preview.render_preview(
            request, campaign, posted.preview, context=back, status=status
        )
    context = {}
    if record and record.get("more"):
        # More orders than one preview holds: the next preview leaves out those imported now.
        context["next_url"] = back["back_url"]
    elif record:
        _forget(request, token)
    return preview.render_result(
        request,
        campaign,
        posted,
        again_url=reverse("dashboard:intake_form", args=[campaign.pk]),
        context=context,
    )


urlpatterns = [
    path("po/<int:campaign_id>/intake/form/", intake_form, name="intake_form"),
    path(
        "po/<int:campaign_id>/intake/form/columns/",
        intake_form_columns,
        name="intake_form_columns",
    ),
    path("po/<int:campaign_id>/intake/form/check/", intake_form_check, name="intake_form_check"),
]
