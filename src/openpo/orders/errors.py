"""Domain errors of ordering, each with a message the buyer can read."""

from django.utils.translation import gettext_lazy as _

from openpo.core.errors import DomainError


class CampaignClosed(DomainError):
    code = "closed"
    http_status = 409
    default_message = _("This PO is not taking orders now.")
    closed = _("This PO closed on %(closes_at)s and no longer takes orders.")
    # Refuses every order until the seller or time changes the PO (orders/refusals.py).
    whole_po = True


class CampaignNotOpen(CampaignClosed):
    code = "not_open"
    default_message = _("This PO is not open yet; it opens on %(opens_at)s.")
    whole_po = False  # it opens by itself


class SoldOut(DomainError):
    code = "sold_out"
    http_status = 409
    default_message = _("Sorry, “%(item)s” is sold out.")
    not_enough = _("Sorry, only %(left)s left of “%(item)s”.")
    campaign_full = _("Sorry, this PO is sold out: only %(left)s units left in total.")
    campaign_sold_out = _("Sorry, this PO is sold out.")

    @property
    def whole_po(self) -> bool:
        """Refuses every order, not only this one's items (orders/refusals.py)."""
        return self._message is self.campaign_sold_out or (
            self._message is self.campaign_full and self.params.get("left") == 0
        )


class InvalidOrder(DomainError):
    code = "invalid_order"
    http_status = 422
    default_message = _("Please correct the order.")


class IdempotencyMismatch(DomainError):
    """The idempotency key came with another order before: this request is refused, and the
    other order is not shown (the key may have been guessed or copied)."""

    code = "idempotency_mismatch"
    http_status = 422
    default_message = _("This Idempotency-Key was already used for a different order.")
    # What the web forms (the buyer's and the seller's) show instead: their key is hidden.
    form_resent = _(
        "This form was already sent and made an order. Reload the page to place another order."
    )


class TooManyAwaitingPayment(DomainError):
    code = "busy"
    http_status = 503
    default_message = _(
        "So many orders of this amount are waiting for payment that no transfer amount is "
        "free; please try again in a few minutes."
    )
