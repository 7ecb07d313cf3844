"""`openpo insights SHOP [--campaign SLUG] [--json]`: a shop's (or one PO's) figures, as the
insights pages show them; `--json` prints one JSON object (insights.report) for scripts."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from openpo.catalog.models import Campaign, Shop
from openpo.insights.report import insights
from openpo.insights.segments import SEGMENTS
from openpo.insights.suggest import WEEKDAYS
from openpo.insights.suggest import backtest as run_backtest


class Command(BaseCommand):
    help = "Print a shop's insights: what sold, when buyers order, who they are, the next PO."

    def add_arguments(self, parser) -> None:
        parser.add_argument("shop", help="the shop's link name")
        parser.add_argument("--campaign", default="", help="one PO's link name")
        parser.add_argument("--json", action="store_true", help="one JSON object")
        parser.add_argument(
            "--backtest",
            action="store_true",
            help="also plan each past PO from the ones before it and compare with what it sold",
        )

    def handle(
        self, *args, shop: str, campaign: str, json: bool, backtest: bool, **options
    ) -> None:
        found = Shop.objects.filter(slug=shop.strip()).first()
        if found is None:
            raise CommandError(_("There is no shop %(shop)s.") % {"shop": shop})
        po = None
        if campaign:
            po = Campaign.objects.filter(shop=found, slug=campaign.strip()).first()
            if po is None:
                raise CommandError(
                    _("The shop %(shop)s has no PO %(po)s.") % {"shop": shop, "po": campaign}
                )
        figures = insights(found, po)
        if backtest:
            figures["backtest"] = run_backtest(found).as_dict()
        if json:
            self.stdout.write(_dumps(figures))
        else:
            self._write(figures)

    def _write(self, f: dict) -> None:
        out = self.stdout.write
        out(_("Orders: %(orders)s, units: %(units)s") % f)
        out(
            _("Buyers: %(customers)s, repeat buyers: %(repeat_customers)s (%(rate).0f%%)")
            % {**f, "rate": f["repeat_rate"] * 100}
        )
        out("")
        out(_("Variants (units, orders, sold out after):"))
        for v in f["variants"]:
            after = "-" if v["sold_out_after_hours"] is None else f"{v['sold_out_after_hours']} h"
            out(f"  {v['campaign']:<24} {v['sku']:<24} {v['units']:>7} {v['orders']:>7} {after}")
        out("")
        out(_("Orders by weekday:"))
        for day, n in zip(WEEKDAYS, f["by_weekday"], strict=True):
            out(f"  {day:<10} {n:>7}")
        out(_("Orders by hour:"))
        out("  " + " ".join(f"{h:02d}:{n}" for h, n in enumerate(f["by_hour"])))
        for title, key in ((_("Provinces:"), "provinces"), (_("Channels:"), "channels")):
            out(title)
            for name, n in f[key].items():
                out(f"  {name:<24} {n:>7}")
        out(_("Segments:"))
        for name, n in f["segments"].items():
            out(f"  {SEGMENTS[name]!s:<56} {n:>7}")
        plan = f["next_po"]
        out(
            _("Next PO: open on %(day)s at %(hour)s:00; plan:")
            % {
                "day": plan["open_weekday"] or "-",
                "hour": plan["open_hour"] if plan["open_hour"] is not None else "-",
            }
        )
        for v in plan["variants"]:
            out(f"  {v['sku']:<24} {v['units']:>7}")
        if "backtest" in f:
            test = f["backtest"]
            out(
                _("Back-test over %(rows)s SKUs: plan off by %(plan)s%%, last time by %(naive)s%%")
                % {
                    "rows": len(test["rows"]),
                    "plan": test["plan_mape"],
                    "naive": test["naive_mape"],
                }
            )


def _dumps(figures: dict) -> str:
    return json.dumps(figures, ensure_ascii=False, indent=2, default=str)
