"""Template rendering shared by the public pages and the admin console: one Jinja2 environment
(autoescape on), the page language from ``?lang=`` kept in a cookie, and the label helpers."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from web.i18n import LANGS, normalise_lang, pick, t

WEB_DIR = Path(__file__).resolve().parent
LANG_COOKIE = "hg_lang"

templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))
templates.env.autoescape = True  # every template, whatever its extension
templates.env.globals.update(t=t, pick=pick, LANGS=LANGS)


def page_lang(request: Request) -> str:
    """``?lang=`` wins, then the cookie, then English."""
    return normalise_lang(request.query_params.get("lang") or request.cookies.get(LANG_COOKIE))


def render(request: Request, name: str, status: int = 200, **values: object) -> HTMLResponse:
    """Render a page; remember an explicit ``?lang=`` choice for the next pages."""
    lang = page_lang(request)
    switch = request.url.include_query_params(lang="ko" if lang == "en" else "en")
    response = templates.TemplateResponse(
        request,
        name,
        {"lang": lang, "switch_url": f"{switch.path}?{switch.query}", **values},
        status_code=status,
    )
    if request.query_params.get("lang") in LANGS:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response
