"""Order parser benchmark: a WhatsApp group export of ~5,000 messages through `parse_text`.

The chat is generated (seeded, so every run reads the same text): a PO group where buyers
send orders in the shapes sellers see (a filled-in order format, one free sentence, a list of
items, one field per message: name, then phone, then address, then the items), chatter
("masih ada kak?", "sudah transfer ya"), WhatsApp's system lines (encryption notice, joins,
media left out, deleted messages) and a few typos in product and colour words. The first half
is exported from Android (`12/08/25, 19:03 - Budi: `), the second from an iPhone
(`[12/08/25 19.03.11] Budi: `); messages may run over several lines. The catalogue is built
with `Catalogue.from_products` (no database): t-shirts in 3 colours x 5 sizes, hoodies, a
tote bag, cookies by the jar.

It prints the messages and orders generated, the orders found (and how many without errors),
and for each run the seconds and messages/s; every run includes building the catalogue's
index (the parser's caches are cleared before each run), then one run with them warm.
Target: 5,000 messages in under 2 s.

    .venv/bin/python bench/parse_orders.py                 # 5,000 messages, 5 runs
    .venv/bin/python bench/parse_orders.py -m 20000 -r 3   # a longer chat
    .venv/bin/python bench/parse_orders.py --write chat.txt  # keep the generated export
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 2.0

PRODUCTS = [
    {
        "name": "Kaos Polos",
        "variants": [
            {"options": {"Warna": colour, "Ukuran": size}, "sku": f"KP-{colour[:3]}-{size}"}
            for colour in ("Hitam", "Putih", "Navy")
            for size in ("S", "M", "L", "XL", "XXL")
        ],
    },
    {
        "name": "Hoodie Basic",
        "variants": [
            {"options": {"Warna": colour, "Ukuran": size}, "sku": f"HB-{colour[:3]}-{size}"}
            for colour in ("Hitam", "Abu")
            for size in ("M", "L", "XL")
        ],
    },
    {"name": "Tote Bag Kanvas", "variants": [{"sku": "TOTE", "price": 45_000}]},
    {
        "name": "Nastar Premium",
        "variants": [
            {"options": {"Isi": size}, "sku": f"NAS-{size}", "price": price}
            for size, price in (("250 gr", 65_000), ("500 gr", 120_000))
        ],
    },
]
for _number, _product in enumerate(PRODUCTS, start=1):
    for _index, _variant in enumerate(_product["variants"], start=1):
        _variant.setdefault("id", _number * 100 + _index)
        _variant.setdefault("price", 85_000)

FIRST_NAMES = [
    "Budi", "Siti", "Rina", "Dewi", "Agus", "Putri", "Andi", "Sri", "Yuni", "Eko", "Fitri",
    "Wahyu", "Lestari", "Rizky", "Nur", "Dian", "Hendra", "Ayu", "Bayu", "Intan",
]  # fmt: skip
LAST_NAMES = [
    "Santoso", "Wulandari", "Saputra", "Hidayat", "Pratama", "Lestari", "Kurniawan",
    "Rahmawati", "Nugroho", "Permata", "Setiawan", "Anggraini",
]  # fmt: skip
STREETS = ["Jl. Melati", "Jl. Mawar", "Jl. Kenanga", "Jl. Sudirman", "Gg. Kelinci", "Jl. Cempaka"]
CITIES = [
    ("Bandung", "Jawa Barat", "40115"),
    ("Sleman", "DI Yogyakarta", "55281"),
    ("Surabaya", "Jawa Timur", "60231"),
    ("Medan", "Sumatera Utara", "20112"),
    ("Makassar", "Sulawesi Selatan", "90111"),
    ("Depok", "Jawa Barat", "16424"),
]
CHATTER = [
    "Kak masih ada?",
    "PO nya sampai kapan ya kak?",
    "ok kak siap",
    "Sudah transfer ya kak 🙏",
    "makasih kak",
    "kak ready warna apa aja?",
    "Izin tanya kak, bahan kaosnya apa?",
    "wah keren banget",
    "kapan dikirim kak?",
    "Aku udah isi form ya",
    "kak DP bisa?",
    "hehe iya",
    "🙏🙏",
    "Siap kak, ditunggu",
    "ukuran L lingkar dadanya berapa kak?",
    "sudah saya bayar, ini buktinya",
    "boleh COD kak?",
]
SELLER_LINES = [
    "Halo kak, PO batch 2 dibuka sampai Jumat ya 🙌\nFormat order:\nNama:\nNo HP:\nAlamat:\n"
    "Pesanan:",
    "Masih ada kak, silakan order pakai format ya",
    "Sudah kami catat ya kak, terima kasih 🙏",
    "Bahan cotton combed 30s kak",
    "Estimasi kirim 2 minggu setelah PO tutup",
]
ANDROID_SYSTEM = [
    "Pesan dan panggilan terenkripsi secara end-to-end. Tidak seorang pun di luar chat ini, "
    "termasuk WhatsApp, yang dapat membaca atau mendengarkannya.",
    "{name} bergabung menggunakan tautan undangan grup ini",
    "Anda menambahkan {name}",
    "{name} keluar",
]
MEDIA = ["<Media tidak disertakan>", "Pesan ini telah dihapus", "null"]


def _typo(word: str, rng: random.Random) -> str:
    """A one-letter slip: two letters swapped, or one doubled or dropped."""
    if len(word) < 5 or not word.isalpha():
        return word
    at = rng.randrange(1, len(word) - 2)
    kind = rng.choice(("swap", "double", "drop"))
    if kind == "swap":
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    if kind == "double":
        return word[: at + 1] + word[at] + word[at + 1 :]
    return word[:at] + word[at + 1 :]


def _quantity(count: int, rng: random.Random) -> tuple[str, str]:
    """(before, after) the item's name."""
    shape = rng.randrange(8)
    if shape == 0:
        return f"{count}x ", ""
    if shape == 1:
        return "", f" x{count}"
    if shape == 2:
        return "", f" {count} pcs"
    if shape == 3:
        return "", f" ({count})"
    if shape == 4 and count <= 3:
        return ("satu ", "dua ", "tiga ")[count - 1], ""
    if shape == 5:
        return "", f" qty {count}"
    return "", f" {count}pcs"


