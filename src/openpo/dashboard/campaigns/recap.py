"""The production recap of a PO: units per variant and the materials they need, for all live
orders and for paid ones; a printable page (print CSS, A4) and an XLSX download.

The numbers come from `catalog.recap.production_recap`; this module only shows and exports them.
"""

import io

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from openpo.catalog.models import Campaign
from openpo.catalog.recap import ProductionRecap, production_recap
from openpo.dashboard.access import get_shop_object, shop_member_required

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_GET
@shop_member_required
def recap(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The recap page; printing it gives a clean A4 sheet for the workshop."""
    campaign = get_shop_object(request, Campaign, pk=campaign_id)
    now = timezone.now()
    return render(
        request,
        "dashboard/recap/recap.html",
        {
            "shop": request.shop,
            "campaign": campaign,
            "phase": campaign.phase(now),
            "recap": production_recap(campaign),
            "now": now,
            "dash_section": "pos",
        },
    )


@require_GET
@shop_member_required
def recap_xlsx(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The recap as a spreadsheet: a Variants sheet and a Materials sheet."""
    campaign = get_shop_object(request, Campaign, pk=campaign_id)
    workbook = recap_workbook(production_recap(campaign))
    buffer = io.BytesIO()
    workbook.save(buffer)
    stamp = timezone.localtime(timezone.now(), request.shop.tzinfo).strftime("%Y%m%d-%H%M")
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="recap-{campaign.slug}-{stamp}.xlsx"'
    return response


def recap_workbook(recap: ProductionRecap) -> Workbook:
    """Two sheets with a bold, frozen header row; counts and quantities stored as numbers."""
    workbook = Workbook()
    variants = workbook.active
    variants.title = _("Variants")[:31]
    _header(
        variants,
        [
            (_("Product"), 30),
            (_("Variant"), 18),
            (_("SKU"), 18),
            (_("Units (all active orders)"), 14),
            (_("Units (paid orders)"), 14),
        ],
    )
    for row in recap.variants:
        _append_text_safe(
            variants, [row.product_name, row.label, row.sku, row.units_all, row.units_paid]
        )
    _append_text_safe(variants, [_("Total"), "", "", recap.units_all, recap.units_paid])
    for cell in variants[variants.max_row]:
        cell.font = Font(bold=True)

    materials = workbook.create_sheet(_("Materials")[:31])
    _header(
        materials,
        [
            (_("Material"), 30),
            (_("Unit"), 10),
            (_("Needed (all active orders)"), 16),
            (_("Needed (paid orders)"), 16),
        ],
    )
    for row in recap.materials:
        _append_text_safe(materials, [row.name, row.unit, row.quantity_all, row.quantity_paid])
    return workbook


def _header(sheet: Worksheet, columns: list[tuple[str, int]]) -> None:
    sheet.append([title for title, _width in columns])
    for index, (_title, width) in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.freeze_panes = "A2"


def _append_text_safe(sheet: Worksheet, values: list[object]) -> None:
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.data_type == "f":
            cell.data_type = "s"  # a name starting with "=" is text, never a formula
        elif not isinstance(cell.value, str) and cell.value is not None:
            cell.number_format = "#,##0.###" if cell.value % 1 else "#,##0"


urlpatterns = [
    path("po/<int:campaign_id>/recap/", recap, name="recap"),
    path("po/<int:campaign_id>/recap.xlsx", recap_xlsx, name="recap_xlsx"),
]
