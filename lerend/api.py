"""The JSON API at /api/v1/. Each app adds its router in `<app>/api.py`."""

from typing import Any

from ninja import NinjaAPI

from accounts.api import router as accounts_router
from accounts.api_auth import api_auth
from actions.api import router as actions_router
from core.api_errors import register_error_handlers
from core.api_parser import JsonParser
from core.openapi import complete
from formats.api import router as formats_router
from learning.api import router as learning_router
from orgs.api import router as orgs_router
from portfolio.api import router as portfolio_router
from scans.api import router as scans_router
from workshops.api import router as workshops_router
from workshops.api_review import review_router
from workshops.api_summary import summary_router


class Api(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """ninja's schema with every answer documented (core.openapi)."""
        return complete(super().get_openapi_schema(**kwargs))


api = Api(
    title="lerend API",
    version="1",
    urls_namespace="api",
    auth=api_auth,
    docs_url="/docs",
    parser=JsonParser(),
)
register_error_handlers(api)
api.add_router("", accounts_router)
api.add_router("/organisations", orgs_router)
api.add_router("/formats", formats_router)
api.add_router("", workshops_router)
api.add_router("", review_router)
api.add_router("", summary_router)
api.add_router("", scans_router)
api.add_router("/me/portfolio", portfolio_router)
api.add_router("", learning_router)
api.add_router("", actions_router)
