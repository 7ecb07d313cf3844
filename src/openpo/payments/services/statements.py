"""Importing bank statements ("mutasi rekening") and the seller's review of their lines.

`import_statement` reads a CSV or XLSX export, stores each credit line once (by fingerprint, so
a re-import or an overlapping statement adds nothing twice), matches it to the shop's expected
payments, and applies exact matches when asked (or when the shop confirms them automatically).
Everything happens in one transaction: a file with an unreadable line imports nothing.
The review services apply an exact match in one tap, apply a line to the order the seller
chooses, or ignore it; a line is applied at most once (the payment's statement line is unique).
"""

from collections.abc import Iterable
from datetime import date, datetime, time
from pathlib import Path
from typing import IO

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openpo.catalog.models import Shop
from openpo.core.audit import audit_event
from openpo.core.errors import DomainError
from openpo.orders.models import Order
from openpo.payments.errors import InvalidPayment
from openpo.payments.models import (
    ExpectedPayment,
    Payment,
    StatementImport,
    StatementLine,
)
from openpo.payments.services.recording import record_payment
from openpo.payments.statements.errors import (
    StatementCandidateGone,
    StatementError,
    StatementLineNotReviewable,
    UnknownStatementFormat,
)
from openpo.payments.statements.fingerprints import fingerprints
from openpo.payments.statements.lines import ParsedStatement, parse_statement
from openpo.payments.statements.matching import CHUNK, RECONCILED, Matcher
from openpo.payments.statements.presets import PRESETS, ColumnMapping, detect, find_mapping
from openpo.payments.statements.reading import Row, read_rows

MANUAL = "manual"
REVIEWABLE = (
    StatementLine.Match.MATCHED,
    StatementLine.Match.AMBIGUOUS,
    StatementLine.Match.LATE,
    StatementLine.Match.UNMATCHED,
)


def _bytes(file: bytes | str | Path | IO[bytes]) -> bytes:
    if isinstance(file, bytes):
        return file
    if isinstance(file, str | Path):
        return Path(file).read_bytes()
    if hasattr(file, "seek"):
        file.seek(0)
    return file.read()


def resolve_mapping(
    rows: list[Row], mapping: str | ColumnMapping | None
) -> tuple[str, ColumnMapping]:
    """(format name, column mapping) for the file: detected, a preset's, or given by hand."""
    if isinstance(mapping, ColumnMapping):
        return MANUAL, mapping
    if not mapping:
        detected = detect(rows)
        if detected is None:
            raise UnknownStatementFormat()
        return detected
    preset = PRESETS.get(mapping)
    if preset is None:
        raise StatementError(
            _("Unknown statement format %(name)s. Use one of: %(names)s."),
            name=mapping,
            names=", ".join(PRESETS),
        )
    found = find_mapping(rows, preset)
    if found is None:
        raise StatementError(
            _(
                "This file does not look like a %(bank)s statement: its table header was not "
                "found. Choose another format, or leave the format to be detected."
            ),
            bank=str(preset.label),
        )
    return preset.name, found


def read_statement(
    *, shop: Shop, data: bytes, mapping: str | ColumnMapping | None, now: datetime
) -> tuple[str, ParsedStatement]:
    """The format and the transactions of a statement file. Raises StatementError."""
    rows = read_rows(data)
    format_name, columns = resolve_mapping(rows, mapping)
    today = timezone.localtime(now, shop.tzinfo).date()
    return format_name, parse_statement(rows, columns, today=today)


def received_at(shop: Shop, posted_on: date) -> datetime:
    """Banks give the day only: the payment is dated at noon of that day, shop time."""
    return datetime.combine(posted_on, time(12), tzinfo=shop.tzinfo)


def _existing_fingerprints(shop: Shop, prints: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(prints), CHUNK):
        found.update(
            StatementLine.objects.filter(
                shop=shop, fingerprint__in=prints[start : start + CHUNK]
            ).values_list("fingerprint", flat=True)
        )
    return found


