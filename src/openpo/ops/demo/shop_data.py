"""What the demo shop sells: the shop, its owner and bank accounts, its campaigns and products.

This module owns the tables only: the login of the demo owner, the shop `Rajut Kirana`, and one
`CampaignSpec` for each PO it shows, each with its timeline in days from today (WIB) and the
products, options, quotas and materials it is set up with. `story` turns them into history.
"""

from dataclasses import dataclass, field

from openpo.catalog.models import Shop
from openpo.payments.qris import DEMO_STATIC_QRIS

# --- The shop -------------------------------------------------------------------------------

SHOP_SLUG = "demo"
USERNAME = "demo"
PASSWORD = "demo"  # the documented demo login; never use it outside the demo
OWNER = {"first_name": "Kirana", "last_name": "Larasati", "email": "demo@example.com"}
SHOP = {
    "name": "Rajut Kirana",
    "whatsapp_number": "0812-2047-1987",
    "email": "halo.rajutkirana@example.com",
    "timezone_name": Shop.TimeZone.WIB,
    "static_qris": DEMO_STATIC_QRIS,
}
# When the shop was set up (before the two years of `history`): days from today (WIB), hour.
OPENED = (-745, 10)
BANK_ACCOUNTS = [
    ("BCA", "731 045 8921", "Kirana Larasati"),
    ("Mandiri", "131-00-1784523-6", "Kirana Larasati"),
]

# --- The campaigns --------------------------------------------------------------------------

SIZE_SCALE = {"S": 0.9, "M": 1.0, "L": 1.1, "XL": 1.2, "XXL": 1.3, "S-M": 0.95, "L-XL": 1.15}
SIZE_PREFERENCE = {"S": 2, "M": 5, "L": 5, "XL": 3, "XXL": 1, "S-M": 4, "L-XL": 5}


@dataclass(frozen=True)
class MaterialSpec:
    """`name` may name an option (`Benang akrilik {Warna}`); size options scale `quantity`."""

    name: str
    quantity: float
    unit: str
    scales: bool = True


@dataclass(frozen=True)
class ProductSpec:
    name: str
    description: str
    price: int
    options: dict[str, tuple[str, ...]]
    quota: int | None = None
    size_quota: dict[str, int] = field(default_factory=dict)
    surcharge: dict[str, int] = field(default_factory=dict)
    preference: dict[str, float] = field(default_factory=dict)  # option value → weight
    materials: tuple[MaterialSpec, ...] = ()


@dataclass(frozen=True)
class CampaignSpec:
    """A PO and its timeline, in days from today (WIB) and hours of that day."""

    phase: str  # the phase it shows in the demo
    title: str
    slug: str
    description: str
    opens: tuple[int, int]
    closes: tuple[int, int]
    products: tuple[ProductSpec, ...]
    orders: int  # orders buyers try to place over the whole window
    production_day: int | None = None
    ships_day: int | None = None
    shipping_started: tuple[int, int] | None = None
    completed: tuple[int, int] | None = None
    moq_units: int = 0
    unit_cap: int | None = None
    max_units_per_order: int | None = None
    deposit_percent: int | None = None
    settlement_day: int | None = None
    payment_window_hours: int = 24
    shipping_fee: int = 15_000
    # Early bird: this much off every variant for the first `early_bird_units` units.
    early_bird_units: int | None = None
    early_bird_discount: int = 0
    rush: float = 0.3  # share of orders in the opening rush …
    rush_minutes: int = 180  # … and how fast it fades
    quantities: tuple[tuple[int, int], ...] = ((1, 80), (2, 16), (3, 4))


SWEATER = ProductSpec(
    name="Sweater Rajut Oversize",
    description="Rajutan akrilik tebal tapi adem, potongan oversize, lengan balon.",
    price=215_000,
    options={
        "Ukuran": ("S-M", "L-XL"),
        "Warna": ("Mocca", "Sage", "Navy", "Broken White", "Dusty Pink"),
    },
    quota=25,
    preference={"Mocca": 4, "Sage": 3, "Navy": 2, "Broken White": 3, "Dusty Pink": 2},
    materials=(
        MaterialSpec("Benang akrilik {Warna}", 420, "gram"),
        MaterialSpec("Label kulit", 1, "pcs", scales=False),
    ),
)

