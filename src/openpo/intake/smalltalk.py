"""What in a chat is not an order: greetings, thanks and small talk around one, and the seller's
own messages (announcements, price lists, bank details, "siap kak, dicatat")."""

import re

from openpo.intake import chat
from openpo.intake.patterns import ADDRESS_WORDS, PHONE_LIKE

CHATTER = re.compile(
    r"^(?:h[ae]ll?o+|hai+|hi+|halo+|p+|pagi|siang|sore|malam|permisi|"
    r"assalamu\w*(?:\s+alaikum)?(?:\s+wr\.?\s*wb\.?)?|"
    r"(?:mau|mo|pengen|pingin|ingin)\s+(?:order|pesan|pesen|ikut po|ikutan po|beli)|"
    r"(?:terima\s?kasih|makasih|makasi|mksh|thanks?|thank you|tq|thx|ok+|oke+|okey|siap|"
    r"baik|sip+|noted|done|sudah|udah|iya|ya|yaa|y)|kak+|min|sis|gan|ka|kakak|admin|"
    r"format order|berikut|ini(?: ya)?|data(?:nya)?|order(?:an)?(?: saya| aku| ku)?|"
    r"ikut po|join po|po|aku|saya|sy)(?:[\s,.!?~]+(?:kak+|ka|min|sis|gan|ya+|ya kak|"
    r"dong|deh|nih|ini|ya min|kakak|admin|say|beb|saya|aku|order|pesan|mau order|po|"
    r"tolong|yaa|yah|kk|ka|:\)|🙏+|😊+|🥰+|❤️+))*[\s.!?~🙏😊🥰❤️👍🏻]*$",
    re.IGNORECASE,
)


CHATTER_WORDS = frozenset(
    """halo hallo helo hello hai hay hi hii pagi siang sore malam permisi assalamualaikum
    assalamu alaikum wr wb kak kaka kakak ka kk min mimin admin sis gan mba mbak mas bu bun
    ibu om say beb mau mo pengen pingin ingin ikut ikutan join po order orderan pesan pesen
    beli ya yaa yaaa yah iya iyaa y dong donk deh nih ini itu saya aku sy ku terima kasih
    makasih makasi mksh thanks thank you tq thx ok oke okey okay siap baik sip sipp noted done
    sudah udah masuk list dicatat catat ditunggu nanti tolong mohon data datanya berikut
    format formatnya sesuai ready juga lagi sekalian dulu kirim transfer tf bukti segera
    barusan aman selamat semoga amin lancar berkah hehe hehehe haha hahaha wkwk wkwkwk hihi
    oh oalah mantap mantul asik asyik gapapa nggak gak ga tidak belum boleh bisa izin dengan
    hormat yth kepada bapak salam regards best hello can i order please sorry maaf kayak
    seperti di foto gambar atas tadi yg yang nyusul menyusul later gpp aq mw gue gw dear
    all noted thank untuk kantor sis bestie guys eh ko koreksi ralat revisi kami bismillah
    hormat bersama berikut kabari kabarin dikabari kabarkan""".split()  # noqa: SIM905
)


JOINING = re.compile(
    r"^\W*(?:kak\s+|min\s+|halo\s+kak\s+)?(?:mau|mo|pengen|ingin|boleh)\s+(?:ikut|ikutan|join)\s+"
    r"(?:open\s+)?po\b",
    re.IGNORECASE,
)


def small_talk(text: str) -> bool:
    """Greetings, thanks and small talk around an order: "kak mau ikut po ya 🙏"."""
    if JOINING.match(text) and not re.search(r"\d", text):
        return True  # "Mau ikut PO seragam kak": joining, the order comes next
    words = re.findall(r"[^\W\d_]+", text.lower())
    return bool(CHATTER.match(text)) or (
        bool(words) and len(words) <= 12 and all(w in CHATTER_WORDS for w in words)
    )


SELLER_CUES = re.compile(
    r"\b(?:yang|yg)\s+mau\b|\bsila(?:h)?kan\b|\bditunggu\b|\btransfer(?:nya)?\s+ke\b|"
    r"\brek(?:ening)?\b|\bno\.?\s?rek\b|\btotal(?:nya)?\b|\bongkir(?:nya)?\b|"
    r"\b(?:open|close|tutup|buka)\s+po\b|\bpo\s+(?:dibuka|ditutup)\b|\bformat\b|"
    r"\bharga(?:nya)?\b|\bpricelist\b|\bprice\s*list\b|\bready\s+stock\b|"
    r"\b(?:sudah|udah)\s+(?:masuk|dicatat|kami\s+catat)\b|\bdicatat\b|\bmasuk\s+list\b|"
    r"\bcheckout\b|\bkonfirmasi\b|\bminta\b|\bmohon\s+(?:isi|kirim|dikirim)\b|"
    r"\b(?:di)?isi\s+(?:format|data)\b|\bready\b|\brestock\b|\btersedia\b|\bsold\s*out\b|"
    r"\bhabis\b|\bsisa\b|\b(?:bca|bri|bni|mandiri|bsi|cimb|permata|dana|ovo|"
    r"gopay|shopeepay)\b",
    re.IGNORECASE,
)


PRICE = re.compile(r"\d\s*(?:rb|ribu|k)\b|rp\.?\s*\d|\d[.,]\d{3}\b", re.IGNORECASE)


ACKNOWLEDGEMENT = re.compile(
    r"^\W*(?:ok(?:e|ay)?|siap|baik|noted|sip+|done|thanks?|thank\s+you|terima\s+kasih|makasih|"
    r"sudah\s+(?:dicatat|masuk)|all\s+noted)\b",
    re.IGNORECASE,
)


def seller_senders(runs: list[chat.Run]) -> set[str]:
    """The senders of a chat who write like the seller (announce, list prices, acknowledge
    orders) and never give a phone number or an address of their own."""
    said: dict[str, list[str]] = {}
    for run in runs:
        if run.sender:
            said.setdefault(run.sender, []).extend(run.lines)
    if len(said) < 2:
        return set()
    sellers = set()
    for sender, lines in said.items():
        text = "\n".join(lines)
        gives_details = PHONE_LIKE.search(text) or ADDRESS_WORDS.search(text)
        acknowledges = any(ACKNOWLEDGEMENT.match(line) for line in lines)
        if not gives_details and (acknowledges or SELLER_CUES.search(text)):
            sellers.add(sender)
    return sellers


def sounds_like_seller(text: str) -> bool:
    """Instructions, a price list or bank details: how the seller writes, not a buyer."""
    return bool(SELLER_CUES.search(text)) or len(PRICE.findall(text)) >= 2
