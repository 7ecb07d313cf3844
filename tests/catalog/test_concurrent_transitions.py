"""Several workers applying the same due transition at once: it happens once."""

from datetime import timedelta

import pytest

from openpo.catalog.models import Campaign
from openpo.catalog.services import advance_campaign
from openpo.core.models import AuditEvent
from tests.concurrency import run_at_once
from tests.conftest import make_campaign


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_five_workers_close_a_due_po_once(shop, now, vendor, record_property):
    campaign = make_campaign(shop, now=now)
    later = campaign.closes_at + timedelta(seconds=5)

    def worker():
        return advance_campaign(campaign=Campaign.objects.get(pk=campaign.pk), now=later).status

    statuses, errors = run_at_once([worker] * 5)

    assert errors == []
    assert statuses == ["closed"] * 5
    closes = AuditEvent.objects.filter(action="campaign.close").count()
    assert closes == 1
    record_property("result", f"{vendor}: 5 workers → {closes} close")
