"""Uploaded pictures: what they are and how many pixels they hold, read from the header alone,
and copies without metadata for everything that others can see.

A picture is one Pillow opens and verifies, whatever its name says. Its pixel count is capped
before anything decodes it: a 2 MB PNG can claim 144 megapixels (430 MB once decoded), and
Pillow itself refuses only past 179 megapixels (DecompressionBombError, refused here the same
way). What visitors or sellers download is encoded again by `without_metadata`: upright (the
EXIF orientation applied), with no EXIF (GPS position, camera, time), XMP, comments or PNG text.
"""

import io
from dataclasses import dataclass

from django.core.files import File
from PIL import Image, ImageOps, UnidentifiedImageError

# Phone cameras make at most ~50 megapixels; a bigger picture is a decompression bomb.
MAX_PIXELS = 60_000_000
# Re-encoded in their own format; JPEG keeps its quality (quantisation tables) and subsampling.
ENCODING_OPTIONS = {
    "JPEG": {"quality": "keep", "subsampling": "keep"},
    "PNG": {},
    "WEBP": {"quality": 90},
}
# What a copy keeps of the original's info: its colours and which palette entry is transparent.
KEPT_INFO = ("icc_profile", "transparency")
_UNREADABLE = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError)
# Pillow warns past 89 megapixels (an exception where warnings are errors, as in the tests) and
# refuses past 179; both are past MAX_PIXELS.
_TOO_MANY_PIXELS = (Image.DecompressionBombError, Image.DecompressionBombWarning)


class PictureRefused(Exception):
    """Not a picture we can use; `too_many_pixels` when that is the reason."""

    def __init__(self, *, too_many_pixels: bool = False) -> None:
        super().__init__("too many pixels" if too_many_pixels else "not a picture")
        self.too_many_pixels = too_many_pixels


@dataclass(frozen=True)
class PictureHeader:
    format: str  # Pillow's name: JPEG, PNG, WEBP, …
    width: int
    height: int


def read_picture_header(upload: File, *, max_pixels: int = MAX_PIXELS) -> PictureHeader:
    """The format and size of a picture that opens and verifies, read without decoding its
    pixels. Raises PictureRefused. Leaves the file at its start either way."""
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            header = PictureHeader(image.format or "", image.width, image.height)
            if header.width * header.height > max_pixels:
                raise PictureRefused(too_many_pixels=True)
            image.verify()
    except _TOO_MANY_PIXELS as error:
        raise PictureRefused(too_many_pixels=True) from error
    except _UNREADABLE as error:
        raise PictureRefused() from error
    finally:
        upload.seek(0)
    return header


def verified_image_format(upload: File) -> str | None:
    """Pillow's format name (`JPEG`, `PNG`, `WEBP`, …) of a picture that opens, else None
    (also for one past MAX_PIXELS). Leaves the file at its start either way."""
    try:
        return read_picture_header(upload).format
    except PictureRefused:
        return None


def forget_metadata(picture: Image.Image) -> Image.Image:
    """The same picture with nothing in its info but KEPT_INFO, so that saving it writes no
    EXIF, XMP, comment or text (Pillow writes a JPEG's comment again unless told otherwise)."""
    picture.info = {key: picture.info[key] for key in KEPT_INFO if key in picture.info}
    return picture


def without_metadata(upload: File, *, max_pixels: int = MAX_PIXELS) -> bytes:
    """The picture upright and encoded again in its own format (JPEG, PNG or WebP) with no
    metadata but its colour profile. Raises PictureRefused. Leaves the file at its start."""
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind = image.format or ""
            if kind not in ENCODING_OPTIONS:
                raise PictureRefused()
            if image.width * image.height > max_pixels:
                raise PictureRefused(too_many_pixels=True)
            ImageOps.exif_transpose(image, in_place=True)  # no second copy of the pixels
            forget_metadata(image)
            options = dict(ENCODING_OPTIONS[kind])
            if "icc_profile" in image.info:
                options["icc_profile"] = image.info["icc_profile"]
            out = io.BytesIO()
            try:
                image.save(out, kind, **options)
            except (OSError, ValueError):
                if kind != "JPEG":
                    raise
                # A JPEG whose tables Pillow cannot reuse: a fresh encoding, still clean.
                options.update(quality=90, subsampling=-1)
                out = io.BytesIO()
                image.save(out, kind, **options)
    except _TOO_MANY_PIXELS as error:
        raise PictureRefused(too_many_pixels=True) from error
    except _UNREADABLE as error:
        raise PictureRefused() from error
    finally:
        upload.seek(0)
    return out.getvalue()
