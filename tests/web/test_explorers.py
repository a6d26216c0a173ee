"""The explorer pages and the Work page's machine-side sections through the real ASGI app:
graph explorer, similarity explorer, restoration studio (ko/en, friendly 404s, escaping), their
JSON helpers, and saving a restoration as a derived Item (curator session + CSRF only)."""

from __future__ import annotations

import io
import json
import re
import time

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from api.app import create_app
from kg.settings import load_settings
from kg.tokens import create_token
from tests.web.explorer_data import EVIL_ITEM, EVIL_TITLE, EVIL_WORK, prepare

pytestmark = pytest.mark.slow  # builds the image index with MobileNetV2 once for the module
CELADON = "https://w3id.org/heritage-graph/scheme/material/celadon"


@pytest.fixture(scope="module")
def ml_dir(demo_dir, tmp_path_factory):
    return prepare(demo_dir, tmp_path_factory.mktemp("explorers") / "data")


@pytest.fixture(scope="module")
def client(ml_dir):
    with TestClient(create_app(load_settings(ml_dir)), headers={"accept": "text/html"}) as c:
        yield c


@pytest.fixture(scope="module")
def token(ml_dir) -> str:
    return create_token(ml_dir, "curator", "explorer-tests")


def _png(size=(96, 64), colour=(120, 170, 150), stain=None) -> bytes:
    img = Image.new("RGB", size, colour)
    if stain:
        x0, y0, x1, y1 = stain
        for x in range(x0, x1):
            for y in range(y0, y1):
                img.putpixel((x, y), (250, 250, 245))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


# ---- graph explorer ---------------------------------------------------------------------------
def test_graph_explorer_pages_in_both_languages(client):
    en = client.get("/explore/graph/work/nt-097?lang=en")
    assert en.status_code == 200 and "Graph explorer" in en.text
    assert 'data-start="http://127.0.0.1:8000/id/work/nt-097"' in en.text
    assert '<script type="module" src="/static/graph.js">' in en.text
    assert "/static/vendor/cytoscape.esm.min.js" in client.get("/static/graph.js").text
    assert (
        client.get("/static/vendor/cytoscape.esm.min.js")
        .headers["content-type"]
        .startswith(("text/javascript", "application/javascript"))
    )
    ko = client.get("/explore/graph/work/nt-097?lang=ko")
    assert ko.status_code == 200 and "그래프 탐색기" in ko.text and "박물관" in ko.text  # legend
    kinds = json.loads(re.search(r'id="kind-labels">(.*?)</script>', ko.text, re.S).group(1))
    assert kinds["concept"] == "개념" and kinds["item"] == "파일"
    assert client.get("/explore/graph").status_code == 200  # no start: search box and clusters
    concept = client.get("/explore/graph", params={"iri": CELADON})
    assert concept.status_code == 200 and f'data-start="{CELADON}"' in concept.text


def test_the_legend_offers_every_projected_relation_but_the_scheme_ones():
    """The explorer's filter lists each relation the projection makes once (scheme links are noise)."""
    from kg.neo4j_projection import REL_TYPES
    from web.explorers import RELATIONS

    assert len(RELATIONS) == len(set(RELATIONS))
    assert set(RELATIONS) == REL_TYPES - {"IN_SCHEME", "BROADER"}


def test_graph_explorer_friendly_404s(client):
    for path in (
        "/explore/graph/work/no-such-work",
        "/explore/graph/spaceship/x",
        "/explore/graph?iri=nope",
        "/explore/graph?iri=http://exa mple.org/<x>",
    ):
        res = client.get(path)
        assert res.status_code == 404, path
        assert "text/html" in res.headers["content-type"] and "404" in res.text


def test_graph_data_is_localised_and_links_pages(client):
    res = client.get("/explore/graph-data/neighbourhood", params={"iri": CELADON, "lang": "ko"})
    assert res.status_code == 200
    graph = res.json()
    nodes = {n["id"]: n for n in graph["nodes"]}
    assert nodes[CELADON]["kind"] == "concept" and nodes[CELADON]["label"] == "청자"
    work = nodes["http://127.0.0.1:8000/id/work/nt-097"]
    assert work["page"] == "/page/work/nt-097" and re.search("[가-힣]", work["label"])
    assert any(e["type"] == "HAS_MATERIAL" and e["target"] == CELADON for e in graph["edges"])
    only = client.get(
        "/explore/graph-data/neighbourhood",
        params={"iri": "http://127.0.0.1:8000/id/work/nt-097", "relations": "REPRESENTS"},
    ).json()
    assert {e["type"] for e in only["edges"]} == {"REPRESENTS"} and len(only["nodes"]) == 3
    bad = client.get("/explore/graph-data/neighbourhood", params={"iri": CELADON, "relations": "NOPE"})
    assert bad.status_code == 422 and "unknown relation" in bad.json()["detail"]
    missing = client.get("/explore/graph-data/neighbourhood", params={"iri": "http://example.org/x"})
    assert missing.status_code == 404
    # linked files: an Instance's Items come with their download URL
    inst = client.get(
        "/explore/graph-data/neighbourhood",
        params={"iri": "http://127.0.0.1:8000/id/instance/inst-nt-097-image"},
    ).json()
    item = next(n for n in inst["nodes"] if n["kind"] == "item")
    assert item["page"] == "/page/item/item-nt-097-png" and item["file"].startswith("/files/item-nt-097-png/")
    assert client.get(item["file"]).status_code == 200
    found = client.get("/explore/graph-data/find", params={"q": "celadon"}).json()
    assert "http://127.0.0.1:8000/id/work/nt-097" in {h["iri"] for h in found}


