"""`openpo create_shop SLUG --owner USERNAME [--password PASSWORD] [--name NAME]`: for operators
who host OpenPO for several sellers. Creates the owner when missing, then the shop."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from openpo.catalog.services import create_shop
from openpo.core.errors import DomainError
from openpo.core.text import text_problem


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
        try:
            with transaction.atomic():
                user = users.objects.filter(username=owner).first()
                if user is None:
                    if not password:
                        raise CommandError(
                            _("User %(owner)s does not exist; give --password to create them.")
                            % {"owner": owner}
                        )
                    try:
                        users.username_validator(owner)
                    except ValidationError as error:
                        raise CommandError(f"--owner: {' '.join(error.messages)}") from error
                    user = users.objects.create_user(username=owner, password=password)
                shop = create_shop(
                    name=name or slug.replace("-", " ").title(), slug=slug, owner=user
                )
        except DomainError as error:
            details = "; ".join(
                f"{field}: {' '.join(str(m) for m in messages)}"
                for field, messages in error.field_errors.items()
            )
            raise CommandError(f"{error.message} {details}".strip()) from error
        self.stdout.write(
            _("Created shop %(slug)s owned by %(owner)s.")
            % {"slug": shop.slug, "owner": user.get_username()}
        )
