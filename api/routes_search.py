"""``GET /api/search``: hybrid search (concepts + keywords + multilingual e5) with facets (era,
material, use, type, museum, place of origin, find spot) and paging; the ranking lives in ``ml.semantic_search``."""

from fastapi import APIRouter, Depends, Query

from api.deps import get_ctx
from kg.context import HeritageContext
from ml.semantic_search import hybrid_search

router = APIRouter(prefix="/api", tags=["search"])


@router.get("/search")
def search(
    q: str = Query("", max_length=500),
    era: list[str] = Query([]),
    material: list[str] = Query([]),
    use: list[str] = Query([]),
    type: list[str] = Query([]),
    museum: list[str] = Query([]),
    place: list[str] = Query([], description="place of origin (hg:placeOfOrigin) concept IRIs"),
    find_spot: list[str] = Query([], description="excavation site (hg:findSpot) concept IRIs"),
    page: int = Query(1, ge=1, le=10_000),
    per_page: int = Query(20, ge=1, le=100),
    lang: str = Query("en", pattern="^(en|ko)$"),
    mode: str = Query(
        "hybrid",
        pattern="^(hybrid|semantic|keyword)$",
        description="hybrid: the keyword/concept matches ranked by meaning, followed, when they are "
        "fewer than a page, by works close in meaning above a similarity floor (match=meaning); "
        "semantic: every work "
        "the facets allow, ranked by meaning (finds works whose words do not match); keyword: "
        "matches ordered by title",
    ),
    ctx: HeritageContext = Depends(get_ctx),
) -> dict:
    """Works for a query in Korean or English, with facet counts over the whole result set."""
    facets = {
        "era": era,
        "material": material,
        "use": use,
        "type": type,
        "museum": museum,
        "place": place,
        "find_spot": find_spot,
    }
    result = hybrid_search(ctx, q, facets, page, per_page, lang, mode)
    return {"query": q, "page": page, "per_page": per_page, **result}
