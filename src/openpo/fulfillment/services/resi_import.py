"""Bulk resi import: a CSV or XLSX with an order code, a courier and a resi per row (columns in
Indonesian or English, in any order), checked as a whole, previewed, then applied at once.

Every problem names its row (the spreadsheet's line number): an order code that is not an
order of this shop, an order that does not go ahead or is not paid, an unknown courier, an
empty resi, a resi given twice for different buyers, an order given two resis, a resi already
used for another parcel. With any problem nothing is applied; without one everything is, in one
transaction. Rows that share a resi and a buyer make one combined parcel. Importing the same
file (or an overlapping one) again finds those orders already shipped with that resi: nothing
changes and no buyer hears it twice (the message is keyed per shipment).

A resi that does not look like its courier's is a warning; applying then needs
`accept_warnings`, else the warnings refuse the import like errors do.

The file is read by the bank statement reader (`payments.statements.reading`), so the same
limits hold: size, rows, columns, and the XLSX archive checks.
"""

import re
from dataclasses import asdict, dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from openpo.catalog.models import Shop
from openpo.core.audit import audit_event
from openpo.core.errors import DomainError
from openpo.fulfillment.couriers import (
    courier_label,
    find_courier,
    needs_resi,
    normalize_resi,
    resi_warning,
)
from openpo.fulfillment.models import Shipment
from openpo.fulfillment.services.shipping import (
    add_orders_to_shipment,
    create_shipment,
    is_paid,
    mark_shipped,
)
from openpo.orders.models import Order
from openpo.payments.balances import goes_ahead
from openpo.payments.statements.reading import read_rows

# Header words (letters and digits only, lower case) → the column they name.
HEADERS = {
    "order": (
        "order",
        "ordercode",
        "orderid",
        "orderno",
        "ordernumber",
        "code",
        "kode",
        "kodeorder",
        "kodepesanan",
        "pesanan",
        "nopesanan",
        "nomorpesanan",
        "noorder",
        "idpesanan",
    ),
    "courier": (
        "courier",
        "kurir",
        "ekspedisi",
        "expedisi",
        "jasakirim",
        "jasapengiriman",
        "carrier",
        "shipper",
        "pengiriman",
        "layanan",
        "service",
    ),
    "resi": (
        "resi",
        "noresi",
        "nomorresi",
        "tracking",
        "trackingnumber",
        "trackingno",
        "awb",
        "noawb",
        "nomorawb",
        "waybill",
        "airwaybill",
    ),
    "weight": ("weight", "weightgrams", "berat", "beratgram", "gram", "beratg", "weightg"),
}
HEADER_WORDS = {word: column for column, words in HEADERS.items() for word in words}
REQUIRED = ("order", "courier", "resi")
MAX_ERRORS_SHOWN = 200


class ResiFileError(DomainError):
    code = "invalid_resi_file"
    http_status = 422


@dataclass
class RowProblem:
    row: int
    code: str
    message: str


@dataclass
class PreviewRow:
    row: int
    order_code: str
    buyer: str
    courier: str
    resi: str
    # "ship" (new), "already" (shipped with this resi before), "error"
    action: str
    combined: bool = False


@dataclass
class ResiImportResult:
    rows: int = 0
    applied: int = 0
    already_shipped: int = 0
    parcels: int = 0
    errors: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)
    preview: list[PreviewRow] = field(default_factory=list)
    dry_run: bool = True

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "applied": self.applied,
            "already_shipped": self.already_shipped,
            "parcels": self.parcels,
            "errors": [asdict(e) for e in self.errors],
            "warnings": [asdict(w) for w in self.warnings],
            "dry_run": self.dry_run,
        }


@dataclass
class _Row:
    number: int
    code: str
    courier: str | None
    courier_text: str
    resi: str
    weight: int | None
    order: Order | None = None


def _squash(text: object) -> str:
    return re.sub(r"[^a-z0-9]", "", str(text or "").lower())


def _cell(row: list, index: int | None) -> str:
    if index is None or index >= len(row) or row[index] is None:
        return ""
    value = row[index]
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a resi typed as a number in Excel
    return str(value).strip()


def _find_header(rows: list[list]) -> tuple[int, dict[str, int]]:
    """The first row (of the first ten) naming the three needed columns, and where they are."""
    for index, row in enumerate(rows[:10]):
        columns: dict[str, int] = {}
        for position, cell in enumerate(row):
            column = HEADER_WORDS.get(_squash(cell))
            if column and column not in columns:
                columns[column] = position
        if all(c in columns for c in REQUIRED):
            return index, columns
    raise ResiFileError(
        _(
            "The file needs a header row with the columns order code, courier and resi "
            "(e.g. “kode pesanan”, “kurir”, “resi”)."
        )
    )


