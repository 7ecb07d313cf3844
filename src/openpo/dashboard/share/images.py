"""The announcement posters of a PO's share panel, drawn with Pillow: 1080×1080 for a feed post
and 1080×1920 for a story.

A poster is drawn in the shop's brand colour with its first product photo (when there is one),
the shop's name and logo, the PO title, the lowest price, the order window, "limited slots"
when the PO is limited, and the QR code of the link with the link written out. Only the shop's
own data goes in, read once into a `Poster`; drawing is a pure function of it. Fonts, text
fitting and colours are in `poster_style`, the QR code in `share.qr`.
"""

import hashlib
import io
from dataclasses import asdict, dataclass
from datetime import datetime

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageOps, UnidentifiedImageError

from openpo.catalog import announcement
from openpo.catalog.models import Campaign
from openpo.core.money import format_rupiah
from openpo.dashboard.share.poster_style import (
    DARK,
    RGB,
    WHITE,
    contrast,
    fit,
    font,
    hex_to_rgb,
    line_height,
    mix,
    printable,
    stroke,
    text_color,
    text_width,
    wrap_link,
)
from openpo.dashboard.share.qr import link_qr, qr_image

FEED = "feed"
STORY = "story"
SIZES = {FEED: (1080, 1080), STORY: (1080, 1920)}
Box = tuple[int, int, int, int]
# Bump when the drawing changes, so browsers fetch posters drawn the new way.
DRAWING_VERSION = 5
# Phases in which a poster announces "OPEN PO"; after that it says the PO has closed.
OPEN_PHASES = {Campaign.Status.DRAFT, Campaign.Status.SCHEDULED, Campaign.Status.OPEN}


# --- What a poster shows -------------------------------------------------------------------


@dataclass(frozen=True)
class Poster:
    """The words and pictures of a poster, already in the shop's language."""

    shop_name: str
    title: str
    badge: str  # OPEN PO
    price: str  # mulai Rp 120.000
    dates: str  # 1–5 Agustus 2026
    closes: str  # tutup pukul 21.00 WIB
    tags: tuple[str, ...]  # slot terbatas: 60 pcs, early bird Rp 100.000
    scan: str  # scan untuk order
    url: str
    link: str  # the URL without its scheme
    color: RGB
    photo: Image.Image | None = None
    logo: Image.Image | None = None
    photo_name: str = ""  # the files' names, for `poster_version`
    logo_name: str = ""


def poster_for(campaign: Campaign, *, url: str, now: datetime | None = None) -> Poster:
    """Read what the posters of `campaign` show; text in the shop's message language."""
    now = now or timezone.now()
    shop = campaign.shop
    products = announcement.po_products(campaign)
    photo = next((ph.image for p in products for ph in p.photos.all()), None)
    with translation.override(shop.message_language):
        lowest = announcement.lowest_price(products)
        window = announcement.order_window(campaign)
        tags = []
        total = announcement.slots_total(campaign, products)
        left = announcement.slots_left(campaign, products)
        if total is not None and campaign.reserved_units and left is not None and left < total:
            tags.append(_("Only %(units)s pcs left") % {"units": left})
        elif total is not None:
            tags.append(_("Limited slots: %(units)s pcs") % {"units": total})
        early = [
            v.early_bird_price
            for p in products
            for v in p.active_variants
            if v.early_bird_price is not None
        ]
        if early and campaign.early_bird_on(now):
            tags.append(_("Early bird %(price)s") % {"price": format_rupiah(min(early))})
        return Poster(
            shop_name=shop.name,
            title=campaign.title,
            badge="OPEN PO" if campaign.phase(now) in OPEN_PHASES else _("PO CLOSED"),
            price=_("from %(price)s") % {"price": format_rupiah(lowest)} if lowest else "",
            dates=window.dates,
            closes=window.closes,
            tags=tuple(tags),
            scan=_("Scan to order"),
            url=url,
            link=url.split("://", 1)[-1].rstrip("/"),
            color=hex_to_rgb(shop.brand_color),
            photo=_open_image(photo),
            logo=_open_image(shop.logo or None),
            photo_name=photo.name if photo else "",
            logo_name=shop.logo.name if shop.logo else "",
        )


