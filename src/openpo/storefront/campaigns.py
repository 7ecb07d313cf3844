"""Buyer pages of a shop and its POs: the shop page, the campaign page with its order form,
the "Ingatkan saya" sign-up and the calendar file. Views only adapt HTTP to the services."""

from datetime import datetime, timedelta

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openpo.catalog.models import Campaign, Shop
from openpo.catalog.selectors import (
    PUBLIC_STATUSES,
    availability,
    get_campaign_for_order_form,
    get_public_campaign,
    public_variants,
)
from openpo.catalog.terms import po_terms
from openpo.core.errors import DomainError
from openpo.core.forms import add_domain_error
from openpo.core.ratelimit import rate_limit
from openpo.orders import refusals
from openpo.orders.errors import IdempotencyMismatch
from openpo.orders.models import Order
from openpo.orders.services import place_order, sign_up_for_reminder
from openpo.storefront.forms import OrderForm, ReminderForm
from openpo.storefront.ics import calendar_for
from openpo.storefront.page_memory import remembered_page
from openpo.storefront.testimonials import shop_testimonials


@require_GET
def shop_page(request: HttpRequest, shop_slug: str) -> HttpResponse:
    campaigns = Campaign.objects.filter(status__in=PUBLIC_STATUSES).order_by("-opens_at")
    shop = get_object_or_404(
        Shop.objects.prefetch_related(Prefetch("campaigns", queryset=campaigns)), slug=shop_slug
    )
    now = timezone.now()
    rows = [(c, c.phase(now)) for c in shop.campaigns.all()]
    return render(
        request,
        "storefront/shop.html",
        {"shop": shop, "campaigns": rows, "testimonials": shop_testimonials(shop)},
    )


def campaign_context(campaign: Campaign, form: OrderForm, *, now: datetime) -> dict:
    """What the campaign page shows at `now` (the seller's preview shows it at its opening)."""
    variants = public_variants(campaign)
    return {
        "campaign": campaign,
        "shop": campaign.shop,
        "products": campaign.products.all(),
        "available": availability(campaign, variants, now),
        "form": form,
        "reminder_form": ReminderForm(),
        "terms": po_terms(campaign),
        "now": now,
        "first_photo": next((ph for p in campaign.products.all() for ph in p.photos.all()), None),
        "lowest_price": min((v.price_at(campaign, now) for v in variants), default=None),
        "early_bird": campaign.early_bird_on(now)
        and any(v.early_bird_price is not None for v in variants),
        # What buyers of the shop's earlier POs said (approved by the seller).
        "testimonials": shop_testimonials(campaign.shop, exclude_campaign=campaign),
    }


def _render_campaign(
    request: HttpRequest,
    campaign: Campaign,
    form: OrderForm,
    *,
    status: int = 200,
    csrf_token: str | None = None,
) -> HttpResponse:
    context = campaign_context(campaign, form, now=timezone.now())
    if csrf_token:
        context["csrf_token"] = csrf_token  # the one the page memory fills in (page_memory.py)
    template = (
        "storefront/_order_form.html"
        if request.headers.get("HX-Request")
        else "storefront/campaign.html"
    )
    return render(request, template, context, status=status)


@require_http_methods(["GET", "HEAD"])
def campaign_page(request: HttpRequest, shop_slug: str, campaign_slug: str) -> HttpResponse:
    def draw(csrf_token: str, idempotency_key: str) -> HttpResponse:
        campaign = get_public_campaign(shop_slug, campaign_slug)
        form = OrderForm(
            variants=public_variants(campaign), initial={"idempotency_key": idempotency_key}
        )
        return _render_campaign(request, campaign, form, csrf_token=csrf_token)

    # Drawn at most once a second per process; each buyer gets their own tokens in it.
    return remembered_page(request, ("campaign", shop_slug, campaign_slug), draw)


@require_POST
def order_create(request: HttpRequest, shop_slug: str, campaign_slug: str) -> HttpResponse:
    # A PO that refused everyone a moment ago is answered from memory, before the rate limit.
    key = request.POST.get("idempotency_key", "")
    if refusal := refusals.standing_refusal(shop_slug, campaign_slug, key):
        return _refused(request, shop_slug, campaign_slug, refusal)
    return _order_create(request, shop_slug, campaign_slug)


@rate_limit("order")
def _order_create(request: HttpRequest, shop_slug: str, campaign_slug: str) -> HttpResponse:
    # Only what the order needs; the whole page is read and drawn only to show a refusal.
    campaign, variants = get_campaign_for_order_form(shop_slug, campaign_slug)
    form = OrderForm(request.POST, variants=variants)
    if not form.is_valid():
        return _refused(request, shop_slug, campaign_slug)
    try:
        order = place_order(
            campaign=campaign,
            buyer=form.buyer(),
            items=form.items(),
            channel=Order.Channel.WEB,
            idempotency_key=form.cleaned_data["idempotency_key"],
            terms_accepted=form.cleaned_data["terms"],
        )
    except DomainError as error:
        refusals.remember(shop_slug, campaign_slug, campaign.pk, error)
        return _refused(request, shop_slug, campaign_slug, error)
    url = reverse("order_page", args=[order.secret])
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url, permanent=False)


def _refused(
    request: HttpRequest, shop_slug: str, campaign_slug: str, error: DomainError | None = None
) -> HttpResponse:
    """The campaign page again with the buyer's form, its errors and the service's refusal."""
    campaign = get_public_campaign(shop_slug, campaign_slug)
    form = OrderForm(request.POST, variants=public_variants(campaign))
    form.is_valid()
    if error is None:
        return _render_campaign(request, campaign, form, status=422)
    if isinstance(error, IdempotencyMismatch):  # the page was sent, changed and sent again
        form.add_error(None, IdempotencyMismatch.form_resent)
    else:
        add_domain_error(form, error)
    return _render_campaign(request, campaign, form, status=error.http_status)


@require_POST
@rate_limit("reminder")
def reminder_signup(request: HttpRequest, shop_slug: str, campaign_slug: str) -> HttpResponse:
    campaign = get_public_campaign(shop_slug, campaign_slug)
    form = ReminderForm(request.POST)
    if form.is_valid():
        try:
            sign_up_for_reminder(campaign=campaign, contact=form.cleaned_data["contact"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Done! We will remind you before the PO opens."))
    else:
        messages.error(request, _("Enter a WhatsApp number or an email address."))
    return redirect(reverse("campaign", args=[shop_slug, campaign_slug]) + "#remind")


@require_GET
def campaign_calendar(request: HttpRequest, shop_slug: str, campaign_slug: str) -> HttpResponse:
    campaign = get_public_campaign(shop_slug, campaign_slug)
    url = request.build_absolute_uri(reverse("campaign", args=[shop_slug, campaign_slug]))
    body = calendar_for(campaign, url=url, alarm_before=timedelta(minutes=15))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{campaign.slug}.ics"'
    return response
