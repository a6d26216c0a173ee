"""Layers in Debian's Chromium against a real uvicorn server over a copy of the demo (plus an
X-radiograph and a TIFF infrared master, ``tests/web/imaging_data.py``): the graph explorer drops
and brings back the nodes of one layer (re-querying the server), and NXG draws the TIFF master
from its IIIF rendition."""

from __future__ import annotations

import pytest

from tests.web import test_browser as base
from tests.web.conftest import copy_demo
from tests.web.imaging_data import IRR_ITEM, WORK, XRAY_ITEM, add_imaging_layers
from tests.web.test_browser import CHROMIUM
from tests.web.test_browser_viewers import canvas_pixels
from tests.web.uvicorn_server import serve_data_dir

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="/usr/bin/chromium is absent (apt-get install chromium)"
    ),
]
browser, page = base.browser, base.page


@pytest.fixture(scope="module")
def server(demo_dir, tmp_path_factory):
    data = copy_demo(demo_dir, tmp_path_factory.mktemp("browser-layers") / "data")
    add_imaging_layers(data)
    with serve_data_dir(data) as url:
        yield url, data


def kinds(page) -> dict[str, int]:
    return page.evaluate(
        """() => {
          const out = {};
          for (const n of window.heritageGraph.nodes(':childless')) out[n.data('kind')] = (out[n.data('kind')] || 0) + 1;
          return out;
        }"""
    )


def test_graph_explorer_filters_nodes_by_layer(server, page):
    url, _ = server
    page.goto(url + "/explore/graph/instance/inst-nt-097-image", wait_until="load")
    page.wait_for_function("() => document.getElementById('graph-explorer').dataset.ready === 'true'")
    before = kinds(page)
    assert before.get("item", 0) >= 1 and before.get("work", 0) == 1, before
    item_ids = set(page.evaluate("window.heritageGraph.nodes('[kind = \"item\"]').map((n) => n.id())"))

    layers = page.locator("#graph-layers")
    assert layers.locator("input").count() == 7  # Work … Museum, all ticked
    layers.locator('input[value="item"]').uncheck()
    page.wait_for_function("() => document.getElementById('graph-explorer').dataset.layersReady === 'true'")
    without = kinds(page)
    assert "item" not in without, without
    assert without.get("work") == 1 and without.get("instance") == before.get("instance")
    assert int(page.locator("#graph-nodes").inner_text()) == sum(without.values())
    # edges to a dropped node go with it
    assert page.evaluate("window.heritageGraph.edges('[type = \"PART_OF\"]').length") == 0

    layers.locator('input[value="item"]').check()
    page.wait_for_function(
        "() => document.getElementById('graph-explorer').dataset.layersReady === 'true'"
        " && window.heritageGraph.nodes('[kind = \"item\"]').length > 0",
        timeout=20_000,
    )
    back = set(page.evaluate("window.heritageGraph.nodes('[kind = \"item\"]').map((n) => n.id())"))
    assert back == item_ids
    assert kinds(page) == before
    assert page.errors == []


def test_nxg_draws_a_tiff_master_from_its_iiif_rendition(server, page):
    url, _ = server
    page.goto(url + f"/viewer/nxg/{WORK}", wait_until="networkidle")
    fig = ".nxg-viewer"
    page.wait_for_function("() => document.querySelector('.nxg-viewer').dataset.ready === 'true'")
    assert page.eval_on_selector(fig, "f => f.dataset.missing || ''") == ""
    options = page.locator(f"{fig} .nxg-a option").all_inner_texts()
    assert any("Infrared reflectography" in o for o in options) and any("X-radiograph" in o for o in options)
    page.select_option(f"{fig} .nxg-a", IRR_ITEM)
    page.select_option(f"{fig} .nxg-b", XRAY_ITEM)
    page.locator(f'{fig} input[value="side"]').check()
    pixels = canvas_pixels(page, ".nxg-canvas")
    size = pixels.shape[0]
    irr, xray = pixels[:, :size].astype(int), pixels[:, size:].astype(int)
    assert irr.std() > 20, "the infrared layer is blank"
    assert irr[size // 2, size // 2].min() > 200  # the bright disc of the master, in the middle
    assert irr[size // 2, 5].max() < 90 and irr[size // 2, size - 5].min() > 120  # the gradient
    assert abs(xray.mean() - 30) < 3  # the X-radiograph is its flat dark PNG
    # the 3:2 master sits in the square frame letterboxed (empty bands above and below), not stretched
    assert irr[: size // 8].max() < 10 and irr[-(size // 8) :].max() < 10
    meta = page.locator(f"{fig} .nxg-meta-a").inner_text()
    assert "Infrared reflectography" in meta
    assert page.errors == []
