"""The JSON API at /api/v1/. Each app adds its router in `<app>/api.py`."""

from ninja import NinjaAPI

from accounts.api import router as accounts_router
from accounts.api_auth import api_auth
from actions.api import router as actions_router
from core.api_errors import register_error_handlers
from formats.api import router as formats_router
from orgs.api import router as orgs_router
from scans.api import router as scans_router
from workshops.api import router as workshops_router

api = NinjaAPI(
    title="lerend API",
    version="1",
    urls_namespace="api",
    auth=api_auth,
    docs_url="/docs",
)
register_error_handlers(api)
api.add_router("", accounts_router)
api.add_router("/organisations", orgs_router)
api.add_router("/formats", formats_router)
api.add_router("", workshops_router)
api.add_router("", scans_router)
api.add_router("", actions_router)
