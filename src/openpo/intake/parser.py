"""The chat-order parser: text in, the orders found in it out, with every problem quoted.

`parse_text` reads one message, several pasted one after another, or a WhatsApp export
(`chat.runs`), against a PO's `Catalogue`. Fields are found by their labels in any case and
spacing ("Nama", "No. WA", "Alamat lengkap", "Pesanan", English too), or, unlabelled, by what
they look like (a phone number, an address, an item of the catalogue, a short name). A label
seen again, or a blank line after a complete order, starts the next order; a fragment without
name and phone (an address sent as its own message, say) joins the sender's order before it.
Nothing is dropped quietly: what cannot be read becomes an error on its order.

No database access: `order_from_fields` re-checks an order the seller edited in the preview.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from openpo.core.phone import InvalidPhoneNumber, normalize_phone
from openpo.intake import chat
from openpo.intake.catalogue import Catalogue
from openpo.intake.corrections import corrected, correction, plain_correction
from openpo.intake.items import parse_items, strip_bullet, take_quantity
from openpo.intake.patterns import (
    ADDRESS_WORDS,
    ANY_NUMBER,
    EMAIL_LIKE,
    EMOJI,
    PHONE_LIKE,
    QUESTION,
    trim,
)
from openpo.intake.results import ParsedItem, ParsedOrder, Problem
from openpo.intake.smalltalk import (
    CHATTER_WORDS,
    seller_senders,
    small_talk,
    sounds_like_seller,
)

UNKNOWN = "unknown"
NAME_GUESS = "name_guess"  # a name read from how it looks, not from a label or "a.n."
NAME, PHONE, EMAIL, ADDRESS, ADDRESS_PART, ITEMS, ITEM_PART, QUANTITY, NOTES, EXTRA, IGNORE = (
    "name",
    "phone",
    "email",
    "address",
    "address_part",
    "items",
    "item_part",
    "quantity",
    "notes",
    "extra",
    "ignore",
)
# Labels written together, lowercase, without spaces or punctuation ("No. HP" → "nohp").
LABELS = {
    NAME: "nama namalengkap namapenerima penerima namapemesan pemesan atasnama an name "
    "fullname recipient recipientname namaanda yourname nm namacustomer customer pic pj "
    "namapic namaortu namaorangtua ortu orangtua namawali contactperson kontakperson "
    "namakontak",
    PHONE: "nohp hp nomorhp nomerhp nohandphone handphone wa nowa nomorwa nomerwa whatsapp "
    "nowhatsapp nomorwhatsapp telp tlp notelp notlp telepon notelepon nomortelepon kontak "
    "phone phonenumber mobile nohpwa nomorhpwa hpwa nowahp cp nope telephone tel nomorhpwhatsapp "
    "nowhatsapphp nomortelp nomorwahp nohpwhatsapp whatsappno whatsappnumber phonewhatsapp "
    "phonewa wanumber wano telpwa hpwhatsapp nomorhandphone mobilephone mobileno contact "
    "contactnumber nomorkontak no",
    EMAIL: "email surel alamatemail emailaddress mail",
    ADDRESS: "alamat alamatlengkap alamatpengiriman alamatkirim alamatrumah address "
    "shippingaddress deliveryaddress dikirimke kirimke tujuan tujuanpengiriman alamattujuan "
    "fulladdress alamatpenerima almt alm shipto sendto deliverto shippingto",
    ADDRESS_PART: "kota kabupaten kab kotakab kotakabupaten kecamatan kec kelurahan kel desa "
    "provinsi prov kodepos kdpos kpos postalcode zip zipcode city province district rt rw rtrw "
    "patokan",
    ITEMS: "pesanan pesan order orderan produk product item items barang pembelian beli "
    "listorder detailpesanan detailorder rincianpesanan orders myorder pesananku listpesanan "
    "namaproduk namabarang jenis",
    ITEM_PART: "ukuran size warna color colour isi rasa topping model varian variant variasi "
    "pilihan motif",
    QUANTITY: "jumlah qty quantity jml banyaknya jumlahpesanan pcs",
    NOTES: "catatan note notes keterangan ket pesantambahan request permintaan remark remarks "
    "catatanpesanan",
    EXTRA: "ekspedisi kurir pengiriman jasakirim courier shipping pembayaran bayar "
    "metodepembayaran payment transfer bank",
    IGNORE: "total totalharga harga subtotal ongkir tanggal date tgl grandtotal totalbayar",
}
FIELD_OF = {label: kind for kind, words in LABELS.items() for label in words.split()}
# Labels that read as a field without a colon too ("Nama Budi", "Alamat Jl. Melati").
BARE_LABELS = {
    "nama",
    "namapenerima",
    "namalengkap",
    "alamat",
    "alamatlengkap",
    "nohp",
    "hp",
    "nowa",
    "wa",
    "nomorhp",
    "pesanan",
    "order",
    "catatan",
    "email",
}
LABELLED = re.compile(r"^\s*([^\W\d_][\w .'/()&+-]{0,34}?)\s*(?:[:：=]|\s[-–]\s|\s=)\s*(.*)$")
LABEL_ASIDE = re.compile(r"^([^:(\n]{1,40}?)\s*\([^)]*\)\s*(?=[:=：])")
INLINE_LABEL = re.compile(r"(?:[,;|]|\s/)\s*([^\W\d_][\w .]{0,24}?)\s*[:：=](?!\d\d)")
ORDER_NUMBER = re.compile(r"^(?:ke\s*-?\s*)?#?\d{1,3}[.):]?$", re.IGNORECASE)
EXAMPLE = re.compile(r"^\W*(?:contoh|example|misal(?:nya)?|cth|e\.g\.)\b", re.IGNORECASE)
FORMAT_HEADING = re.compile(
    r"format\s*(?:order|pemesanan|pesanan|pesan)|order\s*format|(?:^|[\s,;.])format\s*:", re.I
)
ADDRESS_CUE = re.compile(
    r"(?:^|[\s,;.])(?:(?:tolong\s+|mohon\s+)?(?:di)?kirim(?:kan|in)?\s+ke|antar(?:kan)?\s+ke|"
    r"alamat(?:nya)?(?:\s+(?:di|ke))?|almt|ship(?:ping)?\s+to|send(?:\s+it)?\s+to|"
    r"deliver(?:y)?\s+to|(?:my\s+)?address(?:\s+is)?)\b\s*:?\s*",
    re.IGNORECASE,
)
NAME_CUE = re.compile(
    r"(?:^|[\s,;.])(?:atas\s+nama|a\.?\s?[n/]\.?|a\s?/\s?n|"
    r"nama(?:nya|ku|\s+(?:saya|aku|aq|ku|gue|gw|sy))?|nm|my\s+name\s+is|name|"
    r"penerima(?:nya)?|hormat\s+saya|salam|regards|contact(?:\s+person)?|kontak|pic)"
    r"(?=[\s:.,])\s*[:,]?\s*",
    re.IGNORECASE,
)
PHONE_LABEL_TAIL = re.compile(
    r"[\s,;]*\b(?:(?:my|no\.?|nomor|nomer)\s*)?(?:hp|wa|telp|tlp|whatsapp|kontak|cp|number|"
    r"phone|nomor|nomer|nomornya|nomernya|hpnya|wanya|nomorku|nomerku|hpku|waku)(?:\s+(?:saya|aku|ku|aq|is|number|nya))*\b"
    r"[\s:.]*(?=$|\s*,)",
    re.I,
)


# Where a name run into the next words ends: "Aisyah Rahma nomor hp nya 0813…".
NAME_STOP = re.compile(
    r"\s(?:nomor|nomer|no|hp|wa|whatsapp|telp|tlp|alamat|almt|address|phone|number|kirim|"
    r"nomornya|nomernya|hpnya|wanya|alamatnya|nomorku|nomerku|hpku|waku|alamatku|"
    r"dikirim|di|tinggal|rumah|terima|makasih|thanks|mau|mo|ingin|pengen|pesan|pesen|order|"
    r"dari|beli|minta)\b",
    re.IGNORECASE,
)
PHONE_FIELD = re.compile(
    r"^(?:no\.?\s*)?(?:hp|wa|telp|tlp|whatsapp|phone|nomor|nomer|no)\s*[:.]?\s*(\+?\d[\d\s.-]{2,})$",
    re.IGNORECASE,
)
ITEMS_IN_ADDRESS = re.compile(
    r"[,;.]\s*(?:pesanan|pesan|order|orderan|pesenan)\b\s*:?\s*", re.IGNORECASE
)
PHONE_MARK = "\x00"  # where a phone number stood in a one-line order
# "saya Agus Salim, mau order …": a name introduced by "saya", capitalised as names are.
SELF_CUE = re.compile(r"(?:^|[\s,.;])(?i:saya|aku|sy|ini)\s+(?=[A-Z][a-z])")
NAME_LIKE = re.compile(r"^[^\W\d_][^\d@:]{0,60}$")


class Msg:
    missing_name = _("No name.")
    missing_phone = _("No WhatsApp number.")
    invalid_phone = _("“%(text)s” is not a phone number that can receive WhatsApp.")
    missing_address = _("No address to send the order to.")
    invalid_email = _("“%(text)s” is not an email address.")
    missing_items = _("No item ordered.")
    name_from_sender = _("No name written; the chat's sender name “%(text)s” is used.")
    phone_from_sender = _("No number written; the sender's number %(text)s is used.")


@dataclass
class _Draft:
    """An order being read: the texts of its fields, before checking."""

    sender: str = ""
    name: str = ""
    phones: list[str] = field(default_factory=list)
    email: str = ""
    address: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    labelled: bool = False  # had a label with a value
    open_field: str = ""  # the multi-line field later unlabelled lines continue
    name_guessed: bool = False  # the name is an unlabelled line that looked like one
    corrections: list[tuple[str, str]] = field(default_factory=list)  # (new, old)
    source: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.name or self.phones or self.email or self.address or self.items)

    @property
    def empty_but_name(self) -> bool:
        return not (self.phones or self.email or self.address or self.items)

    @property
    def complete(self) -> bool:
        return bool((self.name or self.phones) and self.items and self.address)

    def has(self, kind: str) -> bool:
        return bool(
            {
                NAME: self.name,
                PHONE: self.phones,
                EMAIL: self.email,
                ADDRESS: self.address,
                ITEMS: self.items,
            }.get(kind)
        )


def _compact(label: str) -> str:
    """`No. HP` → `nohp`; "" for words with digits in them (they are values, not labels)."""
    return "" if re.search(r"\d", label) else re.sub(r"[^a-z]", "", label.lower())


def _label(line: str, catalogue: Catalogue | None = None) -> tuple[str, str] | None:
    """(field kind, value) when the line starts with a known label."""
    text = strip_bullet(EMOJI.sub(" ", line)).strip()
    text = LABEL_ASIDE.sub(r"\1", text)  # "Pesanan (produk - ukuran - jumlah):" → "Pesanan:"
    match = LABELLED.match(text)
    if match and (kind := _label_kind(match.group(1))):
        value = match.group(2).strip()
        if kind == PHONE and re.match(r"[^\W\d_]{2,}", value) and PHONE_LIKE.search(value):
            kind = NAME  # "Contact: Grace Natalia 0812…": the name with the number
        return kind, value
    if (
        match
        and re.search(r"[:：]", text[: match.end(1) + 3])
        and not _bare_label_first(text)
        and not (ADDRESS_CUE.match(text) or PHONE_LIKE.search(text))
    ):
        return UNKNOWN, text  # "Nama punggung: ANDI 7", "Kaos hitam: 2": a label of its own
    words = text.split()
    for size in (3, 2, 1):
        if len(words) > size and _compact(" ".join(words[:size])) in BARE_LABELS:
            kind = FIELD_OF[_compact(" ".join(words[:size]))]
            value = " ".join(words[size:]).lstrip(":=.- ")
            if kind == ITEMS and catalogue is not None and not _reads_clean(value, catalogue):
                return None  # "PESANAN KANTOR CAMAT": a heading
            if small_talk(value) or QUESTION.search(text) or not _fits(kind, value):
                return None  # "order kak", "nomor hp nya kak?": small talk, not a field
            if _holds_other_fields(kind, value):
                return None  # "Order risol 2 ya. Nama Putri, alamat …": read as one line
            return kind, value
    return None


def _label_kind(label: str) -> str | None:
    """The field a label names; "Nama pemesan / PIC" by any of its parts."""
    compact = _compact(label)
    kind = FIELD_OF.get(compact)
    if kind is None and compact and not compact.startswith("nama"):
        # "Please ship to", "Alamat lengkap rumah": a known label at either end.
        starts = [k for word, k in FIELD_OF.items() if len(word) >= 4 and compact.startswith(word)]
        ends = [
            k
            for word, k in FIELD_OF.items()
            if len(word) >= 5 and compact.endswith(word) and k in (ADDRESS, PHONE, EMAIL)
        ]
        found = set(starts or ends)  # "No. HP penerima" is a phone, "Please ship to" an address
        kind = found.pop() if len(found) == 1 else None
    if kind is None and "/" in label:
        kinds = {FIELD_OF.get(_compact(part)) for part in label.split("/")} - {None}
        kind = kinds.pop() if len(kinds) == 1 else None
    return kind


def _fits(kind: str, value: str) -> bool:
    """Whether an unlabelled-looking value can be that field at all."""
    if kind == PHONE:
        return bool(re.search(r"\d{4}", value))
    if kind == NAME:
        return _plausible_name(value)
    return len(value.strip()) >= 2


def _plausible_name(value: str) -> bool:
    """ "Budi Santoso", "H. Muhammad Yusuf"; not "punggung & nomor nyusul ya kak"."""
    value = value.strip(" ,.")
    return (
        bool(re.match(r"[^\W\d_]", value))
        and not re.search(r"[\d&@?]", value)
        and len(value.split()) <= 5
        and not small_talk(value)
        and not any(w in PHONE_WORDS for w in re.findall(r"[^\W\d_]+", value.lower()))
    )


def _bare_label_first(text: str) -> bool:
    """ "Nama Budi: …" is still the name; "Nama punggung: …" is not (two words before ":")."""
    head = text.split(":", 1)[0].split()
    return len(head) >= 2 and _compact(" ".join(head[:2])) in BARE_LABELS


def _holds_other_fields(kind: str, value: str) -> bool:
    """An unlabelled-looking value that carries other fields: a phone, "alamat …", "a.n …"."""
    if kind == NAME:  # "Olivia, address …"; a phone after a name is read where it stands
        return bool(ADDRESS_CUE.search(value))
    if kind != PHONE and PHONE_LIKE.search(value):
        return True
    if kind != ADDRESS and ADDRESS_CUE.search(value):
        return True
    return kind != NAME and bool(NAME_CUE.search(value))


def _label_segments(line: str) -> list[str]:
    """A line holding several labelled fields, cut before each label after the first: "Nama:
    Budi, HP: 0812…", or "basreng 2 😁 nm: Nadia, no: 0896…" after words of its own."""
    line = EMOJI.sub(" , ", line)
    first = INLINE_LABEL.search(line)
    if first and ":" not in line[: first.start(1)]:
        head = line[: first.start(1)].strip(" ,;|/")
        if _label_kind(head):  # "Nama pemesan / PIC: Siti": one label, two names for it
            return [line]
    cuts = [
        match.start(1)
        for match in INLINE_LABEL.finditer(line)
        if FIELD_OF.get(_compact(match.group(1))) and match.start(1) > 0
    ]
    if not cuts:
        return [line]
    bounds = [0, *cuts, len(line)]
    return [line[a:b].strip(" ,;|") for a, b in pairwise(bounds)]


