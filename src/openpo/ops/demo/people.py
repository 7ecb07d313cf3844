"""Who buys from the demo shop: names, home towns, phone numbers, emails and what they write.

This module owns the buyer tables (Indonesia's name groups and where they live, cities with
their postal codes, streets, mobile prefixes, notes and cancel reasons) and the functions that
draw a `Person` from them. `Crowd` holds the people of one load: it picks who orders next (some
come back for another PO) and writes their details the way a buyer would type them.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from openpo.core.phone import normalize_phone
from openpo.orders.services import BuyerDetails

T = TypeVar("T")


def names(text: str) -> tuple[str, ...]:
    """`"Sri, Dewi Ayu"` → `("Sri", "Dewi Ayu")`: keeps the tables below short."""
    return tuple(name.strip() for name in text.split(","))


def weights(text: str) -> tuple[tuple[str, int], ...]:
    """`"Jakarta Timur 2, Bekasi 1"` → `(("Jakarta Timur", 2), ("Bekasi", 1))`."""
    return tuple((name, int(weight)) for name, weight in (n.rsplit(" ", 1) for n in names(text)))


def weighted(rng: random.Random, choices: Sequence[tuple[T, float]]) -> T:
    """One of the values, drawn with the weight that follows it."""
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


# --- The tables -----------------------------------------------------------------------------


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
PEOPLE = 420  # buyers to draw from; about 330 of them end up ordering
REPEAT_BUYER_RATE = 0.27

# --- Drawing the buyers ---------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    name: str
    phone: str  # E.164
    email: str
    address: str
    city: str
    province: str
    postal_code: str


class Crowd:
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