def _item(rng: random.Random, typos: float) -> str:
    product = rng.choices(PRODUCTS, weights=(6, 3, 2, 2))[0]
    variant = rng.choice(product["variants"])
    count = rng.choice((1, 1, 1, 2, 2, 3, 4))
    values = list(variant.get("options", {}).values())
    first = product["name"].split()[0]
    if product["name"].startswith("Kaos"):
        if rng.random() < 0.3:
            values.reverse()  # "M hitam" as often as "hitam M"
        words = [rng.choice(("kaos", "Kaos", "kaos polos", "KAOS")), *values]
    elif product["name"].startswith("Hoodie"):
        words = [rng.choice(("hoodie", "Hoodie basic")), *values]
    elif product["name"].startswith("Nastar"):
        words = ["nastar", *values]
        if count == 1 and rng.random() < 0.3:
            return f"nastar {values[0]} 1 lusin"
    else:
        words = [rng.choice(("tote bag", "totebag kanvas", first.lower() + " bag"))]
    if rng.random() < typos:
        at = rng.randrange(len(words))
        words[at] = " ".join(_typo(word, rng) for word in words[at].split())
    before, after = _quantity(count, rng)
    return f"{before}{' '.join(words)}{after}"


def _buyer(rng: random.Random, number: int) -> dict:
    city, province, postal = rng.choice(CITIES)
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    phone = f"08{rng.choice((12, 13, 21, 52, 57, 77, 96))}{number:08d}"[:12]
    if rng.random() < 0.3:
        phone = f"{phone[:4]}-{phone[4:8]}-{phone[8:]}"
    address = (
        f"{rng.choice(STREETS)} No. {rng.randrange(1, 200)}, RT 0{rng.randrange(1, 9)}/RW "
        f"0{rng.randrange(1, 9)}, {city}, {province} {postal}"
    )
    return {"name": name, "phone": phone, "address": address}


def _order_messages(buyer: dict, rng: random.Random, typos: float) -> list[str]:
    """One order as the buyer sends it: one message, or one field per message."""
    items = [_item(rng, typos) for _ in range(rng.choice((1, 1, 1, 2, 2, 3)))]
    shape = rng.randrange(5)
    if shape == 0:
        listed = "\n".join(f"- {item}" for item in items)
        return [
            f"Nama: {buyer['name']}\nNo HP: {buyer['phone']}\nAlamat: {buyer['address']}\n"
            f"Pesanan:\n{listed}"
        ]
    if shape == 1:
        return [
            f"Kak saya mau order {', '.join(items)} ya\nkirim ke {buyer['address']}\n"
            f"a.n. {buyer['name']} {buyer['phone']}"
        ]
    if shape == 2:
        return [
            f"FORMAT ORDER\nNama : {buyer['name']}\nWA : {buyer['phone']}\n"
            f"Alamat lengkap : {buyer['address']}\nOrder : {' + '.join(items)}"
        ]
    if shape == 3:  # one field per message
        return [
            f"Nama: {buyer['name']}",
            f"HP: {buyer['phone']}",
            f"Alamat: {buyer['address']}",
            f"Pesan: {', '.join(items)}",
        ]
    return [
        f"order kak\n{chr(10).join(items)}\n{buyer['name']}\n{buyer['phone']}\n{buyer['address']}"
    ]


