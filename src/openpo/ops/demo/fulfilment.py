"""The second half of a demo PO's life: production, parcels, reconfirmations and testimonials.

`Fulfilment` is the `Story`'s helper for the POs that reached production (`producing`,
`shipping`, `completed`). `plan(spec)` schedules, on the story's clock (`story.at`), what the
seller and the buyers then did, always through the services with `now=` set to that moment:
the default production stages marked done one by one with a note (some with a photo, some sent
to the buyers) and a progress update; on the producing PO a ship date moved by a few days with
a reason and a seller's note to ask a buyer something; on the shipping and completed POs the
paid orders packed into parcels (one per buyer: two orders of the same buyer travel together),
shipped over a few afternoons with a resi shaped like the courier's, delivered after the
courier's usual transit, one parcel returned (which opens a reconfirmation by itself) and, on
the shipping PO, some parcels only packed and some orders still to ship; buyers of delivered
orders write testimonials, which the seller approves (not the lukewarm one).

Steps that would fall after the story's `now` are dropped by `story.at`: that is what leaves
the producing PO's later stages open and the shipping PO's last parcels on their way. Every
draw comes from the story's seeded `rng`, so a load at the same moment tells the same story.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from openpo.fulfillment.models import ProductionStage, Reconfirmation, Shipment
from openpo.fulfillment.services import delays, production, reconfirmation, shipping
from openpo.fulfillment.services import testimonials as reviews
from openpo.ops.demo.people import weighted
from openpo.ops.demo.photos import product_photo
from openpo.ops.demo.shop_data import CampaignSpec
from openpo.ops.demo.timing import WIB
from openpo.orders.models import Order

if TYPE_CHECKING:
    from openpo.ops.demo.story import Story

# --- The tables -----------------------------------------------------------------------------

# The couriers the shop ships with, and how often; how many days a parcel travels with each.
COURIERS = (
    ("jne", 30),
    ("jnt", 24),
    ("sicepat", 20),
    ("anteraja", 10),
    ("pos", 8),
    ("idexpress", 5),
    ("ninja", 3),
)
TRANSIT_DAYS = {
    "jne": (1, 4),
    "jnt": (1, 4),
    "sicepat": (1, 3),
    "anteraja": (1, 4),
    "pos": (2, 6),
    "idexpress": (2, 5),
    "ninja": (2, 5),
}
GRAMS_PER_UNIT = {"batik-lebaran": 250, "sweater-batch-3": 650}
PACKING_GRAMS = 120
SHIPPING_DAYS = 4  # parcels leave over this many afternoons from the day shipping starts
PACKED_ONLY = 0.06  # shipping PO: parcels packed, waiting for tomorrow's courier
NOT_YET = 0.12  # shipping PO: paid orders not packed yet
TESTIMONIAL_RATE = 0.3  # delivered parcels whose buyer writes a testimonial
RETURN_NOTE = "Retur dari kurir: alamat tidak lengkap, penerima tidak dikenal di lokasi."
RESHIP_NOTE = (
    "Pembeli kirim alamat lengkap (nomor rumah, RT/RW) lewat WhatsApp; paket dikirim ulang."
)

# What the seller wrote when each default stage (bahan, potong, jahit, QC, packing) was done.
STAGE_NOTES = {
    "batik-lebaran": (
        "Kain batik cap dari Pekalongan sudah datang, tiga motif lengkap. Kancing batok siap.",
        "Potong kain selesai. Motif dipasang simetris di bagian depan, jadi tiap kemeja sedikit "
        "beda, khas batik cap.",
        "Jahit selesai di penjahit kami di Sleman. Tinggal pasang kancing dan setrika.",
        "QC selesai: jahitan, kancing dan ukuran dicek satu per satu. 4 pcs dijahit ulang "
        "kerahnya.",
        "Semua sudah dipacking dan diberi label nama. Pengiriman mulai besok pagi!",
    ),
    "sweater-batch-3": (
        "Benang akrilik lima warna sudah datang dari pabrik di Bandung.",
        "Panel badan dan lengan sudah dirajut, sekarang dipotong sesuai pola S-M dan L-XL.",
        "Linking dan jahit tangan berjalan. Lengan balon butuh waktu lebih, tapi masih sesuai "
        "jadwal.",
        "QC: semua sweater dicek benang lepas dan ukurannya, lalu dicuci supaya lebih lembut.",
        "Packing selesai: tiap sweater dilipat dengan kertas tisu dan kartu ucapan.",
    ),
    "varsity-angkatan": (
        "Kain wol melton dan kulit sintetis untuk lengan sudah datang. Warna Maroon-Krem persis "
        "seperti sampel.",
        "Pola sudah dipotong untuk semua ukuran, S sampai XXL.",
        "Jahit badan dan lengan berjalan.",
        "QC jahitan dan bordir.",
        "Packing dan label nama.",
    ),
}
PHOTO_STAGES = {"batik-lebaran": {2}, "sweater-batch-3": {2, 3}, "varsity-angkatan": {0, 1}}
SENT_STAGES = {"batik-lebaran": {4}, "sweater-batch-3": {3}, "varsity-angkatan": {0}}
# A progress update half way from the production start to the ship date: text, photo, sent.
MIDWAY = {
    "batik-lebaran": (
        "Progres jahit sudah 60%. Ukuran XXL didahulukan karena kainnya paling banyak.",
        False,
        False,
    ),
    "sweater-batch-3": (
        "Update: warna Dusty Pink paling cepat selesai dirajut. Semua masih sesuai jadwal ya kak.",
        True,
        False,
    ),
    "varsity-angkatan": (
        "Contoh bordir chenille sudah jadi! Bordir nama dan angkatan mulai minggu ini, sesuai "
        "catatan pesanan kakak.",
        True,
        True,
    ),
}
# The producing PO's ship date moves: days before today it was decided, days later, why.
DATE_MOVE = (
    2,
    3,
    "Vendor bordir chenille antre karena musim wisuda. Jahit tetap jalan; pengiriman mundur 3 "
    "hari. Mohon maaf ya kak.",
)
# Seller's notes to ask a buyer again (the producing PO's, the shipping PO's).
NOTES = {
    "varsity-angkatan": "Tulisan bordir (nama/angkatan) belum ada di catatan pesanan. Tanyakan "
    "sebelum bordir mulai.",
    "sweater-batch-3": "Pembeli minta paket ditahan: sedang mudik sampai akhir bulan. Tanyakan "
    "alamat kirim yang baru.",
    "batik-lebaran": "Pembeli minta dikirim sebagai kado: tanpa nota harga, pakai kartu ucapan.",
}
GIFT_RESOLUTION = "Nota dilepas, kartu ucapan ditulis sesuai pesan pembeli."
# What buyers wrote once their parcel arrived: rating, text, with a photo.
TESTIMONIALS = {
    "batik-lebaran": (
        (5, "Kemejanya adem, motif Mega Mendung-nya rapi banget. Pas dipakai Lebaran!", True),
        (5, "Jahitan kuat dan rapi, ukuran sesuai tabel. Ditunggu PO berikutnya!", False),
        (5, "Blusnya cantik, bahannya primisima beneran, nggak panas. Ibu saya suka sekali.", True),
        (4, "Bahan bagus, cuma pengiriman ke Medan agak lama. Overall puas.", False),
        (5, "Sudah dua kali ikut PO di sini, selalu amanah dan update produksinya jelas.", False),
        (
            3,
            "Kualitas oke, tapi ukuran XL-nya agak kecil dari tabel ukuran. Semoga batch depan "
            "lebih pas.",
            False,
        ),
        (5, "Kancing batoknya bikin kelihatan mahal. Suami pakai buat halalbihalal.", False),
        (4, "Warnanya sedikit lebih gelap dari foto, tapi tetap bagus dan jahitannya rapi.", False),
        (5, "Packing rapi, ada label nama. Datang sebelum Lebaran sesuai janji. Mantap!", False),
        (5, "Motif Kawung Biru-nya elegan, cocok buat ke kantor juga.", True),
        (4, "Bagus, hanya ada sedikit benang sisa. Sudah saya gunting sendiri, aman.", False),
        (5, "Seller ramah, dibantu pilih ukuran lewat WA. Hasilnya pas banget.", False),
    ),
    "sweater-batch-3": (
        (5, "Sweaternya tebal tapi nggak gerah, warna Mocca cantik banget!", True),
        (5, "Sampai dalam dua hari, packing rapi pakai kertas tisu. Suka!", False),
        (4, "Lengan balonnya lucu, cuma agak panjang buat saya. Tetap suka.", False),
    ),
}


# --- The helper -----------------------------------------------------------------------------


def _digits(rng, count: int) -> str:
    return "".join(str(rng.randrange(10)) for _n in range(count))


def make_resi(rng, courier: str) -> str:
    """A tracking number shaped like the courier's own (`couriers.resi_warning` accepts it)."""
    shapes = {
        "jne": lambda: rng.choice(("01", "03", "04")) + _digits(rng, 13),
        "jnt": lambda: "JP" + _digits(rng, 10),
        "sicepat": lambda: "00" + _digits(rng, 10),
        "anteraja": lambda: "1000" + _digits(rng, 10),
        "pos": lambda: "P" + _digits(rng, 12),
        "idexpress": lambda: "IDS" + _digits(rng, 12),
        "ninja": lambda: "NLIDAP" + _digits(rng, 8),
    }
    return shapes[courier]()


