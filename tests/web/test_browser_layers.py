"""Layer filters in Debian's Chromium against a real uvicorn server over a copy of the demo: the
graph explorer drops and brings back the nodes of one layer (re-querying the server)."""

from __future__ import annotations

import pytest

from tests.web import test_browser as base
from tests.web.conftest import copy_demo
from tests.web.test_browser import CHROMIUM
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
