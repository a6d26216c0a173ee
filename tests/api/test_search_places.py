"""Region (hg:placeOfOrigin) and excavation-site (hg:findSpot) facets, as e-Museum offers: the
API filters by concept IRI and counts each facet over the result set; the page lists both."""

from __future__ import annotations

from urllib.parse import quote

import pytest

WORKS = [
    ("p1", "Gold earring", "Gyeongju", "Hwangnam Daechong"),
    ("p2", "Gold crown", "Gyeongju", "Hwangnam Daechong"),
    ("p3", "Bronze mirror", "Gyeongju", "Cheonmachong"),
    ("p4", "Iron sword", "Gimhae", "Daeseong-dong"),
    ("p5", "Gold belt", None, None),
]


@pytest.fixture
def places_api(api):
    records = []
    for ident, title, place, spot in WORKS:
        rec = {"kind": "work", "id": ident, "identifier": ident, "title": {"en": title}}
        if place:
            rec["place_of_origin"] = [place]
            rec["find_spot"] = [spot]
        records.append(rec)
    api.ctx.records.put(records)
    return api


def _facet(body: dict, name: str) -> dict[str, int]:
    return {v["label"]: v["count"] for v in body["facets"][name]}


def test_place_and_find_spot_facets_count_and_filter(places_api):
    client = places_api.client
    body = client.get("/api/search", params={"mode": "keyword"}).json()
    assert body["total"] == 5
    assert _facet(body, "place") == {"Gyeongju": 3, "Gimhae": 1}
    assert _facet(body, "find_spot") == {"Hwangnam Daechong": 2, "Cheonmachong": 1, "Daeseong-dong": 1}
    gyeongju = next(v["value"] for v in body["facets"]["place"] if v["label"] == "Gyeongju")
    assert gyeongju == "https://w3id.org/heritage-graph/scheme/place/gyeongju"  # a scheme concept
    local = next(v["value"] for v in body["facets"]["find_spot"] if v["label"] == "Daeseong-dong")
    assert local.endswith("/id/concept/place-daeseong-dong")  # not in the scheme: a local concept
    korean = client.get("/api/search", params={"mode": "keyword", "lang": "ko"}).json()
    assert _facet(korean, "place")["경주"] == 3

    by_place = client.get("/api/search", params={"place": gyeongju}).json()
    assert sorted(h["id"] for h in by_place["hits"]) == ["p1", "p2", "p3"]
    # the counts describe the filtered set: Gimhae's site is gone
    assert _facet(by_place, "find_spot") == {"Hwangnam Daechong": 2, "Cheonmachong": 1}

    tomb = next(v["value"] for v in body["facets"]["find_spot"] if v["label"] == "Hwangnam Daechong")
    gold = client.get("/api/search", params={"q": "gold", "find_spot": tomb}).json()
    assert sorted(h["id"] for h in gold["hits"]) == ["p1", "p2"]


def test_search_page_lists_region_and_site_facets(places_api):
    client = places_api.client
    page = client.get("/search", headers={"accept": "text/html"}).text
    assert 'data-facet="place"' in page and 'data-facet="find_spot"' in page
    assert "Region of origin" in page and "Excavation site" in page
    body = client.get("/api/search", params={"mode": "keyword"}).json()
    cheonma = next(v["value"] for v in body["facets"]["find_spot"] if v["label"] == "Cheonmachong")
    filtered = client.get(f"/search?find_spot={quote(cheonma, safe='')}", headers={"accept": "text/html"})
    assert "Bronze mirror" in filtered.text and "Gold crown" not in filtered.text
    ko = client.get("/search?lang=ko", headers={"accept": "text/html"}).text
    assert "출토지" in ko and "지역" in ko
