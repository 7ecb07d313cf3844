"""A pasted stretch of chat, cut into runs of messages by one sender.

WhatsApp's "Export chat" writes every message behind a prefix: `[12/08/25 19.03.22] Budi: `
on iPhone, `12/08/25, 19:03 - Budi: ` on Android (date order, separators, seconds and AM/PM
vary with the phone's language). A message may run over several lines. The lines WhatsApp
writes itself (media omitted, deleted messages, the encryption notice, group notices) are
skipped. Text without prefixes (a message copied by hand) is one run without a sender.
"""

import re
from dataclasses import dataclass, field

_DATE = r"\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}"
_TIME = r"\d{1,2}[.:]\d{2}(?:[.:]\d{2})?(?:\s?[APap]\.?\s?[Mm]\.?)?"
IOS = re.compile(rf"^\[({_DATE}),?\s+({_TIME})\]\s*(.*)$")
ANDROID = re.compile(rf"^({_DATE}),?\s+({_TIME})\s*[-–]\s*(.*)$")
SENDER = re.compile(r"^([^:\n]{1,60}?):\s(.*)$|^([^:\n]{1,60}?):$")
INVISIBLE = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\ufeff"), None)
# Whole messages WhatsApp writes in place of what was sent (English and Indonesian exports).
SYSTEM_MESSAGES = re.compile(
    r"^(?:<?\s*(?:media omitted|media tidak disertakan|this message was deleted|"
    r"you deleted this message|pesan ini (?:telah )?dihapus|anda menghapus pesan ini|"
    r"waiting for this message|menunggu pesan ini|missed (?:voice|video) call|"
    r"panggilan (?:suara|video) tak terjawab|null|(?:image|video|audio|sticker|gif|document|"
    r"contact card|gambar|stiker|dokumen|audio|kartu kontak) (?:omitted|tidak disertakan))\s*>?|"
    r"<attached: [^>]*>|.*\((?:file attached|file terlampir)\)|"
    r"this message was edited|pesan ini diedit)$",
    re.IGNORECASE,
)
MARKED_NOTICE = re.compile(r"^[^\n]{0,120}?:\s\u200e(?!<attached)")
EDITED = re.compile(r"\s*<(?:this message was edited|pesan ini diedit)>\s*$", re.IGNORECASE)


@dataclass
class Run:
    sender: str  # "" when the text had no chat prefixes
    lines: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)  # where each message begins in `lines`


def clean(text: str) -> str:
    return (
        text.translate(INVISIBLE).replace("\u00a0", " ").replace("\r\n", "\n").replace("\r", "\n")
    )


def _prefixed(line: str) -> tuple[bool, str | None, str]:
    """(has a chat prefix, the sender or None for a notice, the message text)."""
    match = IOS.match(line) or ANDROID.match(line)
    if not match:
        return False, None, line
    rest = match.group(3)
    sender = SENDER.match(rest)
    if not sender:
        return True, None, rest  # "Sari joined using this group's invite link"
    if sender.group(3) is not None:
        return True, sender.group(3).strip(), ""
    return True, sender.group(1).strip(), sender.group(2)


def runs(text: str) -> list[Run]:
    """The messages of `text`, consecutive messages of one sender joined into one run."""
    result: list[Run] = []
    current: Run | None = None
    in_notice = False
    for original in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        raw = clean(original)
        has_prefix, sender, body = _prefixed(raw)
        if has_prefix:
            # An iPhone marks what WhatsApp wrote itself ("‎Anda menambahkan Sari") with an
            # invisible left-to-right mark right after the sender.
            in_notice = sender is None or bool(MARKED_NOTICE.match(original.lstrip("\u200e")))
            if in_notice:
                continue
            body = EDITED.sub("", body)
            if current is None or current.sender != sender:
                current = Run(sender)
                result.append(current)
            current.starts.append(len(current.lines))
            if not SYSTEM_MESSAGES.match(body.strip()):
                current.lines.append(body)
            continue
        if in_notice:  # the rest of a multi-line notice
            continue
        if current is None:
            current = Run("")
            result.append(current)
        body = EDITED.sub("", body)
        if not SYSTEM_MESSAGES.match(body.strip()):
            current.lines.append(body)
    return result
