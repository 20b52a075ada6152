"""The API's list pagination: ninja's limit/offset, with bounds a database can hold.

ninja accepts any integer for `offset` and `limit`; one beyond 64 bits reached the database
and failed there (500). Both are bounded here, so such a value is a 422 field error.
"""

from __future__ import annotations

from django.conf import settings
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination as NinjaLimitOffsetPagination

# Far below 2**63 even with a limit added, and more rows than any list here will hold.
MAX_OFFSET = 2**53 - 1
MAX_LIMIT = 10_000


class LimitOffsetPagination(NinjaLimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(
            settings.NINJA_PAGINATION_PER_PAGE,
            ge=1,
            le=MAX_LIMIT,
            description="How many items, at most.",
        )
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many items to skip.")
