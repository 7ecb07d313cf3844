"""Uploads are pictures only when Pillow can open them and they hold at most 60 megapixels,
read from the header; the copies others can see are upright and carry no metadata."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from openpo.core.images import (
    PictureHeader,
    PictureRefused,
    read_picture_header,
    verified_image_format,
    without_metadata,
)
from tests import factories
from tests.pictures import assert_no_metadata, phone_photo


def test_it_names_the_format_of_a_real_picture():
    upload = SimpleUploadedFile("bukti.png", factories.black_png(40, 30), content_type="image/png")
    assert verified_image_format(upload) == "PNG"
    assert read_picture_header(upload) == PictureHeader("PNG", 40, 30)
    assert upload.tell() == 0


def test_it_refuses_a_text_file_named_like_a_picture():
    upload = SimpleUploadedFile("bukti.png", b"bukan gambar", content_type="image/png")
    assert verified_image_format(upload) is None
    with pytest.raises(PictureRefused) as refused:
        read_picture_header(upload)
    assert not refused.value.too_many_pixels


@pytest.mark.parametrize("side", [12_000, 14_000])  # 144 MP: Pillow only warns; 196 MP: refuses
def test_it_refuses_a_tiny_file_that_claims_a_huge_picture_for_its_pixels(side):
    bomb = factories.black_png(side, side)
    assert len(bomb) < 100_000
    upload = SimpleUploadedFile("bukti.png", bomb, content_type="image/png")
    with pytest.raises(PictureRefused) as refused:
        read_picture_header(upload)
    assert refused.value.too_many_pixels
    assert verified_image_format(upload) is None


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_copy_without_metadata_is_upright_and_keeps_its_colours(fmt):
    original = phone_photo(fmt)
    with Image.open(io.BytesIO(original)) as picture:
        assert picture.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the position is there

    clean = without_metadata(SimpleUploadedFile("foto", original))

    assert_no_metadata(clean)
    with Image.open(io.BytesIO(clean)) as picture:
        assert (picture.format, picture.size) == (fmt, (48, 64))  # turned upright
        assert picture.info.get("icc_profile")
        assert picture.getpixel((24, 32))[0] > 150  # still the red picture


def test_a_palette_picture_keeps_its_transparent_colour():
    out = io.BytesIO()
    picture = Image.new("P", (8, 8))
    picture.putpalette([0, 0, 0, 255, 0, 0])
    picture.save(out, "PNG", transparency=0)

    with Image.open(
        io.BytesIO(without_metadata(SimpleUploadedFile("p.png", out.getvalue())))
    ) as copy:
        assert copy.mode == "P" and copy.info["transparency"] == 0
