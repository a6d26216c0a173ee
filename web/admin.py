"""The admin console: log in with a bearer token (exchanged for a signed session cookie), register
and edit Works, Projects, Instances and Items with validation errors shown beside their fields,
upload files, watch jobs live, see the upload history. Every form needs the session's CSRF token;
a form without a valid session gets 403. The field tables live in ``web.admin_forms``."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from kg.errors import Conflict, HeritageError, NotFound, ValidationError
from kg.tokens import fingerprint_of, role_of
from web import admin_forms as forms
from web import session
from web.render import render

router = APIRouter(include_in_schema=False)


def _forbidden(request: Request, detail: str) -> HTMLResponse:
    from web.pages import error_page

    return error_page(request, 403, detail)


def _console(
    request: Request,
    sess: session.Session | None,
    status: int = 200,
    kind: str = "work",
    form: dict | None = None,
    errors: dict | None = None,
    **values,
) -> HTMLResponse:
    """The console page; the recent-records and upload-history tables only for a live session."""
    ctx = request.app.state.ctx
    return render(
        request,
        "admin.html",
        status=status,
        session=sess,
        kind=kind,
        kinds=forms.KINDS,
        fields=forms.FIELDS[kind],
        list_fields=forms.LIST_FIELDS,
        form=form or {},
        errors=errors or {},
        recent=forms.recent_records(ctx) if sess else [],
        history=forms.upload_history(ctx) if sess else [],
        **values,
    )


@router.get("/admin", response_class=HTMLResponse)
def admin_home(request: Request, kind: str = "work") -> HTMLResponse:
    return _console(request, session.current(request), kind=kind if kind in forms.KINDS else "work")


@router.post("/admin/login", response_class=HTMLResponse)
def login(request: Request, token: str = Form(...)) -> HTMLResponse:
    data_dir = request.app.state.ctx.settings.data_dir
    role = role_of(data_dir, token.strip())
    if role is None or role[0] not in ("curator", "admin"):
        return _console(
            request,
            None,
            status=403,
            login_error="This token is unknown or may not write.",
        )
    response = RedirectResponse("/admin", status_code=303)
    response.set_cookie(
        session.COOKIE,
        session.issue(request, role[0], role[1], fingerprint_of(data_dir, token.strip()) or ""),
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


async def _save(request: Request, kind: str, mode: str, editing: str | None = None) -> HTMLResponse:
    """Check the session and CSRF token, build the record, write it; errors go back beside their
    fields with status 422 and what was typed kept (nothing is stored)."""
    sess = session.current(request)
    posted = {k: str(v) for k, v in (await request.form()).items()}
    if not session.csrf_ok(sess, posted.get("csrf")):
        return _forbidden(request, "This form needs a valid session; log in again.")
    ctx = request.app.state.ctx
    values = {name: posted.get(name, "") for name in forms.field_names(kind)}
    base = None
    if editing is not None:
        values["id"] = editing  # the id names the record being edited; it is not editable
        try:
            base = await asyncio.to_thread(ctx.records.get, editing, kind)
        except NotFound as exc:
            from web.pages import error_page

            return error_page(request, 404, exc.detail)
    record, errors = forms.record_from_form(kind, values, base)
    if not errors:
        try:
            result = await asyncio.to_thread(ctx.records.put, [record], mode)
        except Conflict as exc:
            errors = {"id": exc.detail}
        except ValidationError as exc:
            errors = forms.errors_from_violations(kind, exc.violations) or {"form": exc.detail}
        except HeritageError as exc:
            errors = {"form": exc.detail}
        else:
            if result.rejected:
                rejected = result.rejected[0]
                errors = forms.errors_from_violations(kind, rejected.violations) or {"form": rejected.reason}
    done = {"editing": editing} if editing is not None else {}
    if errors:
        return _console(request, sess, status=422, kind=kind, form=values, errors=errors, **done)
    if editing is not None:
        return _console(request, sess, kind=kind, form=values, saved=record["id"], **done)
    return _console(request, sess, kind=kind, created=record["id"], created_kind=kind)


@router.post("/admin/{plural}", response_class=HTMLResponse)
async def register(request: Request, plural: str) -> HTMLResponse:
    """Register a new Work, Project, Instance or Item (``/admin/works`` … ``/admin/items``)."""
    kind = forms.PLURALS.get(plural)
    if kind is None:
        from web.pages import error_page

        return error_page(request, 404, f"no such form: {plural}")
    return await _save(request, kind, "create")


@router.get("/admin/edit/{kind}/{ident}", response_class=HTMLResponse)
def edit_form(request: Request, kind: str, ident: str) -> HTMLResponse:
    """The same form, pre-filled with the stored record."""
    sess = session.current(request)
    if sess is None:
        return RedirectResponse("/admin", status_code=303)
    if kind not in forms.KINDS:
        return _forbidden(request, f"no such kind: {kind}")
    try:
        record = request.app.state.ctx.records.get(ident, kind)
    except NotFound as exc:
        from web.pages import error_page

        return error_page(request, 404, exc.detail)
    record = forms.relabel(request.app.state.ctx, record)
    return _console(request, sess, kind=kind, form=forms.form_from_record(record), editing=ident)


@router.post("/admin/edit/{kind}/{ident}", response_class=HTMLResponse)
async def edit_save(request: Request, kind: str, ident: str) -> HTMLResponse:
    """Replace the stored record with the edited one (fields the form does not show are kept)."""
    if kind not in forms.KINDS:
        return _forbidden(request, f"no such kind: {kind}")
    return await _save(request, kind, "replace", editing=ident)
