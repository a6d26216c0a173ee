"""The public pages through the real app and the demo collection: home, search with facets and
paging, the Work page (metadata, layers, viewers, related works, JSON-LD), layer pages, 404s."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

GORYEO = "https://w3id.org/heritage-graph/scheme/era/goryeo"
CELADON = "https://w3id.org/heritage-graph/scheme/material/celadon"


class Collect(HTMLParser):
    """Links, images, checkboxes and JSON-LD blocks of a page, read with a real HTML parser."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.images: list[str] = []
        self.checked: list[tuple[str, str]] = []
        self.json_ld: list[str] = []
        self._in_ld = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "img" and a.get("src"):
            self.images.append(a["src"])
        if tag == "input" and a.get("type") == "checkbox" and "checked" in a:
            self.checked.append((a["name"], a["value"]))
        self._in_ld = tag == "script" and a.get("type") == "application/ld+json"

    def handle_data(self, data):
        if self._in_ld:
            self.json_ld.append(data)

    def handle_endtag(self, tag):
        self._in_ld = False


def parse(text: str) -> Collect:
    p = Collect()
    p.feed(text)
    return p


def total_of(text: str) -> int:
    return int(re.search(r'id="total">(\d+)<', text).group(1))


def test_home_shows_search_and_featured_works(client):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = parse(r.text)
    works = [link for link in page.links if link.startswith("/page/work/")]
    assert len(works) == 8
    assert all(src.startswith("/files/") for src in page.images)
    assert 'action="/search"' in r.text


def test_search_facets_filter_and_count(client):
    everything = client.get("/search")
    assert total_of(everything.text) == 30
    goryeo = client.get("/search", params={"era": GORYEO})
    n_goryeo = total_of(goryeo.text)
    assert 0 < n_goryeo < 30
    assert ("era", GORYEO) in parse(goryeo.text).checked
    # the facet count shown on the unfiltered page equals what the filter returns
    count = re.search(
        r'value="' + re.escape(GORYEO) + r'"\s*>\s*[^<]*<span class="count">(\d+)<', everything.text
    )
    assert count and int(count.group(1)) == n_goryeo
    both = client.get("/search", params=[("era", GORYEO), ("material", CELADON)])
    assert 0 < total_of(both.text) <= n_goryeo


def test_search_korean_query_reaches_concepts(client):
    r = client.get("/search", params={"q": "청자"})
    assert total_of(r.text) > 0
    assert any(link.startswith("/page/work/nt-") for link in parse(r.text).links)


def test_search_paging(client):
    first = parse(client.get("/search", params={"page": 1}).text)
    second_page = client.get("/search", params={"page": 2})
    second = parse(second_page.text)
    works1 = {link for link in first.links if link.startswith("/page/work/")}
    works2 = {link for link in second.links if link.startswith("/page/work/")}
    assert len(works1) == 12 and works2 and not works1 & works2
    assert 'rel="prev"' in second_page.text and 'rel="next"' in second_page.text
    empty = client.get("/search", params={"q": "zzzz-no-such-thing"})
    assert total_of(empty.text) == 0


def test_work_page_layers_viewers_and_downloads(client):
    r = client.get("/page/work/nt-097")
    assert r.status_code == 200
    page = parse(r.text)
    assert "<model-viewer" in r.text and "/static/vendor/model-viewer.min.js" in r.text
    assert "/page/project/proj-3d-scan-2024" in page.links
    assert "/page/instance/inst-nt-097-3d" in page.links
    downloads = [link for link in page.links if link.startswith("/files/")]
    assert {d.rsplit(".", 1)[-1] for d in downloads} >= {"png", "glb"}
    glb = client.get(next(d for d in downloads if d.endswith(".glb")))
    assert glb.status_code == 200 and glb.content[:4] == b"glTF"


def test_work_page_json_ld(client):
    """The page embeds the Schema.org crosswalk's output (the same as `heritage export -f schema`)."""
    page = parse(client.get("/page/work/nt-097").text)
    assert len(page.json_ld) == 1
    doc = json.loads(page.json_ld[0])
    assert doc["@type"] == "VisualArtwork"
    assert {"@value": "청자 음각연화당초문 매병", "@language": "ko"} in doc["name"]
    materials = [n["@value"] for m in doc["material"] for n in m["name"] if n.get("@language") == "en"]
    assert any(m.lower().startswith("celadon") for m in materials)
    assert doc["temporalCoverage"][0] == "1100/1200"
    assert doc["image"].endswith("/files/item-nt-097-png/nt-097.png")
    assert doc["mainEntityOfPage"].endswith("/page/work/nt-097")
    assert doc["sourceOrganization"]["name"] == "National Museum of Korea"
    media = {m.get("encodingFormat") for m in doc["associatedMedia"]}
    assert {"image/png", "model/gltf-binary"} <= media


