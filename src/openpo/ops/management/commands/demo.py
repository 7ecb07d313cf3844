"""`openpo demo`: migrate, load the demo shop once, and print where to look."""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from openpo.ops import demo

PHASE_WORDS = {
    "scheduled": "upcoming",
    "open": "open",
    "closed": "closed, awaiting production",
    "producing": "in production",
    "shipping": "shipping",
    "completed": "completed",
    "failed": "failed (minimum not reached)",
    "cancelled": "cancelled",
    "draft": "draft",
}


class Command(BaseCommand):
    help = (
        "Migrate the database and load (once) the demo shop `demo` with user demo / password "
        "demo: campaigns in every phase with a few hundred orders. Prints the URLs."
    )

    def handle(self, *args, **options) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        result = demo.load_demo()
        counts = demo.counts()
        shop = result.shop
        if result.loaded:
            self.stdout.write(
                f"Loaded the demo shop “{shop.name}” in {result.seconds:.1f} s: "
                f"{counts['campaigns']} POs ({counts['past_campaigns']} of them past, over two "
                f"years), {counts['orders']} orders, "
                f"{counts['customers']} customers."
            )
        else:
            self.stdout.write(f"The demo shop “{shop.name}” is already loaded; nothing changed.")
        self.stdout.write("")
        self.stdout.write(f"  Home       {demo.site_url('/')}")
        self.stdout.write(
            f"  Dashboard  {demo.site_url('/dashboard/')}  (sellers log in at "
            f"{demo.site_url('/accounts/login/')} as {demo.USERNAME} / {demo.PASSWORD})"
        )
        self.stdout.write(f"  Admin      {demo.site_url('/admin/')}  (the same log-in)")
        self.stdout.write("")
        self.stdout.write(f"  Shop       {demo.site_url(f'/{shop.slug}/')}")
        self.stdout.write("")
        self.stdout.write("  POs (public pages):")
        links = demo.campaign_links(shop, now=timezone.now())
        width = max((len(link.title) for link in links), default=0)
        for link in links:
            phase = PHASE_WORDS.get(link.phase, link.phase)
            self.stdout.write(
                f"  {phase:<29} {link.title:<{width}}  {link.orders:>3} active orders "
                f"{link.units:>4} units  {link.url}"
            )
        self.stdout.write("")
        self.stdout.write(
            f"  Before these, {counts['past_campaigns']} completed POs over two years; what they "
            f"sold, when and to whom: {demo.site_url('/dashboard/insights/')}"
        )