def _is_placeholder(value: str) -> bool:
    """A template's empty slot: "", "...", "(produk - ukuran - jumlah)", "-"."""
    stripped = value.strip(" .…_-–:")
    return not stripped or (stripped.startswith("(") and stripped.endswith(")"))


class _Reader:
    def __init__(self, catalogue: Catalogue, sender: str) -> None:
        self.catalogue = catalogue
        self.sender = sender
        self.drafts: list[_Draft] = []
        self.draft = self._new()
        self.blank_before = False
        self.template = False  # inside the seller's blank order format
        self.item_heading = ""  # "Jersey lengan pendek:": the product of the lines below

    def _new(self) -> _Draft:
        draft = _Draft(sender=self.sender)
        self.drafts.append(draft)
        return draft

    def _next_order(self) -> None:
        if not self.draft.empty:
            self.draft = self._new()

    def feed(self, line: str, *, message_start: bool = False) -> None:
        if message_start:
            # A new chat message closes the field the last one left open, and after a
            # complete order it begins the next one (a fragment joins it again later).
            self.draft.open_field = ""
            if self.draft.complete:
                self._next_order()
            elif (
                self.sender
                and self.draft.name_guessed
                and self.draft.empty_but_name
                and not _shares_word(self.draft.name, self.sender)
            ):
                # A message that was only a few words ("wah keren banget"): small talk; the
                # chat already says who the sender is.
                self.draft.name, self.draft.name_guessed = "", False
        stripped = line.strip()
        if not stripped:
            self.blank_before = True
            if self.draft.open_field in (ADDRESS, NOTES):
                self.draft.open_field = ""
            return
        if FORMAT_HEADING.search(stripped):
            self.template = True
            return
        if EXAMPLE.match(stripped):
            return  # "Contoh: Kaos Polos Hitam L x2" (the seller's example, copied along)
        segments = _label_segments(stripped)
        if len(segments) > 1:  # "Nama: Budi, HP: 0812…, Alamat: …" on one line
            for segment in segments:
                self.feed(segment)
            return
        labelled = _label(stripped, self.catalogue)
        if labelled and labelled[0] == UNKNOWN:
            self._own_label(stripped)
            self.blank_before = False
            return
        if labelled and labelled[0] == ITEMS and ORDER_NUMBER.match(labelled[1]):
            self._next_order()  # "Order 1", "Pesanan ke-2": a heading between orders
            self.blank_before = False
            return
        if labelled and labelled[0] == NAME and _holds_other_fields(NAME, labelled[1]):
            labelled = None  # "Name: Olivia, address Jl. …": read as one line of fields
            self.template = False
            self._unlabelled(stripped)
        elif labelled:
            kind, value = labelled
            if self.template and _is_placeholder(value):
                return
            self.template = False
            self._labelled(kind, value, stripped)
        elif stripped.endswith(":") and len(stripped) < 80:
            pass  # "Rekap PO sepatu & hijab:", "Pilihan:": a heading, not an order
        elif self.template and not self.draft.labelled:
            return  # the seller's list of choices inside the copied format
        else:
            self.template = False
            self._unlabelled(stripped)
        self.blank_before = False

    def _own_label(self, line: str) -> None:
        """A line with a label OpenPO does not know: an item written as "Kaos hitam L: 2", a
        heading of items ("Jersey lengan pendek:" with sizes below), or the buyer's own note
        ("Nama punggung: ANDI 7"), kept in the notes."""
        label, _colon, value = line.partition(":")
        if _compact(label).startswith("nama"):  # "Nama punggung: ANDI 7", "Nama anak: Kenzo"
            if value.strip():
                self.draft.notes.append(line)
                self.draft.source.append(line)
            return
        heading = not value.strip() and _names_product(label, self.catalogue)
        in_items = self.draft.open_field == ITEMS or (
            _names_product(label, self.catalogue) and re.search(r"\d", value)
        )
        if heading or in_items or _reads_clean(f"{label} {value}", self.catalogue):
            if value.strip():
                self.draft.items.append(f"{label} {value}")
            else:
                self.item_heading = strip_bullet(label)
                self.draft.open_field = ITEMS
            self.draft.source.append(line)
        elif value.strip() and not self.template:
            self.draft.notes.append(line)
            self.draft.source.append(line)

    def _labelled(self, kind: str, value: str, line: str) -> None:
        draft = self.draft
        if kind == NAME and value and (draft.name_guessed or _same_person(draft.name, value)):
            draft.name, draft.name_guessed = "", False  # "hehe iya" was not a name after all
        if (kind in (NAME, PHONE, EMAIL, ADDRESS) and draft.has(kind) and value) or (
            self.blank_before and draft.complete and kind in (NAME, PHONE)
        ):
            self._next_order()
            draft = self.draft
        draft.source.append(line)
        if value and kind != IGNORE:
            draft.labelled = True
        draft.open_field = ""
        if kind == NAME:
            phone = PHONE_LIKE.search(value)
            if phone:  # "Nama: Sudarto, 0813 6000 7000"
                draft.phones.append(phone.group())
                value = trim(PHONE_LIKE.sub(" ", value))
            draft.name = value
        elif kind == PHONE:
            if value:
                draft.phones.append(value)
        elif kind == EMAIL:
            draft.email = value
        elif kind in (ADDRESS, ADDRESS_PART):
            if value:
                draft.address.append(value)
            draft.open_field = ADDRESS
        elif kind == ITEMS:
            if value and not _is_placeholder(value) and not small_talk(value):
                draft.items.append(value)
            draft.open_field = ITEMS
        elif kind in (ITEM_PART, QUANTITY):
            if value:
                part = f"qty {value}" if kind == QUANTITY and value[:1].isdigit() else value
                if draft.items:
                    draft.items[-1] = f"{draft.items[-1]} {part}"
                else:
                    draft.items.append(part)
            draft.open_field = ITEMS
        elif kind == NOTES:
            if value:
                draft.notes.append(value)
            draft.open_field = NOTES
        elif kind == EXTRA and value:
            draft.notes.append(line)

    def _unlabelled(self, line: str) -> None:
        plain = EMOJI.sub(" ", line).strip()
        if not plain:
            return
        fix = correction(plain) or plain_correction(plain, self.draft.items)
        if fix:  # "eh salah, paket B bukan C"; "kue keranjangnya jadi 12 ya bukan 10"
            self.draft.corrections.append(fix)
            self.draft.source.append(line)
            return
        if (QUESTION.search(plain) or small_talk(plain)) and not self._item_like(plain):
            return  # "alamatnya kak?", "makasih kak 🙏"
        if (self.draft.name and _same_person(plain, self.draft.name)) or (
            self.draft.name and plain.lower() == self.draft.name.lower()
        ):
            return  # "Hormat kami, / Retno": the sign-off of a letter already signed
        if self.draft.open_field in (ITEMS, ADDRESS) and not self.blank_before:
            recap = PHONE_LIKE.search(plain) and not _only_phone(plain)
            if not recap:  # "Arif Rahman / 0812… / Jl. …" below the items is its own line
                self._unlabelled_part(line, plain)
                return
        parts = self._inline_parts(strip_bullet(EMOJI.sub(" , ", line).strip(" ,")))
        if parts is None:
            self._unlabelled_part(line, plain)
            return
        kinds = {kind for kind, _text in parts}
        if (PHONE in kinds and self.draft.phones) or (
            NAME_GUESS in kinds and ITEMS in kinds and self.draft.complete
        ):
            self._next_order()  # a recap, one order a line: this line is the next buyer's
        for kind, text in parts:
            if kind == ITEMS:
                self.draft.items.append(text)
                self.draft.source.append(line)
            elif kind == NAME_GUESS:
                if not self.draft.name or self.draft.name_guessed:
                    self._labelled(NAME, text, line)
                    self.draft.name_guessed = True
            elif kind:
                self._labelled(kind, text, line)
                self.draft.open_field = ""
            else:
                self._unlabelled_part(line, text)
        self.blank_before = False

    def _inline_parts(self, plain: str) -> list[tuple[str, str]] | None:
        """A one-line order ("Budi 0812…, kaos hitam L 2, kirim ke Jl. …") cut into its
        fields; None for a line that holds one thing."""
        phone = PHONE_LIKE.search(plain)
        cue = ADDRESS_CUE.search(plain)
        named = NAME_CUE.search(plain) or SELF_CUE.search(plain)
        if not (cue or named or (phone and not _only_phone(plain))):
            return None
        parts: list[tuple[str, str]] = []
        rest = plain
        if cue:
            rest, address = plain[: cue.start()], plain[cue.end() :]
            if phone and phone.start() > cue.start():  # the number after the address
                address = PHONE_LABEL_TAIL.sub("", PHONE_LIKE.sub(" ", address).rstrip())
            ordered = ITEMS_IN_ADDRESS.search(address)
            if ordered:  # "Alamat Jl. Mawar 3, Pesanan lampu 1": the order after the street
                rest = f"{rest} , {address[ordered.end() :]}"
                address = address[: ordered.start()]
            named_in_address = NAME_CUE.search(address)
            if named_in_address:
                parts.append((NAME, trim(address[named_in_address.end() :])))
                address = address[: named_in_address.start()]
            if trim(address) and not small_talk(trim(address)):
                parts.append((ADDRESS, trim(address)))
        for pattern, kind in ((NAME_CUE, NAME), (SELF_CUE, NAME_GUESS)):
            named = pattern.search(rest)
            if not named:
                continue
            tail = rest[named.end() :]
            name_words = re.match(r"[^\W\d_][^\d,;.!?]*", tail.strip())
            name = trim(NAME_STOP.split(name_words.group(), maxsplit=1)[0]) if name_words else ""
            if _plausible_name(name):  # else the cue was a word of something else ("bordir nama")
                parts.append((kind, name))
                rest = rest[: named.start()] + " , " + tail.strip()[len(name) :]
                break
        for number in PHONE_LIKE.finditer(plain):
            parts.append((PHONE, number.group()))
        rest = PHONE_LIKE.sub(f" , {PHONE_MARK} , ", rest)
        rest = PHONE_LABEL_TAIL.sub(" ", rest)
        items: list[str] = []
        names: list[tuple[str, bool]] = []  # (name, written right before the phone)
        segments = [
            trim(s)
            for s in re.split(r"\s*(?:(?<!\d),|,(?!\d)|[;|])\s*|\s+[/–-]\s+|:\s+", _sentences(rest))
        ]
        for number, segment in enumerate(segments):
            if not segment or segment == PHONE_MARK or small_talk(segment):
                continue
            if QUESTION.search(segment) and not self._item_like(segment):
                continue
            before_phone = number + 1 < len(segments) and segments[number + 1] == PHONE_MARK
            if (
                before_phone
                and segment.istitle()
                and _plausible_name(segment)
                and not _reads_clean(segment, self.catalogue)
            ):
                names.append((segment, True))  # "Intan Permata 0815…", not "Bedong Instan"
                continue
            phone_written = PHONE_FIELD.match(segment)
            if phone_written:  # "hp 0813 123": a number too short, kept to be corrected
                parts.append((PHONE, phone_written.group(1)))
                continue
            if self._item_like(segment):
                items.append(segment)
            elif ADDRESS_WORDS.search(segment) or (
                parts and parts[-1][0] == ADDRESS and not _name_like(segment, self.catalogue)
            ):
                parts.append((ADDRESS, segment))
            elif parts and parts[-1][0] == ADDRESS and len(segment.split()) <= 3:
                parts.append((ADDRESS, segment))  # "…, Jombang": the town after the street
            elif _name_like(segment, self.catalogue) and _plausible_name(segment):
                names.append((segment, before_phone))
            elif items:
                items.append(segment)
            else:
                parts.append(("", segment))
        if names and not any(kind in (NAME, NAME_GUESS) for kind, _text in parts):
            # The name beside the phone; else the last ("Ummi, ajwa 2 ya. Fatimah …": Ummi is
            # the seller greeted).
            guess = next((n for n, near in names if near), names[-1][0])
            parts.insert(0, (NAME_GUESS, guess))
        if items:
            parts.append((ITEMS, ", ".join(items)))
        return _joined_addresses(parts)

    def _unlabelled_part(self, line: str, plain: str) -> None:
        draft = self.draft
        phone = PHONE_LIKE.search(plain)
        item_like = self._item_like(plain)
        address_like = bool(ADDRESS_WORDS.search(plain)) and not item_like
        starts_over = self.blank_before and draft.complete
        # The lines after "Pesanan:" are items, after "Alamat:" the address, until a blank
        # line or a line that is plainly something else.
        item = strip_bullet(plain)
        if self.item_heading and not _names_product(item, self.catalogue):
            item = f"{self.item_heading} {item}"  # "M 5" under "Jersey lengan pendek:"
            item_like = _reads_clean(item, self.catalogue)
        continues_items = (
            draft.open_field == ITEMS
            and not (phone and not item_like)
            and not address_like
            and (item_like or not (self.blank_before or self.item_heading))
        )
        if continues_items:
            draft.items.append(item)
            draft.source.append(line)
            return
        continues_address = (
            draft.open_field == ADDRESS
            and not item_like
            and not (phone and _only_phone(plain))
            and not self.blank_before
        )
        if continues_address:
            draft.address.append(plain)
            draft.source.append(line)
            return
        if phone and _only_phone(plain):
            if draft.phones or starts_over:
                self._next_order()
            self.draft.phones.append(phone.group())
            self.draft.source.append(line)
            self.draft.open_field = ""
            return
        if EMAIL_LIKE.fullmatch(plain):
            self.draft.email = plain
            return
        if small_talk(plain) or (QUESTION.search(plain) and not item_like):
            return
        if starts_over and (item_like or NAME_LIKE.match(plain)):
            self._next_order()
        draft = self.draft
        draft.source.append(line)
        if item_like:
            draft.items.append(strip_bullet(plain))
            draft.open_field = ""
            if phone:  # "kaos hitam L 2, 0812…": the number is the buyer's
                draft.phones.append(phone.group())
            return
        if address_like or (phone and len(plain) > 25):
            draft.address.append(plain)
            draft.open_field = ADDRESS
            if phone and not draft.phones:
                draft.phones.append(phone.group())
            return
        if not draft.name and NAME_LIKE.match(plain) and len(plain.split()) <= 5:
            draft.name, draft.name_guessed = plain, True
            return
        if phone:
            draft.phones.append(phone.group())
            return
        draft.notes.append(plain)

    def _item_like(self, text: str) -> bool:
        return _item_like(text, self.catalogue)


