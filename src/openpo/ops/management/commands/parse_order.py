"""`openpo parse_order --campaign SHOP/CAMPAIGN [FILE|-]`: read orders from text (one chat
message, a pasted stretch of chat or a WhatsApp chat export) against a PO's catalogue and
print them as JSON: a list with one object per order found (`ParsedOrder.as_json()`: name,
phone, email, address, items, notes, errors, warnings). Nothing is stored.

FILE omitted or "-" reads standard input. The text is read as UTF-8 (a BOM is dropped); bytes
that are not UTF-8 become "�". Exit status 0 whatever the orders' problems (they are in the JSON).
"""

import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from openpo.catalog.models import Campaign
from openpo.intake.catalogue import catalogue_for
from openpo.intake.parser import parse_text


def find_campaign(value: str) -> Campaign:
    """The campaign named "SHOP/CAMPAIGN" by the two link names (slugs)."""
    shop, _slash, slug = value.strip().partition("/")
    if not shop or not slug:
        raise CommandError(
            _("Name the PO as SHOP/CAMPAIGN (the two link names), not %(value)s.")
            % {"value": value}
        )
    found = Campaign.objects.filter(shop__slug=shop, slug=slug).select_related("shop").first()
    if found is None:
        raise CommandError(
            _("There is no PO %(campaign)s in the shop %(shop)s.")
            % {"campaign": slug, "shop": shop}
        )
    return found


def read_input(file: str | None, stdin) -> bytes:
    if file in (None, "-"):
        data = getattr(stdin, "buffer", stdin).read()
        return data.encode() if isinstance(data, str) else data
    try:
        with open(file, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise CommandError(
            _("Cannot read %(file)s: %(problem)s") % {"file": file, "problem": error.strerror}
        ) from error


class Command(BaseCommand):
    help = "Read orders from chat text against a PO's products and print them as JSON."
    stealth_options = ("stdin",)  # call_command(..., stdin=...) for tests

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "file", nargs="?", default="-", help="a text file or chat export; - or none: stdin"
        )
        parser.add_argument(
            "--campaign", required=True, help="the PO as SHOP/CAMPAIGN (the two link names)"
        )

    def handle(self, *args, file: str, campaign: str, **options) -> None:
        found = find_campaign(campaign)
        text = read_input(file, options.get("stdin") or sys.stdin).decode("utf-8-sig", "replace")
        orders = parse_text(text, catalogue_for(found))
        self.stdout.write(
            json.dumps([order.as_json() for order in orders], ensure_ascii=False, indent=2)
        )
