"""`openpo create_token USERNAME --shop SHOP [--name NAME]`: a personal API token of a shop's
member, for /api/v1/shop/. Only its hash is kept: the token is printed once, alone on the last
line, so a script can take it with `tail -n 1`."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from openpo.catalog.models import Shop
from openpo.catalog.services.api_tokens import create_token
from openpo.core.errors import DomainError


class Command(BaseCommand):
    help = "Create a personal API token of a shop member; it is printed once."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username", help="the member the token acts for")
        parser.add_argument("--shop", required=True, help="the shop's link name")
        parser.add_argument("--name", default="", help="what the token is for (default: cli)")

    def handle(self, *args, username: str, shop: str, name: str, **options) -> None:
        user = get_user_model().objects.filter(username=username.strip()).first()
        if user is None:
            raise CommandError(_("There is no user %(username)s.") % {"username": username})
        found = Shop.objects.filter(slug=shop.strip()).first()
        if found is None:
            raise CommandError(_("There is no shop %(shop)s.") % {"shop": shop})
        try:
            token, raw = create_token(shop=found, user=user, name=name or "cli")
        except DomainError as error:
            details = " ".join(str(m) for msgs in error.field_errors.values() for m in msgs)
            raise CommandError(f"{error.message} {details}".strip()) from error
        self.stdout.write(
            _("Token %(name)s of %(username)s for %(shop)s; keep it, it is not shown again:")
            % {"name": token.name, "username": user.get_username(), "shop": found.slug}
        )
        self.stdout.write(raw)
