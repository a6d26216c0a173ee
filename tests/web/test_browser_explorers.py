"""The explorers in Debian's Chromium against a real uvicorn server: the graph explorer expands a
node on a real click, the similarity explorer places an uploaded image on its canvas map, and
the studio runs a restoration job, compares before/after with the slider and saves the result
as a derived Item. No console errors anywhere; screenshots go to ``docs/screenshots/``."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from kg.tokens import create_token
from tests.web import test_browser as base
from tests.web.explorer_data import STAINED_ITEM, STAINED_WORK, prepare
from tests.web.test_browser import CHROMIUM, save_screenshot
from tests.web.uvicorn_server import serve_data_dir

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="/usr/bin/chromium is absent (apt-get install chromium)"
    ),
]
browser, page = base.browser, base.page  # the same Chromium fixtures as the other browser tests
UPLOAD_RGB = np.array([228, 0, 43])  # similar.js draws the uploaded image's point in this colour


@pytest.fixture(scope="module")
def server(demo_dir, tmp_path_factory):
    """uvicorn over the demo plus image index, similarity and prediction runs; (url, token, data)."""
    data = prepare(demo_dir, tmp_path_factory.mktemp("browser-explorers") / "data")
    token = create_token(data, "curator", "browser-explorers")
    with serve_data_dir(data) as url:
        yield url, token, data


def _shot(locator) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(locator.screenshot())).convert("RGB")).astype(np.int16)


def test_graph_explorer_expands_a_node_on_click(server, page):
    url, _, _ = server
    page.set_viewport_size({"width": 1280, "height": 1100})  # the whole graph canvas on screen
    page.goto(url + "/explore/graph/work/nt-097", wait_until="load")
    page.wait_for_function("() => document.getElementById('graph-explorer').dataset.ready === 'true'")
    before = page.evaluate("window.heritageGraph.nodes().length")
    assert before > 10 and int(page.locator("#graph-nodes").inner_text()) == before
    # among the concept and museum nodes whose neighbourhood holds nodes not yet shown, the one
    # farthest from any other node, so the real click cannot land on a neighbour
    target = page.evaluate(
        """async () => {
          const cy = window.heritageGraph;
          let best = null;
          for (const n of cy.nodes('[kind = "concept"], [kind = "museum"]')) {
            const p = n.renderedPosition();
            if (p.x < 20 || p.y < 20 || p.x > cy.width() - 20 || p.y > cy.height() - 20) continue;
            const rels = [...document.querySelectorAll("#graph-relations input:checked")].map((el) => el.value);
            const res = await fetch(`/explore/graph-data/neighbourhood?iri=${encodeURIComponent(n.id())}`
              + `&relations=${rels.join(",")}`);
            const fresh = (await res.json()).nodes.filter((m) => cy.getElementById(m.id).empty());
            if (!fresh.length) continue;
            let nearest = Infinity;
            for (const m of cy.nodes()) {
              if (m.id() === n.id()) continue;
              const q = m.renderedPosition();
              nearest = Math.min(nearest, Math.hypot(p.x - q.x, p.y - q.y));
            }
            if (!best || nearest > best.gap) best = {id: n.id(), x: p.x, y: p.y, gap: nearest};
          }
          return best;
        }"""
    )
    assert target is not None and target["gap"] > 12
    box = page.locator("#graph-canvas").bounding_box()
    page.mouse.click(box["x"] + target["x"], box["y"] + target["y"])
    page.wait_for_function(f"() => window.heritageGraph.nodes().length > {before}", timeout=20_000)
    assert "expanded" in page.evaluate(f"window.heritageGraph.getElementById({target['id']!r}).classes()")
    after = page.evaluate("window.heritageGraph.nodes().length")
    assert after > before
    expanded = page.evaluate("window.heritageGraph.nodes('.expanded').map((n) => n.id())")
    assert target["id"] in expanded and len(expanded) == 2
    assert page.locator("#graph-info-label").inner_text() != ""
    page.wait_for_timeout(400)
    save_screenshot(page.screenshot(), "graph-explorer")

    # filter by relation: unticking SIMILAR_TO hides those edges
    visible = "window.heritageGraph.edges().filter((e) => e.style('display') !== 'none').length"
    shown = page.evaluate(visible)
    page.locator('#graph-relations input[value="SIMILAR_TO"]').uncheck()
    assert page.evaluate(visible) < shown
    # clusters of related works: compound nodes, one per cluster
    page.click("#graph-clusters")
    page.wait_for_function("() => window.heritageGraph.nodes(':parent').length > 1", timeout=20_000)
    assert page.errors == []


def test_similarity_explorer_places_an_uploaded_image(server, page, tmp_path):
    url, _, data = server
    page.goto(url + "/explore/similar", wait_until="load")
    page.wait_for_function(
        "() => Number(document.getElementById('similar-explorer').dataset.mapPoints) >= 30"
    )
    canvas = page.locator("#similar-map")

    def upload_pixels() -> int:
        pixels = _shot(canvas)
        return int((np.abs(pixels - UPLOAD_RGB).max(axis=2) < 30).sum())

    assert upload_pixels() == 0
    drawn = _shot(canvas)
    assert len(np.unique(drawn.reshape(-1, 3), axis=0)) > 10  # points in several era colours
    upload = tmp_path / "query.png"
    upload.write_bytes(next((data / "files" / "item-nt-068-png").glob("*.png")).read_bytes())
    page.set_input_files("#similar-form input[name=image]", str(upload))
    page.click("#similar-form button")
    page.wait_for_function(
        "() => document.getElementById('similar-explorer').dataset.queried === 'true'", timeout=30_000
    )
    assert upload_pixels() > 100  # the upload's marker is on the map
    neighbours = page.locator("#similar-neighbours li a")
    assert neighbours.count() == 8
    assert neighbours.first.get_attribute("href") in ("/page/work/nt-068", "/page/work/nt-097")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#similar-neighbours img')].every((i) => i.complete && i.naturalWidth > 0)"
    )
    assert page.locator("#similar-attributes .prob").count() >= 4
    assert "celadon" in page.locator("#similar-attributes").inner_text().lower()
    assert page.locator("#similar-representatives img").count() > 0
    assert "mobilenet_v2" in page.locator("#similar-encoder-id").inner_text()
    page.wait_for_timeout(300)
    save_screenshot(page.screenshot(), "similarity-explorer")
    assert page.errors == []


def _set_slider(page, value: int) -> None:
    page.eval_on_selector(
        "#compare-slider", f"el => {{ el.value = {value}; el.dispatchEvent(new Event('input')); }}"
    )
    page.wait_for_timeout(150)


def test_studio_restores_compares_and_saves(server, page):
    url, token, _ = server
    page.goto(url + "/admin", wait_until="load")
    page.fill("#login-form input[name=token]", token)
    page.click("#login-form button")
    page.wait_for_selector("#upload-form")
    page.goto(url + f"/studio?item={STAINED_ITEM}", wait_until="load")
    page.wait_for_function("() => document.getElementById('studio').dataset.loaded === 'true'")
    page.click("#mask-auto")  # the stains on both halves are found ...
    page.wait_for_function("() => Number(document.getElementById('mask-pixels').textContent) > 500")
    # ... and one more patch is painted by hand on the right half
    box = page.locator("#studio-mask").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.9, box["y"] + box["height"] * 0.25, steps=8)
    page.mouse.up()
    assert int(page.locator("#mask-pixels").inner_text()) > 1000
    page.select_option("#studio-run select[name=method]", "restore:telea")
    page.click("#studio-go")
    page.wait_for_function(
        "() => document.getElementById('studio').dataset.result === 'true'", timeout=60_000
    )
    assert page.locator("#studio-progress").evaluate("el => el.value") == 100

    frame = page.locator("#compare-frame")
    _set_slider(page, 100)
    after = _shot(frame)
    _set_slider(page, 0)
    before = _shot(frame)
    _set_slider(page, 50)
    split = _shot(frame)
    w = after.shape[1]
    left, right = slice(0, w // 2 - 4), slice(w // 2 + 4, w)
    # the restoration removed stains on both halves (cream blobs on grey and celadon) ...
    changed = np.abs(after - before).max(axis=2) > 40
    assert changed[:, left].sum() > 50 and changed[:, right].sum() > 50
    # ... and the slider shows the result on the left, the original on the right
    assert np.abs(split[:, left] - after[:, left]).mean() < 0.5
    assert np.abs(split[:, right] - before[:, right]).mean() < 0.5
    save_screenshot(page.screenshot(), "restoration-studio")

    page.click("#studio-save")
    page.wait_for_function("() => document.getElementById('studio').dataset.saved")
    new_item = page.evaluate("document.getElementById('studio').dataset.saved")
    page.goto(url + f"/page/work/{STAINED_WORK}", wait_until="load")
    assert page.locator(f'#restorations a[href="/page/item/{new_item}"]').count() >= 1
    assert page.errors == []


def test_explorer_pages_have_no_console_errors(server, page):
    url, _, _ = server
    for path in (
        "/explore/graph",
        "/explore/graph?lang=ko",
        "/explore/similar?work=nt-097",
        "/studio?lang=ko",
        "/page/work/nt-097",
    ):
        response = page.goto(url + path, wait_until="networkidle")
        assert response.status == 200, path
    assert page.errors == []
