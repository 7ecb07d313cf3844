"""Domain errors of the catalog: campaign lifecycle and setup."""

from django.utils.translation import gettext_lazy as _

from openpo.core.errors import DomainError


class InvalidTransition(DomainError):
    code = "invalid_transition"
    http_status = 409
    default_message = _("This PO is “%(current)s”; it cannot be moved to “%(target)s”.")


class TransitionNotDue(DomainError):
    code = "transition_not_due"
    http_status = 409
    default_message = _("It is too early for this step.")


class MinimumNotReached(DomainError):
    code = "minimum_not_reached"
    http_status = 409
    default_message = _(
        "The minimum order of %(moq)s units has not been reached (%(units)s units ordered)."
    )


class MinimumReached(DomainError):
    code = "minimum_reached"
    http_status = 409
    default_message = _(
        "The minimum order of %(moq)s units was reached (%(units)s units ordered); "
        "the PO cannot be marked as failed."
    )


class InvalidCampaign(DomainError):
    code = "invalid_campaign"
    http_status = 422
    default_message = _("Please correct the PO details.")


class InvalidShop(DomainError):
    code = "invalid_shop"
    http_status = 422
    default_message = _("Please correct the shop details.")


class OwnersOnly(DomainError):
    code = "owners_only"
    http_status = 403
    default_message = _("Only the shop's owners can do this.")
