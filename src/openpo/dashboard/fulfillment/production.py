"""A PO's production page: its stages (the usual five in one tap, added, renamed, planned,
reordered, removed, marked done with a time, a note and photos), its progress updates (posted
by any member; sent to the buyers by the owners), what is late against plan, and moving the
production start or the ship date with a reason (owners), with the delay it makes.

Every view reaches its objects through `get_shop_object`; the rules are
`fulfillment.services.production` and `fulfillment.services.delays`.
"""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from openpo.catalog.models import Campaign, Membership
from openpo.catalog.services.photos import MAX_PHOTO_BYTES
from openpo.core.errors import DomainError
from openpo.core.forms import Form, add_domain_error
from openpo.core.uploads import limit_upload
from openpo.dashboard.access import get_shop_object, shop_member_required
from openpo.fulfillment.models import ProductionStage, ProductionUpdate, ScheduleChange
from openpo.fulfillment.services import delays, production
from openpo.orders.models import Order

PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Zero or more photos from one file input."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": PHOTO_ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultiplePhotoField, self).clean(each, initial) for each in data if each]
        return [data] if data else []


class StageForm(Form):
    name = forms.CharField(label=gettext_lazy("Stage"), max_length=100)
    planned_on = forms.DateField(
        label=gettext_lazy("Planned for"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class StageDoneForm(Form):
    done_at = forms.DateTimeField(
        label=gettext_lazy("Done at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=gettext_lazy("Leave empty for now."),
    )
    note = forms.CharField(
        label=gettext_lazy("Note for buyers"),
        required=False,
        max_length=production.MAX_UPDATE_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    photos = MultiplePhotoField(label=gettext_lazy("Photos (optional)"))
    send_to_buyers = forms.BooleanField(
        label=gettext_lazy("Also send it to every buyer (WhatsApp/email)"), required=False
    )


class UpdateForm(Form):
    text = forms.CharField(
        label=gettext_lazy("What happened"),
        max_length=production.MAX_UPDATE_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    stage = forms.ModelChoiceField(
        label=gettext_lazy("Stage (optional)"),
        queryset=ProductionStage.objects.none(),
        required=False,
    )
    photos = MultiplePhotoField(label=gettext_lazy("Photos (optional)"))
    send_to_buyers = forms.BooleanField(
        label=gettext_lazy("Also send it to every buyer (WhatsApp/email)"), required=False
    )

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = ProductionStage.objects.filter(campaign=campaign)


class MoveDateForm(Form):
    field = forms.ChoiceField(label=gettext_lazy("Date"), choices=ScheduleChange.Field.choices)
    new_date = forms.DateField(
        label=gettext_lazy("New date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (buyers read it)"),
        max_length=delays.MAX_REASON_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _is_owner(request: HttpRequest) -> bool:
    return request.membership.role == Membership.Role.OWNER


def _page(
    request: HttpRequest,
    campaign: Campaign,
    *,
    status: int = 200,
    stage_forms: dict[int, dict[str, Form]] | None = None,
    **forms_given: Form,
) -> HttpResponse:
    """The production page, with whichever form came back with errors."""
    now = timezone.now()
    shop = request.shop
    today = timezone.localtime(now, shop.tzinfo).date()
    stages = production.stages_of(campaign)
    current = production.current_stage(stages)
    stage_forms = stage_forms or {}
    rows = []
    for stage in stages:
        given = stage_forms.get(stage.pk, {})
        rows.append(
            {
                "stage": stage,
                "current": current is not None and stage.pk == current.pk,
                "late": not stage.done_at and stage.planned_on and stage.planned_on < today,
                "edit_form": given.get("edit")
                or StageForm(
                    prefix=f"stage{stage.pk}",
                    initial={"name": stage.name, "planned_on": stage.planned_on},
                ),
                "done_form": given.get("done") or StageDoneForm(prefix=f"done{stage.pk}"),
                "open": bool(given),
            }
        )
    delay = delays.delay_of(campaign)
    offered = 0
    if delay.past_limit and campaign.status not in delays.FIXED:
        offered = Order.objects.filter(
            campaign=campaign,
            status=Order.Status.ACTIVE,
            amount_paid__gt=0,
            fulfillment_status__in=delays.WAITING_FOR_GOODS,
        ).count()
    updates = ProductionUpdate.objects.filter(campaign=campaign).prefetch_related("photos")
    return render(
        request,
        "dashboard/fulfillment/production.html",
        {
            "shop": shop,
            "campaign": campaign,
            "phase": campaign.phase(now),
            "dash_section": "pos",
            "rows": rows,
            "updates": updates.select_related("stage", "created_by"),
            "late": production.late_items(campaign, today),
            "delay": delay,
            "offered": offered,
            "changes": ScheduleChange.objects.filter(campaign=campaign).order_by(
                "-created_at", "-id"
            ),
            "is_owner": _is_owner(request),
            "ended": campaign.status in production.ENDED,
            "stage_form": forms_given.get("stage_form") or StageForm(prefix="new"),
            "update_form": forms_given.get("update_form") or UpdateForm(campaign=campaign),
            "move_form": forms_given.get("move_form")
            or MoveDateForm(initial={"field": ScheduleChange.Field.SHIPS_ON}),
            "max_photos": production.MAX_PHOTOS_PER_UPDATE,
        },
        status=status,
    )


def _back(campaign: Campaign, anchor: str = "") -> HttpResponse:
    return redirect(reverse("dashboard:production", args=[campaign.pk]) + anchor)


@require_GET
@shop_member_required
def production_page(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_shop_object(request, Campaign, pk=campaign_id)
    return _page(request, campaign)


@require_POST
@shop_member_required
def stage_defaults(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_shop_object(request, Campaign, pk=campaign_id)
    try:
        production.add_default_stages(campaign=campaign, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    return _back(campaign, "#stages")


@require_POST
@shop_member_required
def stage_add(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_shop_object(request, Campaign, pk=campaign_id)
    form = StageForm(request.POST, prefix="new")
    if form.is_valid():
        try:
            production.add_stage(campaign=campaign, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return _back(campaign, "#stages")
    return _page(request, campaign, stage_form=form, status=422)


@require_POST
@shop_member_required
def stage_edit(request: HttpRequest, stage_id: int) -> HttpResponse:
    stage = get_shop_object(request, ProductionStage, pk=stage_id)
    form = StageForm(request.POST, prefix=f"stage{stage.pk}")
    if form.is_valid():
        try:
            production.update_stage(stage=stage, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Stage saved."))
            return _back(stage.campaign, f"#stage-{stage.pk}")
    return _page(request, stage.campaign, stage_forms={stage.pk: {"edit": form}}, status=422)


@require_POST
@shop_member_required
def stage_move(request: HttpRequest, stage_id: int) -> HttpResponse:
    stage = get_shop_object(request, ProductionStage, pk=stage_id)
    try:
        production.move_stage(stage=stage, up=request.POST.get("direction") == "up")
    except DomainError as error:
        messages.error(request, error.message)
    return _back(stage.campaign, "#stages")


@require_POST
@shop_member_required
def stage_remove(request: HttpRequest, stage_id: int) -> HttpResponse:
    stage = get_shop_object(request, ProductionStage, pk=stage_id)
    try:
        production.remove_stage(stage=stage, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Stage removed."))
    return _back(stage.campaign, "#stages")


@require_POST
@shop_member_required
@limit_upload(MAX_PHOTO_BYTES)
def stage_done(request: HttpRequest, stage_id: int) -> HttpResponse:
    stage = get_shop_object(request, ProductionStage, pk=stage_id)
    form = StageDoneForm(request.POST, request.FILES, prefix=f"done{stage.pk}")
    with timezone.override(request.shop.tzinfo):  # the time typed is the shop's
        valid = form.is_valid()
    if valid:
        data = form.cleaned_data
        try:
            production.mark_stage_done(
                stage=stage,
                done_at=data["done_at"],
                note=data["note"],
                photos=data["photos"],
                send_to_buyers=data["send_to_buyers"],
                actor=request.user,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("“%(stage)s” marked done.") % {"stage": stage.name})
            return _back(stage.campaign, f"#stage-{stage.pk}")
    return _page(request, stage.campaign, stage_forms={stage.pk: {"done": form}}, status=422)


@require_POST
@shop_member_required
def stage_undo(request: HttpRequest, stage_id: int) -> HttpResponse:
    stage = get_shop_object(request, ProductionStage, pk=stage_id)
    try:
        production.mark_stage_not_done(stage=stage, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    return _back(stage.campaign, f"#stage-{stage.pk}")


@require_POST
@shop_member_required
@limit_upload(MAX_PHOTO_BYTES)
def update_add(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_shop_object(request, Campaign, pk=campaign_id)
    form = UpdateForm(request.POST, request.FILES, campaign=campaign)
    if form.is_valid():
        try:
            production.post_update(campaign=campaign, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Update posted: buyers see it on their order page."))
            return _back(campaign, "#updates")
    return _page(request, campaign, update_form=form, status=422)


@require_POST
@shop_member_required
def update_send(request: HttpRequest, update_id: int) -> HttpResponse:
    update = get_shop_object(request, ProductionUpdate, pk=update_id)
    try:
        written = production.send_update(update=update, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if written:
            messages.success(request, _("Update sent to the buyers."))
        else:
            messages.info(request, _("This update was already sent."))
    return _back(update.campaign, f"#update-{update.pk}")


@require_POST
@shop_member_required
def update_remove(request: HttpRequest, update_id: int) -> HttpResponse:
    update = get_shop_object(request, ProductionUpdate, pk=update_id)
    campaign = update.campaign
    production.remove_update(update=update, actor=request.user)
    messages.success(request, _("Update removed."))
    return _back(campaign, "#updates")


@require_POST
@shop_member_required
def move_date(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_shop_object(request, Campaign, pk=campaign_id)
    form = MoveDateForm(request.POST)
    if form.is_valid():
        try:
            delays.move_date(campaign=campaign, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Date moved; every buyer is told why."))
            return _back(campaign, "#dates")
    return _page(request, campaign, move_form=form, status=422)


urlpatterns = [
    path("po/<int:campaign_id>/production/", production_page, name="production"),
    path(
        "po/<int:campaign_id>/production/stages/defaults/",
        stage_defaults,
        name="production_stage_defaults",
    ),
    path("po/<int:campaign_id>/production/stages/add/", stage_add, name="production_stage_add"),
    path("production/stages/<int:stage_id>/edit/", stage_edit, name="production_stage_edit"),
    path("production/stages/<int:stage_id>/move/", stage_move, name="production_stage_move"),
    path("production/stages/<int:stage_id>/remove/", stage_remove, name="production_stage_remove"),
    path("production/stages/<int:stage_id>/done/", stage_done, name="production_stage_done"),
    path("production/stages/<int:stage_id>/undo/", stage_undo, name="production_stage_undo"),
    path("po/<int:campaign_id>/production/updates/add/", update_add, name="production_update_add"),
    path("production/updates/<int:update_id>/send/", update_send, name="production_update_send"),
    path(
        "production/updates/<int:update_id>/remove/",
        update_remove,
        name="production_update_remove",
    ),
    path("po/<int:campaign_id>/production/move-date/", move_date, name="production_move_date"),
]
