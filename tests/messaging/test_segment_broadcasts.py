"""A broadcast to a segment of the shop's buyers (new, loyal, at risk, lapsed) about a PO: one
message per buyer of the segment, whether or not they ordered in the PO, never to a buyer who
opted out or to another shop's; {link} is the PO's page and {kode} is refused."""

import pytest
from django.conf import settings

from openpo.catalog.models import Campaign
from openpo.core.models import AuditEvent
from openpo.messaging.broadcasts import Audience, InvalidBroadcast, count_recipients, send_broadcast
from openpo.messaging.models import Broadcast, OutboxMessage
from tests.messaging.segment_world import DAY, segment_world  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

NEWS = "Halo {nama}, PO baru dibuka: {po}\n\n{link}"


def _send(campaign, segment, now, body=NEWS, channel="whatsapp_manual", **filters):
    return send_broadcast(
        campaign=campaign,
        body=body,
        channel=channel,
        audience=Audience(segment=segment, **filters),
        now=now,
    )


def _written(broadcast):
    return OutboxMessage.objects.filter(event_key=broadcast.event_key).order_by("recipient_name")


def test_it_reaches_exactly_the_segments_members_but_not_who_opted_out(
    segment_world,  # noqa: F811
    now,
):
    baru = segment_world["baru"]

    broadcast = _send(baru, "new", now)

    messages = list(_written(broadcast))
    assert [m.recipient_name for m in messages] == ["Budi", "Dewi"]  # not Citra: STOP
    assert [m.recipient for m in messages] == ["+6281200000002", "+6281200000004"]
    assert {m.status for m in messages} == {OutboxMessage.Status.MANUAL}
    assert {m.campaign_id for m in messages} == {baru.pk}
    assert broadcast.recipients == 2
    assert broadcast.audience["segment"] == "new"


def test_a_buyer_with_several_orders_gets_one_message(segment_world, now):  # noqa: F811
    broadcast = _send(segment_world["baru"], "loyal", now)

    (message,) = _written(broadcast)
    assert message.recipient_name == "Sari" and message.recipient == "+6281200000001"
    assert message.shop_id == segment_world["baru"].shop_id
    assert broadcast.recipients == 1


def test_another_shops_buyers_are_never_included(segment_world, shop, now):  # noqa: F811
    for segment in ("new", "loyal", "at_risk"):
        _send(segment_world["baru"], segment, now)

    messages = OutboxMessage.objects.filter(event="broadcast")
    assert sorted(messages.values_list("recipient_name", flat=True)) == [
        "Budi",
        "Dewi",
        "Eko",
        "Sari",
    ]
    assert set(messages.values_list("shop_id", flat=True)) == {shop.pk}
    assert not messages.filter(body__contains="Charlie").exists()


def test_the_text_names_the_buyer_and_links_the_pos_page(segment_world, now):  # noqa: F811
    baru = segment_world["baru"]

    broadcast = _send(baru, "new", now)

    budi, dewi = _written(broadcast)
    page = f"{settings.SITE_URL}/toko-alice/po-baru/"
    assert budi.body == f"Halo Budi, PO baru dibuka: PO Baru\n\n{page}"
    # Dewi ordered in this PO already; the broadcast is the same news, with the same link.
    assert dewi.body.endswith("/toko-alice/po-baru/") and dewi.order_id is None
    assert "{" not in budi.body


def test_the_audit_records_the_segment(segment_world, now):  # noqa: F811
    broadcast = _send(segment_world["baru"], "at_risk", now)

    event = AuditEvent.objects.get(action="broadcast.sent")
    assert event.data["segment"] == "at_risk" and event.data["recipients"] == 1
    assert Broadcast.objects.get(pk=broadcast.pk).audience == {
        "payment": "",
        "variant_id": None,
        "city": "",
        "segment": "at_risk",
    }


@pytest.mark.parametrize("segment", ["new", "loyal", "at_risk"])
@pytest.mark.parametrize("channel", ["whatsapp_manual", "email"])
def test_the_count_is_the_number_of_messages_written(
    segment_world,  # noqa: F811
    now,
    segment,
    channel,
):
    baru = segment_world["baru"]
    expected = count_recipients(baru, Audience(segment=segment), channel, now)

    broadcast = _send(baru, segment, now, channel=channel)

    assert expected == broadcast.recipients == _written(broadcast).count() > 0


def test_email_goes_to_the_buyers_with_an_address(segment_world, now):  # noqa: F811
    broadcast = _send(segment_world["baru"], "new", now, channel="email")

    (message,) = _written(broadcast)  # Dewi gave no email address
    assert message.recipient == "budi@example.com" and message.channel == "email"


def test_an_empty_segment_writes_nothing(segment_world, now):  # noqa: F811
    assert count_recipients(segment_world["baru"], Audience(segment="lapsed"), now=now) == 0

    with pytest.raises(InvalidBroadcast):
        _send(segment_world["baru"], "lapsed", now)

    assert not Broadcast.objects.exists()


def test_kode_is_refused_for_a_segment(segment_world, now):  # noqa: F811
    with pytest.raises(InvalidBroadcast) as error:
        _send(segment_world["baru"], "loyal", now, body="Halo {nama}, pesanan {kode}")

    assert "{kode}" in str(error.value.field_errors["body"][0])
    assert not Broadcast.objects.exists() and not OutboxMessage.objects.filter(event="broadcast")


def test_a_segment_hears_only_of_a_po_it_can_still_order_from(segment_world, now):  # noqa: F811
    maret = segment_world["maret"]  # closed 37 days ago

    with pytest.raises(InvalidBroadcast) as error:
        _send(maret, "loyal", now)

    assert "dibuka atau dijadwalkan" in str(error.value.field_errors["segment"][0])
    scheduled = segment_world["baru"]
    Campaign.objects.filter(pk=scheduled.pk).update(
        status=Campaign.Status.SCHEDULED, opens_at=now + DAY, closes_at=now + 5 * DAY
    )
    scheduled.refresh_from_db()
    assert _send(scheduled, "loyal", now).recipients == 1


def test_a_segment_does_not_mix_with_the_pos_filters(segment_world, now):  # noqa: F811
    with pytest.raises(InvalidBroadcast) as error:
        _send(segment_world["baru"], "loyal", now, payment="unpaid")

    assert "segment" in error.value.field_errors
    assert not Broadcast.objects.exists()


def test_an_unknown_segment_is_refused(segment_world, now):  # noqa: F811
    assert count_recipients(segment_world["baru"], Audience(segment="vip"), now=now) == 0
    with pytest.raises(InvalidBroadcast) as error:
        _send(segment_world["baru"], "vip", now)

    assert "segment" in error.value.field_errors


def test_the_pos_own_buyers_still_get_their_order_code_and_page(segment_world, now):  # noqa: F811
    baru, order = segment_world["baru"], segment_world["dewi_order"]

    broadcast = send_broadcast(
        campaign=baru,
        body="{nama}: {kode} di {po} {link}",
        channel="whatsapp_manual",
        audience=Audience(),
        now=now,
    )

    (message,) = _written(broadcast)
    link = f"{settings.SITE_URL}/o/{order.secret}/"
    assert message.body == f"Dewi: {order.code} di PO Baru {link}"
    assert message.order_id == order.pk
