"""Private storage for certificates: outside MEDIA_ROOT, never served by a static route.

Files live under settings.PORTFOLIO_FILES_ROOT and are only ever streamed by the owner's
own view (portfolio.views.certificate), which checks who asks.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible
class PrivateStorage(FileSystemStorage):
    """A file system storage whose root is read from settings on every use (tests move it)."""

    def __init__(self) -> None:
        super().__init__(base_url=None)

    @property  # type: ignore[override]
    def base_location(self) -> str:
        return str(settings.PORTFOLIO_FILES_ROOT)

    @property  # type: ignore[override]
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no public URL.")


private_storage = PrivateStorage()