@lru_cache(maxsize=4096)
def _reads_clean(text: str, catalogue: Catalogue) -> bool:
    """Every item of the text matched, without an error."""
    items, errors, _warnings = parse_items(text, catalogue)
    return bool(items) and not errors and all(i.sku for i in items)


@lru_cache(maxsize=4096)
def _names_product(text: str, catalogue: Catalogue) -> bool:
    items, _errors, _warnings = parse_items(text, catalogue)
    return any(i.product for i in items)


@lru_cache(maxsize=4096)
def _item_like(text: str, catalogue: Catalogue) -> bool:
    """Does this line order something of the catalogue (or look like an order line)? Asked
    several times of each line, and of the same chatter again and again: remembered."""
    if PHONE_LIKE.fullmatch(text.strip()):
        return False
    items, _errors, _warnings = parse_items(text, catalogue)
    if any(i.product for i in items):
        return True
    quantity, _rest = take_quantity(text)
    return quantity.value is not None and not ADDRESS_WORDS.search(text)


ABBREVIATIONS = frozenset(
    {
        "jl",
        "jln",
        "no",
        "kel",
        "kec",
        "kab",
        "kav",
        "gg",
        "rt",
        "rw",
        "blok",
        "blk",
        "lt",
        "jend",
        "dr",
        "ir",
        "h",
        "hj",
        "st",
        "prov",
        "komp",
        "perum",
        "pt",
        "cv",
        "tbk",
        "apt",
        "ds",
        "dsn",
        "bpk",
        "ibu",
        "sdr",
        "mr",
        "mrs",
        "ms",
    }
)
SENTENCE_END = re.compile(r"(?<=[0-9a-z])\.\s+(?=[A-Z])")


