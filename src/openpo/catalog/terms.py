"""The PO terms a buyer accepts: the seller's own text plus the rules OpenPO enforces anyway
(payment window, DP and settlement, what happens when the minimum is not reached), written in
the shop's message language so the copy kept with each order reads as the buyer read it."""

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from openpo.catalog.models import Campaign
from openpo.core.money import format_rupiah


def po_rules(campaign: Campaign) -> list[str]:
    """The rules that follow from the campaign's settings, one sentence each."""
    shop = campaign.shop
    closes = timezone.localtime(campaign.closes_at, shop.tzinfo)
    rules = [
        _(
            "This is a pre-order: production starts after the PO closes on %(closes)s %(tz)s, "
            "and only what was ordered is made."
        )
        % {"closes": formats.date_format(closes, "j F Y H:i"), "tz": shop.tz_abbreviation},
    ]
    window = {"hours": campaign.payment_window_hours}
    if campaign.takes_deposit:
        rules.append(
            _(
                "Pay a down payment (DP) of %(percent)s%% within %(hours)s hours of ordering; "
                "an order whose DP is not paid in time is cancelled and its slot released."
            )
            % {"percent": campaign.deposit_percent, **window}
        )
        if campaign.settlement_due_on:
            rules.append(
                _("The rest (settlement) is due by %(date)s.")
                % {"date": formats.date_format(campaign.settlement_due_on, "j F Y")}
            )
    else:
        rules.append(
            _(
                "Pay in full within %(hours)s hours of ordering; an unpaid order is cancelled "
                "and its slot released."
            )
            % window
        )
    if campaign.moq_units:
        rules.append(
            _(
                "If fewer than %(moq)s units are ordered in total, the PO does not go ahead and "
                "every payment is refunded in full."
            )
            % {"moq": campaign.moq_units}
        )
    if campaign.shipping_fee:
        rules.append(
            _("Shipping costs %(fee)s per order.") % {"fee": format_rupiah(campaign.shipping_fee)}
        )
    if campaign.ships_on:
        rules.append(
            _("Estimated shipping from %(date)s.")
            % {"date": formats.date_format(campaign.ships_on, "j F Y")}
        )
    return rules


def po_terms(campaign: Campaign) -> str:
    """The full terms as plain text, in the shop's message language."""
    with translation.override(campaign.shop.message_language):
        lines = [f"- {rule}" for rule in po_rules(campaign)]
        if campaign.terms.strip():
            lines = [_("Seller's terms:"), campaign.terms.strip(), "", _("PO rules:"), *lines]
        return "\n".join(lines)
