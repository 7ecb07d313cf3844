"""The QR code of a PO's public link: inline SVG for the share page, a PNG to print, and a
PIL image for the posters. One symbol everywhere: full-size QR (never Micro QR), error level M.
"""

import io

import segno
from django.utils.safestring import SafeString
from PIL import Image

from openpo.core.qr import inline_svg


def link_qr(url: str) -> segno.QRCode:
    """The QR symbol of a PO link: full-size QR (never Micro QR), error level M."""
    return segno.make_qr(url, error="m", boost_error=False)


def link_qr_svg(url: str, *, label: str, scale: int = 6) -> SafeString:
    """An inline `<svg>` of the link's QR code, labelled for screen readers, scalable by CSS."""
    return inline_svg(link_qr(url), label=label, scale=scale, css_class="share-qr")


def link_qr_png(url: str, *, scale: int = 16) -> bytes:
    """A printable PNG of the link's QR code (black on white, quiet zone included)."""
    buffer = io.BytesIO()
    link_qr(url).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def qr_image(url: str, size: int) -> Image.Image:
    """The link's QR code as a black-on-white image about `size` px wide, modules whole pixels
    (no quiet zone: the caller paints it)."""
    matrix = link_qr(url).matrix
    count = len(matrix)
    module = max(size // count, 1)
    image = Image.new("1", (count, count), 1)
    image.putdata([0 if bit else 1 for row in matrix for bit in row])
    return image.resize((count * module, count * module), Image.Resampling.NEAREST).convert("RGB")
