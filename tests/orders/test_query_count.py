"""The war-PO hot path runs a small, fixed number of queries whatever the campaign's size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openpo.core.memory import forget_everything
from openpo.orders.services import place_order
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db

# variants read, taken transfer amounts, the shop's message template and its webhook endpoints
# for order.created (both read before the transaction; remembered a second or two per process
# in a war PO, forgotten here), BEGIN, customer upsert, order, lines, expected payment, audit
# event, the outbox messages (one insert), 2 variant updates, campaign counter, COMMIT. An
# idempotency key is looked up only when the order cannot be placed new.
MAX_QUERIES_TWO_LINES = 15


def _count_queries(campaign, buyer, now, key, max_queries):
    first, second = campaign.variants.order_by("position")[:2]
    forget_everything()  # each count reads the wording and the endpoints afresh
    with max_queries(MAX_QUERIES_TWO_LINES), CaptureQueriesContext(connection) as captured:
        place_order(
            terms_accepted=True,
            campaign=campaign,
            buyer=buyer,
            items={first.pk: 1, second.pk: 1},
            idempotency_key=key,
            now=now,
        )
    return len(captured)


def test_it_runs_the_same_few_queries_for_a_small_and_a_large_campaign(
    shop, buyer, now, django_assert_max_num_queries
):
    small = make_campaign(shop, now=now, quotas=(20, None), slug="small")
    large = make_campaign(shop, now=now, quotas=[50] * 200, slug="large")

    small_count = _count_queries(small, buyer, now, "a", django_assert_max_num_queries)
    large_count = _count_queries(large, buyer, now, "b", django_assert_max_num_queries)
    assert small_count == large_count
