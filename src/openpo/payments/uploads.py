"""Checking an uploaded payment proof (size, type, pixels) and the private storage it is kept in.

A proof is a photo or screenshot of a transfer (JPEG, PNG, WebP) or a bank's PDF receipt. The
type is read from the file's first bytes, never from its name or the browser's claim; images
must also open with Pillow and hold at most as many pixels as a product photo, read from the
header before anything decodes them. Files go to a private folder under the data directory,
which no URL serves: the seller sees them through the dashboard only. That storage writes its
files readable by OpenPO's user alone (0600, folders 0700), and stores a picture encoded again
without its metadata (a phone photo's EXIF holds where it was taken); PDFs are kept as they are.
"""

import os
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from openpo.core.errors import DomainError
from openpo.core.images import MAX_PIXELS, PictureRefused, read_picture_header, without_metadata

MAX_PROOF_BYTES = 5 * 1024 * 1024
MAX_PROOF_PIXELS = MAX_PIXELS
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
}
PRIVATE_FILE_PERMISSIONS = 0o600
PRIVATE_DIRECTORY_PERMISSIONS = 0o700


class InvalidUpload(DomainError):
    code = "invalid_upload"
    http_status = 422
    default_message = _("This file cannot be used as a payment proof.")
    too_large = _("The file is too large: at most %(limit)s MB.")
    empty = _("The file is empty.")
    wrong_type = _("Upload a photo or screenshot (JPEG, PNG, WebP) or a PDF receipt.")
    broken_image = _("The image could not be opened; it may be damaged. Try another photo.")
    too_many_pixels = _(
        "The picture has too many pixels (more than %(limit)s megapixels). Send a screenshot "
        "or a smaller photo."
    )


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    extension: str
    size: int


class PrivateStorage(FileSystemStorage):
    """Files under settings.PRIVATE_MEDIA_ROOT (read at each use), with no public URL, readable
    by OpenPO's user only; pictures are stored without their metadata."""

    @property
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    @property
    def file_permissions_mode(self) -> int:
        return PRIVATE_FILE_PERMISSIONS

    @property
    def directory_permissions_mode(self) -> int:
        return PRIVATE_DIRECTORY_PERMISSIONS

    def url(self, name: str | None) -> str:
        raise ValueError("Payment proofs have no public URL.")

    def _save(self, name: str, content: File) -> str:
        content.seek(0)
        kind = sniff_type(content.read(16))
        content.seek(0)
        if kind is not None and kind.startswith("image/"):
            try:
                content = ContentFile(without_metadata(content, max_pixels=MAX_PROOF_PIXELS))
            except PictureRefused as refused:
                raise _picture_error(refused) from refused
        return super()._save(name, content)


def proof_storage() -> FileSystemStorage:
    return PrivateStorage()


def sniff_type(head: bytes) -> str | None:
    """The content type from the file's magic bytes, or None when it is not one we accept."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def _picture_error(refused: PictureRefused) -> InvalidUpload:
    if refused.too_many_pixels:
        return InvalidUpload(InvalidUpload.too_many_pixels, limit=MAX_PROOF_PIXELS // 1_000_000)
    return InvalidUpload(InvalidUpload.broken_image)


def check_proof(upload: UploadedFile) -> CheckedUpload:
    """Refuse what is too large, empty, not an accepted type, or an image that does not open
    or holds more than MAX_PROOF_PIXELS."""
    if upload.size > MAX_PROOF_BYTES:
        raise InvalidUpload(InvalidUpload.too_large, limit=MAX_PROOF_BYTES // (1024 * 1024))
    if upload.size == 0:
        raise InvalidUpload(InvalidUpload.empty)
    upload.seek(0)
    content_type = sniff_type(upload.read(16))
    upload.seek(0)
    if content_type is None:
        raise InvalidUpload(InvalidUpload.wrong_type)
    if content_type.startswith("image/"):
        try:
            read_picture_header(upload, max_pixels=MAX_PROOF_PIXELS)
        except PictureRefused as refused:
            raise _picture_error(refused) from refused
    return CheckedUpload(content_type, EXTENSIONS[content_type], upload.size)
