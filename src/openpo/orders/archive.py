"""All of a shop's data as one ZIP archive, for its owner (the dashboard's download) and the
operator (`openpo export_shop`): what UU PDP and good sense expect a seller to be able to take
away.

One CSV file per kind of row — the shop and its team, bank accounts, POs, products, variants,
materials, buyers, orders and their lines, internal notes, "remind me" sign-ups, payment
requests, payments, payment proofs (and the proof files themselves under `proofs/`), refunds,
bank statements, messages, broadcasts, message templates, shipments, production, moved dates,
reconfirmations, testimonials, webhooks and the audit trail — plus `README.txt` saying what
each file holds and when the archive was made, and `manifest.json` with the same for programs.

Every query is filtered by the shop, so no other shop's row can be in it. Secrets stay out:
the order pages' links, API tokens, webhook signing secrets, the WhatsApp and Midtrans keys.
Files are CSV in UTF-8 with a byte-order mark (Excel then reads Indonesian text right), text a
spreadsheet would run as a formula defused, times in the shop's time zone with their offset,
money in whole rupiah. Rows are read in chunks and written straight into the archive, so a
big shop's export never sits in memory as a whole.
"""

import csv
import io
import json
import shutil
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import BinaryIO

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from openpo.catalog.models import (
    BankAccount,
    Campaign,
    Material,
    Membership,
    Product,
    Shop,
    Variant,
)
from openpo.core.audit import audit_event
from openpo.core.models import AuditEvent
from openpo.core.spreadsheets import defuse
from openpo.fulfillment.models import (
    ProductionStage,
    ProductionUpdate,
    Reconfirmation,
    ScheduleChange,
    Shipment,
    Testimonial,
)
from openpo.hooks.models import WebhookEndpoint
from openpo.messaging.models import Broadcast, MessageTemplate, OutboxMessage
from openpo.orders.models import Customer, Order, OrderLine, OrderNote, ReminderSignup
from openpo.payments.models import (
    ExpectedPayment,
    Payment,
    PaymentProof,
    Refund,
    StatementImport,
    StatementLine,
)
from openpo.payments.uploads import EXTENSIONS

CHUNK = 1000
# Never in an export: secrets, and what only the machinery needs (a worker's lease).
SECRET_FIELDS = {
    "catalog.shop": {"midtrans_server_key"},
    "orders.order": {"secret", "idempotency_key", "request_fingerprint"},
    "hooks.webhookendpoint": {"secret"},
    "messaging.outboxmessage": {"locked_until"},
}


@dataclass(frozen=True)
class Table:
    """One CSV file: a model's rows of the shop, with a few columns added for the reader."""

    name: str
    model: type[models.Model]
    rows: Callable[[Shop], QuerySet]
    description: Promise
    extra: dict[str, Callable[[models.Model], object]] = field(default_factory=dict)

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"


def _proof_path(proof: PaymentProof) -> str:
    """Where the proof's file lies in the archive ('' when it has none)."""
    if not proof.file:
        return ""
    extension = EXTENSIONS.get(proof.content_type, "bin")
    return f"proofs/{proof.order.code}-{proof.pk}.{extension}"


