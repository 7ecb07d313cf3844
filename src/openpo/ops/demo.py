"""The demo shop behind `openpo demo`.

This module owns the demo data: the tables at the top (the shop, its campaigns and products,
and the names, numbers and places its buyers are made from) and the loader that plays the
shop's history forward, always through the services (`catalog.services`, `orders.services`),
with `now=` set to the moment each step happened. Dates are relative to the moment of loading,
so the demo always looks current: one PO is announced, one takes orders now, and the older
ones are closed, in production, shipping, completed or failed their minimum order.

Loading is idempotent: once the shop `demo` has its campaigns, `load_demo` changes nothing.
Buyers are drawn from `random.Random(SEED)`, so two loads at the same moment tell the same
story (order codes and secrets stay random: they come from the order service).
"""

import heapq
import itertools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from time import perf_counter
from typing import TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from openpo.catalog.models import Campaign, Membership, Shop, Variant
from openpo.catalog.services import (
    add_bank_account,
    add_material,
    add_member,
    add_product,
    add_variant,
    advance_campaign,
    close_if_sold_out,
    complete_campaign,
    create_campaign,
    create_shop,
    publish_campaign,
    start_production,
    start_shipping,
)
from openpo.core.phone import normalize_phone
from openpo.orders.models import Customer, Order
from openpo.orders.services import BuyerDetails, cancel_order, expire_order, place_order

SEED = 20240817
SHOP_SLUG = "demo"
USERNAME = "demo"
PASSWORD = "demo"  # the documented demo login; never use it outside the demo
WIB = ZoneInfo("Asia/Jakarta")
T = TypeVar("T")


def names(text: str) -> tuple[str, ...]:
    """`"Sri, Dewi Ayu"` → `("Sri", "Dewi Ayu")`: keeps the tables below short."""
    return tuple(name.strip() for name in text.split(","))


def weights(text: str) -> tuple[tuple[str, int], ...]:
    """`"Jakarta Timur 2, Bekasi 1"` → `(("Jakarta Timur", 2), ("Bekasi", 1))`."""
    return tuple((name, int(weight)) for name, weight in (n.rsplit(" ", 1) for n in names(text)))


# --- The shop -------------------------------------------------------------------------------

OWNER = {"first_name": "Kirana", "last_name": "Larasati", "email": "demo@example.com"}
SHOP = {
    "name": "Rajut Kirana",
    "whatsapp_number": "0812-2047-1987",
    "email": "halo.rajutkirana@example.com",
    "timezone_name": Shop.TimeZone.WIB,
}
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

# --- The buyers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """Names and home towns of one of Indonesia's peoples, weighted by how often they buy."""

    weight: int
    female: tuple[str, ...]
    male: tuple[str, ...]
    female_family: tuple[str, ...]
    male_family: tuple[str, ...]
    homes: tuple[tuple[str, int], ...]
    female_prefix: tuple[str, ...] = ()
    male_prefix: tuple[str, ...] = ()


BATAK_CLANS = names(
    "Siregar, Nasution, Simanjuntak, Hutapea, Lubis, Harahap, Panjaitan, Sinaga,"
    "Simatupang, Tampubolon, Situmorang, Sihombing, Manurung, Pardede"
)
MINANG_CLANS = names("Chaniago, Koto, Piliang, Tanjung, Sikumbang, Jambak, Guci")
CHINESE_FAMILIES = names(
    "Wijaya, Halim, Gunawan, Salim, Tanoto, Setiadi, Hartanto, Chandra,"
    "Lukito, Sutanto, Tanjaya, Liem, Susanto, Kurniawan"
)

