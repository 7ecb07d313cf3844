"""Messages in the dashboard: the WhatsApp queue (each message for the seller's own phone with a
one-tap wa.me link and "mark sent"), the broadcast composer of a PO with a live audience count
and a delivery report per broadcast (its audience: the PO's buyers, or a segment of the shop's
buyers told about the PO), the way from a segment's page to that composer, and the message log
of an order, a customer and a PO.

Writing goes through `messaging.broadcasts`; this module parses, shows and redirects.
"""

from urllib.parse import quote

from django import forms
from django.contrib import messages as flash
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openpo.catalog.models import Campaign
from openpo.core.errors import DomainError
from openpo.core.forms import Form, add_domain_error
from openpo.dashboard.access import get_shop_object, owner_required, shop_member_required
from openpo.insights.segments import SEGMENTS
from openpo.messaging import broadcasts
from openpo.messaging.models import Broadcast, Channel, OutboxMessage
from openpo.orders.models import Customer, Order

LOG_LIMIT = 300
QUEUE_LIMIT = 100  # a phone page stays light (~170 kB); the seller works down the list


def wa_me_link(phone: str, text: str) -> str:
    """https://wa.me/<digits>?text=… opens WhatsApp on the chat with the text typed in."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return f"https://wa.me/{digits}?text={quote(text, safe='')}"


# The WhatsApp queue ---------------------------------------------------------------------------


def _queue_filter(request: HttpRequest) -> dict[str, int]:
    """The queue's narrowing from the query string (?po=… or ?broadcast=…), ids only."""
    chosen = {}
    for name in ("po", "broadcast"):
        value = request.GET.get(name) or request.POST.get(name) or ""
        if value.isdigit():
            chosen[name] = int(value)
    return chosen


def _queue_url(chosen: dict[str, int]) -> str:
    query = "&".join(f"{name}={value}" for name, value in chosen.items())
    return reverse("dashboard:whatsapp_queue") + (f"?{query}" if query else "")


@require_GET
@shop_member_required
def whatsapp_queue(request: HttpRequest) -> HttpResponse:
    chosen = _queue_filter(request)
    manual = OutboxMessage.objects.filter(
        shop=request.shop, channel=Channel.WHATSAPP, status=OutboxMessage.Status.MANUAL
    )
    # Which POs have messages waiting, for the filter (counted before narrowing).
    per_po = dict(
        manual.exclude(campaign=None)
        .values_list("campaign")
        .annotate(n=Count("id"))
        .values_list("campaign", "n")
    )
    campaigns = list(Campaign.objects.filter(shop=request.shop, pk__in=per_po).order_by("-pk"))
    for campaign in campaigns:
        campaign.waiting = per_po[campaign.pk]
    waiting_qs = manual
    chosen_broadcast = None
    if "broadcast" in chosen:
        chosen_broadcast = Broadcast.objects.filter(
            shop=request.shop, pk=chosen["broadcast"]
        ).first()
        waiting_qs = waiting_qs.filter(event_key=f"broadcast:{chosen['broadcast']}")
    elif "po" in chosen:
        waiting_qs = waiting_qs.filter(campaign_id=chosen["po"])
    total = waiting_qs.count()
    waiting = list(
        waiting_qs.select_related("order", "campaign").order_by("created_at", "id")[:QUEUE_LIMIT]
    )
    for message in waiting:
        message.wa_link = wa_me_link(message.recipient, message.body)
    done = (
        OutboxMessage.objects.filter(
            shop=request.shop,
            channel=Channel.WHATSAPP,
            status=OutboxMessage.Status.SENT,
            attempts=0,  # sent from the seller's phone, not by the worker
        )
        .select_related("order")
        .order_by("-sent_at", "-id")[:10]
    )
    return render(
        request,
        "dashboard/messages/whatsapp_queue.html",
        {
            "shop": request.shop,
            "dash_section": "whatsapp",
            "waiting": waiting,
            "total": total,
            "all_waiting": manual.count(),
            "campaigns": campaigns,
            "chosen": chosen,
            "chosen_broadcast": chosen_broadcast,
            "done": done,
            "limit": QUEUE_LIMIT,
        },
    )


