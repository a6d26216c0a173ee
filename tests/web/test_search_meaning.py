"""Search by meaning on the demo collection, through the API and the page: hybrid search fills a
short matched set with works close in meaning (above a floor), the facets count what is shown,
Korean queries keep their concept matches, and without a text index the page says it is keyword
search. Slow: it builds the e5 text index of the 30 demo works."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.context import HeritageContext
from kg.settings import load_settings
from ml.semantic_search import SEMANTIC_MARGIN, build_text_index
from tests.web.conftest import copy_demo

pytestmark = pytest.mark.slow
PENSIVE = {"nt-078", "nt-083"}  # the seated, pensive (meditating) gilt-bronze bodhisattvas
CELADON = {"nt-068", "nt-094", "nt-095", "nt-097", "nt-116"}


@pytest.fixture(scope="module")
def client(demo_dir, tmp_path_factory):
    data = copy_demo(demo_dir, tmp_path_factory.mktemp("meaning") / "data")
    ctx = HeritageContext.open(load_settings(data))
    try:
        assert build_text_index(ctx) == 30
    finally:
        ctx.close()
    with TestClient(create_app(load_settings(data))) as c:
        yield c


def _search(client, **params) -> dict:
    res = client.get("/api/search", params=params)
    assert res.status_code == 200, res.text
    return res.json()


def test_meditating_saint_is_found_by_meaning(client):
    assert _search(client, q="meditating saint", mode="keyword")["total"] == 0  # no word matches
    body = _search(client, q="meditating saint")
    ids = [h["id"] for h in body["hits"]]
    assert set(ids) >= PENSIVE and body["matched"] == 0 and body["added_by_meaning"] == body["total"]
    assert all(h["match"] == "meaning" and h["score"] >= SEMANTIC_MARGIN for h in body["hits"])
    assert body["total"] < 15  # a floor, not the whole collection of 30
    # the facets describe the works shown: every one is counted once under its museum
    assert sum(v["count"] for v in body["facets"]["museum"]) == body["total"]
    buddha = next(v for v in body["facets"]["type"] if v["label"] == "Buddha statue")
    only = _search(client, q="meditating saint", type=buddha["value"])
    assert only["total"] == buddha["count"] and {h["id"] for h in only["hits"]} >= PENSIVE


def test_unrelated_query_adds_little_or_nothing(client):
    assert _search(client, q="jazz music")["total"] == 0
    quantum = _search(client, q="quantum chromodynamics")
    assert quantum["added_by_meaning"] <= 2
    assert all(h["match"] == "meaning" and h["score"] >= SEMANTIC_MARGIN for h in quantum["hits"])
    assert not PENSIVE & {h["id"] for h in quantum["hits"]}


def test_matched_works_come_first_and_a_full_page_is_not_filled(client):
    body = _search(client, q="celadon")
    assert body["matched"] == 5 and {h["id"] for h in body["hits"][:5]} == CELADON
    assert all(h["match"] == "words" for h in body["hits"][:5])
    assert all(h["match"] == "meaning" for h in body["hits"][5:])
    semantic = _search(client, q="celadon", mode="semantic")
    assert semantic["total"] == 30 and {h["match"] for h in semantic["hits"]} == {"meaning"}
    full_page = _search(client, q="celadon", per_page=3)
    assert full_page["total"] == 5 and full_page["added_by_meaning"] == 0


def test_korean_queries_still_work(client):
    body = _search(client, q="청자")  # "celadon" in Korean: reaches the works through the concept
    assert {h["id"] for h in body["hits"][: body["matched"]]} == CELADON and body["matched"] == 5
    assert _search(client, q="양자 색역학")["total"] == 0  # "quantum chromodynamics" adds nothing


def test_page_ranks_by_meaning(client):
    page = client.get("/search", params={"q": "meditating saint"}, headers={"accept": "text/html"}).text
    assert 'id="keyword-only"' not in page
    by_meaning = page.split('id="by-meaning"', 1)[1]
    assert all(f"/page/work/{i}" in by_meaning for i in PENSIVE)
    assert re.search(r'id="total">(\d+)<', page).group(1) == str(
        _search(client, q="meditating saint")["total"]
    )
    assert 'data-facet="type"' in page and "Buddha statue" in page
    ko = client.get("/search", params={"q": "청자", "lang": "ko"}, headers={"accept": "text/html"}).text
    matched = ko.split('id="matched"', 1)[1].split("</ul>", 1)[0]
    assert all(f"/page/work/{i}" in matched for i in CELADON)


def test_page_without_text_index_says_keyword_search(data_dir: Path):
    with TestClient(create_app(load_settings(data_dir))) as c:
        page = c.get("/search", params={"q": "meditating saint"}, headers={"accept": "text/html"}).text
        assert 'id="keyword-only"' in page and "heritage embed --text" in page
        assert 'id="by-meaning"' not in page
        celadon = c.get("/search", params={"q": "celadon"}, headers={"accept": "text/html"}).text
        assert all(f"/page/work/{i}" in celadon for i in CELADON)
