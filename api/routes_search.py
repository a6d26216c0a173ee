"""``GET /api/search``: keyword search with facets (era, material, use, type, museum) and paging."""

from fastapi import APIRouter, Depends, Query

from api.deps import get_ctx
from kg.context import HeritageContext
from kg.search import search_works

router = APIRouter(prefix="/api", tags=["search"])


@router.get("/search")
def search(
    q: str = Query("", max_length=500),
    era: list[str] = Query([]),
    material: list[str] = Query([]),
    use: list[str] = Query([]),
    type: list[str] = Query([]),
    museum: list[str] = Query([]),
    page: int = Query(1, ge=1, le=10_000),
    per_page: int = Query(20, ge=1, le=100),
    lang: str = Query("en", pattern="^(en|ko)$"),
    ctx: HeritageContext = Depends(get_ctx),
) -> dict:
    facets = {"era": era, "material": material, "use": use, "type": type, "museum": museum}
    result = search_works(ctx.store, q, facets, page, per_page, lang)
    return {
        "query": q,
        "total": result.total,
        "page": page,
        "per_page": per_page,
        "hits": result.hits,
        "facets": result.facets,
    }
