"""Bank statement pages for the shop's members: upload a statement ("mutasi rekening"), map its
columns when the format is not recognised, and review the lines: confirm exact matches in one
tap (or all at once), pick the order of an ambiguous line, assign or ignore late and unmatched
ones. The work is done by `openpo.payments.services.statements`.
"""

import re
import secrets
from dataclasses import dataclass

from django.contrib import messages
from django.core.files.base import ContentFile
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from openpo.core.errors import DomainError
from openpo.core.uploads import limit_upload
from openpo.dashboard.access import get_shop_object, shop_member_required
from openpo.dashboard.money.statement_forms import (
    ColumnMappingForm,
    StatementUploadForm,
    column_letter,
)
from openpo.orders.models import Order
from openpo.payments.models import ExpectedPayment, StatementImport, StatementLine
from openpo.payments.services.statements import (
    apply_exact_matches,
    apply_line,
    choose_candidate,
    ignore_line,
    import_statement,
)
from openpo.payments.statements.errors import UnknownStatementFormat
from openpo.payments.statements.presets import guess_columns, header_labels
from openpo.payments.statements.reading import MAX_STATEMENT_BYTES, read_rows
from openpo.payments.uploads import proof_storage

PREVIEW_ROWS = 12
RECENT_IMPORTS = 20
_UPLOAD_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}\.(csv|xlsx)$")
OPEN_MATCHES = (
    StatementLine.Match.MATCHED,
    StatementLine.Match.AMBIGUOUS,
    StatementLine.Match.LATE,
    StatementLine.Match.UNMATCHED,
)


def _pending_path(shop_id: int, token: str) -> str:
    """Where an upload waits for its column mapping: private, per shop, random name."""
    if not _UPLOAD_TOKEN.match(token):
        raise Http404("No such upload")
    return f"statements/pending/{shop_id}/{token}"


def _keep_for_mapping(request: HttpRequest, data: bytes, name: str) -> str:
    extension = "xlsx" if data.startswith(b"PK\x03\x04") else "csv"
    token = f"{secrets.token_urlsafe(24)}.{extension}"
    proof_storage().save(_pending_path(request.shop.pk, token), ContentFile(data, name=name))
    request.session[f"statement_upload:{token}"] = name
    return token


def _imported(request: HttpRequest, summary: dict) -> HttpResponse:
    messages.success(
        request,
        _(
            "Statement imported: %(matched)s exact matches, %(ambiguous)s to choose, "
            "%(late)s late, %(unmatched)s unmatched, %(duplicates)s already imported, "
            "%(applied)s confirmed."
        )
        % summary,
    )
    return redirect("dashboard:statement", statement_id=summary["statement"])


