"""QR codes drawn inline as `<svg>`: labelled for screen readers, with a white quiet zone so they
scan on a dark page, and a viewBox so CSS can shrink them on a narrow screen."""

import io

import segno
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def inline_svg(
    qr: segno.QRCode, *, label: str, scale: int, css_class: str, sized: bool = False
) -> SafeString:
    """The code as `<svg role="img" aria-label=…>`; `sized` also writes its width and height."""
    buffer = io.BytesIO()
    qr.save(
        buffer,
        kind="svg",
        xmldecl=False,
        svgns=True,
        nl=False,
        scale=scale,
        border=4,
        dark="#000",
        light="#fff",
        omitsize=True,
        title=label,
        svgclass=css_class,
    )
    opening = f'<svg role="img" aria-label="{escape(label)}" '
    if sized:
        width, height = qr.symbol_size(scale=scale, border=4)
        opening += f'width="{width}" height="{height}" '
    # segno escapes the title; the rest is numbers and fixed markup.
    return mark_safe(opening + buffer.getvalue().decode().removeprefix("<svg "))
