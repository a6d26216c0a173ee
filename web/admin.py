"""The admin console: log in with a bearer token (exchanged for a signed session cookie), register
a Work with validation errors shown beside their fields, upload files, watch jobs live. Every
form needs the session's CSRF token; a form without a valid session gets 403."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from kg.errors import Conflict, HeritageError, ValidationError
from kg.tokens import role_of
from web import session
from web.render import render

router = APIRouter(include_in_schema=False)
WORK_FIELDS = (
    "id",
    "title_en",
    "title_ko",
    "description_en",
    "object_type",
    "era",
    "material",
    "use",
    "museum",
    "begin_year",
    "end_year",
)


def _forbidden(request: Request, detail: str) -> HTMLResponse:
    from web.pages import error_page

    return error_page(request, 403, detail)


def work_record(form: dict[str, str]) -> tuple[dict, dict[str, str]]:
    """The record dict for the registration form, and the errors the form itself can see
    (the graph's SHACL validation reports the rest)."""
    errors: dict[str, str] = {}
    record: dict = {"kind": "work", "id": form["id"].strip()}
    titles = {
        lang: form[f"title_{lang}"].strip() for lang in ("en", "ko") if form.get(f"title_{lang}", "").strip()
    }
    if titles:
        record["title"] = titles
    if form.get("description_en", "").strip():
        record["description"] = {"en": form["description_en"].strip()}
    for name in ("object_type", "era", "material", "use", "museum"):
        if form.get(name, "").strip():
            record[name] = form[name].strip()
    for name in ("begin_year", "end_year"):
        text = form.get(name, "").strip()
        if text:
            try:
                record[name] = int(text)
            except ValueError:
                errors[name] = "a whole year, negative for BCE (e.g. -300)"
    return record, errors


def _violations(exc_or_rejected) -> dict[str, str]:
    out: dict[str, str] = {}
    for v in getattr(exc_or_rejected, "violations", []) or []:
        field = str(v.get("field") or "form").split(".")[0]
        out.setdefault(field, v.get("message", "invalid"))
    return out


def _console(request: Request, sess: session.Session | None, status: int = 200, **values) -> HTMLResponse:
    return render(request, "admin.html", status=status, session=sess, **values)


@router.get("/admin", response_class=HTMLResponse)
def admin_home(request: Request) -> HTMLResponse:
    return _console(request, session.current(request), form={}, errors={})


@router.post("/admin/login", response_class=HTMLResponse)
def login(request: Request, token: str = Form(...)) -> HTMLResponse:
    role = role_of(request.app.state.ctx.settings.data_dir, token.strip())
    if role is None or role[0] not in ("curator", "admin"):
        return _console(
            request,
            None,
            status=403,
            login_error="This token is unknown or may not write.",
            form={},
            errors={},
        )
    response = RedirectResponse("/admin", status_code=303)
    response.set_cookie(
        session.COOKIE,
        session.issue(request, role[0], role[1]),
        max_age=session.MAX_AGE_S,
        httponly=True,
        samesite="strict",
        path="/",
    )
    return response


@router.post("/admin/logout")
def logout(request: Request, csrf: str = Form("")) -> HTMLResponse:
    if not session.csrf_ok(session.current(request), csrf):
        return _forbidden(request, "This form needs a valid session; log in again.")
    response = RedirectResponse("/admin", status_code=303)
    response.delete_cookie(session.COOKIE, path="/")
    return response


@router.post("/admin/works", response_class=HTMLResponse)
async def register_work(request: Request) -> HTMLResponse:
    sess = session.current(request)
    form = {k: str(v) for k, v in (await request.form()).items()}
    if not session.csrf_ok(sess, form.get("csrf")):
        return _forbidden(request, "This form needs a valid session; log in again.")
    values = {k: form.get(k, "") for k in WORK_FIELDS}
    record, errors = work_record(values)
    if not errors:
        ctx = request.app.state.ctx
        try:
            result = await asyncio.to_thread(ctx.records.put, [record], "create")
        except Conflict as exc:
            errors = {"id": exc.detail}
        except ValidationError as exc:
            errors = _violations(exc) or {"form": exc.detail}
        except HeritageError as exc:
            errors = {"form": exc.detail}
        else:
            if result.rejected:
                errors = _violations(result.rejected[0]) or {"form": result.rejected[0].reason}
    if errors:
        return _console(request, sess, status=422, form=values, errors=errors)
    return _console(request, sess, form={}, errors={}, created=record["id"])
