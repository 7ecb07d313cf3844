"""A PO's production: its stages (defaults in the shop's message language, each with a planned
date, renamed, reordered, removed), marking a stage done (when, a note, photos), progress
updates with photos that buyers see on their order page, sending an update to the PO's buyers
through the outbox (once per update, whatever the retries), and what is late against plan.

Who may do what: any member of the shop (owner or staff) keeps the stages and posts updates,
which only show on the buyers' order pages; *sending* an update to every buyer by WhatsApp or
email speaks in the shop's name, so it is the owners' (like broadcasts, `catalog.permissions`).
"""

import contextlib
import secrets
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from openpo.catalog.errors import InvalidCampaign
from openpo.catalog.models import Campaign
from openpo.catalog.permissions import require_owner
from openpo.catalog.services.photos import MAX_PHOTO_BYTES, PHOTO_FORMATS, photo_thumbnail
from openpo.core.audit import audit_event
from openpo.core.errors import DomainError
from openpo.core.images import MAX_PIXELS, PictureRefused, read_picture_header, without_metadata
from openpo.fulfillment.models import ProductionPhoto, ProductionStage, ProductionUpdate
from openpo.messaging import events
from openpo.orders.models import Order

# The stages a new PO starts from, in the language of the shop's messages.
DEFAULT_STAGES = {
    "id": ("Bahan dibeli", "Potong", "Jahit/produksi", "QC", "Packing"),
    "en": ("Materials bought", "Cutting", "Sewing/production", "QC", "Packing"),
}
MAX_STAGES = 20
MAX_PHOTOS_PER_UPDATE = 6
MAX_UPDATE_CHARS = 2000
# A PO that ended has nothing left to produce; its stages and updates stay as they were.
ENDED = (Campaign.Status.FAILED, Campaign.Status.CANCELLED, Campaign.Status.COMPLETED)
# Orders still waiting for their parcel when the ship date has passed.
NOT_SHIPPED = (Order.FulfillmentStatus.PENDING, Order.FulfillmentStatus.PACKED)


class InvalidProduction(DomainError):
    code = "invalid_production"
    http_status = 422
    default_message = _("Please correct the production details.")


class ProductionEnded(DomainError):
    code = "production_ended"
    http_status = 409
    default_message = _("This PO has ended: its production can no longer change.")


def _require_live(campaign: Campaign) -> None:
    if campaign.status in ENDED:
        raise ProductionEnded()


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise InvalidProduction(field_errors={"name": [_("Enter the stage's name.")]})
    if len(name) > 100:
        raise InvalidProduction(
            field_errors={"name": [_("The name is too long: at most 100 characters.")]}
        )
    return name


def _audit(action: str, subject, campaign: Campaign, actor, now: datetime, **data) -> None:
    audit_event(
        action=action, subject=subject, shop_id=campaign.shop_id, actor=actor, at=now, data=data
    )


def stages_of(campaign: Campaign) -> list[ProductionStage]:
    return list(ProductionStage.objects.filter(campaign=campaign).order_by("position", "id"))


def _planned_dates(campaign: Campaign, count: int) -> list[date | None]:
    """Spread `count` stages from the production start to the ship date, when both are set."""
    start, end = campaign.production_starts_on, campaign.ships_on
    if not (start and end) or end < start or count < 1:
        return [None] * count
    span = (end - start).days
    if count == 1:
        return [end]
    return [start + timedelta(days=round(span * (i + 1) / count)) for i in range(count)]


@transaction.atomic
def add_default_stages(
    *, campaign: Campaign, actor: AbstractBaseUser | None = None, now: datetime | None = None
) -> list[ProductionStage]:
    """Give a PO without stages the usual five (bahan dibeli, potong, jahit/produksi, QC,
    packing, in the shop's message language), planned between production start and ship date;
    a PO that has stages keeps them."""
    now = now or timezone.now()
    campaign = Campaign.objects.select_for_update().select_related("shop").get(pk=campaign.pk)
    _require_live(campaign)
    if ProductionStage.objects.filter(campaign=campaign).exists():
        return stages_of(campaign)
    names = DEFAULT_STAGES.get(campaign.shop.message_language, DEFAULT_STAGES["id"])
    dates = _planned_dates(campaign, len(names))
    ProductionStage.objects.bulk_create(
        ProductionStage(campaign=campaign, name=name, position=index, planned_on=day)
        for index, (name, day) in enumerate(zip(names, dates, strict=True))
    )
    _audit("production.stages_added", campaign, campaign, actor, now, stages=list(names))
    return stages_of(campaign)


