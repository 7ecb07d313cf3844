"""Uploads are pictures only when Pillow can open them; a decompression bomb is not one."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from openpo.core.images import verified_image_format


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


def test_it_names_the_format_of_a_real_picture():
    upload = SimpleUploadedFile("bukti.png", _png(40, 30), content_type="image/png")
    assert verified_image_format(upload) == "PNG"
    assert upload.tell() == 0


def test_it_refuses_a_text_file_named_like_a_picture():
    upload = SimpleUploadedFile("bukti.png", b"bukan gambar", content_type="image/png")
    assert verified_image_format(upload) is None


def test_it_refuses_a_tiny_file_that_claims_a_huge_picture():
    # A few kilobytes that would decode to 196 million pixels: Pillow calls it a bomb.
    bomb = _png(14_000, 14_000)
    assert len(bomb) < 100_000
    upload = SimpleUploadedFile("bukti.png", bomb, content_type="image/png")
    assert verified_image_format(upload) is None