def test_related_works_share_concepts(client):
    r = client.get("/page/work/nt-097")
    related = r.text.split('class="related"', 1)[1]
    ids = re.findall(r'href="/page/work/([^"]+)"', related)
    assert ids and "nt-097" not in ids
    # the best-ranked related work shares era, material and type (a Goryeo celadon maebyeong)
    assert ids[0] == "nt-068"


def test_language_switch_is_remembered(client):
    ko = client.get("/page/work/nt-097", params={"lang": "ko"})
    assert '<html lang="ko">' in ko.text and "<h1>청자 음각연화당초문 매병</h1>" in ko.text
    assert ko.cookies.get("hg_lang") == "ko"
    again = client.get("/page/work/nt-097")  # the client keeps the cookie
    assert '<html lang="ko">' in again.text and "재질" in again.text
    en = client.get("/page/work/nt-097", params={"lang": "en"})
    assert "<h1>Celadon Prunus Vase with Incised Lotus Scroll Design</h1>" in en.text


@pytest.mark.parametrize(
    "url, text",
    [
        ("/page/project/proj-3d-scan-2024", "2024-04-01"),
        ("/page/instance/inst-nt-097-3d", "/page/work/nt-097"),
        ("/page/item/item-nt-097-png", "/files/item-nt-097-png/nt-097.png"),
    ],
)
def test_layer_pages(client, url, text):
    r = client.get(url)
    assert r.status_code == 200 and text in r.text


@pytest.mark.parametrize("url", ["/page/work/no-such-work", "/page/item/nt-097", "/page/thing/x", "/nowhere"])
def test_unknown_ids_get_a_friendly_404(client, url):
    r = client.get(url)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert 'href="/"' in r.text and "<h1>404" in r.text


def test_api_errors_stay_json(client):
    r = client.get("/api/works/no-such-work", headers={"accept": "application/json"})
    assert r.headers["content-type"].startswith("application/problem+json")


def test_search_input_is_escaped_and_bad_parameters_are_tolerated(client):
    hostile = '"><script>alert(1)</script>'
    r = client.get("/search", params={"q": hostile, "page": "x", "era": "not-an-iri"})
    assert r.status_code == 200
    assert "<script>alert(1)" not in r.text and "&lt;script&gt;" in r.text
    assert total_of(client.get("/search", params={"era": "javascript:alert(1)"}).text) == 30


def test_work_page_shows_makers_and_place_of_creation(client, curator_token):
    """The maker and the place of creation are what a visitor reads first on a label."""
    record = {
        "id": "w-maker-page",
        "title": {"en": "Tea bowl with hare's-fur glaze"},
        "creators": ["Kim Hong-do", "Workshop of Kim"],
        "place_of_origin": ["Gangjin"],
        "culture": ["Hare-fur potters guild"],  # no scheme label matches: a local concept
    }
    r = client.post("/api/works", json=record, headers={"authorization": f"Bearer {curator_token}"})
    assert r.status_code == 201, r.text
    page = client.get("/page/work/w-maker-page?lang=en").text
    assert "Makers / creators" in page and "Place of creation" in page
    makers = re.findall(r'<a href="(/page/agent/[^"]+)">([^<]+)</a>', page)
    assert [label for _href, label in makers] == ["Kim Hong-do", "Workshop of Kim"]
    # each maker links to its agent page, which lists this work among the maker's works
    assert "w-maker-page" in client.get(makers[0][0] + "?lang=en").text
    # a shipped place concept links to the search facet: the works made there
    [place] = re.findall(r'<a class="tag" href="(/search\?place=[^"]+)">Gangjin</a>', page)
    assert "Tea bowl with hare" in client.get(place.replace("&amp;", "&")).text
    [culture] = re.findall(r'<a class="tag" href="(/page/concept/[^"]+)">Hare-fur potters guild</a>', page)
    assert "w-maker-page" in client.get(culture + "?lang=en").text
    ko = client.get("/page/work/w-maker-page?lang=ko").text
    assert "제작자" in ko and "제작지" in ko