def _order_code(text: str) -> str:
    return text.strip().upper().lstrip("#").replace(" ", "")


def _weight(text: str) -> int | None:
    digits = re.sub(r"[^\d]", "", text.split(",")[0].split(".")[0])
    return int(digits) if digits and int(digits) < 1_000_000 else None


def _parse(data: bytes) -> list[_Row]:
    rows = read_rows(data)
    header, columns = _find_header(rows)
    parsed = []
    for index, row in enumerate(rows[header + 1 :], start=header + 2):
        values = {name: _cell(row, columns.get(name)) for name in HEADERS}
        if not any(values.values()):
            continue
        parsed.append(
            _Row(
                number=index,
                code=_order_code(values["order"]),
                courier=find_courier(values["courier"]),
                courier_text=values["courier"],
                resi=normalize_resi(values["resi"]),
                weight=_weight(values["weight"]) if values["weight"] else None,
            )
        )
    return parsed


def _load_orders(shop: Shop, rows: list[_Row]) -> dict[str, Order]:
    """This shop's orders named by the rows, by code (with or without the "PO-")."""
    codes = {r.code for r in rows if r.code} | {f"PO-{r.code}" for r in rows if r.code}
    orders = (
        Order.objects.filter(shop=shop, code__in=codes)
        .select_related("campaign", "customer")
        .prefetch_related("shipments")
    )
    found = {o.code: o for o in orders}
    return {**{code.removeprefix("PO-"): o for code, o in found.items()}, **found}


def _row_message(number: int, message: str) -> str:
    return _("Row %(row)s: %(problem)s") % {"row": number, "problem": message}


def _check(shop: Shop, rows: list[_Row], result: ResiImportResult) -> dict:
    """Fill `result.errors`, `warnings` and `preview`; the parcels to make, keyed by
    (courier, resi), each a list of rows."""
    orders = _load_orders(shop, rows)
    errors, warnings = result.errors, result.warnings

    def problem(row: _Row, code: str, message: str) -> None:
        errors.append(RowProblem(row.number, code, _row_message(row.number, message)))

    resis = {(r.courier, r.resi) for r in rows if r.courier and r.resi}
    used = {
        (s.courier, s.tracking_number): s
        for s in Shipment.objects.filter(shop=shop)
        .filter(
            Q(*[Q(courier=c, tracking_number=t) for c, t in resis], _connector=Q.OR)
            if resis
            else Q(pk__in=[])
        )
        .prefetch_related("orders")
    }
    seen_order: dict[int, _Row] = {}
    groups: dict[tuple[str, str], list[_Row]] = {}
    for row in rows:
        bad = len(errors)
        order = orders.get(row.code) if row.code else None
        row.order = order
        if not row.code:
            problem(row, "missing_order", _("the order code is empty."))
        elif order is None:
            problem(
                row,
                "unknown_order",
                _("%(code)s is not an order of this shop.") % {"code": row.code},
            )
        if row.courier is None:
            problem(
                row,
                "unknown_courier",
                _("the courier “%(courier)s” is not one OpenPO knows (e.g. JNE, J&T, SiCepat).")
                % {"courier": row.courier_text or "-"},
            )
        if not row.resi and (row.courier is None or needs_resi(row.courier)):
            problem(row, "empty_resi", _("the resi is empty."))
        if order is not None and len(errors) == bad:
            if not goes_ahead(order):
                problem(
                    row,
                    "not_active",
                    _("order %(code)s is cancelled or expired.") % {"code": order.code},
                )
            elif not is_paid(order):
                problem(
                    row,
                    "unpaid",
                    _("order %(code)s is not paid in full; ship it from the PO's shipping page.")
                    % {"code": order.code},
                )
        if order is not None and len(errors) == bad:
            earlier = seen_order.get(order.pk)
            if earlier and (earlier.courier, earlier.resi) != (row.courier, row.resi):
                problem(
                    row,
                    "order_twice",
                    _("order %(code)s already has resi %(resi)s on row %(other)s.")
                    % {"code": order.code, "resi": earlier.resi, "other": earlier.number},
                )
            elif earlier:
                continue  # the same line twice: nothing more to do
            seen_order[order.pk] = row
        if len(errors) == bad and row.resi and (warning := resi_warning(row.courier, row.resi)):
            warnings.append(
                RowProblem(row.number, "resi_format", _row_message(row.number, warning))
            )
        if len(errors) == bad:
            groups.setdefault((row.courier, row.resi or f"#{order.pk}"), []).append(row)

    parcels = {}
    for key, members in groups.items():
        resi = key[1]
        first = members[0].order
        for row in members[1:]:
            if row.order.customer_id != first.customer_id:
                problem(
                    row,
                    "duplicate_resi",
                    _("resi %(resi)s is also on row %(other)s, for another buyer's order.")
                    % {"resi": resi, "other": members[0].number},
                )
            elif row.order.campaign_id != first.campaign_id:
                problem(
                    row,
                    "duplicate_resi",
                    _("resi %(resi)s is also on row %(other)s, for an order of another PO.")
                    % {"resi": resi, "other": members[0].number},
                )
        existing = used.get(key) if not resi.startswith("#") else None
        for row in members:
            live = [s for s in row.order.shipments.all() if s.status != Shipment.Status.RETURNED]
            other = [s for s in live if existing is None or s.pk != existing.pk]
            if other:
                problem(
                    row,
                    "already_in_shipment",
                    _("order %(code)s is already in a parcel (%(parcel)s).")
                    % {"code": row.order.code, "parcel": str(other[0]) or "-"},
                )
        if existing is not None:
            owners = {o.customer_id for o in existing.orders.all()}
            if owners and first.customer_id not in owners:
                problem(
                    members[0],
                    "duplicate_resi",
                    _("resi %(resi)s is already used for another buyer's parcel.") % {"resi": resi},
                )
            elif existing.status == Shipment.Status.RETURNED:
                problem(
                    members[0],
                    "duplicate_resi",
                    _("resi %(resi)s is of a returned parcel; use the new resi.") % {"resi": resi},
                )
        parcels[key] = (members, existing)

    failed = {e.row for e in errors}
    for members, existing in parcels.values():
        in_existing = {o.pk for o in existing.orders.all()} if existing else set()
        for row in members:
            already = row.order.pk in in_existing and existing.status != Shipment.Status.PACKED
            result.preview.append(
                PreviewRow(
                    row=row.number,
                    order_code=row.order.code,
                    buyer=row.order.buyer_name,
                    courier=courier_label(row.courier),
                    resi=row.resi,
                    action="error" if row.number in failed else "already" if already else "ship",
                    combined=len(members) > 1 or bool(in_existing - {row.order.pk}),
                )
            )
    result.preview.sort(key=lambda p: p.row)
    result.errors.sort(key=lambda e: e.row)
    return parcels