@require_http_methods(["GET", "POST"])
@shop_member_required
@limit_upload(MAX_STATEMENT_BYTES)
def statements(request: HttpRequest) -> HttpResponse:
    """Upload a statement; the recent imports with what is left to review."""
    posted = request.method == "POST"
    form = StatementUploadForm(request.POST if posted else None, request.FILES if posted else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            try:
                summary = import_statement(
                    shop=request.shop,
                    file=data,
                    mapping=form.cleaned_data["bank_format"] or None,
                    actor=request.user,
                    file_name=upload.name,
                )
            except UnknownStatementFormat:
                token = _keep_for_mapping(request, data, upload.name)
                return redirect(reverse("dashboard:statement_columns") + f"?upload={token}")
            except DomainError as error:
                form.add_error("file", error.message)
            else:
                return _imported(request, summary)
        status = 422
    Match = StatementLine.Match
    imports = StatementImport.objects.filter(shop=request.shop).annotate(
        exact=Count("lines", filter=Q(lines__match=Match.MATCHED)),
        to_choose=Count("lines", filter=Q(lines__match__in=[Match.AMBIGUOUS, Match.LATE])),
        unmatched=Count("lines", filter=Q(lines__match=Match.UNMATCHED)),
    )[:RECENT_IMPORTS]
    waiting = StatementLine.objects.filter(shop=request.shop, match__in=OPEN_MATCHES).count()
    return render(
        request,
        "dashboard/statements/index.html",
        {"form": form, "imports": imports, "waiting": waiting, "dash_section": "statements"},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@shop_member_required
def statement_columns(request: HttpRequest) -> HttpResponse:
    """The column choice for a statement whose format was not recognised."""
    token = request.POST.get("upload") or request.GET.get("upload") or ""
    name = _pending_path(request.shop.pk, token)
    storage = proof_storage()
    if not storage.exists(name):
        messages.error(request, _("That upload is gone; upload the statement again."))
        return redirect("dashboard:statements")
    with storage.open(name, "rb") as handle:
        data = handle.read()
    try:
        rows = read_rows(data)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("dashboard:statements")
    columns = max((len(row) for row in rows[:200]), default=1)
    form = ColumnMappingForm(
        request.POST or None,
        columns=columns,
        labels=header_labels(rows, columns),
        initial={"upload": token, **guess_columns(rows)},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            file_name = request.session.get(f"statement_upload:{token}", "")
            try:
                summary = import_statement(
                    shop=request.shop,
                    file=data,
                    mapping=form.mapping(),
                    actor=request.user,
                    file_name=file_name,
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                storage.delete(name)
                request.session.pop(f"statement_upload:{token}", None)
                return _imported(request, summary)
        status = 422
    preview = [
        [str(cell if cell is not None else "")[:60] for cell in row] + [""] * (columns - len(row))
        for row in rows[:PREVIEW_ROWS]
    ]
    return render(
        request,
        "dashboard/statements/columns.html",
        {
            "form": form,
            "letters": [column_letter(i) for i in range(columns)],
            "preview": preview,
            "dash_section": "statements",
        },
        status=status,
    )


@dataclass
class Candidate:
    expected: ExpectedPayment
    order: Order


def _candidates(lines: list[StatementLine]) -> dict[int, list[Candidate]]:
    """The orders each line could pay (line id → candidates), in one query."""
    ids = {i for line in lines for i in [*line.candidates, line.expected_payment_id] if i}
    expected = {
        ep.pk: ep for ep in ExpectedPayment.objects.filter(pk__in=ids).select_related("order")
    }
    result = {}
    for line in lines:
        wanted = line.candidates or ([line.expected_payment_id] if line.expected_payment_id else [])
        result[line.pk] = [
            Candidate(expected[i], expected[i].order) for i in wanted if i in expected
        ]
    return result


@require_http_methods(["GET"])
@shop_member_required
def statement(request: HttpRequest, statement_id: int) -> HttpResponse:
    """The review of one import: exact matches to confirm, lines to choose, assign or ignore."""
    imported = get_shop_object(request, StatementImport, pk=statement_id)
    lines = list(imported.lines.select_related("expected_payment__order", "payment__order"))
    candidates = _candidates(lines)
    groups = {match: [] for match in StatementLine.Match.values}
    for line in lines:
        line.options = candidates[line.pk]
        groups[line.match].append(line)
    return render(
        request,
        "dashboard/statements/review.html",
        {
            "statement": imported,
            "summary": imported.summary,
            "groups": groups,
            "Match": StatementLine.Match,
            "dash_section": "statements",
        },
    )


def _back(line: StatementLine) -> HttpResponse:
    return redirect(
        reverse("dashboard:statement", kwargs={"statement_id": line.statement_id})
        + f"#line-{line.pk}"
    )


@require_POST
@shop_member_required
def statement_line_confirm(request: HttpRequest, line_id: int) -> HttpResponse:
    line = get_shop_object(request, StatementLine, pk=line_id)
    try:
        payment = apply_line(line=line, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Payment confirmed for order %(code)s.") % {"code": payment.order.code}
        )
    return _back(line)


@require_POST
@shop_member_required
def statement_line_choose(request: HttpRequest, line_id: int) -> HttpResponse:
    """Apply a line to the order the seller picked (a candidate) or typed (its order code)."""
    line = get_shop_object(request, StatementLine, pk=line_id)
    orders = Order.objects.filter(shop=request.shop)
    picked = request.POST.get("order", "")
    code = request.POST.get("order_code", "").strip().upper().lstrip("#")
    order = None
    if picked.isdigit():
        order = orders.filter(pk=int(picked)).first()
    elif code:
        # Sellers type the code as buyers say it: with or without the "PO-".
        order = orders.filter(code__in=[code, f"PO-{code}"]).first()
    if order is None:
        messages.error(request, _("Choose an order, or type an order code of this shop."))
        return _back(line)
    try:
        choose_candidate(line=line, order=order, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Payment recorded on order %(code)s.") % {"code": order.code})
    return _back(line)


@require_POST
@shop_member_required
def statement_line_ignore(request: HttpRequest, line_id: int) -> HttpResponse:
    line = get_shop_object(request, StatementLine, pk=line_id)
    try:
        ignore_line(line=line, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    return _back(line)


@require_POST
@shop_member_required
def statement_confirm_all(request: HttpRequest, statement_id: int) -> HttpResponse:
    imported = get_shop_object(request, StatementImport, pk=statement_id)
    lines = imported.lines.filter(match=StatementLine.Match.MATCHED)
    applied, skipped = apply_exact_matches(lines=list(lines), actor=request.user)
    messages.success(request, _("%(count)s payments confirmed.") % {"count": applied})
    if skipped:
        messages.warning(
            request,
            _("%(count)s lines were left for you: their orders changed since the import.")
            % {"count": skipped},
        )
    return redirect("dashboard:statement", statement_id=imported.pk)


urlpatterns = [
    path("statements/", statements, name="statements"),
    path("statements/columns/", statement_columns, name="statement_columns"),
    path("statements/<int:statement_id>/", statement, name="statement"),
    path(
        "statements/<int:statement_id>/confirm-all/",
        statement_confirm_all,
        name="statement_confirm_all",
    ),
    path(
        "statements/lines/<int:line_id>/confirm/",
        statement_line_confirm,
        name="statement_line_confirm",
    ),
    path(
        "statements/lines/<int:line_id>/choose/",
        statement_line_choose,
        name="statement_line_choose",
    ),
    path(
        "statements/lines/<int:line_id>/ignore/",
        statement_line_ignore,
        name="statement_line_ignore",
    ),
]