GROUPS: tuple[Group, ...] = (
    Group(  # Javanese
        weight=30,
        female=names(
            "Sri, Dewi, Rini, Endang, Retno, Ayu, Tri, Wulan, Indah, Puji, Anisa, Galuh,"
            "Sekar, Ratna, Dyah, Nining"
        ),
        male=names(
            "Budi, Agus, Joko, Bambang, Eko, Slamet, Teguh, Dimas, Bayu, Wahyu, Arif, Yoga,"
            "Hendro, Bagus, Aditya"
        ),
        female_family=names("Lestari, Rahayu, Wulandari, Handayani, Permatasari, Kusumawati"),
        male_family=names("Santoso, Wibowo, Prasetyo, Nugroho, Setiawan, Purnomo, Hartono"),
        homes=weights(
            "Yogyakarta 4, Sleman 3, Semarang 4, Surakarta 3, Surabaya 5, Malang 3,"
            "Sidoarjo 2, Purwokerto 1, Kediri 1, Jakarta Timur 2, Bekasi 2"
        ),
    ),
    Group(  # Sundanese
        weight=22,
        female=names(
            "Euis, Neng, Siti, Yanti, Rina, Ai, Nia, Lilis, Resti, Fitri, Wida, Nenden,Rika, Cucu"
        ),
        male=names("Asep, Ujang, Dadang, Cecep, Deden, Yayan, Iwan, Ridwan, Jajang, Dedi, Ade"),
        female_family=names("Nurhayati, Komalasari, Kurniasih, Rahmawati, Mulyani, Sulastri"),
        male_family=names("Permana, Suganda, Hidayat, Nugraha, Sutisna, Mulyana, Kusnadi"),
        homes=weights(
            "Bandung 8, Cimahi 2, Bogor 3, Depok 2, Tasikmalaya 2, Garut 1, Sukabumi 1,"
            "Cirebon 2, Jakarta Selatan 1"
        ),
    ),
    Group(  # Batak: the clan name is the family name
        weight=10,
        female=names(
            "Rosmawati, Lasma, Debora, Yohana, Tiurma, Grace, Maria, Ruth, Elisabeth,Sondang"
        ),
        male=names(
            "Tigor, Parlindungan, Hotman, Benny, Josua, Samuel, Daniel, Roy, Martua,Fernando"
        ),
        female_family=BATAK_CLANS,
        male_family=BATAK_CLANS,
        homes=weights("Medan 6, Pematangsiantar 2, Batam 1, Jakarta Timur 2, Bekasi 1"),
    ),
    Group(  # Minangkabau
        weight=9,
        female=names("Rahmi, Yulia, Syafitri, Mardiah, Nurul, Rahma, Nadia, Zulfa, Fauziah,Elvira"),
        male=names("Fadli, Andri, Hendra, Zulkifli, Irfan, Yusuf, Fauzan, Syahrul, Rivaldi,Ikhsan"),
        female_family=MINANG_CLANS,
        male_family=MINANG_CLANS,
        homes=weights(
            "Padang 5, Bukittinggi 2, Payakumbuh 1, Pekanbaru 3, Jakarta Pusat 1,Batam 1"
        ),
    ),
    Group(  # Chinese-Indonesian
        weight=10,
        female=names(
            "Jessica, Stefanie, Melinda, Yuliana, Veronica, Cindy, Michelle, Angela,"
            "Fransisca, Livia, Vivian, Meiliana"
        ),
        male=names(
            "Kevin, Steven, Andreas, Felix, Ricky, Jonathan, Albert, Willy, Edwin,Yohanes, Hendrik"
        ),
        female_family=CHINESE_FAMILIES,
        male_family=CHINESE_FAMILIES,
        homes=weights(
            "Jakarta Barat 4, Jakarta Utara 3, Medan 2, Surabaya 2, Pontianak 2,"
            "Singkawang 1, Tangerang 2, Semarang 1"
        ),
    ),
    Group(  # Bugis and Makassar
        weight=6,
        female=names("Nurfadillah, Hasnah, Sitti, Kasmawati, Rahmatia, Ayu, Andi Tenri,Andi Nurul"),
        male=names("Andi Muhammad, Syamsul, Ilham, Rusli, Baso, Hasanuddin, Andi Akbar,Muh. Ikbal"),
        female_family=names("Syahrir, Rasyid, Hamzah, Latif, Baharuddin, Mattalitti"),
        male_family=names("Syahrir, Rasyid, Hamzah, Latif, Baharuddin, Palallo"),
        homes=weights("Makassar 5, Parepare 1, Watampone 1, Balikpapan 2, Samarinda 1"),
    ),
    Group(  # Balinese: I / Ni and the birth-order name come first
        weight=5,
        female=names("Ayu, Sari, Dewi, Widya, Ari, Eka, Intan"),
        male=names("Agus, Adi, Arya, Surya, Darma, Budi, Krisna"),
        female_family=names("Lestari, Suastini, Antari, Maharani, Purnamasari, Wahyuni"),
        male_family=names("Suardana, Sudiarta, Wiranata, Astawa, Mahendra, Wirawan"),
        homes=weights("Denpasar 5, Badung 2, Gianyar 1, Tabanan 1"),
        female_prefix=names("Ni Putu, Ni Made, Ni Nyoman, Ni Ketut, Ni Kadek, Ni Luh"),
        male_prefix=names("I Putu, I Made, I Wayan, I Nyoman, I Gede, I Komang"),
    ),
    Group(  # young buyers in Jabodetabek
        weight=14,
        female=names(
            "Nabila Putri, Aulia, Salsabila, Annisa, Zahra, Dinda, Tiara, Aisyah Nur,"
            "Nadya, Khairunnisa, Shafira, Amelia"
        ),
        male=names("Muhammad, Ahmad, Fajar, Farhan, Naufal, Raka, Haikal, Rizky, Akbar, Daffa"),
        female_family=names("Ramadhani, Aprilia, Safitri, Anggraini, Oktaviani, Amalia, Puspita"),
        male_family=names("Ramadhan, Maulana, Firmansyah, Saputra, Pratama, Hakim, Syahputra"),
        homes=weights(
            "Jakarta Selatan 4, Jakarta Timur 3, Depok 3, Bekasi 3,Tangerang Selatan 3, Bogor 2"
        ),
    ),
    Group(  # Minahasa
        weight=4,
        female=names("Christine, Jeane, Meiske, Stevani, Gabriela, Priscilla"),
        male=names("Frangky, Stenly, Jefry, Marcel, Ronald, Kevin"),
        female_family=names("Sondakh, Lumowa, Rumondor, Wuisan, Pangemanan, Kaunang"),
        male_family=names("Sondakh, Lumowa, Tumbelaka, Wuisan, Pangemanan, Lengkong"),
        homes=weights("Manado 4, Tomohon 1, Bitung 1"),
    ),
)

