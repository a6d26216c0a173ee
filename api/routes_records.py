"""CRUD for Works, Projects, Instances and Items (thin: the record layer does the work)."""

import uuid

from fastapi import APIRouter, Depends, Query, Request, Response

from api.deps import get_ctx, require_curator
from api.jobs import JobRegistry, registry_of
from api.models import InstanceIn, ItemIn, ProjectIn, WorkIn
from kg.context import HeritageContext
from kg.errors import ValidationError
from kg.files import remove_item_files

router = APIRouter(prefix="/api", tags=["records"])


def _to_record(kind: str, body, ident: str | None = None) -> dict:
    record = body.model_dump(exclude_none=True)
    record["kind"] = kind
    record["id"] = ident or record.get("id") or f"{kind[:4]}-{uuid.uuid4().hex[:12]}"
    if isinstance(record.get("title"), str):
        record["title"] = {"en": record["title"]}
    if isinstance(record.get("description"), str):
        record["description"] = {"en": record["description"]}
    return record


def _write(ctx: HeritageContext, record: dict, mode: str, jobs: JobRegistry | None = None) -> dict:
    result = ctx.records.put([record], mode=mode)
    if result.rejected:
        r = result.rejected[0]
        raise ValidationError(r.reason, r.violations or [{"record": r.id, "field": "", "message": r.reason}])
    after_write(ctx, jobs)
    return ctx.records.get(record["id"], record["kind"])


def after_write(ctx: HeritageContext, jobs: JobRegistry | None = None) -> None:
    """Hooks that keep read models fresh: Neo4j auto-sync when configured, and the vector indexes
    (in a background job, only those already built: see ``ml.index_sync``)."""
    if ctx.settings.neo4j_auto_sync and ctx.settings.neo4j_uri:
        try:
            from kg.neo4j_sync import sync_after_write

            sync_after_write(ctx)
        except Exception:  # noqa: BLE001 - the store is the source of truth; sync resumes later
            pass
    if jobs is not None:
        schedule_index_refresh(ctx, jobs)


def schedule_index_refresh(ctx: HeritageContext, jobs: JobRegistry) -> None:
    """Refresh the existing vector indexes in the background (their status shows in /api/jobs)."""
    try:
        from ml.index_sync import existing_indexes, refresh_indexes
    except ImportError:  # the ML extras are not installed
        return
    if any(existing_indexes(ctx).values()):
        jobs.submit("refresh-indexes", "vectors", lambda report: refresh_indexes(ctx))


MAX_PAGE = 1_000_000  # an offset past this is no listing; and a huge one broke the SPARQL (400)


def get_jobs(request: Request) -> JobRegistry:
    return registry_of(request.app)


def _list(ctx: HeritageContext, kind: str, page: int, per_page: int) -> dict:
    total = ctx.records.count(kind)
    rows = ctx.store.select(
        f'SELECT ?id WHERE {{ GRAPH <{ctx.iris.changelog_graph}> {{ ?s hg:recordKind "{kind}" ; '
        f"hg:deleted false ; hg:recordId ?id }} }} ORDER BY ?id LIMIT {per_page} OFFSET {(page - 1) * per_page}"
    )
    items = [ctx.records.get(r["id"].value, kind) for r in rows]
    return {"total": total, "page": page, "per_page": per_page, "items": items}


def _add_routes(plural: str, kind: str, model) -> None:
    @router.get(f"/{plural}", name=f"list_{plural}")
    def list_records(
        page: int = Query(1, ge=1, le=MAX_PAGE),
        per_page: int = Query(20, ge=1, le=200),
        ctx: HeritageContext = Depends(get_ctx),
    ) -> dict:
        return _list(ctx, kind, page, per_page)

    @router.get(f"/{plural}/{{ident}}", name=f"get_{kind}")
    def get_record(ident: str, ctx: HeritageContext = Depends(get_ctx)) -> dict:
        return ctx.records.get(ident, kind)

    @router.post(f"/{plural}", status_code=201, name=f"create_{kind}")
    def create_record(
        body: model,
        response: Response,
        ctx: HeritageContext = Depends(get_ctx),
        jobs: JobRegistry = Depends(get_jobs),
        _role=Depends(require_curator),
    ) -> dict:
        record = _write(ctx, _to_record(kind, body), "create", jobs)
        response.headers["Location"] = f"/api/{plural}/{record['id']}"
        return record

    @router.put(f"/{plural}/{{ident}}", name=f"replace_{kind}")
    def replace_record(
        ident: str,
        body: model,
        ctx: HeritageContext = Depends(get_ctx),
        jobs: JobRegistry = Depends(get_jobs),
        _role=Depends(require_curator),
    ) -> dict:
        return _write(ctx, _to_record(kind, body, ident), "replace", jobs)

    @router.delete(f"/{plural}/{{ident}}", status_code=204, name=f"delete_{kind}")
    def delete_record(
        ident: str,
        ctx: HeritageContext = Depends(get_ctx),
        jobs: JobRegistry = Depends(get_jobs),
        _role=Depends(require_curator),
    ) -> Response:
        ctx.records.delete(ident, kind)
        if kind == "item":
            remove_item_files(ctx.files_dir, ident)
        after_write(ctx, jobs)
        return Response(status_code=204)


for _plural, _kind, _model in (
    ("works", "work", WorkIn),
    ("projects", "project", ProjectIn),
    ("instances", "instance", InstanceIn),
    ("items", "item", ItemIn),
):
    _add_routes(_plural, _kind, _model)


@router.get("/stats", tags=["records"])
def stats(request: Request, ctx: HeritageContext = Depends(get_ctx)) -> dict:
    from kg.cli import stats_of

    return stats_of(ctx)
