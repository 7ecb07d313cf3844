"""The owner's download of all the shop's data (`orders.archive`): a page that says what the
archive holds, and its button, which writes the ZIP into a spooled temporary file (in memory
while small, on disk beyond) and streams it back. A POST, so a link cannot make a member's
browser take one, and audited as the owner's export.
"""

import tempfile

from django import forms
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from openpo.core.forms import Form
from openpo.dashboard.access import owner_required
from openpo.orders.archive import TABLES, archive_name, export_shop
from openpo.orders.models import Customer, Order

# An archive bigger than this goes to a temporary file on disk while it is written.
SPOOL_IN_MEMORY = 8 * 1024 * 1024


class ExportForm(Form):
    include_files = forms.BooleanField(
        label=gettext_lazy("Include the payment proof files (photos and PDFs)"),
        required=False,
        initial=True,
    )


@require_http_methods(["GET", "POST"])
@owner_required
def shop_export(request: HttpRequest) -> HttpResponse:
    form = ExportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        # The response closes it once the download is sent.
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
        try:
            manifest = export_shop(
                shop=request.shop,
                target=spool,
                actor=request.user,
                include_files=form.cleaned_data["include_files"],
            )
        except BaseException:
            spool.close()
            raise
        spool.seek(0)
        response = FileResponse(
            spool,
            as_attachment=True,
            filename=archive_name(request.shop, manifest.made_at),
            content_type="application/zip",
        )
        response["Cache-Control"] = "no-store"
        return response
    return render(
        request,
        "dashboard/shop/export.html",
        {
            "form": form,
            "tables": TABLES,
            "orders": Order.objects.filter(shop=request.shop).count(),
            "customers": Customer.objects.filter(shop=request.shop).count(),
            "shop": request.shop,
            "dash_section": "settings",
        },
    )


urlpatterns = [path("settings/export/", shop_export, name="shop_export")]