@shop_member_required  # first: a visitor who is not logged in goes to the login page
@require_POST
def whatsapp_mark_sent(request: HttpRequest) -> HttpResponse:
    try:
        message_pk = int(request.POST.get("message", ""))
    except ValueError:
        raise Http404("No message") from None
    message = (
        OutboxMessage.objects.filter(shop=request.shop, channel=Channel.WHATSAPP, pk=message_pk)
        .select_related("shop")
        .first()
    )
    if message is None:
        raise Http404("No message")
    broadcasts.mark_whatsapp_sent(message=message, actor=request.user)
    return redirect(_queue_url(_queue_filter(request)) + "#queue")


# Broadcasts -----------------------------------------------------------------------------------


class BroadcastForm(Form):
    segment = forms.ChoiceField(label=gettext_lazy("Who"), required=False)
    payment = forms.ChoiceField(
        label=gettext_lazy("Payment"),
        required=False,
        choices=[
            ("", gettext_lazy("All buyers")),
            ("unpaid", gettext_lazy("Not paid yet")),
            ("paid", gettext_lazy("Paid (or down payment)")),
        ],
    )
    variant = forms.TypedChoiceField(
        label=gettext_lazy("Variant"), required=False, coerce=int, empty_value=None
    )
    city = forms.CharField(label=gettext_lazy("City"), required=False, max_length=100)
    channel = forms.ChoiceField(label=gettext_lazy("Send by"), widget=forms.RadioSelect)
    body = forms.CharField(
        label=gettext_lazy("Message"),
        max_length=broadcasts.MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, campaign: Campaign, cloud_ready: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["segment"].choices = [
            ("", _("Buyers of this PO")),
            (_("A segment of the shop's buyers"), [(n, label) for n, label in SEGMENTS.items()]),
        ]
        variants = campaign.variants.select_related("product").order_by("position", "id")
        self.fields["variant"].choices = [("", _("All variants"))] + [
            (v.pk, str(v)) for v in variants
        ]
        channels = [
            (broadcasts.MANUAL, _("WhatsApp from my phone (queue)")),
            (broadcasts.EMAIL, _("Email")),
        ]
        if cloud_ready:
            channels.append((broadcasts.CLOUD, _("WhatsApp Cloud API (automatic)")))
        self.fields["channel"].choices = channels
        self.fields["channel"].initial = broadcasts.MANUAL

    def audience(self) -> broadcasts.Audience:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return broadcasts.Audience(
            payment=data.get("payment") or "",
            variant_id=data.get("variant"),
            city=data.get("city") or "",
            segment=data.get("segment") or "",
        )


def _chosen_segment(request: HttpRequest) -> str:
    """The segment a link chose (?segment=loyal, from the segment's page), or ""."""
    segment = request.GET.get("segment", "")
    return segment if segment in SEGMENTS else ""


def _broadcast_form(request: HttpRequest, campaign: Campaign, data=None) -> BroadcastForm:
    segment = _chosen_segment(request)
    if segment:
        # News of the PO for buyers who may have no order in it: no {kode}, {link} is its page.
        initial = {"segment": segment, "body": _("Hello {nama}, a new PO is open: {po}\n\n{link}")}
    else:
        initial = {"body": _("Hello {nama}, an update on your order {kode}: …\n\n{link}")}
    return BroadcastForm(
        data,
        campaign=campaign,
        cloud_ready=broadcasts.cloud_api_ready(request.shop),
        initial=initial,
    )


@require_http_methods(["GET", "POST"])
@owner_required
def broadcast(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_shop_object(request, Campaign, pk=campaign_id)
    form = _broadcast_form(request, campaign, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            sent = broadcasts.send_broadcast(
                campaign=campaign,
                body=form.cleaned_data["body"],
                channel=form.cleaned_data["channel"],
                audience=form.audience(),
                actor=request.user,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            flash.success(
                request,
                _("%(count)s messages written.") % {"count": sent.recipients},
            )
            if sent.channel == broadcasts.MANUAL:
                return redirect(_queue_url({"broadcast": sent.pk}))
            return redirect("dashboard:campaign_broadcast", campaign_id=campaign.pk)
    sent_before = list(
        Broadcast.objects.filter(campaign=campaign, shop=request.shop).select_related("created_by")[
            :50
        ]
    )
    report = broadcasts.delivery_report(sent_before)
    for item in sent_before:
        item.report = report[item.pk]
        item.segment_label = SEGMENTS.get((item.audience or {}).get("segment") or "", "")
    if form.is_bound:
        form.is_valid()  # a refused send keeps the audience it was refused for
        audience = form.audience()
    else:
        audience = broadcasts.Audience(segment=_chosen_segment(request))
    return render(
        request,
        "dashboard/messages/broadcast.html",
        {
            "shop": request.shop,
            "campaign": campaign,
            "dash_section": "pos",
            "form": form,
            "count": broadcasts.count_recipients(campaign, audience),
            "can_invite": broadcasts.can_invite(campaign, timezone.now()),
            "broadcasts": sent_before,
        },
        status=422 if form.is_bound and form.errors else 200,
    )


@require_GET
@owner_required
def broadcast_count(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The live count under the audience filter (an HTMX fragment)."""
    campaign = get_shop_object(request, Campaign, pk=campaign_id)
    form = _broadcast_form(request, campaign, request.GET)
    form.is_valid()  # the message may be empty while choosing; only the audience counts here
    channel = request.GET.get("channel", broadcasts.MANUAL)
    count = broadcasts.count_recipients(campaign, form.audience(), channel)
    return render(
        request, "dashboard/messages/_audience_count.html", {"count": count, "channel": channel}
    )


@require_GET
@owner_required
def segment_broadcast(request: HttpRequest, segment: str) -> HttpResponse:
    """From a segment's page to the composer of the PO to tell it about, the segment chosen:
    straight there when one PO is open or scheduled, else a choice (the newest first), or,
    with none, what to do first."""
    if segment not in SEGMENTS:
        raise Http404("Unknown segment")
    campaigns = list(broadcasts.invitable_campaigns(request.shop, timezone.now())[:20])
    if len(campaigns) == 1:
        return redirect(_composer_url(campaigns[0], segment))
    for campaign in campaigns:
        campaign.composer_url = _composer_url(campaign, segment)
    return render(
        request,
        "dashboard/messages/segment_pick.html",
        {
            "shop": request.shop,
            "dash_section": "insights",
            "segment": segment,
            "label": SEGMENTS[segment],
            "campaigns": campaigns,
        },
    )


def _composer_url(campaign: Campaign, segment: str) -> str:
    url = reverse("dashboard:campaign_broadcast", kwargs={"campaign_id": campaign.pk})
    return f"{url}?segment={segment}"


# The message log ------------------------------------------------------------------------------


def _log(request: HttpRequest, rows: QuerySet[OutboxMessage], context: dict) -> HttpResponse:
    rows = rows.filter(shop=request.shop).select_related("order", "campaign")
    return render(
        request,
        "dashboard/messages/log.html",
        {"shop": request.shop, "rows": list(rows[:LOG_LIMIT]), "limit": LOG_LIMIT, **context},
    )


@require_GET
@shop_member_required
def order_log(request: HttpRequest, order_id: int) -> HttpResponse:
    order = get_shop_object(request, Order, pk=order_id)
    return _log(
        request,
        OutboxMessage.objects.filter(order=order),
        {"order": order, "campaign": order.campaign, "dash_section": "pos", "scope": "order"},
    )


@require_GET
@shop_member_required
def customer_log(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = get_shop_object(request, Customer, pk=customer_id)
    addresses = [customer.phone] + ([customer.email] if customer.email else [])
    return _log(
        request,
        OutboxMessage.objects.filter(Q(order__customer=customer) | Q(recipient__in=addresses)),
        {"customer": customer, "dash_section": "pos", "scope": "customer"},
    )


@require_GET
@shop_member_required
def campaign_log(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_shop_object(request, Campaign, pk=campaign_id)
    return _log(
        request,
        OutboxMessage.objects.filter(Q(campaign=campaign) | Q(order__campaign=campaign)),
        {"campaign": campaign, "dash_section": "pos", "scope": "campaign"},
    )


urlpatterns = [
    path("messages/whatsapp/", whatsapp_queue, name="whatsapp_queue"),
    path("messages/whatsapp/sent/", whatsapp_mark_sent, name="whatsapp_mark_sent"),
    path("po/<int:campaign_id>/broadcast/", broadcast, name="campaign_broadcast"),
    path("po/<int:campaign_id>/broadcast/count/", broadcast_count, name="broadcast_count"),
    # One path per segment (as the segments' own pages): no name in the URL but real segments.
    *(
        path(
            f"messages/segments/{name}/",
            segment_broadcast,
            {"segment": name},
            name="segment_broadcast",
        )
        for name in SEGMENTS
    ),
    path("po/<int:campaign_id>/messages/", campaign_log, name="campaign_messages"),
    path("orders/<int:order_id>/messages/", order_log, name="order_messages"),
    path("customers/<int:customer_id>/messages/", customer_log, name="customer_messages"),
]