# city → (province, first and last postal code of the city)
CITIES: dict[str, tuple[str, int, int]] = {
    "Yogyakarta": ("DI Yogyakarta", 55111, 55283),
    "Sleman": ("DI Yogyakarta", 55511, 55584),
    "Semarang": ("Jawa Tengah", 50111, 50278),
    "Surakarta": ("Jawa Tengah", 57111, 57149),
    "Purwokerto": ("Jawa Tengah", 53111, 53148),
    "Surabaya": ("Jawa Timur", 60111, 60299),
    "Malang": ("Jawa Timur", 65111, 65148),
    "Sidoarjo": ("Jawa Timur", 61211, 61274),
    "Kediri": ("Jawa Timur", 64111, 64134),
    "Bandung": ("Jawa Barat", 40111, 40295),
    "Cimahi": ("Jawa Barat", 40511, 40536),
    "Bogor": ("Jawa Barat", 16111, 16168),
    "Depok": ("Jawa Barat", 16411, 16518),
    "Bekasi": ("Jawa Barat", 17111, 17148),
    "Tasikmalaya": ("Jawa Barat", 46111, 46196),
    "Garut": ("Jawa Barat", 44111, 44183),
    "Sukabumi": ("Jawa Barat", 43111, 43169),
    "Cirebon": ("Jawa Barat", 45111, 45143),
    "Jakarta Pusat": ("DKI Jakarta", 10110, 10730),
    "Jakarta Barat": ("DKI Jakarta", 11110, 11850),
    "Jakarta Selatan": ("DKI Jakarta", 12110, 12970),
    "Jakarta Timur": ("DKI Jakarta", 13110, 13960),
    "Jakarta Utara": ("DKI Jakarta", 14110, 14460),
    "Tangerang": ("Banten", 15111, 15148),
    "Tangerang Selatan": ("Banten", 15310, 15438),
    "Medan": ("Sumatera Utara", 20111, 20371),
    "Pematangsiantar": ("Sumatera Utara", 21111, 21147),
    "Padang": ("Sumatera Barat", 25111, 25176),
    "Bukittinggi": ("Sumatera Barat", 26111, 26138),
    "Payakumbuh": ("Sumatera Barat", 26211, 26231),
    "Pekanbaru": ("Riau", 28111, 28294),
    "Batam": ("Kepulauan Riau", 29411, 29467),
    "Pontianak": ("Kalimantan Barat", 78111, 78244),
    "Singkawang": ("Kalimantan Barat", 79111, 79163),
    "Balikpapan": ("Kalimantan Timur", 76111, 76136),
    "Samarinda": ("Kalimantan Timur", 75111, 75251),
    "Makassar": ("Sulawesi Selatan", 90111, 90245),
    "Parepare": ("Sulawesi Selatan", 91111, 91133),
    "Watampone": ("Sulawesi Selatan", 92711, 92734),
    "Manado": ("Sulawesi Utara", 95111, 95259),
    "Tomohon": ("Sulawesi Utara", 95416, 95439),
    "Bitung": ("Sulawesi Utara", 95511, 95545),
    "Denpasar": ("Bali", 80111, 80239),
    "Badung": ("Bali", 80351, 80361),
    "Gianyar": ("Bali", 80511, 80582),
    "Tabanan": ("Bali", 82111, 82191),
}