TABLES = [
    Table(
        "shop",
        Shop,
        lambda shop: Shop.objects.filter(pk=shop.pk),
        gettext_lazy("The shop's settings (without its payment gateway key)."),
    ),
    Table(
        "team",
        Membership,
        lambda shop: Membership.objects.filter(shop=shop).select_related("user"),
        gettext_lazy("The shop's members and their roles."),
        {"username": lambda m: m.user.get_username(), "email": lambda m: m.user.email},
    ),
    Table(
        "bank_accounts",
        BankAccount,
        lambda shop: BankAccount.objects.filter(shop=shop),
        gettext_lazy("The bank accounts buyers transfer to."),
    ),
    Table(
        "campaigns",
        Campaign,
        lambda shop: Campaign.objects.filter(shop=shop),
        gettext_lazy("The POs, with their timeline, rules and status."),
    ),
    Table(
        "products",
        Product,
        lambda shop: Product.objects.filter(campaign__shop=shop),
        gettext_lazy("The products of each PO (campaign_id)."),
    ),
    Table(
        "variants",
        Variant,
        lambda shop: Variant.objects.filter(campaign__shop=shop),
        gettext_lazy("Each product's variants: options, SKU, price, quota and units taken."),
    ),
    Table(
        "materials",
        Material,
        lambda shop: Material.objects.filter(variant__campaign__shop=shop),
        gettext_lazy("The materials each variant needs (the bill of materials)."),
    ),
    Table(
        "customers",
        Customer,
        lambda shop: Customer.objects.filter(shop=shop),
        gettext_lazy("The buyers: WhatsApp number, name, email and their choices about news."),
    ),
    Table(
        "orders",
        Order,
        lambda shop: Order.objects.filter(shop=shop),
        gettext_lazy(
            "The orders: buyer's details as ordered, address, statuses, amounts (Rp) and "
            "dates; customer_id points into customers.csv, campaign_id into campaigns.csv."
        ),
    ),
    Table(
        "order_lines",
        OrderLine,
        lambda shop: OrderLine.objects.filter(order__shop=shop).select_related("order"),
        gettext_lazy("Each order's lines: product, variant, SKU, quantity and unit price (Rp)."),
        {"order_code": lambda line: line.order.code},
    ),
    Table(
        "order_notes",
        OrderNote,
        lambda shop: OrderNote.objects.filter(order__shop=shop).select_related("order"),
        gettext_lazy("The team's internal notes on orders."),
        {"order_code": lambda note: note.order.code},
    ),
    Table(
        "reminder_signups",
        ReminderSignup,
        lambda shop: ReminderSignup.objects.filter(campaign__shop=shop),
        gettext_lazy("Visitors who asked to be told when a PO opens."),
    ),
    Table(
        "payment_requests",
        ExpectedPayment,
        lambda shop: ExpectedPayment.objects.filter(shop=shop).select_related("order"),
        gettext_lazy(
            "What each order was asked to pay: full payment, DP, settlement or an extra "
            "charge, with its kode unik and due date."
        ),
        {"order_code": lambda expected: expected.order.code},
    ),
    Table(
        "payments",
        Payment,
        lambda shop: Payment.objects.filter(shop=shop).select_related("order"),
        gettext_lazy("Money received: claimed, confirmed or rejected, with where it came from."),
        {"order_code": lambda payment: payment.order.code},
    ),
    Table(
        "payment_proofs",
        PaymentProof,
        lambda shop: PaymentProof.objects.filter(order__shop=shop).select_related("order"),
        gettext_lazy("Proofs of payment buyers uploaded; archive_file names the file in proofs/."),
        {"order_code": lambda proof: proof.order.code, "archive_file": _proof_path},
    ),
    Table(
        "refunds",
        Refund,
        lambda shop: Refund.objects.filter(shop=shop).select_related("order"),
        gettext_lazy("Money given back to buyers, with the account it went to."),
        {"order_code": lambda refund: refund.order.code},
    ),
    Table(
        "bank_statements",
        StatementImport,
        lambda shop: StatementImport.objects.filter(shop=shop),
        gettext_lazy("Bank statement files imported."),
    ),
    Table(
        "bank_statement_lines",
        StatementLine,
        lambda shop: StatementLine.objects.filter(shop=shop),
        gettext_lazy("The credit lines of those statements and how each was matched."),
    ),
    Table(
        "messages",
        OutboxMessage,
        lambda shop: OutboxMessage.objects.filter(shop=shop),
        gettext_lazy("Every message written to buyers (email and WhatsApp) and its status."),
    ),
    Table(
        "broadcasts",
        Broadcast,
        lambda shop: Broadcast.objects.filter(shop=shop),
        gettext_lazy("Updates the team wrote to a PO's buyers or a segment."),
    ),
    Table(
        "message_templates",
        MessageTemplate,
        lambda shop: MessageTemplate.objects.filter(shop=shop),
        gettext_lazy("The shop's own wording of messages."),
    ),
    Table(
        "shipments",
        Shipment,
        lambda shop: Shipment.objects.filter(shop=shop).prefetch_related("orders"),
        gettext_lazy("Parcels: courier, resi, status and the orders in each (order_codes)."),
        {"order_codes": lambda s: " ".join(sorted(o.code for o in s.orders.all()))},
    ),
    Table(
        "production_stages",
        ProductionStage,
        lambda shop: ProductionStage.objects.filter(campaign__shop=shop),
        gettext_lazy("Each PO's production stages."),
    ),
    Table(
        "production_updates",
        ProductionUpdate,
        lambda shop: ProductionUpdate.objects.filter(campaign__shop=shop),
        gettext_lazy("Progress updates posted to buyers."),
    ),
    Table(
        "schedule_changes",
        ScheduleChange,
        lambda shop: ScheduleChange.objects.filter(campaign__shop=shop),
        gettext_lazy("Moved production and ship dates, with the reason buyers were told."),
    ),
    Table(
        "reconfirmations",
        Reconfirmation,
        lambda shop: Reconfirmation.objects.filter(shop=shop).select_related("order"),
        gettext_lazy("Orders that needed the buyer again, and how each was resolved."),
        {"order_code": lambda row: row.order.code},
    ),
    Table(
        "testimonials",
        Testimonial,
        lambda shop: Testimonial.objects.filter(shop=shop).select_related("order"),
        gettext_lazy("Buyers' ratings and testimonials."),
        {"order_code": lambda row: row.order.code},
    ),
    Table(
        "webhooks",
        WebhookEndpoint,
        lambda shop: WebhookEndpoint.objects.filter(shop=shop),
        gettext_lazy("Webhook endpoints (without their signing secrets)."),
    ),
    Table(
        "audit_trail",
        AuditEvent,
        lambda shop: AuditEvent.objects.filter(shop=shop),
        gettext_lazy("Every recorded change: who did what, when, to which row."),
    ),
]


