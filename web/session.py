"""The admin console's session: a bearer token is checked once at login and exchanged for a signed
cookie (itsdangerous) carrying the role, a CSRF token and a fingerprint of the token, so forms never
resend the token, and revoking the token (``heritage token revoke``) ends its sessions at once."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from kg.tokens import fingerprint_valid

COOKIE = "hg_session"
MAX_AGE_S = 8 * 3600
# without a configured secret, sessions last as long as the process: safe, and fine on a laptop
_PROCESS_SECRET = secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Session:
    role: str
    name: str
    csrf: str


def _serializer(request: Request) -> URLSafeTimedSerializer:
    secret = request.app.state.settings.session_secret or _PROCESS_SECRET
    return URLSafeTimedSerializer(secret, salt="heritage-admin-session")


def issue(request: Request, role: str, name: str, token_fingerprint: str) -> str:
    """A signed cookie value for a freshly logged-in curator, with a new CSRF token."""
    return _serializer(request).dumps(
        {"role": role, "name": name, "csrf": secrets.token_urlsafe(24), "tok": token_fingerprint}
    )


def current(request: Request) -> Session | None:
    """The session from the cookie, or None when absent, tampered with or expired."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = _serializer(request).loads(raw, max_age=MAX_AGE_S)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("role") not in ("curator", "admin"):
        return None
    # the token it was made from must still exist: a revoked token's sessions end with it
    if not fingerprint_valid(request.app.state.settings.data_dir, str(data.get("tok", ""))):
        return None
    return Session(data["role"], str(data.get("name", "")), str(data.get("csrf", "")))


def csrf_ok(session: Session | None, token: str | None) -> bool:
    """A form is accepted only with a live session and that session's CSRF token."""
    return bool(session and token and session.csrf and hmac.compare_digest(session.csrf, token))