STREETS = names(
    "Melati, Mawar, Kenanga, Cempaka, Flamboyan, Sudirman, Diponegoro, Ahmad Yani,"
    "Gatot Subroto, Pahlawan, Merdeka, Kartini, Veteran, Pemuda, Gajah Mada,"
    "Imam Bonjol, Teuku Umar, Hasanuddin, Sisingamangaraja, Cendrawasih, Anggrek,"
    "Kapten Tendean, Dr. Wahidin, Raya Pasar Minggu"
)
ESTATES = names(
    "Griya Asri, Taman Sari Indah, Bumi Permai, Villa Mutiara, Pondok Hijau,"
    "Graha Mandiri, Citra Garden, Puri Kencana"
)
# Mobile prefixes of Telkomsel, Indosat, XL, Axis, Tri and Smartfren, weighted by market share.
MOBILE_PREFIXES = weights(
    "0812 9, 0813 7, 0821 5, 0822 5, 0852 4, 0853 3, 0811 2, 0857 5,"
    "0856 3, 0858 2, 0815 1, 0817 2, 0818 1, 0819 2, 0877 3, 0878 2,"
    "0838 2, 0831 1, 0895 2, 0896 2, 0898 1, 0881 1, 0882 1"
)
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")  # never a real mailbox

NOTES = (
    "Tolong dibungkus rapi ya kak, buat kado 🙏",
    "Kalau bisa dikirim sebelum tanggal 25 ya kak",
    "Alamat kantor, kirim jam kerja ya",
    "Order bareng teman, dikirim ke satu alamat",
    "Kak, boleh minta nota/invoice?",
    "Warna sesuai foto kedua ya kak",
    "Titip di pos satpam kalau rumah kosong",
    "Sudah langganan dari batch 1, semangat kak!",
)
CANCEL_REASONS = (
    "Salah pilih ukuran, mau order ulang",
    "Double order",
    "Dana belum ada kak, maaf",
    "Ganti warna, order ulang",
    "Pembeli minta batal lewat WhatsApp",
)
CHANNELS = ((Order.Channel.WEB, 55), (Order.Channel.WHATSAPP, 35), (Order.Channel.MANUAL, 10))
# Buyers order in the evening after work and at lunch, hardly at night (hours in WIB).
HOUR_WEIGHTS = (2, 1, 1, 1, 1, 2, 3, 5, 6, 6, 6, 7, 9, 8, 6, 6, 7, 8, 10, 14, 17, 16, 12, 6)
PEOPLE = 420  # buyers to draw from; about 330 of them end up ordering
REPEAT_BUYER_RATE = 0.27
CANCEL_RATE = 0.05
EXPIRE_RATE = 0.08
SETTLE_RATE = 0.8

# --- Loading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadResult:
    shop: Shop
    loaded: bool  # False when the demo was already there and nothing changed
    seconds: float


@dataclass(frozen=True)
class CampaignLink:
    title: str
    phase: str
    orders: int
    units: int
    url: str


def is_loaded() -> bool:
    return Campaign.objects.filter(shop__slug=SHOP_SLUG).exists()


def load_demo(*, now: datetime | None = None, seed: int = SEED) -> LoadResult:
    """Create the demo user, shop and campaigns with their history, once; in one transaction."""
    started = perf_counter()
    with transaction.atomic():
        if is_loaded():
            shop = Shop.objects.get(slug=SHOP_SLUG)
            return LoadResult(shop, False, perf_counter() - started)
        owner = ensure_user()
        shop = ensure_shop(owner)
        story = _Story(shop=shop, owner=owner, now=now or timezone.now(), rng=random.Random(seed))
        story.tell()
    return LoadResult(shop, True, perf_counter() - started)


def ensure_user() -> AbstractUser:
    """The `demo` superuser; the password is set directly (the validators would refuse it)."""
    user, _created = get_user_model().objects.get_or_create(username=USERNAME)
    for name, value in OWNER.items():
        setattr(user, name, value)
    user.is_staff = user.is_superuser = user.is_active = True
    user.set_password(PASSWORD)
    user.save()
    return user


def ensure_shop(owner: AbstractUser) -> Shop:
    """The shop `demo` with its owner and bank accounts (an empty existing one is reused)."""
    shop = Shop.objects.filter(slug=SHOP_SLUG).first()
    if shop is None:
        shop = create_shop(slug=SHOP_SLUG, owner=owner, **SHOP)
    else:
        add_member(shop=shop, user=owner, role=Membership.Role.OWNER)
    if not shop.bank_accounts.exists():
        for bank, number, holder in BANK_ACCOUNTS:
            add_bank_account(
                shop=shop, bank_name=bank, account_number=number, account_holder=holder
            )
    return shop