def _open_image(field) -> Image.Image | None:
    """The picture in an image field, upright and in RGB(A); None when missing or unreadable."""
    if not field:
        return None
    try:
        with field.open("rb") as handle:
            image = Image.open(handle)
            image.draft("RGB", (1080, 1080))  # JPEG: decode at a reduced size, much faster
            image = ImageOps.exif_transpose(image)
            return image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
    except (OSError, UnidentifiedImageError, ValueError):
        return None


# --- Drawing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """Sizes for one kind of poster, with or without a photo."""

    photo_height: int
    margin: int
    safe_top: int  # stories: the app's own bars cover the top and the bottom
    safe_bottom: int
    title_sizes: range
    price_size: int
    date_size: int
    tag_size: int
    qr_card: int
    link_size: int


LAYOUTS = {
    (FEED, True): Layout(560, 56, 56, 48, range(60, 35, -4), 52, 32, 26, 236, 24),
    (FEED, False): Layout(0, 72, 72, 64, range(128, 47, -6), 64, 38, 30, 280, 28),
    (STORY, True): Layout(860, 72, 200, 170, range(88, 47, -4), 76, 44, 32, 340, 30),
    (STORY, False): Layout(0, 72, 220, 170, range(124, 59, -6), 84, 46, 34, 360, 30),
}


