"""The default wording of every message OpenPO writes, per event, in Indonesian and English,
and the placeholders each event offers. A shop's own `MessageTemplate` replaces a default."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class EventSpec:
    label: object  # lazy translated name for the dashboard
    placeholders: tuple[str, ...]
    defaults: dict[str, tuple[str, str]]  # language → (subject, body)


_ORDER = ("nama", "kode", "po", "toko", "total", "link")

EVENTS: dict[str, EventSpec] = {
    "order_received": EventSpec(
        _("Order received"),
        (*_ORDER, "jumlah", "tenggat"),
        {
            "id": (
                "Pesanan {kode} diterima",
                "Halo {nama},\n\nPesanan {kode} untuk {po} sudah kami terima. "
                "Total: {total}.\nSilakan transfer tepat {jumlah} sebelum {tenggat}.\n\n"
                "Detail pesanan dan cara bayar: {link}\n\nTerima kasih,\n{toko}",
            ),
            "en": (
                "Order {kode} received",
                "Hi {nama},\n\nWe received your order {kode} for {po}. "
                "Total: {total}.\nPlease transfer exactly {jumlah} before {tenggat}.\n\n"
                "Your order and how to pay: {link}\n\nThank you,\n{toko}",
            ),
        },
    ),
    "payment_reminder": EventSpec(
        _("Payment reminder"),
        (*_ORDER, "jumlah", "tenggat"),
        {
            "id": (
                "Pengingat pembayaran {kode}",
                "Halo {nama},\n\nPesanan {kode} ({po}) belum dibayar. "
                "Mohon transfer tepat {jumlah} sebelum {tenggat}, "
                "supaya pesanan tidak batal otomatis.\n\nCara bayar: {link}\n\n{toko}",
            ),
            "en": (
                "Payment reminder for {kode}",
                "Hi {nama},\n\nYour order {kode} ({po}) is not paid yet. "
                "Please transfer exactly {jumlah} before {tenggat}, "
                "or the order will be cancelled automatically.\n\nHow to pay: {link}\n\n{toko}",
            ),
        },
    ),
    "payment_confirmed": EventSpec(
        _("Payment confirmed"),
        (*_ORDER, "jumlah", "sisa"),
        {
            "id": (
                "Pembayaran {kode} diterima",
                "Halo {nama},\n\nPembayaran {jumlah} untuk pesanan {kode} ({po}) "
                "sudah kami terima. Sisa tagihan: {sisa}.\n\nPesanan Anda: {link}\n\n"
                "Terima kasih,\n{toko}",
            ),
            "en": (
                "Payment for {kode} received",
                "Hi {nama},\n\nWe received your payment of {jumlah} for order {kode} "
                "({po}). Left to pay: {sisa}.\n\nYour order: {link}\n\nThank you,\n{toko}",
            ),
        },
    ),
    "payment_rejected": EventSpec(
        _("Payment rejected"),
        (*_ORDER, "jumlah", "alasan"),
        {
            "id": (
                "Pembayaran {kode} belum bisa kami terima",
                "Halo {nama},\n\nPembayaran {jumlah} untuk pesanan {kode} belum bisa kami "
                "terima: {alasan}\n\nSilakan cek dan kirim ulang bukti bayar: {link}\n\n{toko}",
            ),
            "en": (
                "Payment for {kode} not accepted",
                "Hi {nama},\n\nWe could not accept the payment of {jumlah} for order {kode}: "
                "{alasan}\n\nPlease check and send your proof again: {link}\n\n{toko}",
            ),
        },
    ),
    "po_opens": EventSpec(
        _("PO opens (for sign-ups)"),
        ("po", "toko", "link", "tenggat"),
        {
            "id": (
                "{po} sudah dibuka!",
                "Halo,\n\n{po} dari {toko} sudah dibuka dan ditutup {tenggat}. "
                "Pesan sekarang sebelum kehabisan: {link}\n\n{toko}",
            ),
            "en": (
                "{po} is open!",
                "Hello,\n\n{po} by {toko} is open and closes {tenggat}. "
                "Order now before it sells out: {link}\n\n{toko}",
            ),
        },
    ),
    "po_closing_soon": EventSpec(
        _("PO closing soon"),
        ("nama", "po", "toko", "link", "tenggat"),
        {
            "id": (
                "{po} ditutup {tenggat}",
                "Halo {nama},\n\n{po} dari {toko} ditutup {tenggat}. "
                "Jangan sampai ketinggalan: {link}\n\n{toko}",
            ),
            "en": (
                "{po} closes {tenggat}",
                "Hi {nama},\n\n{po} by {toko} closes {tenggat}. Don't miss it: {link}\n\n{toko}",
            ),
        },
    ),
    "po_closed": EventSpec(
        _("PO closed"),
        (*_ORDER, "sisa"),
        {
            "id": (
                "{po} sudah ditutup",
                "Halo {nama},\n\n{po} sudah ditutup. Pesanan {kode} ({total}) masuk "
                "produksi; kami kabari perkembangannya. Sisa tagihan: {sisa}.\n\n"
                "Pesanan Anda: {link}\n\n{toko}",
            ),
            "en": (
                "{po} is closed",
                "Hi {nama},\n\n{po} is closed. Your order {kode} ({total}) goes into "
                "production; we will keep you posted. Left to pay: {sisa}.\n\n"
                "Your order: {link}\n\n{toko}",
            ),
        },
    ),
    "moq_failed_refund": EventSpec(
        _("MOQ not reached, refund"),
        (*_ORDER, "jumlah"),
        {
            "id": (
                "{po} batal: minimum pesanan tidak tercapai",
                "Halo {nama},\n\nMaaf, {po} tidak mencapai minimum pesanan sehingga "
                "dibatalkan. Uang Anda untuk pesanan {kode} ({jumlah}) akan kami kembalikan. "
                "Isi rekening tujuan pengembalian di: {link}\n\n{toko}",
            ),
            "en": (
                "{po} is cancelled: minimum not reached",
                "Hi {nama},\n\nSorry, {po} did not reach its minimum order and is "
                "cancelled. We will refund what you paid for order {kode} ({jumlah}). "
                "Tell us where to send it: {link}\n\n{toko}",
            ),
        },
    ),
    "production_update": EventSpec(
        _("Production update"),
        (*_ORDER, "pesan"),
        {
            "id": (
                "Kabar produksi {po}",
                "Halo {nama},\n\n{pesan}\n\nPesanan Anda {kode}: {link}\n\n{toko}",
            ),
            "en": (
                "Production news for {po}",
                "Hi {nama},\n\n{pesan}\n\nYour order {kode}: {link}\n\n{toko}",
            ),
        },
    ),
    "production_started": EventSpec(
        _("Production started"),
        _ORDER,
        {
            "id": (
                "Produksi {po} dimulai",
                "Halo {nama},\n\nPO {po} sudah ditutup dan produksinya dimulai hari ini. "
                "Kabar tiap tahap produksi bisa dilihat di halaman pesanan {kode}: {link}\n\n"
                "{toko}",
            ),
            "en": (
                "Production of {po} has started",
                "Hi {nama},\n\nThe PO {po} is closed and production started today. "
                "Follow each step of production on the page of your order {kode}: {link}\n\n"
                "{toko}",
            ),
        },
    ),
    "shipping_started": EventSpec(
        _("Shipping started"),
        _ORDER,
        {
            "id": (
                "Pengiriman {po} dimulai",
                "Halo {nama},\n\nProduksi {po} selesai dan pesanan mulai dikirim. "
                "Nomor resi pesanan {kode} kami kirim begitu paketnya berangkat: {link}\n\n"
                "{toko}",
            ),
            "en": (
                "Shipping of {po} has started",
                "Hi {nama},\n\nProduction of {po} is done and orders are being shipped. "
                "We send the tracking number of your order {kode} as soon as it leaves: "
                "{link}\n\n{toko}",
            ),
        },
    ),
    "schedule_changed": EventSpec(
        _("Date moved (delay notice)"),
        (*_ORDER, "jadwal", "tanggal_lama", "tanggal_baru", "alasan"),
        {
            "id": (
                "Jadwal {po} berubah",
                "Halo {nama},\n\nMohon maaf, {jadwal} untuk {po} mundur dari {tanggal_lama} "
                "menjadi {tanggal_baru}.\nAlasannya: {alasan}\n\n"
                "Detail dan pilihan Anda ada di halaman pesanan {kode}: {link}\n\n{toko}",
            ),
            "en": (
                "The schedule of {po} changed",
                "Hi {nama},\n\nWe are sorry: the {jadwal} of {po} moved from {tanggal_lama} "
                "to {tanggal_baru}.\nThe reason: {alasan}\n\n"
                "Details and your options are on the page of your order {kode}: {link}\n\n"
                "{toko}",
            ),
        },
    ),
    "shipped": EventSpec(
        _("Shipped, with tracking number"),
        (*_ORDER, "resi", "kurir", "lacak"),
        {
            "id": (
                "Pesanan {kode} sudah dikirim",
                "Halo {nama},\n\nPesanan {kode} ({po}) sudah dikirim lewat {kurir}.\n"
                "Nomor resi: {resi}\nLacak paket: {lacak}\n\nPesanan Anda: {link}\n\n{toko}",
            ),
            "en": (
                "Order {kode} is on its way",
                "Hi {nama},\n\nYour order {kode} ({po}) was shipped with {kurir}.\n"
                "Tracking number: {resi}\nTrack it: {lacak}\n\nYour order: {link}\n\n{toko}",
            ),
        },
    ),
    "addresses_locked": EventSpec(
        _("Addresses locked"),
        _ORDER,
        {
            "id": (
                "Alamat pesanan {kode} sudah dikunci",
                "Halo {nama},\n\nPaket {po} segera dikemas, jadi alamat pengiriman sudah "
                "dikunci. Cek sekali lagi alamat pesanan {kode} di {link}; kalau ada yang "
                "salah, balas pesan ini secepatnya.\n\n{toko}",
            ),
            "en": (
                "The address of order {kode} is now locked",
                "Hi {nama},\n\nParcels of {po} are about to be packed, so shipping addresses "
                "are now locked. Please check the address of your order {kode} once more at "
                "{link}; if anything is wrong, reply to this message right away.\n\n{toko}",
            ),
        },
    ),
    "extra_charge": EventSpec(
        _("Extra charge (second invoice)"),
        (*_ORDER, "untuk", "jumlah", "tenggat"),
        {
            "id": (
                "Tagihan tambahan {kode}: {untuk}",
                "Halo {nama},\n\nAda tagihan tambahan untuk pesanan {kode} ({po}): {untuk}.\n"
                "Silakan transfer tepat {jumlah} sebelum {tenggat}.\n\n"
                "Rincian dan cara bayar: {link}\n\n{toko}",
            ),
            "en": (
                "Extra charge for {kode}: {untuk}",
                "Hi {nama},\n\nThere is an extra charge for your order {kode} ({po}): "
                "{untuk}.\nPlease transfer exactly {jumlah} before {tenggat}.\n\n"
                "Details and how to pay: {link}\n\n{toko}",
            ),
        },
    ),
    "settlement_reminder": EventSpec(
        _("Settlement reminder"),
        (*_ORDER, "jumlah", "tenggat"),
        {
            "id": (
                "Pengingat pelunasan {kode}",
                "Halo {nama},\n\nPelunasan pesanan {kode} ({po}) sebesar {jumlah} "
                "jatuh tempo {tenggat}.\n\nCara bayar: {link}\n\n{toko}",
            ),
            "en": (
                "Settlement reminder for {kode}",
                "Hi {nama},\n\nThe settlement of {jumlah} for order {kode} ({po}) "
                "is due {tenggat}.\n\nHow to pay: {link}\n\n{toko}",
            ),
        },
    ),
    "order_expired": EventSpec(
        _("Order expired (not paid in time)"),
        (*_ORDER, "tenggat"),
        {
            "id": (
                "Pesanan {kode} dibatalkan",
                "Halo {nama},\n\nPesanan {kode} ({po}) dibatalkan otomatis karena belum "
                "dibayar sampai {tenggat}.\n\n{toko}",
            ),
            "en": (
                "Order {kode} cancelled",
                "Hi {nama},\n\nYour order {kode} ({po}) was cancelled automatically "
                "because it was not paid by {tenggat}.\n\n{toko}",
            ),
        },
    ),
    "custom_broadcast": EventSpec(
        _("Custom broadcast"),
        (*_ORDER, "pesan"),
        {
            "id": ("Kabar dari {toko}", "Halo {nama},\n\n{pesan}\n\n{toko}"),
            "en": ("News from {toko}", "Hi {nama},\n\n{pesan}\n\n{toko}"),
        },
    ),
}

LANGUAGES = ("id", "en")


def default_template(event: str, language: str) -> tuple[str, str]:
    """The default (subject, body) of `event` in `language` (Indonesian when unknown)."""
    defaults = EVENTS[event].defaults
    return defaults.get(language) or defaults["id"]
