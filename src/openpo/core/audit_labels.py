"""What each audit event means, in words a seller reads: one label per `action` a service
writes (`tests/core/test_audit_labels.py` fails when an action in the code has none), and
who acted when it was not a logged-in user. Pages and the admin show these, never the codes.
"""

from django.utils.translation import gettext_lazy as _

from openpo.core.models import AuditEvent

ACTION_LABELS = {
    # Shop and team
    "shop.created": _("Shop created"),
    "shop.settings_changed": _("Shop settings changed"),
    "shop.exported": _("Shop data exported"),
    "customer.erased": _("Buyer's personal data erased"),
    "shop.payment_settings_changed": _("Payment settings changed"),
    "shop.bank_account_added": _("Bank account added"),
    "shop.bank_account_changed": _("Bank account changed"),
    "shop.bank_account_activated": _("Bank account shown to buyers"),
    "shop.bank_account_deactivated": _("Bank account hidden from buyers"),
    "shop.bank_account_deleted": _("Bank account deleted"),
    "shop.member_set": _("Team member's role set"),
    "shop.member_invited": _("Team member invited"),
    "shop.invitation_revoked": _("Invitation withdrawn"),
    "shop.invitation_accepted": _("Invitation accepted"),
    "shop.member_removed": _("Team member removed"),
    "webhook.created": _("Webhook added"),
    "webhook.activated": _("Webhook turned on"),
    "webhook.deactivated": _("Webhook turned off"),
    "webhook.deleted": _("Webhook deleted"),
    "shop.api_token_created": _("API token made"),
    "shop.api_token_revoked": _("API token revoked"),
    # A PO and what it sells
    "campaign.created": _("PO created"),
    "campaign.duplicated": _("PO created as a copy of another PO"),
    "campaign.updated": _("PO details changed"),
    "campaign.opened_now": _("Opening time moved to now"),
    "campaign.publish": _("PO published"),
    "campaign.open": _("PO opened"),
    "campaign.close": _("PO closed"),
    "campaign.reopen": _("PO reopened"),
    "campaign.fail": _("PO failed: minimum order not reached"),
    "campaign.start_production": _("Production started"),
    "campaign.start_shipping": _("Shipping started"),
    "campaign.complete": _("PO completed"),
    "campaign.cancel": _("PO cancelled"),
    "campaign.date_moved": _("PO date moved (buyers told why)"),
    "production.stages_added": _("Usual production stages added"),
    "production.stage_added": _("Production stage added"),
    "production.stage_changed": _("Production stage changed"),
    "production.stage_removed": _("Production stage removed"),
    "production.stage_done": _("Production stage marked done"),
    "production.stage_reopened": _("Production stage marked not done"),
    "production.update_posted": _("Production update posted"),
    "production.update_sent": _("Production update sent to buyers"),
    "production.update_removed": _("Production update removed"),
    "product.added": _("Product added"),
    "product.updated": _("Product details changed"),
    "product.variants_added": _("Variants added to a product"),
    "product.deactivated": _("Product taken off sale (it has orders)"),
    "product.removed": _("Product removed"),
    "variant.updated": _("Variant changed"),
    "variant.deactivated": _("Variant taken off sale (it has orders)"),
    "variant.removed": _("Variant removed"),
    "photo.added": _("Photo added"),
    "photo.removed": _("Photo removed"),
    "material.set": _("Material set"),
    "material.removed": _("Material removed"),
    # Orders
    "order.placed": _("Order placed"),
    "order.buyer_updated": _("Buyer details corrected"),
    "order.items_changed": _("Items changed"),
    "order.note_added": _("Internal note added"),
    "order.cancelled": _("Order cancelled"),
    "order.expired": _("Expired: not paid in time"),
    "order.refund_account_set": _("Buyer gave a refund account"),
    "order.buyer_self_corrected": _("Buyer corrected their own details"),
    "campaign.addresses_locked": _("Addresses locked: buyers can no longer change them"),
    "campaign.addresses_unlocked": _("Addresses unlocked: buyers can correct them again"),
    "reconfirmation.noted": _("Needs the buyer again: note added"),
    "reconfirmation.resolved": _("Reconfirmation resolved"),
    "testimonial.written": _("Buyer wrote a testimonial"),
    "testimonial.approved": _("Testimonial shown on the shop's pages"),
    "testimonial.hidden": _("Testimonial hidden"),
    "order.cancelled_for_delay": _("Buyer cancelled because the PO is late"),
    # Money
    "payment.proof_submitted": _("Payment proof uploaded"),
    "payment.claimed": _("Payment reported, waiting for the seller's check"),
    "payment.proof_joined": _("Another proof added to the payment being checked"),
    "payment.confirmed": _("Payment confirmed"),
    "payment.rejected": _("Payment rejected"),
    "payment.recorded": _("Payment recorded"),
    "payment.refunded": _("Refund sent"),
    "payment.settlement_reminder": _("Settlement reminder sent"),
    "payment.extra_charge_added": _("Extra charge added"),
    "payment.extra_charge_cancelled": _("Extra charge cancelled"),
    "payment.extra_charge_reminder": _("Extra charge reminder sent"),
    "payment.gateway_started": _("Buyer opened the online payment (Midtrans)"),
    "payment.gateway_notification": _("Midtrans notification received"),
    "payment.gateway_refused": _("Midtrans notification refused"),
    "statement.imported": _("Bank statement imported"),
    "statement_line.ignored": _("Bank statement line ignored"),
    # Shipping
    "shipment.created": _("Parcel packed"),
    "shipment.orders_added": _("Orders combined into a parcel"),
    "shipment.tracking_set": _("Courier and resi set"),
    "shipment.shipped": _("Parcel shipped"),
    "shipment.delivered": _("Parcel delivered"),
    "shipment.returned": _("Parcel returned to the seller"),
    "shipment.unpaid_override": _("Shipped before full payment (seller's reason)"),
    "shipment.resi_imported": _("Resi file imported"),
    # Messages
    "broadcast.sent": _("Broadcast sent"),
    "message.marked_sent": _("WhatsApp message marked as sent"),
    "message_template.saved": _("Message template saved"),
    "message_template.reset": _("Message template reset to the default"),
    "whatsapp.account_saved": _("WhatsApp Cloud API settings saved"),
    "customer.opted_out": _("Buyer opted out of news (replied STOP)"),
    "customer.opted_in": _("Buyer opted in to news again (replied START)"),
}

# `actor_label` values: who acted when no logged-in user did (order channels and payment
# sources included, as the services pass them).
ACTOR_LABELS = {
    "buyer": _("Buyer"),
    "operator": _("Operator (command line)"),
    "system": _("Automatic"),
    "midtrans": "Midtrans",
    "midtrans?": _("Unverified sender"),
    "import_statement": _("Bank statement import"),
    "web": _("Order form"),
    "whatsapp": _("WhatsApp chat"),
    "import": _("Imported (CSV)"),
    "api": "API",
    "manual": _("Entered by the seller"),
    "statement": _("Bank statement"),
    "gateway": _("Payment gateway"),
    "proof": _("Proof uploaded by the buyer"),
}


def action_label(action: str) -> str:
    """The words for an action; an action no longer written (an old event) says only that
    something changed rather than show its code."""
    return str(ACTION_LABELS.get(action, _("Change recorded")))


def actor_name(event: AuditEvent) -> str:
    """Who did it: the user's name, else the words for its actor label ('' if unknown)."""
    if event.actor_id and event.actor:
        return event.actor.get_username()
    label = ACTOR_LABELS.get(event.actor_label)
    return str(label) if label else ""