class Canvas:
    def __init__(self, size: tuple[int, int], background: RGB) -> None:
        self.image = Image.new("RGB", size, background)
        self.draw = ImageDraw.Draw(self.image)
        self.background = background
        self.ink = text_color(background)
        self.soft = mix(self.ink, background, 0.8)

    def text(self, xy, text: str, size: int, fill: RGB, *, bold=False, anchor="la") -> None:
        width = stroke(size, bold)
        self.draw.text(
            xy,
            text,
            font=font(size),
            fill=fill,
            anchor=anchor,
            stroke_width=width,
            stroke_fill=fill,
        )

    def lines(self, x: int, y: int, lines: list[str], size: int, fill: RGB, *, bold=False) -> int:
        for line in lines:
            self.text((x, y), line, size, fill, bold=bold)
            y += line_height(size)
        return y

    def pill(self, x: int, y: int, text: str, size: int, *, outline: int = 0, draw=True) -> Box:
        """A label in the text colour with the background's colour for letters; its box."""
        pad_x, height = round(size * 0.7), round(size * 1.7)
        box = (x, y, x + text_width(text, size, True) + 2 * pad_x, y + height)
        if draw:
            edge = self.background if outline else None
            self.draw.rounded_rectangle(
                box, radius=height // 2, fill=self.ink, outline=edge, width=outline
            )
            self.text(
                (x + pad_x, y + height // 2), text, size, self.background, bold=True, anchor="lm"
            )
        return box

    def disc(self, picture: Image.Image, xy: tuple[int, int], diameter: int) -> None:
        """`picture` inside a white disc (logos come in every shape)."""
        big = diameter * 4  # drawn large and shrunk: a smooth edge
        mask = Image.new("L", (big, big), 0)
        ImageDraw.Draw(mask).ellipse((0, 0, big - 1, big - 1), fill=255)
        mask = mask.resize((diameter, diameter), Image.Resampling.LANCZOS)
        disc = Image.new("RGB", (diameter, diameter), WHITE)
        inner = ImageOps.contain(picture, (round(diameter * 0.72),) * 2, Image.Resampling.LANCZOS)
        offset = ((diameter - inner.width) // 2, (diameter - inner.height) // 2)
        disc.paste(inner, offset, inner if inner.mode == "RGBA" else None)
        self.image.paste(disc, xy, mask)


def _paste_photo(canvas: Canvas, photo: Image.Image, height: int) -> None:
    width = canvas.image.width
    fitted = ImageOps.fit(photo, (width, height), Image.Resampling.BILINEAR, centering=(0.5, 0.45))
    if fitted.mode == "RGBA":
        canvas.image.paste(WHITE, (0, 0, width, height))
        canvas.image.paste(fitted, (0, 0), fitted)
    else:
        canvas.image.paste(fitted, (0, 0))


def _shop_row(canvas: Canvas, poster: Poster, x: int, y: int, *, on_photo: bool) -> int:
    """Logo and shop name; on a photo they sit in a white pill. Returns the row's bottom."""
    size, logo = (30, 60) if on_photo and canvas.image.height < 1500 else (36, 76)
    name = printable(poster.shop_name)
    gap = 16 if poster.logo else 0
    if on_photo:
        pad = 8
        lead = pad if poster.logo else 24
        right = x + lead + (logo if poster.logo else 0) + gap + text_width(name, size, True) + 28
        height = logo + 2 * pad
        canvas.draw.rounded_rectangle((x, y, right, y + height), radius=height // 2, fill=WHITE)
        if poster.logo:
            canvas.disc(poster.logo, (x + pad, y + pad), logo)
        text_x = x + lead + (logo if poster.logo else 0) + gap
        canvas.text((text_x, y + height // 2), name, size, DARK, bold=True, anchor="lm")
        return y + height
    if poster.logo:
        canvas.disc(poster.logo, (x, y), logo)
        canvas.text((x + logo + gap, y + logo // 2), name, size, canvas.ink, bold=True, anchor="lm")
        return y + logo
    canvas.text((x, y), name, size, canvas.ink, bold=True)
    return y + line_height(size)


def _qr_card(canvas: Canvas, url: str, x: int, y: int, side: int) -> Box:
    """A white card about `side` wide with the QR code (its margin is the quiet zone)."""
    modules = len(link_qr(url).matrix)
    module = max(side // (modules + 6), 1)
    code = qr_image(url, module * modules)
    card = module * (modules + 6)
    # On a very light colour the white card gets an edge, or it melts into the background.
    edge = mix(DARK, canvas.background, 0.15) if contrast(WHITE, canvas.background) < 1.3 else None
    canvas.draw.rounded_rectangle(
        (x, y, x + card, y + card), radius=module * 2, fill=WHITE, outline=edge, width=2
    )
    left, top = x + 3 * module, y + 3 * module
    canvas.image.paste(code, (left, top))
    return (left, top, left + code.width, top + code.height)


def _card_side(url: str, side: int) -> int:
    modules = len(link_qr(url).matrix)
    return max(side // (modules + 6), 1) * (modules + 6)


def _decorate(canvas: Canvas, *, qr_on_left: bool) -> None:
    """Two soft circles, so a poster without a photo is not a flat block of colour; the lower
    one on the side away from the QR code."""
    width, height = canvas.image.size
    tint = mix(canvas.ink, canvas.background, 0.08)
    canvas.draw.ellipse((width - 420, -300, width + 300, 420), fill=tint)
    if qr_on_left:
        canvas.draw.ellipse((width - 220, height - 300, width + 440, height + 360), fill=tint)
    else:
        canvas.draw.ellipse((-360, height - 360, 300, height + 300), fill=tint)


def _info(canvas: Canvas, poster: Poster, spec: Layout, x: int, y: int, width: int, *, draw=True):
    """Price, dates, closing time and tags from `y` down; returns the bottom (drawn or not)."""
    rows = []
    if poster.price:
        sizes = range(spec.price_size, 29, -4)
        rows.append(
            (
                fit(printable(poster.price), width, line_height(spec.price_size), sizes, bold=True),
                canvas.ink,
                True,
            )
        )
    for text, size, color, bold in (
        (poster.dates, spec.date_size, canvas.ink, True),
        (poster.closes, spec.date_size - 4, canvas.soft, False),
    ):
        rows.append(
            (
                fit(printable(text), width, line_height(size), range(size, 19, -2), bold=bold),
                color,
                bold,
            )
        )
    for (size, lines), color, bold in rows:
        y = (
            canvas.lines(x, y, lines, size, color, bold=bold)
            if draw
            else y + len(lines) * line_height(size)
        )
    y += 14
    left = x
    for tag in poster.tags:  # side by side while they fit, else on the next line
        box = canvas.pill(left, y, printable(tag), spec.tag_size, draw=False)
        if box[2] > x + width and left > x:
            left, y = x, box[3] + 10
            box = canvas.pill(left, y, printable(tag), spec.tag_size, draw=False)
        if draw:
            canvas.pill(left, y, printable(tag), spec.tag_size)
        left = box[2] + 12
    return box[3] if poster.tags else y - 14


def _feed_bottom(canvas: Canvas, poster: Poster, spec: Layout, bottom: int) -> tuple[int, Box]:
    """Feed: the link on the last line; above it price and dates beside the QR code."""
    width, m = canvas.image.width, spec.margin
    link = printable(poster.link)
    size = spec.link_size
    while size > 16 and text_width(link, size) > width - 2 * m:
        size -= 2
    canvas.text((m, bottom), link, size, canvas.soft, anchor="ld")
    row_bottom = bottom - line_height(size) - 20
    card = _card_side(poster.url, spec.qr_card)
    row_top = row_bottom - card - line_height(spec.tag_size)
    qr_box = _qr_card(canvas, poster.url, width - m - card, row_top, spec.qr_card)
    middle = (qr_box[0] + qr_box[2]) // 2
    canvas.text(
        (middle, row_bottom),
        printable(poster.scan),
        spec.tag_size,
        canvas.ink,
        bold=True,
        anchor="md",
    )
    _info(canvas, poster, spec, m, row_top, width - 2 * m - card - 32)
    return row_top, qr_box


def _story_bottom(canvas: Canvas, poster: Poster, spec: Layout, bottom: int) -> tuple[int, Box]:
    """Story: the QR code with "scan to order" and the link beside it at the bottom; price,
    dates and tags above, across the whole width."""
    width, m = canvas.image.width, spec.margin
    card = _card_side(poster.url, spec.qr_card)
    card_top = bottom - card
    qr_box = _qr_card(canvas, poster.url, m, card_top, spec.qr_card)
    text_x = m + card + 36
    text_w = width - m - text_x
    scan_size = spec.tag_size + 6
    links = wrap_link(printable(poster.link), spec.link_size, text_w)
    block = line_height(scan_size) + 8 + len(links) * line_height(spec.link_size)
    y = card_top + (card - block) // 2
    canvas.text((text_x, y), printable(poster.scan), scan_size, canvas.ink, bold=True)
    canvas.lines(text_x, y + line_height(scan_size) + 8, links, spec.link_size, canvas.soft)
    info_height = _info(canvas, poster, spec, m, 0, width - 2 * m, draw=False)
    info_top = card_top - 56 - info_height
    _info(canvas, poster, spec, m, info_top, width - 2 * m)
    return info_top, qr_box


def draw_poster(poster: Poster, kind: str) -> tuple[Image.Image, Box]:
    """The poster as an image, and the box of its QR code (for tests and checks)."""
    width, height = SIZES[kind]
    spec = LAYOUTS[(kind, poster.photo is not None)]
    canvas = Canvas((width, height), poster.color)
    m = spec.margin
    badge = printable(poster.badge)
    if poster.photo is not None:
        _paste_photo(canvas, poster.photo, spec.photo_height)
        _shop_row(canvas, poster, m, spec.safe_top, on_photo=True)
        # The badge sits on the edge between the photo and the colour.
        pill_height = canvas.pill(0, 0, badge, spec.tag_size, draw=False)[3]
        box = canvas.pill(m, spec.photo_height - pill_height // 2, badge, spec.tag_size, outline=4)
    else:
        _decorate(canvas, qr_on_left=kind == STORY)
        top = _shop_row(canvas, poster, m, spec.safe_top, on_photo=False) + 36
        box = canvas.pill(m, top, badge, spec.tag_size)
    top = box[3] + 24
    bottom = height - spec.safe_bottom
    place = _feed_bottom if kind == FEED else _story_bottom
    info_top, qr_box = place(canvas, poster, spec, bottom)
    # The title fills what is left above.
    title = printable(poster.title)
    room = info_top - 32 - top
    size, lines = fit(title, width - 2 * m, room, spec.title_sizes, bold=True)
    # A short title floats in the middle of its room rather than leaving a gap below it.
    top += max(room - len(lines) * line_height(size), 0) // 2
    canvas.lines(m, top, lines, size, canvas.ink, bold=True)
    return canvas.image, qr_box


def poster_png(poster: Poster, kind: str) -> bytes:
    image, _qr_box = draw_poster(poster, kind)
    buffer = io.BytesIO()
    # A photo barely compresses in PNG: the fastest level is 3–4× quicker than the default for
    # a file about 10% larger. Flat colour compresses well and fast at the default.
    image.save(buffer, format="PNG", compress_level=1 if poster.photo else 6)
    return buffer.getvalue()


def poster_version(poster: Poster, kind: str) -> str:
    """A short fingerprint of everything a poster shows (an ETag: no redrawing to compare)."""
    fields = {k: v for k, v in asdict(poster).items() if k not in ("photo", "logo")}
    pictures = [poster.photo_name, poster.logo_name]
    data = repr((DRAWING_VERSION, kind, sorted(fields.items()), pictures)).encode()
    return hashlib.sha256(data).hexdigest()[:32]
