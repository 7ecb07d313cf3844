"""Errors met while reading a bank statement, each naming the line and what is wrong."""

from django.utils.translation import gettext_lazy as _

from openpo.core.errors import DomainError


class StatementError(DomainError):
    """The file cannot be imported as it is; nothing was imported."""

    code = "invalid_statement"
    http_status = 422
    default_message = _("This bank statement cannot be imported.")


class UnknownStatementFormat(StatementError):
    """No preset recognises the file: the seller maps its columns."""

    code = "unknown_statement_format"
    default_message = _(
        "The statement's format was not recognised. Choose which column holds the date, "
        "the description and the amount."
    )


class StatementLineNotReviewable(DomainError):
    code = "statement_line_decided"
    http_status = 409
    default_message = _("This statement line was already applied or ignored.")


class StatementCandidateGone(DomainError):
    code = "statement_candidate_gone"
    http_status = 409
    default_message = _(
        "That order no longer waits for this amount (it was paid or changed since the "
        "import). Choose the order again."
    )