def campaign_links(shop: Shop, *, now: datetime | None = None) -> list[CampaignLink]:
    """Each campaign of the shop with its phase and the page to open it (the admin, for now)."""
    now = now or timezone.now()
    campaigns = shop.campaigns.annotate(
        live_orders=Count("orders", filter=Q(orders__status=Order.Status.ACTIVE))
    ).order_by("opens_at")
    return [
        CampaignLink(
            title=campaign.title,
            phase=campaign.phase(now),
            orders=campaign.live_orders,
            units=campaign.reserved_units,
            url=site_url(reverse("admin:catalog_campaign_change", args=[campaign.pk])),
        )
        for campaign in campaigns
    ]


def site_url(path: str = "/") -> str:
    base = getattr(settings, "SITE_URL", "") or "http://127.0.0.1:8000"
    return base.rstrip("/") + path


# --- The story: the shop's history, played forward in time order ---------------------------


@dataclass(frozen=True)
class Person:
    name: str
    phone: str  # E.164
    email: str
    address: str
    city: str
    province: str
    postal_code: str


@dataclass
class _Stock:
    """What the loader knows is left, so it never asks for more than there is."""

    variants: list[tuple[Variant, float]]  # with how much buyers like each
    left: dict[int, int | None]
    cap_left: int | None
    ceiling: int | None  # the most units it may hold (a PO that is to miss its minimum)
    units: int = 0

    def take(self, items: dict[int, int]) -> None:
        self._add(items, -1)

    def give_back(self, items: dict[int, int]) -> None:
        self._add(items, 1)

    def _add(self, items: dict[int, int], sign: int) -> None:
        for variant_id, quantity in items.items():
            if self.left[variant_id] is not None:
                self.left[variant_id] += sign * quantity
        units = sum(items.values())
        self.units -= sign * units
        if self.cap_left is not None:
            self.cap_left += sign * units

    def room(self, limit: int | None) -> int:
        """The most units one more order may have."""
        bounds = [limit, self.cap_left]
        if self.ceiling is not None:
            bounds.append(self.ceiling - self.units)
        return min([b for b in bounds if b is not None], default=10_000)

    def sold_out(self) -> bool:
        if self.cap_left is not None and self.cap_left <= 0:
            return True
        return all(left is not None and left <= 0 for left in self.left.values())