def generate_chat(messages: int, *, seed: int = 15, typos: float = 0.04) -> tuple[str, int, int]:
    """(the export's text, messages in it, orders in it)."""
    rng = random.Random(seed)
    buyers = [_buyer(rng, number) for number in range(1, 121)]
    stamp = datetime(2025, 8, 12, 8, 0)
    lines: list[str] = []
    count = orders = 0

    def prefix(ios: bool) -> str:
        if ios:
            return stamp.strftime("[%d/%m/%y %H.%M.%S] ")
        return stamp.strftime("%d/%m/%y, %H:%M - ")

    while count < messages:
        ios = count >= messages // 2
        stamp += timedelta(seconds=rng.randrange(5, 240))
        roll = rng.random()
        buyer = rng.choice(buyers)
        if roll < 0.02:  # a system line: no sender
            text = rng.choice(ANDROID_SYSTEM).format(name=buyer["name"])
            if ios:
                lines.append(f"{prefix(True)}Toko Kaos Nusantara: \u200e{text}")
            else:
                lines.append(f"{prefix(False)}{text}")
            count += 1
            continue
        if roll < 0.05:
            batch = [("Toko Kaos Nusantara", rng.choice(SELLER_LINES))]
        elif roll < 0.09:
            batch = [(buyer["name"], rng.choice(MEDIA))]
        elif roll < 0.72:
            batch = [(buyer["name"], rng.choice(CHATTER))]
        else:
            batch = [(buyer["name"], text) for text in _order_messages(buyer, rng, typos)]
            orders += 1
        for sender, text in batch:
            stamp += timedelta(seconds=rng.randrange(2, 30))
            lines.append(f"{prefix(ios)}{sender}: {text}")
            count += 1
    return "\n".join(lines) + "\n", count, orders


def _intake_caches() -> list:
    """The functools caches of the intake modules (found, not named: they may change)."""
    import importlib
    import pkgutil

    import openpo.intake

    found = []
    for module_info in pkgutil.iter_modules(openpo.intake.__path__, "openpo.intake."):
        module = importlib.import_module(module_info.name)
        found += [
            value
            for value in vars(module).values()
            if callable(getattr(value, "cache_clear", None))
            and getattr(value, "__module__", "") == module.__name__
        ]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", "-m", type=int, default=5000, help="messages to generate")
    parser.add_argument("--runs", "-r", type=int, default=5, help="times to parse the chat")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--typos", type=float, default=0.04, help="share of items with a typo")
    parser.add_argument("--write", help="also write the generated export to this file")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openpo.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from openpo.intake.catalogue import Catalogue
    from openpo.intake.parser import parse_text

    text, messages, generated = generate_chat(args.messages, seed=args.seed, typos=args.typos)
    if args.write:
        Path(args.write).write_text(text, encoding="utf-8")
    print(
        f"# parse_orders — {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    print(
        f"chat: {messages} messages ({len(text.splitlines())} lines, {len(text) // 1024} KiB), "
        f"{generated} orders written into it"
    )
    caches = _intake_caches()
    seconds = []
    for run in range(1, args.runs + 1):
        for cache in caches:  # every run cold: the catalogue's index built again
            cache.cache_clear()
        catalogue = Catalogue.from_products(PRODUCTS)
        started = time.perf_counter()
        orders = parse_text(text, catalogue)
        seconds.append(time.perf_counter() - started)
        clean = sum(1 for order in orders if order.ok)
        print(
            f"run {run}: {seconds[-1]:.3f} s, {messages / seconds[-1]:,.0f} messages/s, "
            f"{len(orders)} orders found, {clean} without errors"
        )
    started = time.perf_counter()
    parse_text(text, catalogue)
    warm = time.perf_counter() - started
    print(f"again, caches warm: {warm:.3f} s, {messages / warm:,.0f} messages/s")
    codes = Counter(code for order in orders for code in order.error_codes())
    print("errors by code: " + (", ".join(f"{c} {n}" for c, n in codes.most_common()) or "none"))
    median = statistics.median(seconds)
    verdict = "met" if median < TARGET_SECONDS * messages / 5000 else "NOT met"
    print(
        f"median {median:.3f} s ({messages / median:,.0f} messages/s), best "
        f"{min(seconds):.3f} s; target {messages} messages in "
        f"{TARGET_SECONDS * messages / 5000:.1f} s: {verdict}"
    )


if __name__ == "__main__":
    main()
