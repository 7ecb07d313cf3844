"""The campaign page's live counts as a small JSON document, polled by the page while the PO is
open: state, slots left and units ordered, with the lines the page shows ("Sisa 12 slot",
"5 pcs sudah dipesan", "sisa 3" beside each variant with a quota).

Kept per process for `HOLD_SECONDS` (two light queries at most once a second whatever the
number of buyers polling), with an ETag: a poll whose counts did not change is answered 304
with no body. `Cache-Control: max-age=1` lets a proxy in front share it for that second too.
"""

import hashlib
import json

from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from openpo.catalog.models import Campaign, Variant
from openpo.catalog.selectors import availability, published_campaign
from openpo.core.memory import ShortMemory

HOLD_SECONDS = 1.0
# (shop slug, PO slug, language) -> (body, etag)
_counts = ShortMemory(HOLD_SECONDS)


def _document(shop_slug: str, campaign_slug: str) -> bytes:
    campaign = published_campaign(shop_slug, campaign_slug, Campaign.objects.all())
    variants = list(Variant.objects.filter(campaign=campaign, is_active=True).order_by())
    state = availability(campaign, variants, timezone.now())
    slots = ""
    if state.units_left is not None and state.state == "open":
        slots = _("%(left)s slots left") % {"left": intcomma(state.units_left)}
    units = intcomma(state.units_ordered)
    if state.moq_units:
        ordered = _("%(units)s of %(moq)s pcs minimum ordered") % {
            "units": units,
            "moq": intcomma(state.moq_units),
        }
    else:
        ordered = _("%(units)s pcs ordered so far") % {"units": units}
    document = {
        "state": state.state,
        "units_left": state.units_left,
        "units_ordered": state.units_ordered,
        "moq_percent": state.moq_percent,
        "slots_text": slots,
        "ordered_text": ordered,
        # What the page says beside each variant with a quota: "sisa 3", "habis".
        "variants": {str(v.pk): _variant_text(v) for v in variants if v.quota is not None},
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def _variant_text(variant: Variant) -> str:
    if variant.units_left == 0:
        return _("sold out")
    return _("%(left)s left") % {"left": variant.units_left}


@require_GET
def campaign_live(request: HttpRequest, shop_slug: str, campaign_slug: str) -> HttpResponse:
    key = (shop_slug, campaign_slug, get_language())
    kept = _counts.get(key)
    if kept is None:
        body = _document(shop_slug, campaign_slug)
        kept = (body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
        _counts.put(key, kept)
    body, etag = kept
    asked = [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]
    if etag in asked or f"W/{etag}" in asked:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=1"
    response["Vary"] = "Accept-Language, Cookie"
    return response