def import_resi(
    *,
    shop: Shop,
    data: bytes,
    apply: bool = False,
    accept_warnings: bool = False,
    actor=None,
    now: datetime | None = None,
) -> ResiImportResult:
    """Check a resi file for `shop`; with `apply` and no problem, ship every row's order in one
    transaction (nothing when any row is wrong). Raises ResiFileError (or the reader's error)
    when the file cannot be read as a whole."""
    now = now or timezone.now()
    rows = _parse(data)
    result = ResiImportResult(rows=len(rows), dry_run=not apply)
    if not rows:
        raise ResiFileError(_("The file has a header but no rows."))
    parcels = _check(shop, rows, result)
    result.already_shipped = sum(1 for p in result.preview if p.action == "already")
    if apply and result.warnings and not accept_warnings:
        result.errors.extend(result.warnings)
        result.errors.sort(key=lambda e: e.row)
    if not apply or result.errors:
        return result
    try:
        with transaction.atomic():
            applied, made = _apply(parcels, actor=actor, now=now)
            audit_event(
                action="shipment.resi_imported",
                subject=shop,
                shop_id=shop.pk,
                actor=actor,
                at=now,
                data={"rows": result.rows, "applied": applied, "parcels": made},
            )
    except DomainError as error:  # an order changed since the check (a race): nothing applied
        result.errors.append(RowProblem(0, error.code, error.message))
        return result
    result.applied, result.parcels = applied, made
    return result


def _apply(parcels: dict, *, actor, now: datetime) -> tuple[int, int]:
    applied = made = 0
    for (courier, resi), (members, existing) in parcels.items():
        orders = [row.order for row in members]
        weight = next((row.weight for row in members if row.weight), None)
        if existing is None:
            create_shipment(
                orders=orders,
                courier=courier,
                tracking_number="" if resi.startswith("#") else resi,
                weight_grams=weight,
                accept_format_warning=True,
                ship=True,
                actor=actor,
                now=now,
            )
            applied += len(orders)
            made += 1
            continue
        present = {o.pk for o in existing.orders.all()}
        new = [o for o in orders if o.pk not in present]
        was_packed = existing.status == Shipment.Status.PACKED
        if new:
            existing = add_orders_to_shipment(shipment=existing, orders=new, actor=actor, now=now)
        if was_packed:
            mark_shipped(shipment=existing, actor=actor, now=now)
        applied += len(new) + (len(orders) - len(new) if was_packed else 0)
    return applied, made
