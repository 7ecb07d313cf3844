"""A PO's shipping page: what to ship next (paid orders not yet in a parcel, grouped by buyer so
orders to combine sit together), packing them into a parcel with courier and resi, and each
parcel's next step (shipped, delivered, returned). The work is done by
`openpo.fulfillment.services.shipping`.
"""

from itertools import groupby

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from openpo.catalog.models import Campaign
from openpo.core.errors import DomainError
from openpo.core.forms import Form
from openpo.dashboard.access import get_shop_object, shop_member_required
from openpo.fulfillment.couriers import courier_choices, courier_label, tracking_url
from openpo.fulfillment.models import Shipment
from openpo.fulfillment.services.shipping import (
    STEPS,
    ResiFormatWarning,
    create_shipment,
    orders_to_ship,
    set_tracking,
    shipment_counts,
    unpaid_pending,
)
from openpo.orders.models import Order


class ShipmentForm(Form):
    """One parcel: orders of one buyer, the courier and resi, and why unpaid ones ship."""

    orders = forms.MultipleChoiceField(label=gettext_lazy("Orders in the parcel"))
    courier = forms.ChoiceField(label=gettext_lazy("Courier"), choices=courier_choices)
    courier_name = forms.CharField(
        label=gettext_lazy("Courier's name (for “other”)"), max_length=60, required=False
    )
    tracking_number = forms.CharField(
        label=gettext_lazy("Tracking number (resi)"), max_length=60, required=False
    )
    weight_grams = forms.IntegerField(
        label=gettext_lazy("Weight (grams)"), min_value=1, max_value=1_000_000, required=False
    )
    override_reason = forms.CharField(
        label=gettext_lazy("Reason to ship an unpaid order"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    accept_format_warning = forms.BooleanField(
        label=gettext_lazy("The resi is right even if it looks unusual"), required=False
    )
    ship_now = forms.BooleanField(
        label=gettext_lazy("Shipped now (tell the buyer)"), required=False, initial=True
    )

    def __init__(self, *args, order_ids: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["orders"].choices = [(str(pk), str(pk)) for pk in order_ids]


class TrackingForm(Form):
    """The next step of a parcel; shipping a packed one may give its courier and resi."""

    step = forms.ChoiceField(choices=[(s, s) for s in STEPS])
    courier = forms.ChoiceField(choices=courier_choices, required=False)
    courier_name = forms.CharField(max_length=60, required=False)
    tracking_number = forms.CharField(max_length=60, required=False)
    accept_format_warning = forms.BooleanField(required=False)
    note = forms.CharField(max_length=500, required=False)


def _groups(orders) -> list[dict]:
    """Orders (sorted by customer) as one group per buyer."""
    return [
        {"buyer": members[0], "orders": members, "combine": len(members) > 1}
        for members in (
            list(group) for _customer, group in groupby(orders, key=lambda o: o.customer_id)
        )
    ]


def _page(request: HttpRequest, campaign: Campaign, *, form=None, status: int = 200):
    ready = list(orders_to_ship(campaign).prefetch_related("lines"))
    unpaid = list(unpaid_pending(campaign).prefetch_related("lines"))
    shipments = list(
        Shipment.objects.filter(shop=request.shop, campaign=campaign)
        .prefetch_related("orders")
        .order_by("status", "-created_at", "-pk")
    )
    for shipment in shipments:
        shipment.label = courier_label(shipment.courier, shipment.courier_name)
        shipment.link = tracking_url(shipment.courier, shipment.tracking_number)
    now = timezone.now()
    return render(
        request,
        "dashboard/fulfillment/shipping.html",
        {
            "shop": request.shop,
            "campaign": campaign,
            "phase": campaign.phase(now),
            "counts": shipment_counts(campaign),
            "groups": _groups(ready),
            "unpaid_groups": _groups(unpaid),
            "shipments": shipments,
            "couriers": courier_choices(),
            "form": form,
            "dash_section": "pos",
        },
        status=status,
    )


@require_GET
@shop_member_required
def shipping(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """What to ship next, and the parcels of the PO."""
    campaign = get_shop_object(request, Campaign, pk=campaign_id)
    return _page(request, campaign)


@require_POST
@shop_member_required
def shipment_create(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Pack the chosen orders of one buyer into a parcel (and ship it, when ticked)."""
    campaign = get_shop_object(request, Campaign, pk=campaign_id)
    candidates = Order.objects.filter(shop=request.shop, campaign=campaign)
    order_ids = list(
        candidates.filter(fulfillment_status__in=["pending", "returned"]).values_list(
            "pk", flat=True
        )
    )
    form = ShipmentForm(request.POST, order_ids=order_ids)
    if form.is_valid():
        data = form.cleaned_data
        chosen = list(candidates.filter(pk__in=[int(pk) for pk in data["orders"]]))
        try:
            shipment = create_shipment(
                orders=chosen,
                courier=data["courier"],
                courier_name=data["courier_name"],
                tracking_number=data["tracking_number"],
                weight_grams=data["weight_grams"],
                override_reason=data["override_reason"],
                accept_format_warning=data["accept_format_warning"],
                ship=data["ship_now"],
                actor=request.user,
            )
        except ResiFormatWarning as error:
            form.add_error("tracking_number", error.message)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            codes = ", ".join(o.code for o in chosen)
            if shipment.status == Shipment.Status.SHIPPED:
                messages.success(
                    request, _("Shipped: %(codes)s. The buyer was told.") % {"codes": codes}
                )
            else:
                messages.success(request, _("Packed: %(codes)s.") % {"codes": codes})
            return redirect("dashboard:shipping", campaign_id=campaign.pk)
    messages.error(
        request,
        _("The parcel was not saved: %(problems)s")
        % {"problems": " ".join(str(m) for errors in form.errors.values() for m in errors)},
    )
    return _page(request, campaign, form=form, status=422)


@require_POST
@shop_member_required
def shipment_step(request: HttpRequest, shipment_id: int) -> HttpResponse:
    """Mark a parcel shipped (with its resi, when it had none), delivered or returned."""
    shipment = get_shop_object(request, Shipment, pk=shipment_id)
    back = reverse("dashboard:shipping", kwargs={"campaign_id": shipment.campaign_id})
    form = TrackingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a step for the parcel."))
        return redirect(back)
    data = form.cleaned_data
    try:
        if data["step"] == "ship" and data["tracking_number"] and data["courier"]:
            shipment = set_tracking(
                shipment=shipment,
                courier=data["courier"],
                courier_name=data["courier_name"],
                tracking_number=data["tracking_number"],
                accept_format_warning=data["accept_format_warning"],
                actor=request.user,
            )
        step = STEPS[data["step"]]
        extra = {"note": data["note"]} if data["step"] == "return" else {}
        step(shipment=shipment, actor=request.user, **extra)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Parcel updated."))
    return redirect(back + f"#shipment-{shipment.pk}")


urlpatterns = [
    path("po/<int:campaign_id>/shipping/", shipping, name="shipping"),
    path("po/<int:campaign_id>/shipping/pack/", shipment_create, name="shipment_create"),
    path("shipments/<int:shipment_id>/step/", shipment_step, name="shipment_step"),
]
