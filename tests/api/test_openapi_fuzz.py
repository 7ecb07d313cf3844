"""Schemathesis against the API's own OpenAPI document (/api/v1/openapi.json), in process.

Every operation, public and token-protected, gets generated requests (valid ones, and invalid
ones that break the schema); every answer must be no 5xx, a status the document lists, the
content type it names and a body matching its schema. Path parameters are, half of the time,
the real shop, PO and order of the data made here, so the requests reach the services and not
only the 404 of a random slug.
"""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import checks as core_checks
from schemathesis.specs.openapi import checks as openapi_checks

from openpo.catalog.services.api_tokens import create_token
from openpo.orders.services import place_order
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db(transaction=False)

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())

CHECKS = [
    core_checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]
# The real values the fixture below makes, by the path parameter's name.
KNOWN: dict[str, list[object]] = {}


@schema.hook("flatmap_path_parameters")
def _real_objects_half_of_the_time(context, path_parameters):
    if not path_parameters:
        return st.just(path_parameters)
    real = {name: KNOWN[name] for name in path_parameters if name in KNOWN}
    return st.sampled_from(
        [path_parameters, {**path_parameters, **{n: v[0] for n, v in real.items()}}]
    )


@pytest.fixture(autouse=True)
def _connection_kept_between_requests():
    """As Django's test client does: the request's end must not close the test's
    connection (its transaction holds the data below)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(shop, alice, now, buyer):
    campaign = make_campaign(shop, now=now, slug="kaos", moq_units=1)
    order = place_order(
        campaign=campaign,
        buyer=buyer,
        items={campaign.variants.first().pk: 1},
        terms_accepted=True,
    )
    customer = order.customer
    KNOWN.update(
        shop=[shop.slug],
        campaign=[campaign.slug],
        slug=[campaign.slug],
        code=[order.code],
        customer_id=[customer.pk] if customer else [],
        id=[customer.pk] if customer else [],
    )
    return create_token(shop=shop, user=alice, name="fuzz")[1]


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_answer_matches_the_document(case, token):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def test_no_two_shapes_share_a_name_in_the_document():
    """ninja names each shape in the document by its class's name alone: a second class of
    the same name silently replaces the first, and one endpoint's answers are then checked
    against (and documented as) another's."""
    from pydantic import BaseModel

    from openpo.api.urls import api

    api.get_openapi_schema()  # imports every router's module
    by_name: dict[str, set[str]] = {}
    for cls in _all_subclasses(BaseModel):
        if cls.__module__.startswith("openpo.api"):
            by_name.setdefault(cls.__name__, set()).add(cls.__module__)
    assert {name: mods for name, mods in by_name.items() if len(mods) > 1} == {}
