"""`openpo create_shop SLUG --owner USERNAME [--password PASSWORD] [--name NAME]`: for operators
who host OpenPO for several sellers. Creates the owner when missing, then the shop (the same
`sign_up` as the sign-up page, or `create_shop` for an owner who exists)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from openpo.catalog.services.shops import create_shop, sign_up
from openpo.core.errors import DomainError
from openpo.core.text import text_problem

# The services' field names, as this command's options call them.
OPTIONS = {
    "username": "--owner",
    "password": "--password",
    "name": "--name",
    "shop_name": "--name",
    "slug": "slug",
    "shop_slug": "slug",
}


class Command(BaseCommand):
    help = "Create a shop and, when missing, its owner."

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug", help="the shop's link name, e.g. rajut-kirana")
        parser.add_argument("--owner", required=True, help="username of the owner")
        parser.add_argument("--password", help="password for a new owner (required for one)")
        parser.add_argument("--name", help="the shop's name (default: from the slug)")

    def handle(
        self, *args, slug: str, owner: str, password: str | None, name: str | None, **options
    ) -> None:
        users = get_user_model()
        owner = owner.strip()
        for option, value in (("--owner", owner), ("--name", name or "")):
            if problem := text_problem(value):
                raise CommandError(f"{option}: {problem}")
        shop_name = name or slug.replace("-", " ").title()
        try:
            user = users.objects.filter(username=owner).first()
            if user is not None:
                shop = create_shop(name=shop_name, slug=slug, owner=user)
            elif not password:
                raise CommandError(
                    _("User %(owner)s does not exist; give --password to create them.")
                    % {"owner": owner}
                )
            else:
                user, shop = sign_up(
                    username=owner, email="", password=password, shop_name=shop_name, shop_slug=slug
                )
        except DomainError as error:
            details = "; ".join(
                f"{OPTIONS.get(field, field)}: {' '.join(str(m) for m in messages)}"
                for field, messages in error.field_errors.items()
            )
            raise CommandError(f"{error.message} {details}".strip()) from error
        self.stdout.write(
            _("Created shop %(slug)s owned by %(owner)s.")
            % {"slug": shop.slug, "owner": user.get_username()}
        )