# ---- similarity explorer --------------------------------------------------------------------------
def test_similarity_explorer_page(client):
    res = client.get("/explore/similar?work=nt-097&lang=en")
    assert res.status_code == 200 and "Similarity explorer" in res.text and "MobileNetV2" in res.text
    assert '<option value="nt-097" data-url="/files/item-nt-097-png/' in res.text
    labels = json.loads(re.search(r'id="concept-labels">(.*?)</script>', res.text, re.S).group(1))
    assert labels[CELADON].lower() == "celadon"
    ko = client.get("/explore/similar?lang=ko")
    assert "유사도 탐색기" in ko.text
    ko_labels = json.loads(re.search(r'id="concept-labels">(.*?)</script>', ko.text, re.S).group(1))
    assert ko_labels[CELADON] == "청자"
    names = json.loads(re.search(r'id="attribute-names">(.*?)</script>', ko.text, re.S).group(1))
    assert names["material"] == "재질"


def test_thumbnails_redirect_to_the_works_image(client):
    res = client.get("/explore/thumb/nt-097", follow_redirects=False)
    assert res.status_code == 302 and res.headers["location"].startswith("/files/item-nt-097-png/")
    assert client.get(res.headers["location"]).headers["content-type"] == "image/png"
    assert client.get("/explore/thumb/no-such-work", follow_redirects=False).status_code == 404
    assert client.get('/explore/thumb/a"b>c', follow_redirects=False).status_code == 404


# ---- escaping -------------------------------------------------------------------------------------
def test_script_in_metadata_is_escaped_on_every_explorer_page(client):
    for path in (
        "/explore/similar",
        f"/studio?item={EVIL_ITEM}",
        "/studio",
        f"/page/work/{EVIL_WORK}",
        "/page/work/nt-097",  # the unlabelled work may be among its similar works
    ):
        res = client.get(path)
        assert res.status_code == 200, path
        assert '<script>alert("x")' not in res.text, path
    page = client.get(f"/studio?item={EVIL_ITEM}").text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Celadon vase" in page
    graph = client.get(
        "/explore/graph-data/neighbourhood", params={"iri": f"http://127.0.0.1:8000/id/work/{EVIL_WORK}"}
    ).json()
    assert EVIL_TITLE in {n["label"] for n in graph["nodes"]}  # JSON carries it; graph.js sets it as text


# ---- Work page ------------------------------------------------------------------------------------
def test_work_page_shows_similar_works_predictions_and_links(client):
    page = client.get("/page/work/nt-097?lang=en").text
    similar = re.search(r'<section class="similar-items".*?</section>', page, re.S).group(0)
    assert "similar-" in similar and 'href="/page/work/nt-068"' in similar  # the other prunus vase
    assert re.search(r"similarity 0\.\d\d", similar)
    assert 'href="/explore/graph/work/nt-097"' in page and 'href="/studio?item=item-nt-097-png"' in page
    assert 'id="predictions"' not in page  # fully curated: nothing predicted
    unlabelled = client.get(f"/page/work/{EVIL_WORK}?lang=ko").text
    table = re.search(r'<section class="predictions".*?</section>', unlabelled, re.S).group(0)
    assert "예측된 속성" in table and "predict-" in table
    rows = [re.sub(r"<[^>]+>|\s+", " ", r) for r in re.findall(r"<tr><td>.*?</tr>", table, re.S)]
    assert any("재질" in r and "청자" in r and "82%" in r for r in rows), rows
    assert any("시대" in r and "고려" in r and "64%" in r for r in rows), rows


