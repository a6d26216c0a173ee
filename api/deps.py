"""FastAPI dependencies: the shared context and bearer-token auth for writes."""

from __future__ import annotations

from fastapi import Request

from kg.context import HeritageContext
from kg.errors import Forbidden, Unauthorized
from kg.tokens import role_of


def get_ctx(request: Request) -> HeritageContext:
    return request.app.state.ctx


def current_role(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return role_of(get_ctx(request).settings.data_dir, header[7:].strip())
    session = getattr(request.state, "session_role", None)
    return session


def require_curator(request: Request) -> tuple[str, str]:
    """Writes need a curator or admin token (``Authorization: Bearer ...``)."""
    role = current_role(request)
    if role is None:
        raise Unauthorized("this write needs a bearer token (create one with `heritage token create`)")
    if role[0] not in ("curator", "admin"):
        raise Forbidden("this token's role may not write")
    return role


def require_admin(request: Request) -> tuple[str, str]:
    role = require_curator(request)
    if role[0] != "admin":
        raise Forbidden("this action needs an admin token")
    return role