class Fulfilment:
    """Schedules and plays production, shipping, reconfirmations and testimonials of the POs
    the story takes past closing."""

    def __init__(self, story: Story):
        self.story = story
        self.rng = story.rng
        self.owner = story.owner
        self._resi: set[tuple[str, str]] = set()
        self._reviews: dict[str, list[tuple[int, str, bool]]] = {
            slug: list(texts) for slug, texts in TESTIMONIALS.items()
        }

    def at(self, when: datetime, action) -> None:
        self.story.at(when, action)

    def _daytime(self, day: date) -> datetime:
        """A moment of working hours (WIB) on `day`."""
        return datetime.combine(day, time(self.rng.randint(9, 19), self.rng.randrange(60)), WIB)

    def plan(self, spec: CampaignSpec) -> None:
        """Schedule what follows the production start of `spec` (if it got that far)."""
        if spec.production_day is None or spec.phase not in ("producing", "shipping", "completed"):
            return
        started = self.story.moment(spec.production_day, 10)
        self.at(started, lambda when: self._add_stages(spec, when))
        if spec.phase == "producing":
            days_ago, _days, _reason = DATE_MOVE
            self.at(self.story.moment(-days_ago, 20), lambda when: self._move_date(spec, when))
            noted = self.story.moment(spec.production_day + 2, 20)
            self.at(noted, lambda when: self._note_any_order(spec, when))
        if spec.shipping_started:
            shipping_at = self.story.moment(*spec.shipping_started) + timedelta(minutes=30)
            self.at(shipping_at, lambda when: self._pack_out(spec, when))
        if spec.phase == "completed":
            gift_at = self.story.moment(*spec.shipping_started) - timedelta(hours=16)
            self.at(gift_at, lambda when: self._gift_note(spec, when))

    # Production -------------------------------------------------------------------------

    def _add_stages(self, spec: CampaignSpec, when: datetime) -> None:
        campaign = self.story.campaigns[spec.slug]
        stages = production.add_default_stages(campaign=campaign, actor=self.owner, now=when)
        ship_start = self.story.moment(*spec.shipping_started) if spec.shipping_started else None
        done_before = when
        for index, stage in enumerate(stages):
            planned = stage.planned_on or self.story.today
            done = self._daytime(planned + timedelta(days=self.rng.choice((-1, 0, 0, 1))))
            if ship_start is not None:  # done by the evening before the first parcels
                done = min(done, ship_start - timedelta(hours=14 + 4 * (len(stages) - 1 - index)))
            elif planned >= self.story.today:
                break  # still to come
            done = max(done, done_before + timedelta(hours=2))
            done_before = done
            self.at(done, lambda at, s=stage, i=index: self._stage_done(spec, s, i, at))
        text, photo, send = MIDWAY[spec.slug]
        start, end = spec.production_day, spec.ships_day
        midway = self.story.moment((start + end) // 2, 19, self.rng.randrange(60))
        self.at(midway, lambda at: self._midway(spec, text, photo, send, at))

    def _stage_done(self, spec: CampaignSpec, stage: ProductionStage, index: int, at: datetime):
        notes = STAGE_NOTES[spec.slug]
        photos = []
        if index in PHOTO_STAGES[spec.slug]:
            photos = [product_photo(f"{stage.name} · {spec.products[0].name}")]
        production.mark_stage_done(
            stage=stage,
            done_at=at,
            note=notes[index] if index < len(notes) else "",
            photos=photos,
            send_to_buyers=index in SENT_STAGES[spec.slug],
            actor=self.owner,
            now=at,
        )

    def _midway(self, spec: CampaignSpec, text: str, photo: bool, send: bool, at: datetime):
        campaign = self.story.campaigns[spec.slug]
        current = (
            ProductionStage.objects.filter(campaign=campaign, done_at__isnull=True)
            .order_by("position")
            .first()
        )
        production.post_update(
            campaign=campaign,
            text=text,
            photos=[product_photo(f"Progres · {spec.products[0].name}")] if photo else [],
            stage=current,
            send_to_buyers=send,
            actor=self.owner,
            now=at,
        )

    def _move_date(self, spec: CampaignSpec, when: datetime) -> None:
        _days_ago, days, reason = DATE_MOVE
        campaign = self.story.campaigns[spec.slug]
        delays.move_date(
            campaign=campaign,
            field="ships_on",
            new_date=campaign.ships_on + timedelta(days=days),
            reason=reason,
            actor=self.owner,
            now=when,
        )
        campaign.refresh_from_db()

    def _note_any_order(self, spec: CampaignSpec, when: datetime) -> None:
        orders = Order.objects.filter(
            campaign=self.story.campaigns[spec.slug],
            status=Order.Status.ACTIVE,
            amount_paid__gt=0,
        ).order_by("pk")
        if orders:
            self._note(self.rng.choice(list(orders)), NOTES[spec.slug], when)

    def _note(self, order: Order, note: str, when: datetime) -> Reconfirmation:
        return reconfirmation.add_note(order=order, note=note, actor=self.owner, now=when)

    # Shipping ---------------------------------------------------------------------------

    def _pack_out(self, spec: CampaignSpec, when: datetime) -> None:
        """Share the paid orders out into parcels (one per buyer) and the days they leave."""
        campaign = self.story.campaigns[spec.slug]
        by_buyer: dict[int, list[Order]] = defaultdict(list)
        for order in shipping.orders_to_ship(campaign):
            by_buyer[order.customer_id].append(order)
        parcels = list(by_buyer.values())
        self.rng.shuffle(parcels)
        first_day = spec.shipping_started[0]
        if spec.phase == "shipping":
            waiting = round(len(parcels) * NOT_YET)
            if waiting:
                held = parcels[0][0]
                noted = self.story.moment(first_day + 1, 11)
                self.at(noted, lambda at: self._note(held, NOTES[spec.slug], at))
            parcels = parcels[waiting:]
            packed = round(len(parcels) * PACKED_ONLY)
            last_day = first_day + SHIPPING_DAYS - 1
            for parcel in parcels[:packed]:
                packed_at = self.story.moment(last_day, 19, self.rng.randrange(60))
                self.at(packed_at, lambda at, p=parcel: self._ship(spec, p, at, ship=False))
            parcels = parcels[packed:]
        for index, parcel in enumerate(parcels):
            day = first_day + index % SHIPPING_DAYS
            leaves = self.story.moment(day, 13, self.rng.randrange(60))
            leaves += timedelta(minutes=self.rng.randrange(180))
            fate = "returned" if index == 0 else "delivered"
            self.at(leaves, lambda at, p=parcel, f=fate: self._ship(spec, p, at, fate=f))

    def _gift_note(self, spec: CampaignSpec, when: datetime) -> None:
        """A buyer asks for a gift parcel: noted the day before shipping, sorted that night."""
        orders = list(shipping.orders_to_ship(self.story.campaigns[spec.slug]))
        if not orders:
            return
        row = self._note(self.rng.choice(orders), NOTES[spec.slug], when)
        resolved_at = when + timedelta(hours=self.rng.uniform(2, 6))
        self.at(
            resolved_at,
            lambda at: reconfirmation.resolve(
                reconfirmation=row, resolution=GIFT_RESOLUTION, actor=self.owner, now=at
            ),
        )

    def _courier_and_resi(self) -> tuple[str, str]:
        courier = weighted(self.rng, COURIERS)
        resi = make_resi(self.rng, courier)
        while (courier, resi) in self._resi:
            resi = make_resi(self.rng, courier)
        self._resi.add((courier, resi))
        return courier, resi

    def _ship(
        self,
        spec: CampaignSpec,
        orders: Sequence[Order],
        at: datetime,
        *,
        ship: bool = True,
        fate: str = "delivered",
    ) -> Shipment:
        courier, resi = self._courier_and_resi()
        units = sum(order.units for order in orders)
        grams = units * GRAMS_PER_UNIT.get(spec.slug, 500) + PACKING_GRAMS
        shipment = shipping.create_shipment(
            orders=orders,
            courier=courier,
            tracking_number=resi,
            weight_grams=grams + self.rng.randrange(-20, 60),
            ship=ship,
            actor=self.owner,
            now=at,
        )
        if not ship:
            return shipment
        if fate == "returned":
            back = at + timedelta(days=3 if spec.phase == "shipping" else 6, hours=2)
            self.at(back, lambda when: self._returned(spec, shipment, when))
        else:
            low, high = TRANSIT_DAYS[courier]
            day = timezone.localtime(at, WIB).date() + timedelta(days=self.rng.randint(low, high))
            arrives = self._daytime(day)
            self.at(arrives, lambda when: self._delivered(spec, shipment, when))
        return shipment

    def _delivered(self, spec: CampaignSpec, shipment: Shipment, when: datetime) -> None:
        shipment = shipping.mark_delivered(shipment=shipment, actor=self.owner, now=when)
        left = self._reviews.get(spec.slug)
        if left and self.rng.random() < TESTIMONIAL_RATE:
            order = shipment.orders.order_by("pk").first()
            review = left.pop(0)
            written = when + timedelta(hours=self.rng.uniform(2, 48))
            self.at(written, lambda at: self._testify(spec, order, review, at))

    def _returned(self, spec: CampaignSpec, shipment: Shipment, when: datetime) -> None:
        shipping.mark_returned(shipment=shipment, note=RETURN_NOTE, actor=self.owner, now=when)
        if spec.phase == "completed":  # sorted with the buyer, and sent again
            later = when + timedelta(hours=self.rng.uniform(18, 30))
            self.at(later, lambda at: self._reship(spec, shipment, at))

    def _reship(self, spec: CampaignSpec, shipment: Shipment, when: datetime) -> None:
        orders = list(shipment.orders.order_by("pk"))
        for row in Reconfirmation.objects.filter(
            order__in=orders, reason=Reconfirmation.Reason.RETURNED, resolved_at__isnull=True
        ):
            reconfirmation.resolve(
                reconfirmation=row, resolution=RESHIP_NOTE, actor=self.owner, now=when
            )
        self._ship(spec, orders, when + timedelta(hours=3))

    # Testimonials -----------------------------------------------------------------------

    def _testify(
        self, spec: CampaignSpec, order: Order, review: tuple[int, str, bool], at: datetime
    ) -> None:
        rating, text, with_photo = review
        order = Order.objects.get(pk=order.pk)
        photo = product_photo(spec.products[0].name) if with_photo else None
        written = reviews.write_testimonial(
            order=order, rating=rating, text=text, photo=photo, now=at
        )
        if rating >= 4:  # the seller shows the good ones, keeps the lukewarm one to herself
            approved = at + timedelta(hours=self.rng.uniform(3, 36))
            self.at(
                approved,
                lambda when: reviews.set_testimonial_approved(
                    testimonial=written, approved=True, actor=self.owner, now=when
                ),
            )