# ---- restoration studio ---------------------------------------------------------------------------
def test_studio_pages(client):
    res = client.get("/studio?item=item-nt-097-png&lang=en")
    assert res.status_code == 200 and "Restoration studio" in res.text
    assert 'data-src="/files/item-nt-097-png/' in res.text and 'data-csrf=""' in res.text
    assert 'id="studio-save"' not in res.text and "needs a curator session" in res.text
    assert 'value="restore:telea"' in res.text and 'value="style:reinhard"' in res.text
    goryeo = re.search(r'<optgroup label="Goryeo">(.*?)</optgroup>', res.text, re.S).group(1)
    assert 'value="/files/item-nt-097-png/' in goryeo and "nt-029" not in goryeo  # style presets by era
    assert "복원 작업실" in client.get("/studio?lang=ko").text
    for bad in ("no-such-item", "item-nt-097-glb"):
        missing = client.get(f"/studio?item={bad}")
        assert missing.status_code == 404 and "404" in missing.text, bad


def test_automatic_mask_marks_the_stain(client):
    stained = _png(size=(256, 192), stain=(100, 60, 112, 72))
    res = client.post("/studio/mask", files={"image": ("s.png", stained, "image/png")})
    assert res.status_code == 200 and res.headers["content-type"] == "image/png"
    mask = np.asarray(Image.open(io.BytesIO(res.content)).convert("L")) > 127
    assert mask.shape == (192, 256)
    assert mask[60:72, 100:112].all() and not mask[:, :80].any()
    clean = client.post("/studio/mask", files={"image": ("c.png", _png(size=(256, 192)), "image/png")})
    assert not (np.asarray(Image.open(io.BytesIO(clean.content)).convert("L")) > 127).any()
    assert client.post("/studio/mask", files={"image": ("x.png", b"nope", "image/png")}).status_code in (
        400,
        415,
        422,
    )


def _finished_job(client) -> str:
    mask = Image.new("L", (96, 64), 0)
    mask.paste(255, (40, 20, 50, 30))
    buf = io.BytesIO()
    mask.save(buf, "PNG")
    res = client.post(
        "/api/restore",
        files={
            "image": ("i.png", _png(stain=(40, 20, 50, 30)), "image/png"),
            "mask": ("m.png", buf.getvalue(), "image/png"),
        },
        data={"method": "telea"},
    )
    assert res.status_code == 202, res.text
    job = res.json()
    for _ in range(300):
        status = client.get(job["status_url"]).json()["status"]
        if status in ("done", "failed"):
            break
        time.sleep(0.1)
    assert status == "done"
    return job["job_id"]


def test_saving_a_restoration_needs_a_curator_session(client, token, ml_dir):
    job = _finished_job(client)
    refused = client.post("/studio/save", data={"job_id": job, "item": "item-nt-097-png", "csrf": ""})
    assert refused.status_code == 403 and refused.headers["content-type"].startswith(
        "application/problem+json"
    )

    login = client.post("/admin/login", data={"token": token}, follow_redirects=False)
    assert login.status_code == 303
    try:
        studio = client.get("/studio?item=item-nt-097-png").text
        csrf = re.search(r'data-csrf="([^"]+)"', studio).group(1)
        assert 'id="studio-save"' in studio
        forged = client.post(
            "/studio/save", data={"job_id": job, "item": "item-nt-097-png", "csrf": "forged"}
        )
        assert forged.status_code == 403

        original = ml_dir / "files" / "item-nt-097-png"
        before = {p.name: p.read_bytes() for p in original.iterdir()}
        saved = client.post("/studio/save", data={"job_id": job, "item": "item-nt-097-png", "csrf": csrf})
        assert saved.status_code == 201, saved.text
        body = saved.json()
        assert (
            body["item"].startswith("item-nt-097-png-restore-") and body["work_page"] == "/page/work/nt-097"
        )
        assert body["method"] == "inpaint-telea"
        assert {p.name: p.read_bytes() for p in original.iterdir()} == before  # never overwritten

        record = client.get(f"/api/items/{body['item']}", headers={"accept": "application/json"}).json()
        assert (
            record["derived_from"] == ["item-nt-097-png"]
            and record["provenance"]["method"] == "inpaint-telea"
        )
        new_file = client.get(f"/files/{body['item']}/{body['item']}.png")
        assert new_file.status_code == 200 and Image.open(io.BytesIO(new_file.content)).size == (96, 64)

        work = client.get("/page/work/nt-097?lang=en").text
        section = re.search(r'<section class="restorations".*?</section>', work, re.S).group(0)
        assert f'href="/page/item/{body["item"]}"' in section and "inpaint-telea" in section
        assert 'href="/page/item/item-nt-097-png"' in section  # derived from
        unknown = client.post(
            "/studio/save", data={"job_id": "0123456789abcdef", "item": "item-nt-097-png", "csrf": csrf}
        )
        assert unknown.status_code == 404
    finally:
        client.cookies.clear()
