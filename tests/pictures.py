"""Pictures as phones save them, and the check that a stored copy kept none of their metadata."""

import io

from PIL import ExifTags, Image, ImageCms


def phone_photo(fmt: str = "JPEG", size: tuple[int, int] = (64, 48)) -> bytes:
    """A picture as a phone saves it: EXIF with the GPS position, the camera and orientation 6
    (turn 90° to show it upright), XMP, a comment and a colour profile."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "KameraHP"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "S"
    gps[ExifTags.GPS.GPSLatitude] = (6.0, 12.0, 30.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (106.0, 49.0, 0.0)
    options = {
        "exif": exif,
        "xmp": b"<x:xmpmeta>Jl. Melati No. 5</x:xmpmeta>",
        "icc_profile": ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes(),
    }
    if fmt == "JPEG":
        options["comment"] = b"difoto di rumah"
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, fmt, **options)
    return out.getvalue()


def assert_no_metadata(data: bytes) -> None:
    with Image.open(io.BytesIO(data)) as picture:
        assert not picture.getexif(), "EXIF left"
        assert not set(picture.info) & {"exif", "xmp", "comment", "XML:com.adobe.xmp"}
    for secret in (b"KameraHP", b"Melati", b"rumah", b"GPS"):
        assert secret not in data
