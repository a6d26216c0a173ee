"""Server-rendered pages (Jinja2). Error pages are friendly HTML for browsers."""

from __future__ import annotations

import html

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)


def error_page(request: Request, status: int, detail: str) -> HTMLResponse:
    body = (
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Heritage Graph</title></head>"
        f"<body><h1>{status}</h1><p>{html.escape(detail)}</p><p><a href='/'>Home</a></p></body></html>"
    )
    return HTMLResponse(body, status_code=status)