def _sentences(text: str) -> str:
    """Sentences turned into segments: "… biji 1. Rizky Ramadhan" → "… biji 1, Rizky …";
    "Jl. Braga" keeps its dot."""

    def cut(match: re.Match) -> str:
        before = re.search(r"(\w+)$", text[: match.start()])
        word = before.group(1).lower() if before else ""
        return match.group() if word in ABBREVIATIONS else ", "

    return SENTENCE_END.sub(cut, text)


def _joined_addresses(parts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The address pieces of one line as one address ("Jl. Kaliurang 5", "Sleman")."""
    joined: list[tuple[str, str]] = []
    for kind, text in parts:
        if kind == ADDRESS and any(k == ADDRESS for k, _t in joined):
            index = next(i for i, (k, _t) in enumerate(joined) if k == ADDRESS)
            joined[index] = (ADDRESS, f"{joined[index][1]}, {text}")
        else:
            joined.append((kind, text))
    return joined


def _name_like(text: str, catalogue: Catalogue) -> bool:
    """A short run of words that is no catalogue word: "Budi Santoso"."""
    words = text.split()
    return (
        bool(NAME_LIKE.match(text))
        and 1 <= len(words) <= 5
        and len(text) >= 3
        and not small_talk(text)
        and not ADDRESS_WORDS.search(text)
    )


def _only_phone(text: str) -> bool:
    """The line is a phone number, maybe with a word or two ("WA 0812…", "0812 (wa)")."""
    rest = PHONE_LIKE.sub(" ", text)
    words = re.findall(r"[^\W\d_]+", rest.lower())
    return all(w in PHONE_WORDS or w in CHATTER_WORDS for w in words) and not ANY_NUMBER.search(
        rest
    )


PHONE_WORDS = frozenset(
    {"wa", "hp", "no", "nomor", "nomer", "nmr", "telp", "tlp", "whatsapp", "kontak", "phone"}
    | {"number", "my", "is", "cp", "nya", "nomornya", "hpnya", "wanya", "aktif", "only"}
    | {"nomorku", "nomerku", "hpku", "waku"}
)


def _same_person(known: str, written: str) -> bool:
    """ "Ayu" then "PIC: Ayu Kartika": the same buyer, named in full."""
    old = re.findall(r"[^\W\d_]{2,}", known.lower())
    new = re.findall(r"[^\W\d_]{2,}", written.lower())
    return bool(old) and len(new) > len(old) and all(w in new for w in old)


def _shares_word(name: str, sender: str) -> bool:
    """ "Arif Rahman" written by "Arif": the buyer's own name, not small talk."""
    words = {w for w in re.findall(r"[^\W\d_]{3,}", sender.lower())}
    return any(w in words for w in re.findall(r"[^\W\d_]{3,}", name.lower()))


def _is_order(draft: _Draft) -> bool:
    if not draft.phones and not draft.address and _from_seller(draft):
        return False  # "yg mau ikut PO tulis pesanan + no hp", a price list, "transfer ke BCA"
    if draft.labelled or draft.phones:
        return True
    # Items from a chat's sender are an order even before the name and address come.
    return bool(draft.items and (draft.name or draft.address or draft.sender))


def _from_seller(draft: _Draft) -> bool:
    """Written by the seller, not a buyer: instructions, a price list, bank details. Only
    asked of text without a phone number or an address, which every order has."""
    return sounds_like_seller("\n".join(draft.source + draft.items + draft.notes + [draft.name]))


def parse_text(text: str, catalogue: Catalogue) -> list[ParsedOrder]:
    """Every order in `text`, in the order they were written."""
    drafts: list[_Draft] = []
    runs = chat.runs(text)
    sellers = seller_senders(runs)
    for run in runs:
        reader = _Reader(catalogue, run.sender)
        starts = set(run.starts)
        for number, line in enumerate(run.lines):
            reader.feed(line, message_start=number in starts)
        for draft in reader.drafts:
            if draft.empty and not draft.corrections:
                continue
            earlier = _earlier_of(drafts, draft)
            if earlier is not None and (_fragment(draft) or _completes(earlier, draft)):
                _merge(earlier, draft)
            else:
                drafts.append(draft)
    return [
        _finish(draft, catalogue)
        for draft in drafts
        if _is_order(draft) and not (draft.sender in sellers and _only_items(draft))
    ]


def _only_items(draft: _Draft) -> bool:
    """Nothing but items and a name: what a seller's "ok kak, Monstera 20 cm x2 ya" gives."""
    return not (draft.phones or draft.address or draft.labelled)


def _earlier_of(drafts: list[_Draft], draft: _Draft) -> _Draft | None:
    """The order this fragment may belong to: the same sender's latest."""
    for earlier in reversed(drafts):
        if earlier.sender == draft.sender:
            return earlier
    return None


def _fragment(draft: _Draft) -> bool:
    """A part of an order without who it is for: an address, items, a note on their own."""
    return not draft.name and not draft.phones


def _completes(earlier: _Draft, part: _Draft) -> bool:
    """One field per message, two buyers interleaved: a sender's message that fills a field
    their order still lacks (and repeats none) belongs to it."""
    if not earlier.sender or earlier.complete:
        return False
    return not any(part.has(kind) and earlier.has(kind) for kind in (NAME, PHONE, EMAIL, ADDRESS))


def _merge(into: _Draft, part: _Draft) -> None:
    into.name = into.name or part.name
    into.phones = into.phones or part.phones
    into.address += part.address
    into.items += part.items
    into.notes += part.notes
    into.email = into.email or part.email
    into.labelled = into.labelled or part.labelled
    into.source += part.source
    into.corrections += part.corrections


def order_from_fields(
    *,
    name: str = "",
    phone: str = "",
    email: str = "",
    address: str = "",
    notes: str = "",
    items: str = "",
    catalogue: Catalogue,
    sender: str = "",
) -> ParsedOrder:
    """One order from its fields as written (an edited preview row, a form's row)."""
    draft = _Draft(
        sender=sender,
        name=name,
        phones=[phone] if phone.strip() else [],
        email=email,
        address=[address] if address.strip() else [],
        items=[line for line in items.splitlines() if line.strip()],
        notes=[notes] if notes.strip() else [],
        labelled=True,
    )
    return _finish(draft, catalogue, keep_lines=True)


def _finish(draft: _Draft, catalogue: Catalogue, *, keep_lines: bool = False) -> ParsedOrder:
    order = ParsedOrder(sender=draft.sender, source="\n".join(draft.source))
    order.name = _clean_name(draft.name)
    if not order.name and draft.sender and not _phone_of(draft.sender):
        order.name = _clean_name(draft.sender)
        order.warnings.append(Problem("name_from_sender", Msg.name_from_sender, draft.sender))
    if not order.name:
        order.errors.append(Problem("missing_name", Msg.missing_name))
    _read_phone(order, draft)
    email = draft.email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            order.errors.append(Problem("invalid_email", Msg.invalid_email, email))
        order.email = email
    separator = "\n" if keep_lines else ", "
    order.address = separator.join(part.strip(" ,") for part in draft.address if part.strip(" ,"))
    if not order.address:
        order.errors.append(Problem("missing_address", Msg.missing_address))
    order.notes = "\n".join(draft.notes).strip()
    items, errors, warnings = parse_items(
        "\n".join(corrected(draft.items, draft.corrections)), catalogue
    )
    order.items = items
    order.errors += errors
    order.warnings += warnings
    if not any(i.product or i.text for i in items) and not errors:
        order.errors.append(Problem("missing_items", Msg.missing_items))
    return order


NAME_PREFIX = re.compile(r"^(?:a\s?[./]\s?n\.?|an\.|atas\s+nama)\s*:?\s*", re.IGNORECASE)


def _clean_name(name: str) -> str:
    """The name without emoji, stray punctuation or an "a.n." in front."""
    name = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", name)  # "Retno (Bagian Umum PT …)"
    name = " ".join(EMOJI.sub(" ", name).strip(" .,:;-~*_/|").split())
    return NAME_PREFIX.sub("", name).strip(" .,:;-~*_/|")


def _phone_of(text: str) -> str | None:
    match = PHONE_LIKE.search(text) or ANY_NUMBER.search(text)
    if not match:
        return None
    try:
        return normalize_phone(match.group())
    except InvalidPhoneNumber:
        return None


def _read_phone(order: ParsedOrder, draft: _Draft) -> None:
    written = next((p for p in draft.phones if p.strip()), "")
    if not written:
        sender_phone = _phone_of(draft.sender) if draft.sender else None
        if sender_phone:
            order.phone, order.phone_text = sender_phone, draft.sender
            order.warnings.append(Problem("phone_from_sender", Msg.phone_from_sender, sender_phone))
            return
        order.errors.append(Problem("missing_phone", Msg.missing_phone))
        return
    order.phone_text = written.strip()
    match = PHONE_LIKE.search(written) or ANY_NUMBER.search(written)
    try:
        order.phone = normalize_phone(match.group() if match else written)
    except InvalidPhoneNumber:
        order.errors.append(Problem("invalid_phone", Msg.invalid_phone, order.phone_text))


__all__ = ["ParsedItem", "ParsedOrder", "order_from_fields", "parse_text"]