class _Story:
    """Plays the shop's history forward: each step is an event at a moment before `now`.

    Events are kept in a heap and run in time order, so every service sees the world as it was
    at that moment; an event that would happen after `now` has not happened yet and is dropped.
    """

    def __init__(self, *, shop: Shop, owner: AbstractUser, now: datetime, rng: random.Random):
        self.shop = shop
        self.owner = owner
        self.now = now
        self.today = timezone.localtime(now, WIB).date()
        self.rng = rng
        self.people = _Crowd(rng)
        self.campaigns: dict[str, Campaign] = {}
        self.stock: dict[str, _Stock] = {}
        self._events: list[tuple[datetime, int, Callable[[datetime], None]]] = []
        self._sequence = itertools.count()

    def tell(self) -> None:
        for spec in CAMPAIGNS:
            self._plan_campaign(spec)
        while self._events:
            when, _seq, action = heapq.heappop(self._events)
            action(when)
        for campaign in self.campaigns.values():
            advance_campaign(campaign=campaign, now=self.now)

    # Scheduling -------------------------------------------------------------------------

    def at(self, when: datetime, action: Callable[[datetime], None]) -> None:
        if when <= self.now:
            heapq.heappush(self._events, (when, next(self._sequence), action))

    def moment(self, day: int, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(self.today + timedelta(days=day), time(hour, minute), tzinfo=WIB)

    def day(self, offset: int | None) -> date | None:
        return None if offset is None else self.today + timedelta(days=offset)

    def _plan_campaign(self, spec: CampaignSpec) -> None:
        opens_at, closes_at = self.moment(*spec.opens), self.moment(*spec.closes)
        announced = min(opens_at - timedelta(days=2), self.now - timedelta(hours=20))
        self.at(announced, lambda when: self._announce(spec, when))
        self.at(opens_at, lambda when: self._advance(spec, when))
        for ordered_at in order_times(spec, opens_at, closes_at, self.rng):
            self.at(ordered_at, lambda when: self._place(spec, when))
        self.at(closes_at, lambda when: self._advance(spec, when))
        if spec.production_day is not None and spec.phase in ("producing", "shipping", "completed"):
            self.at(self.moment(spec.production_day, 8), lambda when: self._produce(spec, when))
        if spec.shipping_started:
            self.at(self.moment(*spec.shipping_started), lambda when: self._ship(spec, when))
        if spec.completed:
            self.at(self.moment(*spec.completed), lambda when: self._complete(spec, when))

    # Campaign steps ---------------------------------------------------------------------

    def _announce(self, spec: CampaignSpec, when: datetime) -> None:
        campaign = create_campaign(
            shop=self.shop,
            title=spec.title,
            slug=spec.slug,
            description=spec.description,
            opens_at=self.moment(*spec.opens),
            closes_at=self.moment(*spec.closes),
            production_starts_on=self.day(spec.production_day),
            ships_on=self.day(spec.ships_day),
            moq_units=spec.moq_units,
            unit_cap=spec.unit_cap,
            max_units_per_order=spec.max_units_per_order,
            payment_policy=(
                Campaign.PaymentPolicy.DEPOSIT
                if spec.deposit_percent
                else Campaign.PaymentPolicy.FULL
            ),
            deposit_percent=spec.deposit_percent,
            settlement_due_on=self.day(spec.settlement_day),
            payment_window_hours=spec.payment_window_hours,
            shipping_fee=spec.shipping_fee,
            actor=self.owner,
        )
        variants = [v for product in spec.products for v in self._add_product(campaign, product)]
        self.campaigns[spec.slug] = publish_campaign(campaign=campaign, actor=self.owner, now=when)
        self.stock[spec.slug] = _Stock(
            variants=variants,
            left={v.pk: v.quota for v, _weight in variants},
            cap_left=spec.unit_cap,
            ceiling=spec.moq_units - 1 if spec.phase == "failed" else None,
        )

    def _add_product(self, campaign: Campaign, spec: ProductSpec) -> list[tuple[Variant, float]]:
        product = add_product(campaign=campaign, name=spec.name, description=spec.description)
        keys = list(spec.options)
        variants = []
        for values in itertools.product(*spec.options.values()):
            options = dict(zip(keys, values, strict=True))
            quota = next((spec.size_quota[v] for v in values if v in spec.size_quota), spec.quota)
            variant = add_variant(
                product=product,
                price=spec.price + sum(spec.surcharge.get(v, 0) for v in values),
                options=options,
                quota=quota,
            )
            for material in spec.materials:
                scale = next((SIZE_SCALE[v] for v in values if v in SIZE_SCALE), 1.0)
                quantity = material.quantity * (scale if material.scales else 1)
                add_material(
                    variant=variant,
                    name=material.name.format(**options),
                    quantity_per_unit=f"{quantity:.3f}",
                    unit=material.unit,
                )
            weight = 1.0
            for value in values:
                weight *= spec.preference.get(value, SIZE_PREFERENCE.get(value, 1))
            variants.append((variant, weight))
        return variants

    def _advance(self, spec: CampaignSpec, when: datetime) -> None:
        self.campaigns[spec.slug] = advance_campaign(campaign=self.campaigns[spec.slug], now=when)

    def _produce(self, spec: CampaignSpec, when: datetime) -> None:
        campaign = self.campaigns[spec.slug]
        self.campaigns[spec.slug] = start_production(campaign=campaign, actor=self.owner, now=when)

    def _ship(self, spec: CampaignSpec, when: datetime) -> None:
        campaign = self.campaigns[spec.slug]
        self.campaigns[spec.slug] = start_shipping(campaign=campaign, actor=self.owner, now=when)

    def _complete(self, spec: CampaignSpec, when: datetime) -> None:
        campaign = self.campaigns[spec.slug]
        self.campaigns[spec.slug] = complete_campaign(campaign=campaign, actor=self.owner, now=when)

    # Orders -----------------------------------------------------------------------------

    def _place(self, spec: CampaignSpec, when: datetime) -> None:
        campaign, stock = self.campaigns[spec.slug], self.stock[spec.slug]
        if not campaign.is_open(when):
            return  # sold out before this buyer came
        items = self._choose_items(spec, stock)
        if not items:
            return
        channel = weighted(self.rng, CHANNELS)
        person = self.people.pick()
        order = place_order(
            campaign=campaign,
            buyer=self.people.details(person, notes=self._note()),
            items=items,
            channel=channel,
            actor=self.owner if channel == Order.Channel.MANUAL else None,
            now=when,
        )
        stock.take(items)
        if stock.sold_out():
            close_if_sold_out(campaign=campaign, now=when)
        self._plan_payment(spec, order, items, when)

    def _choose_items(self, spec: CampaignSpec, stock: _Stock) -> dict[int, int]:
        lines = weighted(self.rng, ((1, 78), (2, 18), (3, 4)))
        room = stock.room(spec.max_units_per_order)
        items: dict[int, int] = {}
        for _line in range(lines):
            quantity = weighted(self.rng, spec.quantities)
            if sum(items.values()) + quantity > room:
                break
            choices = [
                (variant, weight)
                for variant, weight in stock.variants
                if variant.pk not in items
                and (stock.left[variant.pk] is None or stock.left[variant.pk] >= quantity)
            ]
            if not choices:
                break
            variant = weighted(self.rng, choices)
            items[variant.pk] = quantity
        return items

    def _note(self) -> str:
        return self.rng.choice(NOTES) if self.rng.random() < 0.15 else ""

    def _plan_payment(
        self, spec: CampaignSpec, order: Order, items: dict[int, int], when: datetime
    ) -> None:
        """Decide now what this buyer will do: cancel, let the order expire, or pay."""
        window = timedelta(hours=spec.payment_window_hours)
        roll = self.rng.random()
        if roll < CANCEL_RATE:
            cancel_at = when + window * self.rng.uniform(0.02, 0.8)
            self.at(cancel_at, lambda at: self._cancel(spec, order, items, at))
        elif roll < CANCEL_RATE + EXPIRE_RATE:
            sweep = timedelta(minutes=self.rng.randint(1, 40))
            self.at(order.payment_deadline + sweep, lambda at: self._expire(spec, order, items, at))
        else:
            share = weighted(self.rng, (((0.01, 0.08), 45), ((0.08, 0.4), 40), ((0.4, 0.95), 15)))
            paid_at = when + window * self.rng.uniform(*share)
            self.at(paid_at, lambda at: self._pay(spec, order, at))

    def _cancel(
        self, spec: CampaignSpec, order: Order, items: dict[int, int], at: datetime
    ) -> None:
        reason = self.rng.choice(CANCEL_REASONS)
        cancel_order(order=order, reason=reason, actor=self.owner, now=at)
        self.stock[spec.slug].give_back(items)

    def _expire(
        self, spec: CampaignSpec, order: Order, items: dict[int, int], at: datetime
    ) -> None:
        if expire_order(order=order, now=at).status == Order.Status.EXPIRED:
            self.stock[spec.slug].give_back(items)

    def _pay(self, spec: CampaignSpec, order: Order, at: datetime) -> None:
        if not spec.deposit_percent:
            record_payment(order, Order.PaymentStatus.PAID, order.total, at)
            return
        record_payment(order, Order.PaymentStatus.DEPOSIT_PAID, order.deposit_due, at)
        if spec.production_day is None or spec.settlement_day is None:
            return
        if self.rng.random() < SETTLE_RATE:
            start = max(at, self.moment(spec.production_day, 9))
            end = self.moment(spec.settlement_day, 21)
            settled_at = start + (end - start) * self.rng.random()
            self.at(
                settled_at,
                lambda when: record_payment(order, Order.PaymentStatus.PAID, order.total, when),
            )


def record_payment(order: Order, status: str, amount: int, at: datetime) -> None:
    # Until payments.services exists (a later issue) there is no service that records a
    # payment, so the demo writes the two fields on the order itself. Replace this with
    # `payments.services.confirm_payment` once it exists.
    Order.objects.filter(pk=order.pk, status=Order.Status.ACTIVE).update(
        payment_status=status, amount_paid=amount, updated_at=at
    )


# --- Buyers and when they order -------------------------------------------------------------


class _Crowd:
    """The buyers: people drawn once, of whom some come back for another PO."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        phones: set[str] = set()
        self.fresh = [make_person(rng, phones) for _ in range(PEOPLE)]
        self.buyers: list[Person] = []

    def pick(self) -> Person:
        if self.buyers and (not self.fresh or self.rng.random() < REPEAT_BUYER_RATE):
            return self.rng.choice(self.buyers)
        person = self.fresh.pop()
        self.buyers.append(person)
        return person

    def details(self, person: Person, *, notes: str = "") -> BuyerDetails:
        """What the buyer types: the same number, written the way people write it."""
        return BuyerDetails(
            name=person.name,
            phone=written_phone(self.rng, person.phone),
            email=person.email,
            address=person.address,
            city=person.city,
            province=person.province,
            postal_code=person.postal_code,
            notes=notes,
        )


def make_person(rng: random.Random, taken: set[str]) -> Person:
    group = weighted(rng, [(g, g.weight) for g in GROUPS])
    female = rng.random() < 0.72  # most buyers of knitwear and batik blouses are women
    given = rng.choice(group.female if female else group.male)
    family = rng.choice(group.female_family if female else group.male_family)
    prefix = group.female_prefix if female else group.male_prefix
    name = " ".join(part for part in (rng.choice(prefix) if prefix else "", given, family) if part)
    city = weighted(rng, group.homes)
    province, first_code, last_code = CITIES[city]
    return Person(
        name=name,
        phone=new_phone(rng, taken),
        email=email_for(rng, name) if rng.random() < 0.4 else "",
        address=street_address(rng),
        city=city,
        province=province,
        postal_code=str(rng.randint(first_code, last_code)),
    )


def new_phone(rng: random.Random, taken: set[str]) -> str:
    """A mobile number nobody in the demo has yet, in E.164 (checked with `phonenumbers`)."""
    while True:
        prefix = weighted(rng, MOBILE_PREFIXES)
        length = weighted(rng, ((12, 80), (11, 12), (13, 8)))
        local = prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix)))
        phone = normalize_phone(local)
        if phone not in taken:
            taken.add(phone)
            return phone


def written_phone(rng: random.Random, e164: str) -> str:
    """`+6281234567890` as a buyer types it: 0812-3456-7890, 62812…, +62 812 …"""
    national = "0" + e164[3:]
    groups = " ".join([national[:4], national[4:8], national[8:]])
    return rng.choice(
        (national, groups, groups.replace(" ", "-"), "62" + e164[3:], "+62 " + groups[1:])
    )


def email_for(rng: random.Random, name: str) -> str:
    parts = [p.lower() for p in name.replace(".", "").split() if p not in ("I", "Ni")]
    local = rng.choice(
        (
            f"{parts[0]}.{parts[-1]}",
            f"{parts[0]}{parts[-1]}{rng.randint(1, 99)}",
            f"{parts[0]}_{rng.randint(80, 99)}{rng.randint(0, 9)}",
        )
    )
    return f"{local}@{rng.choice(EMAIL_DOMAINS)}"


def street_address(rng: random.Random) -> str:
    number = rng.randint(1, 120)
    style = rng.random()
    if style < 0.55:
        rt, rw = rng.randint(1, 12), rng.randint(1, 9)
        return f"Jl. {rng.choice(STREETS)} No. {number}, RT {rt:02d}/RW {rw:02d}"
    if style < 0.85:
        block = f"{rng.choice('ABCDEFGH')}{rng.randint(1, 15)}"
        return f"Perum {rng.choice(ESTATES)} Blok {block} No. {rng.randint(1, 30)}"
    return f"Gg. {rng.choice(STREETS)} No. {number}, Jl. {rng.choice(STREETS)}"


def order_times(
    spec: CampaignSpec, opens_at: datetime, closes_at: datetime, rng: random.Random
) -> list[datetime]:
    """When buyers try to order: a rush at opening, evenings, and a spike before closing."""
    window = closes_at - opens_at
    times = []
    for _n in range(spec.orders):
        roll = rng.random()
        if roll < spec.rush:
            moment = opens_at + timedelta(minutes=rng.expovariate(1 / spec.rush_minutes))
        elif roll < spec.rush + 0.15:
            moment = closes_at - timedelta(hours=rng.expovariate(1 / 6))
        else:
            moment = evening_moment(rng, opens_at, closes_at)
        if not opens_at <= moment < closes_at:
            moment = opens_at + window * rng.random()
        times.append(moment)
    return times


def evening_moment(rng: random.Random, opens_at: datetime, closes_at: datetime) -> datetime:
    """A moment in the window on a random day, at an hour weighted by `HOUR_WEIGHTS` (WIB)."""
    first = timezone.localtime(opens_at, WIB).date()
    days = (timezone.localtime(closes_at, WIB).date() - first).days + 1
    for _attempt in range(20):
        day = first + timedelta(days=rng.randrange(days))
        hour = weighted(rng, list(enumerate(HOUR_WEIGHTS)))
        moment = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), WIB)
        if opens_at <= moment < closes_at:
            return moment
    return opens_at + (closes_at - opens_at) * rng.random()


def weighted(rng: random.Random, choices: Sequence[tuple[T, float]]) -> T:
    """One of the values, drawn with the weight that follows it."""
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


def counts() -> dict[str, int]:
    """How much demo data there is (for the command's summary and the tests)."""
    shop = Shop.objects.filter(slug=SHOP_SLUG)
    return {
        "campaigns": Campaign.objects.filter(shop__in=shop).count(),
        "orders": Order.objects.filter(shop__in=shop).count(),
        "customers": Customer.objects.filter(shop__in=shop).count(),
    }