@transaction.atomic
def import_statement(
    *,
    shop: Shop,
    file: bytes | str | Path | IO[bytes],
    mapping: str | ColumnMapping | None = None,
    apply: bool = False,
    actor: AbstractBaseUser | None = None,
    file_name: str = "",
    now: datetime | None = None,
) -> dict[str, object]:
    """Import a statement's credit lines once each and match them; apply exact matches when
    `apply` or the shop's automatic confirmation is on. Returns the summary (also stored on
    the import). Raises StatementError, importing nothing, when any line cannot be read."""
    now = now or timezone.now()
    if not file_name and isinstance(file, str | Path):
        file_name = Path(file).name
    file_name = file_name or getattr(file, "name", "") or ""
    format_name, parsed = read_statement(shop=shop, data=_bytes(file), mapping=mapping, now=now)
    credits = parsed.credits
    statement = StatementImport.objects.create(
        shop=shop,
        file_name=Path(file_name).name[:255],
        bank_format=format_name,
        imported_at=now,
        imported_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    prints = fingerprints(shop_id=shop.pk, transactions=credits)
    known = _existing_fingerprints(shop, prints)
    fresh = []
    for transaction_, fingerprint in zip(credits, prints, strict=True):
        if fingerprint in known:
            continue
        known.add(fingerprint)
        fresh.append((transaction_, fingerprint))
    matcher = Matcher(shop=shop, amounts=[t.amount for t, _print in fresh])
    lines, reconciled = [], []
    for transaction_, fingerprint in fresh:
        result = matcher.match(posted_on=transaction_.posted_on, amount=transaction_.amount)
        line = StatementLine(
            shop=shop,
            statement=statement,
            fingerprint=fingerprint,
            posted_on=transaction_.posted_on,
            description=transaction_.description[:500],
            amount=transaction_.amount,
            match=StatementLine.Match.APPLIED if result.match == RECONCILED else result.match,
            expected_payment=result.expected_payment,
            candidates=result.candidates,
        )
        lines.append(line)
        if result.match == RECONCILED:
            reconciled.append((line, result.payment))
    try:
        StatementLine.objects.bulk_create(lines)
    except IntegrityError as error:
        # A concurrent import stored some of these lines first (fingerprints are unique).
        raise StatementError(
            _("This statement was being imported at the same moment. Import it again.")
        ) from error
    for line, payment in reconciled:
        # The seller already confirmed this money from the buyer's proof: link, don't add.
        Payment.objects.filter(pk=payment.pk, statement_line__isnull=True).update(
            statement_line=line
        )
    counts = {match: 0 for match in StatementLine.Match.values}
    for line in lines:
        counts[line.match] += 1
    applied = 0
    if apply or shop.auto_confirm_exact_matches:
        for line in lines:
            if line.match == StatementLine.Match.MATCHED:
                _apply(line, line.expected_payment, actor=actor, now=now)
                applied += 1
    summary = {
        "statement": statement.pk,
        "format": format_name,
        "lines": len(parsed.transactions) + parsed.pending,
        "credits": len(credits),
        "debits_skipped": parsed.debits,
        "pending_skipped": parsed.pending,
        "duplicates": len(credits) - len(fresh),
        "matched": counts[StatementLine.Match.MATCHED],
        "ambiguous": counts[StatementLine.Match.AMBIGUOUS],
        "late": counts[StatementLine.Match.LATE],
        "unmatched": counts[StatementLine.Match.UNMATCHED],
        "already_confirmed": len(reconciled),
        "applied": applied,
        "credit_total": sum(t.amount for t in credits),
    }
    StatementImport.objects.filter(pk=statement.pk).update(summary=summary)
    statement.summary = summary
    audit_event(
        action="statement.imported",
        subject=statement,
        shop_id=shop.pk,
        actor=actor,
        actor_label="" if actor else "import_statement",
        at=now,
        data=summary,
    )
    return summary


def _apply(
    line: StatementLine,
    expected: ExpectedPayment | None,
    *,
    order: Order | None = None,
    actor: AbstractBaseUser | None,
    now: datetime,
) -> Payment:
    order = order or expected.order
    payment = record_payment(
        order=order,
        amount=line.amount,
        source=Payment.Source.STATEMENT,
        expected_payment=expected,
        statement_line=line,
        received_at=received_at(line.shop, line.posted_on),
        actor=actor,
        now=now,
    )
    StatementLine.objects.filter(pk=line.pk).update(
        match=StatementLine.Match.APPLIED, expected_payment=expected
    )
    line.match, line.expected_payment = StatementLine.Match.APPLIED, expected
    return payment


def _locked_line(line: StatementLine) -> StatementLine:
    line = StatementLine.objects.select_for_update().select_related("shop").get(pk=line.pk)
    if line.match not in REVIEWABLE:
        raise StatementLineNotReviewable()
    return line


@transaction.atomic
def apply_line(
    *, line: StatementLine, actor: AbstractBaseUser | None = None, now: datetime | None = None
) -> Payment:
    """Confirm an exact match in one tap: the payment is recorded on its order, once."""
    now = now or timezone.now()
    line = _locked_line(line)
    if line.match != StatementLine.Match.MATCHED or line.expected_payment_id is None:
        raise StatementLineNotReviewable(
            _("Only an exact match is confirmed in one tap; choose the order for this line.")
        )
    expected = ExpectedPayment.objects.select_related("order__shop").get(
        pk=line.expected_payment_id
    )
    if expected.status != ExpectedPayment.Status.OPEN:
        raise StatementCandidateGone()
    return _apply(line, expected, actor=actor, now=now)


@transaction.atomic
def choose_candidate(
    *,
    line: StatementLine,
    order: Order,
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> Payment:
    """The seller says which order a line pays (one of its candidates, or any order of the
    shop for a late or unmatched line): the payment is recorded on that order, once."""
    now = now or timezone.now()
    line = _locked_line(line)
    if order.shop_id != line.shop_id:
        raise InvalidPayment(field_errors={"order": [_("Choose an order of this shop.")]})
    ids = [*line.candidates, line.expected_payment_id]
    expected = (
        ExpectedPayment.objects.filter(order=order, pk__in=[i for i in ids if i])
        .order_by("-pk")
        .first()
    )
    if expected is None:
        expected = order.expected_payments.filter(status=ExpectedPayment.Status.OPEN).first()
    return _apply(line, expected, order=order, actor=actor, now=now)


@transaction.atomic
def ignore_line(
    *, line: StatementLine, actor: AbstractBaseUser | None = None, now: datetime | None = None
) -> StatementLine:
    """The seller says a line is not a buyer's payment (a refund in, a transfer of their own)."""
    now = now or timezone.now()
    line = _locked_line(line)
    StatementLine.objects.filter(pk=line.pk).update(match=StatementLine.Match.IGNORED)
    line.match = StatementLine.Match.IGNORED
    audit_event(
        action="statement_line.ignored",
        subject=line,
        shop_id=line.shop_id,
        actor=actor,
        at=now,
        data={"amount": line.amount, "posted_on": line.posted_on.isoformat()},
    )
    return line


def apply_exact_matches(
    *,
    lines: Iterable[StatementLine],
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> tuple[int, int]:
    """ "Confirm all exact": each exact match in its own transaction. (applied, skipped):
    a line whose order changed since the import is left for the seller."""
    applied = skipped = 0
    for line in lines:
        try:
            apply_line(line=line, actor=actor, now=now)
        except DomainError:
            skipped += 1
        else:
            applied += 1
    return applied, skipped