@dataclass
class Manifest:
    """What an archive holds: rows per file, proof files, when it was made."""

    shop: str
    made_at: datetime
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    missing_files: list[str] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


class _Values:
    """Turns a model's field values into CSV cells in the shop's terms."""

    def __init__(self, shop: Shop):
        self.tz = shop.tzinfo
        self.usernames: dict[int, str] = {}

    def username(self, user_id: int | None) -> str:
        if user_id is None:
            return ""
        if user_id not in self.usernames:
            user = get_user_model().objects.filter(pk=user_id).first()
            self.usernames[user_id] = user.get_username() if user else ""
        return self.usernames[user_id]

    def cell(self, value: object) -> object:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return timezone.localtime(value, self.tz).isoformat(timespec="seconds")
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, bool):
            return "1" if value else "0"
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False, sort_keys=True)
        if hasattr(value, "name") and hasattr(value, "storage"):  # a FieldFile
            return value.name or ""
        return defuse(value if isinstance(value, int | str) else str(value))


def _columns(table: Table) -> list[tuple[str, Callable[[models.Model, _Values], object]]]:
    """(header, value of a row) for each concrete field and each added column."""
    hidden = SECRET_FIELDS.get(table.model._meta.label_lower, set())
    columns = []
    for model_field in table.model._meta.concrete_fields:
        if model_field.name in hidden:
            continue
        if model_field.is_relation and model_field.related_model is get_user_model():
            attname = model_field.attname
            columns.append(
                (
                    model_field.name,
                    lambda row, values, a=attname: values.username(getattr(row, a)),
                )
            )
        else:
            attname = model_field.attname
            columns.append((attname, lambda row, values, a=attname: values.cell(getattr(row, a))))
    for header, compute in table.extra.items():
        columns.append((header, lambda row, values, c=compute: values.cell(c(row))))
    return columns


def _rows(table: Table, shop: Shop) -> Iterator[models.Model]:
    # In chunks (prefetches included, per chunk): a big shop never sits in memory whole.
    return table.rows(shop).order_by("pk").iterator(chunk_size=CHUNK)


def _write_table(archive, table: Table, shop: Shop, values: _Values) -> int:
    columns = _columns(table)
    count = 0
    with archive.open(table.file_name, "w", force_zip64=True) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        writer = csv.writer(text)
        writer.writerow([header for header, _value in columns])
        for row in _rows(table, shop):
            writer.writerow([value(row, values) for _header, value in columns])
            count += 1
        text.flush()
        text.detach()
    return count


def _write_proof_files(archive, shop: Shop, manifest: Manifest) -> None:
    proofs = PaymentProof.objects.filter(order__shop=shop).exclude(file="").select_related("order")
    for proof in proofs.order_by("pk").iterator(chunk_size=CHUNK):
        name = _proof_path(proof)
        try:
            handle = proof.file.open("rb")
        except OSError:
            manifest.missing_files.append(name)
            continue
        with handle, archive.open(name, "w", force_zip64=True) as target:
            shutil.copyfileobj(handle, target, 1024 * 1024)
        manifest.files += 1


