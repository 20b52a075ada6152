"""Checking a certificate upload: a PDF or an image (PNG, JPEG, WebP), at most 10 MB.

The content decides, not the name or the browser's content type: a PDF starts with
`%PDF-` and ends with `%%EOF`; an image must be one Pillow can open and verify.
"""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from core.errors import DomainError

MAX_BYTES = 10 * 1024 * 1024
IMAGE_FORMATS = {
    "PNG": ("image/png", "png"),
    "JPEG": ("image/jpeg", "jpg"),
    "WEBP": ("image/webp", "webp"),
}


def check_certificate(upload: UploadedFile) -> tuple[str, str]:
    """(content type, extension) of an acceptable file; DomainError otherwise."""
    size = upload.size or 0
    if size > MAX_BYTES:
        raise DomainError(
            _("The file is too large: at most 10 MB."), code="file_too_large", status=413
        )
    if size == 0:
        raise DomainError(_("The file is empty."), code="file_empty")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        upload.seek(max(0, size - 1024))
        tail = upload.read()
        upload.seek(0)
        if b"%%EOF" not in tail:
            raise DomainError(_("The PDF file is damaged."), code="file_invalid")
        return "application/pdf", "pdf"
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(upload) as image:
            image_format = image.format or ""
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        image_format = ""
    finally:
        upload.seek(0)
    if image_format not in IMAGE_FORMATS:
        raise DomainError(_("Upload a PDF or an image (PNG, JPEG or WebP)."), code="file_type")
    return IMAGE_FORMATS[image_format]
