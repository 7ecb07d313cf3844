"""Checking that an uploaded file really is a picture Pillow can open (not just named like one)."""

from django.core.files import File
from PIL import Image, UnidentifiedImageError


def verified_image_format(upload: File) -> str | None:
    """Pillow's format name (`JPEG`, `PNG`, `WEBP`, …) of a picture that opens, else None.

    Leaves the file at its start either way.
    """
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind = image.format
            image.verify()
    # A decompression bomb (a tiny file claiming a huge picture) is refused like any non-photo.
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        return None
    finally:
        upload.seek(0)
    return kind
