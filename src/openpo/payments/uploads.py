"""Checking an uploaded payment proof: size, and that the bytes really are what the name says.

A proof is a photo or screenshot of a transfer (JPEG, PNG, WebP) or a bank's PDF receipt. The
type is read from the file's first bytes, never from its name or the browser's claim; images
must also open with Pillow. Files go to a private folder under the data directory, which no
URL serves: the seller sees them through the dashboard only.
"""

import os
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from openpo.core.errors import DomainError
from openpo.core.images import verified_image_format

MAX_PROOF_BYTES = 5 * 1024 * 1024
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
}


class InvalidUpload(DomainError):
    code = "invalid_upload"
    http_status = 422
    default_message = _("This file cannot be used as a payment proof.")
    too_large = _("The file is too large: at most %(limit)s MB.")
    empty = _("The file is empty.")
    wrong_type = _("Upload a photo or screenshot (JPEG, PNG, WebP) or a PDF receipt.")
    broken_image = _("The image could not be opened; it may be damaged. Try another photo.")


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    extension: str
    size: int


class PrivateStorage(FileSystemStorage):
    """Files under settings.PRIVATE_MEDIA_ROOT (read at each use), with no public URL."""

    @property
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Payment proofs have no public URL.")


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


def check_proof(upload: UploadedFile) -> CheckedUpload:
    """Refuse what is too large, empty, not an accepted type, or an image that does not open."""
    if upload.size > MAX_PROOF_BYTES:
        raise InvalidUpload(InvalidUpload.too_large, limit=MAX_PROOF_BYTES // (1024 * 1024))
    if upload.size == 0:
        raise InvalidUpload(InvalidUpload.empty)
    upload.seek(0)
    content_type = sniff_type(upload.read(16))
    upload.seek(0)
    if content_type is None:
        raise InvalidUpload(InvalidUpload.wrong_type)
    if content_type.startswith("image/") and verified_image_format(upload) is None:
        raise InvalidUpload(InvalidUpload.broken_image)
    return CheckedUpload(content_type, EXTENSIONS[content_type], upload.size)