def _readme(shop: Shop, manifest: Manifest) -> str:
    made = timezone.localtime(manifest.made_at, shop.tzinfo)
    lines = [
        _("OpenPO: all data of the shop %(name)s (%(slug)s)")
        % {"name": shop.name, "slug": shop.slug},
        _("Made at %(local)s %(zone)s (%(utc)s UTC).")
        % {
            "local": made.strftime("%Y-%m-%d %H:%M:%S"),
            "zone": shop.tz_abbreviation,
            "utc": manifest.made_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        },
        "",
        _(
            "Each .csv file is a table in UTF-8 (Excel reads it as it is). Times are in the "
            "shop's time zone with their offset, money in whole rupiah, yes/no as 1/0. Rows "
            "refer to each other by id (customer_id, order_id, campaign_id, ...) and, where "
            "it helps, by order code."
        ),
        _(
            "This archive holds buyers' personal data: keep it safe, share it with no one who "
            "does not need it, and delete it when you no longer do."
        ),
        "",
    ]
    for table in TABLES:
        lines.append(
            ngettext(
                "%(file)s (%(rows)s row): %(what)s",
                "%(file)s (%(rows)s rows): %(what)s",
                manifest.rows[table.name],
            )
            % {
                "file": table.file_name,
                "rows": manifest.rows[table.name],
                "what": table.description,
            }
        )
    lines.append(
        ngettext(
            "proofs/ (%(count)s file): the payment proof files named in payment_proofs.csv.",
            "proofs/ (%(count)s files): the payment proof files named in payment_proofs.csv.",
            manifest.files,
        )
        % {"count": manifest.files}
    )
    if manifest.missing_files:
        lines.append(
            _("Proof files missing from the storage: %(names)s")
            % {"names": ", ".join(manifest.missing_files)}
        )
    lines.append(_("manifest.json: the same list for programs."))
    return "\r\n".join(lines) + "\r\n"


@contextmanager
def _snapshot() -> Iterator[None]:
    """One consistent view of the database while the archive is read, so an order placed
    meanwhile is in every file or in none: PostgreSQL's repeatable read, SQLite's read
    transaction (in WAL mode a reader stops no writer, and takes no place in the write queue).
    Inside a caller's transaction, that transaction's view."""
    if connection.in_atomic_block or not connection.get_autocommit():
        yield
    elif connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("COMMIT")
    else:
        yield


def write_shop_archive(
    shop: Shop, target: BinaryIO, *, include_files: bool = True, now: datetime | None = None
) -> Manifest:
    """Write the shop's archive into `target` (a file opened for binary writing)."""
    manifest = Manifest(shop=shop.slug, made_at=now or timezone.now())
    values = _Values(shop)
    with (
        _snapshot(),
        zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive,
    ):
        for table in TABLES:
            manifest.rows[table.name] = _write_table(archive, table, shop, values)
        if include_files:
            _write_proof_files(archive, shop, manifest)
        archive.writestr("README.txt", _readme(shop, manifest).encode("utf-8-sig"))
        archive.writestr(
            "manifest.json",
            json.dumps(
                {
                    "shop": shop.slug,
                    "made_at": manifest.made_at.isoformat(),
                    "openpo_export": 1,
                    "files": {table.file_name: manifest.rows[table.name] for table in TABLES},
                    "proof_files": manifest.files,
                    "missing_proof_files": manifest.missing_files,
                },
                indent=2,
                sort_keys=True,
            ),
        )
    return manifest


def archive_name(shop: Shop, made_at: datetime) -> str:
    local = timezone.localtime(made_at, shop.tzinfo)
    return f"openpo-{shop.slug}-{local:%Y%m%d-%H%M%S}.zip"


def export_shop(
    *,
    shop: Shop,
    target: BinaryIO,
    actor: AbstractBaseUser | None = None,
    actor_label: str = "",
    include_files: bool = True,
    now: datetime | None = None,
) -> Manifest:
    """Write the shop's archive into `target` and record who took it (an audit event with
    the counts, once the archive is whole)."""
    manifest = write_shop_archive(shop, target, include_files=include_files, now=now)
    with transaction.atomic():
        audit_event(
            action="shop.exported",
            subject=shop,
            shop_id=shop.pk,
            actor=actor,
            actor_label=actor_label,
            at=manifest.made_at,
            data={
                "rows": manifest.total_rows,
                "proof_files": manifest.files,
                "include_files": include_files,
            },
        )
    return manifest