CAMPAIGNS: tuple[CampaignSpec, ...] = (
    CampaignSpec(
        phase="completed",
        title="PO Kemeja Batik Cap Pekalongan — Edisi Lebaran",
        slug="batik-lebaran",
        description=(
            "Kemeja dan blus batik cap dari pengrajin Pekalongan, kain katun primisima. "
            "Dijahit setelah PO ditutup, estimasi 3 minggu."
        ),
        opens=(-80, 19),
        closes=(-73, 21),
        production_day=-70,
        ships_day=-55,
        shipping_started=(-55, 10),
        completed=(-41, 16),
        orders=90,
        products=(
            ProductSpec(
                name="Kemeja Batik Pria Lengan Pendek",
                description="Kerah kemeja, saku dada, kancing batok kelapa.",
                price=185_000,
                options={
                    "Ukuran": ("M", "L", "XL", "XXL"),
                    "Motif": ("Parang Seling", "Mega Mendung", "Kawung Biru"),
                },
                surcharge={"XXL": 15_000},
                preference={"Parang Seling": 3, "Mega Mendung": 4, "Kawung Biru": 2},
                materials=(
                    MaterialSpec("Kain batik cap {Motif}", 1.7, "m"),
                    MaterialSpec("Kancing batok kelapa", 7, "pcs", scales=False),
                ),
            ),
            ProductSpec(
                name="Blus Batik Wanita",
                description="Potongan longgar, lengan 7/8, kancing depan.",
                price=175_000,
                options={"Ukuran": ("S", "M", "L", "XL"), "Motif": ("Sogan Klasik", "Kawung Biru")},
                materials=(
                    MaterialSpec("Kain batik cap {Motif}", 1.5, "m"),
                    MaterialSpec("Kancing batok kelapa", 6, "pcs", scales=False),
                ),
            ),
        ),
    ),
    CampaignSpec(
        phase="shipping",
        title="PO Sweater Rajut Oversize Batch 3",
        slug="sweater-batch-3",
        description="Batch ketiga sweater favorit! Minimal 40 pcs agar produksi jalan.",
        opens=(-45, 19),
        closes=(-38, 21),
        production_day=-36,
        ships_day=-5,
        shipping_started=(-4, 10),
        moq_units=40,
        orders=95,
        products=(SWEATER,),
    ),
    CampaignSpec(
        phase="failed",
        title="PO Tas Rajut Tali Kur Custom Inisial",
        slug="tas-rajut-inisial",
        description=(
            "Tas rajut tali kur dengan inisial nama. PO jalan kalau terkumpul minimal 60 tas; "
            "kalau tidak, dana dikembalikan penuh."
        ),
        opens=(-24, 19),
        closes=(-17, 21),
        production_day=-15,
        ships_day=-3,
        moq_units=60,
        orders=28,
        products=(
            ProductSpec(
                name="Tas Rajut Tali Kur",
                description="Tulis inisial (maks. 3 huruf) di catatan pesanan.",
                price=135_000,
                options={"Model": ("Tote", "Sling"), "Warna": ("Krem", "Sage", "Terracotta")},
                surcharge={"Tote": 20_000},
                materials=(
                    MaterialSpec("Tali kur {Warna}", 230, "gram"),
                    MaterialSpec("Ring kayu", 2, "pcs", scales=False),
                ),
            ),
        ),
    ),
    CampaignSpec(
        phase="producing",
        title="PO Jaket Varsity Angkatan & Komunitas",
        slug="varsity-angkatan",
        description=(
            "Jaket varsity wol melton dengan lengan kulit sintetis dan bordir chenille. "
            "DP 50%, pelunasan sebelum pengiriman. Cocok untuk order kolektif angkatan."
        ),
        opens=(-21, 19),
        closes=(-14, 21),
        production_day=-11,
        ships_day=9,
        moq_units=50,
        max_units_per_order=15,
        deposit_percent=50,
        settlement_day=2,
        payment_window_hours=48,
        shipping_fee=20_000,
        orders=62,
        quantities=((1, 55), (2, 15), (3, 8), (4, 6), (5, 5), (6, 4), (8, 3), (10, 2), (12, 2)),
        products=(
            ProductSpec(
                name="Jaket Varsity Bordir",
                description="Bordir nama/angkatan di dada kiri (tulis di catatan).",
                price=365_000,
                options={
                    "Ukuran": ("S", "M", "L", "XL", "XXL"),
                    "Warna": ("Navy-Putih", "Maroon-Krem", "Hitam-Putih"),
                },
                surcharge={"XXL": 20_000},
                preference={"Navy-Putih": 4, "Maroon-Krem": 2, "Hitam-Putih": 3},
                materials=(
                    MaterialSpec("Kain wol melton", 1.3, "m"),
                    MaterialSpec("Kulit sintetis lengan", 0.7, "m"),
                    MaterialSpec("Rib rajut", 0.4, "m"),
                    MaterialSpec("Kancing snap", 6, "pcs", scales=False),
                    MaterialSpec("Bordir chenille logo", 1, "pcs", scales=False),
                ),
            ),
        ),
    ),
    CampaignSpec(
        phase="closed",
        title="PO Cardigan Rajut Edisi Terbatas",
        slug="cardigan-terbatas",
        description=(
            "Hanya 120 pcs! Cardigan rajut katun dengan kancing kayu. Maks. 3 pcs per order, "
            "transfer maksimal 6 jam setelah order."
        ),
        opens=(-6, 19),
        closes=(-2, 21),
        production_day=2,
        ships_day=18,
        unit_cap=120,
        max_units_per_order=3,
        payment_window_hours=6,
        orders=130,
        rush=0.65,
        rush_minutes=45,
        quantities=((1, 75), (2, 20), (3, 5)),
        products=(
            ProductSpec(
                name="Cardigan Rajut Kancing Kayu",
                description="Rajut katun, panjang sepinggul, 5 kancing kayu.",
                price=245_000,
                options={
                    "Ukuran": ("S", "M", "L"),
                    "Warna": ("Dusty Pink", "Sage", "Cream", "Cocoa"),
                },
                quota=14,
                preference={"Dusty Pink": 3, "Sage": 3, "Cream": 4, "Cocoa": 2},
                materials=(
                    MaterialSpec("Benang katun {Warna}", 380, "gram"),
                    MaterialSpec("Kancing kayu", 5, "pcs", scales=False),
                ),
            ),
        ),
    ),
    CampaignSpec(
        phase="open",
        title="PO Rompi Rajut Kampus Batch 2",
        slug="rompi-rajut-2",
        description="Rompi rajut V-neck buat ngampus dan ngantor. Kuota terbatas per ukuran!",
        opens=(-4, 19),
        closes=(3, 21),
        production_day=5,
        ships_day=19,
        moq_units=30,
        orders=150,
        products=(
            ProductSpec(
                name="Rompi Rajut V-Neck",
                description="Rajut akrilik halus, motif kabel.",
                price=159_000,
                options={"Ukuran": ("S", "M", "L", "XL"), "Warna": ("Hitam", "Navy", "Abu Muda")},
                size_quota={"S": 10, "M": 18, "L": 18, "XL": 10},
                preference={"Hitam": 5, "Navy": 3, "Abu Muda": 2},
                materials=(
                    MaterialSpec("Benang akrilik {Warna}", 260, "gram"),
                    MaterialSpec("Label kulit", 1, "pcs", scales=False),
                ),
            ),
            ProductSpec(
                name="Beanie Rajut",
                description="Satu ukuran, melar.",
                price=69_000,
                options={"Warna": ("Hitam", "Mustard", "Olive")},
                quota=30,
                preference={"Hitam": 12, "Mustard": 8, "Olive": 6},
                materials=(MaterialSpec("Benang akrilik {Warna}", 90, "gram"),),
            ),
        ),
    ),
    CampaignSpec(
        phase="upcoming",
        title="PO Sweater Rajut Oversize Batch 4",
        slug="sweater-batch-4",
        description="Batch keempat dengan dua warna baru: Olive dan Terracotta. Pasang reminder!",
        opens=(3, 19),
        closes=(10, 21),
        production_day=12,
        ships_day=30,
        moq_units=40,
        orders=0,
        early_bird_units=30,
        early_bird_discount=20_000,
        products=(
            ProductSpec(
                name=SWEATER.name,
                description=SWEATER.description,
                price=219_000,
                options={
                    "Ukuran": ("S-M", "L-XL"),
                    "Warna": ("Mocca", "Sage", "Broken White", "Olive", "Terracotta"),
                },
                quota=25,
                materials=SWEATER.materials,
            ),
        ),
    ),
)
