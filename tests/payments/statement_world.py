"""The world the sample bank statements (tests/payments/statements/) were written for.

alice's shop takes three orders on 3 November 2025, 09:00 WIB, each told to transfer a unique
amount: Sari 135.123 (paid exactly on the 3rd), Budi 255.789 (transfers 255.000 on the 4th,
forgetting the kode unik) and Citra 375.321 (expires unpaid, then pays on the 5th). The
statements also hold a cash deposit of 2.500.000 that is no order's, and two debits.
"""

import io
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db.models import F

from openpo.orders.models import Order
from openpo.orders.services.releasing import expire_order
from openpo.payments.models import ExpectedPayment
from tests import factories
from tests.conftest import make_campaign

SAMPLES = Path(__file__).parent / "statements"
WIB = ZoneInfo("Asia/Jakarta")
ORDERED_AT = datetime(2025, 11, 3, 9, 0, tzinfo=WIB)
IMPORTED_AT = datetime(2025, 11, 6, 8, 0, tzinfo=WIB)


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def give_code(order: Order, code: int) -> ExpectedPayment:
    """Make the order's open expected payment use this kode unik (the draw is random)."""
    ExpectedPayment.objects.filter(order=order, status=ExpectedPayment.Status.OPEN).update(
        unique_code=code, amount=F("base_amount") + code
    )
    return ExpectedPayment.objects.get(order=order, unique_code=code)


@dataclass
class World:
    sari: Order
    budi: Order
    citra: Order


def build_world(shop, buyer) -> World:
    campaign = make_campaign(shop, now=ORDERED_AT)

    def order(name: str, phone: str, units: int, code: int) -> Order:
        details = replace(buyer, name=name, phone=phone)
        placed = factories.order(campaign, units=units, buyer=details, now=ORDERED_AT)
        give_code(placed, code)
        return placed

    sari = order("Sari Wulandari", "0813 2222 3333", 1, 123)
    budi = order("Budi Santoso", "0813 4444 5555", 2, 789)
    citra = order("Citra Lestari", "0813 6666 7777", 3, 321)
    assert (sari.total, budi.total, citra.total) == (135_000, 255_000, 375_000)
    expire_order(order=citra, now=citra.payment_deadline.replace(minute=1))
    citra.refresh_from_db()
    assert citra.status == Order.Status.EXPIRED
    return World(sari=sari, budi=budi, citra=citra)


def mandiri_xlsx() -> bytes:
    """A Livin' by Mandiri statement saved as Excel: real date cells and number cells."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Mutasi"
    sheet.append(["Account Statement"])
    sheet.append(["Account No", "1370012345678"])
    sheet.append(["Account Name", "ALICE PRATIWI"])
    sheet.append(["Period", "01/11/2025 - 05/11/2025"])
    sheet.append([])
    sheet.append(
        ["Account No", "Posting Date", "Remark", "Reference No", "Debit", "Credit", "Balance"]
    )
    rows = [
        (datetime(2025, 11, 2, 8, 10), "SETORAN TUNAI", "CASH0211", 0, 2_500_000, 12_500_000),
        (datetime(2025, 11, 2, 23, 59), "BIAYA ADMINISTRASI", "", 10_000, 0, 12_490_000),
        (
            datetime(2025, 11, 3, 10, 21),
            "TRANSFER DARI SARI WULANDARI BCA 0123",
            "99102311",
            0,
            135_123,
            12_625_123,
        ),
        (
            datetime(2025, 11, 3, 13, 2),
            "TRANSFER KE CV KAIN JAYA",
            "99102399",
            1_500_000,
            0,
            11_125_123,
        ),
        (
            datetime(2025, 11, 4, 19, 40),
            "TRANSFER DARI BUDI SANTOSO",
            "99104410",
            0,
            255_000.0,
            11_380_123,
        ),
        (
            datetime(2025, 11, 5, 7, 15),
            "TRANSFER DARI CITRA LESTARI BRI",
            "99105501",
            0,
            375_321.0,
            11_755_444,
        ),
    ]
    for posted, remark, reference, debit, credit, balance in rows:
        sheet.append(["1370012345678", posted, remark, reference, debit, credit, balance])
        sheet.cell(row=sheet.max_row, column=2).number_format = "dd/mm/yyyy hh:mm:ss"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
