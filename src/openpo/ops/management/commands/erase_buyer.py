"""`openpo erase_buyer SHOP CUSTOMER_ID [--confirm-in-progress]`: erase a buyer's personal
data on their request (UU PDP), keeping their orders for the books (`orders.services.
erasure`). Refused (exit status 1, naming the orders) while an order still needs the buyer's
address or refund account, unless `--confirm-in-progress`. Erasing an erased buyer again
changes nothing. Prints one JSON object of what was changed (counts, never the data)."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from openpo.catalog.models import Shop
from openpo.orders.models import Customer
from openpo.orders.services.erasure import ErasureNeedsConfirmation, erase_customer


class Command(BaseCommand):
    help = "Erase a buyer's personal data (their orders stay, anonymised)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("shop", help="the shop's link name (slug)")
        parser.add_argument("customer_id", type=int, help="the buyer's id (customers.csv, API)")
        parser.add_argument(
            "--confirm-in-progress",
            action="store_true",
            help="erase even when an order still needs the address or refund account",
        )

    def handle(
        self, *args, shop: str, customer_id: int, confirm_in_progress: bool, **options
    ) -> None:
        found = Shop.objects.filter(slug=shop).first()
        if found is None:
            raise CommandError(_("There is no shop %(slug)s.") % {"slug": shop})
        customer = Customer.objects.filter(shop=found, pk=customer_id).first()
        if customer is None:
            raise CommandError(
                _("The shop %(slug)s has no buyer %(id)s.") % {"slug": shop, "id": customer_id}
            )
        try:
            result = erase_customer(
                customer=customer,
                actor_label="operator",
                confirm_in_progress=confirm_in_progress,
            )
        except ErasureNeedsConfirmation as refusal:
            raise CommandError(
                refusal.message + " " + _("Use --confirm-in-progress to erase anyway.")
            ) from refusal
        self.stdout.write(json.dumps(result.as_dict(), sort_keys=True))