@transaction.atomic
def add_stage(
    *,
    campaign: Campaign,
    name: str,
    planned_on: date | None = None,
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> ProductionStage:
    """Add a stage at the end of the PO's list."""
    now = now or timezone.now()
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _require_live(campaign)
    name = _clean_name(name)
    existing = stages_of(campaign)
    if len(existing) >= MAX_STAGES:
        raise InvalidProduction(_("A PO has at most %(most)s stages."), most=MAX_STAGES)
    position = (existing[-1].position + 1) if existing else 0
    stage = ProductionStage.objects.create(
        campaign=campaign, name=name, planned_on=planned_on, position=position
    )
    _audit("production.stage_added", stage, campaign, actor, now, name=name)
    return stage


@transaction.atomic
def update_stage(
    *,
    stage: ProductionStage,
    name: str,
    planned_on: date | None,
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> ProductionStage:
    """Rename a stage or change its planned date."""
    now = now or timezone.now()
    _require_live(stage.campaign)
    stage.name = _clean_name(name)
    stage.planned_on = planned_on
    stage.save(update_fields=["name", "planned_on"])
    planned = planned_on.isoformat() if planned_on else None
    _audit("production.stage_changed", stage, stage.campaign, actor, now, planned_on=planned)
    return stage


@transaction.atomic
def move_stage(
    *,
    stage: ProductionStage,
    up: bool,
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> list[ProductionStage]:
    """Swap a stage with the one before (`up`) or after it; the list is numbered afresh."""
    campaign = Campaign.objects.select_for_update().get(pk=stage.campaign_id)
    _require_live(campaign)
    stages = stages_of(campaign)
    index = next(i for i, s in enumerate(stages) if s.pk == stage.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(stages):
        stages[index], stages[other] = stages[other], stages[index]
    for position, each in enumerate(stages):
        each.position = position
    ProductionStage.objects.bulk_update(stages, ["position"])
    return stages


@transaction.atomic
def remove_stage(
    *, stage: ProductionStage, actor: AbstractBaseUser | None = None, now: datetime | None = None
) -> None:
    """Delete a stage; updates posted for it stay, without their stage."""
    now = now or timezone.now()
    campaign = stage.campaign
    _require_live(campaign)
    name = stage.name
    stage.delete()
    _audit("production.stage_removed", campaign, campaign, actor, now, name=name)


def _checked_photos(photos: Sequence[File]) -> list[tuple[ContentFile, ContentFile, str]]:
    """Each photo checked like a product photo (JPEG, PNG or WebP, at most 5 MB and 60
    megapixels, really a picture), re-encoded without metadata, with a JPEG thumbnail."""
    if len(photos) > MAX_PHOTOS_PER_UPDATE:
        raise InvalidProduction(
            field_errors={
                "photos": [
                    _("At most %(most)s photos per update.") % {"most": MAX_PHOTOS_PER_UPDATE}
                ]
            }
        )
    checked = []
    for photo in photos:
        if photo.size > MAX_PHOTO_BYTES:
            message = _("The photo is too large: at most 5 MB.")
            raise InvalidProduction(field_errors={"photos": [message]})
        try:
            kind = read_picture_header(photo, max_pixels=MAX_PIXELS).format
            if kind not in PHOTO_FORMATS:
                message = _("Upload a JPEG, PNG or WebP photo.")
                raise InvalidProduction(field_errors={"photos": [message]})
            clean = without_metadata(photo, max_pixels=MAX_PIXELS)
            thumbnail = photo_thumbnail(photo)
        except PictureRefused as refused:
            message = (
                _("The photo has too many pixels: make it smaller.")
                if refused.too_many_pixels
                else _("This file is not a photo we can show.")
            )
            raise InvalidProduction(field_errors={"photos": [message]}) from refused
        except InvalidCampaign as refused:
            raise InvalidProduction(
                field_errors={"photos": refused.field_errors.get("image", [])}
            ) from refused
        checked.append((ContentFile(clean), thumbnail, PHOTO_FORMATS[kind]))
    return checked


def _save_photos(update: ProductionUpdate, checked, saved: list[str]) -> None:
    """Store the photos' files (their names added to `saved`) and rows."""
    for position, (clean, thumbnail, extension) in enumerate(checked):
        name = secrets.token_hex(12)
        photo = ProductionPhoto(update=update, position=position)
        photo.image.save(f"{name}.{extension}", clean, save=False)
        saved.append(photo.image.name)
        photo.thumbnail.save(f"{name}-thumb.jpg", thumbnail, save=False)
        saved.append(photo.thumbnail.name)
        photo.save(force_insert=True)


@contextlib.contextmanager
def _files_kept_only_on_success():
    """The names of files saved inside; deleted again when the block fails."""
    saved: list[str] = []
    try:
        yield saved
    except BaseException:
        storage = ProductionPhoto._meta.get_field("image").storage
        for name in saved:
            with contextlib.suppress(OSError):
                storage.delete(name)
        raise


def _clean_text(text: str, *, required: bool) -> str:
    text = (text or "").strip()
    if required and not text:
        raise InvalidProduction(field_errors={"text": [_("Write what happened.")]})
    if len(text) > MAX_UPDATE_CHARS:
        raise InvalidProduction(
            field_errors={"text": [_("At most %(most)s characters.") % {"most": MAX_UPDATE_CHARS}]}
        )
    return text


def _send(update: ProductionUpdate, campaign: Campaign, actor, now: datetime) -> int:
    """Write the update to the outbox for every buyer of a live order, once per update."""
    require_owner(campaign.shop_id, actor)
    locked = ProductionUpdate.objects.select_for_update().get(pk=update.pk)
    if locked.sent_to_buyers:
        return 0
    written = events.production_update(campaign, str(update.pk), locked.text, now)
    ProductionUpdate.objects.filter(pk=update.pk).update(sent_to_buyers=True)
    update.sent_to_buyers = True
    _audit("production.update_sent", update, campaign, actor, now, messages=written)
    return written


def post_update(
    *,
    campaign: Campaign,
    text: str,
    photos: Sequence[File] = (),
    stage: ProductionStage | None = None,
    send_to_buyers: bool = False,
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> ProductionUpdate:
    """A progress note with up to six photos, shown on every buyer's order page; with
    `send_to_buyers` (owners only) also written to the outbox for the PO's buyers."""
    now = now or timezone.now()
    text = _clean_text(text, required=True)
    if send_to_buyers:
        require_owner(campaign.shop_id, actor)
    checked = _checked_photos(photos)  # decoding is slow: done before the transaction
    with _files_kept_only_on_success() as saved, transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        _require_live(campaign)
        if stage is not None and stage.campaign_id != campaign.pk:
            raise InvalidProduction(field_errors={"stage": [_("Choose a stage of this PO.")]})
        update = ProductionUpdate.objects.create(
            campaign=campaign, stage=stage, text=text, created_at=now, created_by=actor
        )
        _save_photos(update, checked, saved)
        _audit("production.update_posted", update, campaign, actor, now, photos=len(checked))
        if send_to_buyers:
            _send(update, campaign, actor, now)
    return update


@transaction.atomic
def send_update(
    *,
    update: ProductionUpdate,
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> int:
    """Send a posted update to the PO's buyers (owners only); a second call sends nothing.
    Returns how many messages were written."""
    now = now or timezone.now()
    campaign = Campaign.objects.get(pk=update.campaign_id)
    _require_live(campaign)
    return _send(update, campaign, actor, now)


@transaction.atomic
def remove_update(
    *, update: ProductionUpdate, actor: AbstractBaseUser | None = None, now: datetime | None = None
) -> None:
    """Delete an update and its photos (messages already sent stay sent)."""
    now = now or timezone.now()
    campaign = update.campaign
    names = [f.name for p in update.photos.all() for f in (p.image, p.thumbnail) if f]
    update.delete()
    _audit("production.update_removed", campaign, campaign, actor, now)
    storage = ProductionPhoto._meta.get_field("image").storage

    def delete() -> None:
        for name in names:
            with contextlib.suppress(OSError):
                storage.delete(name)

    transaction.on_commit(delete)


def mark_stage_done(
    *,
    stage: ProductionStage,
    done_at: datetime | None = None,
    note: str = "",
    photos: Sequence[File] = (),
    send_to_buyers: bool = False,
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> ProductionUpdate:
    """Mark a stage done at `done_at` (now unless given, never in the future) and post it as an
    update (the note, or "<stage> done") with its photos, sent to buyers if asked (owners)."""
    now = now or timezone.now()
    done_at = done_at or now
    if done_at > now + timedelta(minutes=5):
        raise InvalidProduction(
            field_errors={"done_at": [_("A stage cannot be done in the future.")]}
        )
    note = _clean_text(note, required=False)
    text = note or _gettext("%(stage)s: done.") % {"stage": stage.name}
    if send_to_buyers:
        require_owner(stage.campaign.shop_id, actor)
    checked = _checked_photos(photos)
    with _files_kept_only_on_success() as saved, transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=stage.campaign_id)
        _require_live(campaign)
        ProductionStage.objects.filter(pk=stage.pk).update(done_at=done_at)
        stage.done_at = done_at
        update = ProductionUpdate.objects.create(
            campaign=campaign, stage=stage, text=text, created_at=now, created_by=actor
        )
        _save_photos(update, checked, saved)
        _audit(
            "production.stage_done",
            stage,
            campaign,
            actor,
            now,
            done_at=done_at.isoformat(),
            photos=len(checked),
        )
        if send_to_buyers:
            _send(update, campaign, actor, now)
    return update


@transaction.atomic
def mark_stage_not_done(
    *, stage: ProductionStage, actor: AbstractBaseUser | None = None, now: datetime | None = None
) -> ProductionStage:
    """Undo a stage marked done by mistake (its update stays; remove it separately)."""
    now = now or timezone.now()
    _require_live(stage.campaign)
    ProductionStage.objects.filter(pk=stage.pk).update(done_at=None)
    stage.done_at = None
    _audit("production.stage_reopened", stage, stage.campaign, actor, now)
    return stage


def current_stage(stages: Sequence[ProductionStage]) -> ProductionStage | None:
    """The stage being worked on: the first not done, once any is done or production began."""
    if not stages:
        return None
    started = any(s.done_at for s in stages) or stages[0].campaign.status in (
        Campaign.Status.PRODUCING,
        Campaign.Status.SHIPPING,
    )
    if not started:
        return None
    return next((s for s in stages if not s.done_at), None)


def _day(value: date) -> str:
    return date_format(value, "j F Y")


def late_items(campaign: Campaign, today: date) -> list[str]:
    """What is late against plan, as sentences for the PO's overview: each stage not done past
    its planned date, and the ship date passed with orders not shipped yet."""
    if campaign.status in ENDED:
        return []
    late: list[str] = []
    for stage in stages_of(campaign):
        if stage.done_at is None and stage.planned_on and stage.planned_on < today:
            late.append(
                _gettext("Stage “%(stage)s” was planned for %(day)s and is not done yet.")
                % {"stage": stage.name, "day": _day(stage.planned_on)}
            )
    if campaign.ships_on and campaign.ships_on < today:
        waiting = Order.objects.filter(
            campaign=campaign, status=Order.Status.ACTIVE, fulfillment_status__in=NOT_SHIPPED
        ).count()
        if waiting:
            late.append(
                ngettext(
                    "The ship date (%(day)s) has passed and %(count)s order is not shipped yet.",
                    "The ship date (%(day)s) has passed and %(count)s orders are not shipped yet.",
                    waiting,
                )
                % {"day": _day(campaign.ships_on), "count": waiting}
            )
    return late
