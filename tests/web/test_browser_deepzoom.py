"""Deep zoom in a real browser: Debian's Chromium opens the Work page of the demo's 6000x4000
landscape, OpenSeadragon reads the IIIF info.json and draws tiles from the pyramid; the drawn
pixels are a picture (not blank), change when the visitor zooms with the wheel, and at 1:1 the
viewer fetches full-resolution tiles. Screenshot: ``docs/screenshots/deepzoom.png``."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image

from tests.web import test_browser as browser_tests

# the browser, page and uvicorn-server fixtures of the main browser tests (a server per module)
browser, page, server = browser_tests.browser, browser_tests.page, browser_tests.server
CHROMIUM, save_screenshot = browser_tests.CHROMIUM, browser_tests.save_screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="/usr/bin/chromium is absent (apt-get install chromium)"
    ),
]
ITEM = "item-nt-216-gigapixel"
LOADED = "() => document.getElementById('deepzoom-viewer').dataset.state === 'loaded'"
FULL_RES_TILE = re.compile(rf"/iiif/3/{ITEM}/\d+,\d+,(\d+),(\d+)/(\d+),(\d+)/0/default\.jpg$")


def _shot(page) -> np.ndarray:
    png = page.locator("#deepzoom-viewer .openseadragon-canvas").first.screenshot()
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def _assert_picture(pixels: np.ndarray) -> None:
    """Not blank: many colours, real contrast, and mostly not the viewer's dark backdrop."""
    small = pixels[::4, ::4].reshape(-1, 3)
    assert len({tuple(p) for p in small}) > 200, "the viewer shows (almost) one colour"
    assert small.std(axis=0).max() > 8
    backdrop = (np.abs(small - np.array([28, 27, 25])).sum(axis=1) < 12).mean()
    assert backdrop < 0.5, "no tiles drawn over the backdrop"


def _settle(page) -> None:
    page.wait_for_timeout(1200)  # let the zoom animation finish and new tiles be asked for
    page.wait_for_function(LOADED, timeout=30_000)
    page.wait_for_timeout(300)


def test_deep_zoom_draws_tiles_and_zooms(server, page):
    url, _ = server
    tiles: list[tuple[str, int]] = []
    page.on("response", lambda r: tiles.append((r.url, r.status)) if "/iiif/3/" in r.url else None)
    page.goto(f"{url}/page/work/nt-216", wait_until="load")
    page.locator("#deepzoom-viewer").scroll_into_view_if_needed()
    page.wait_for_function(LOADED, timeout=30_000)
    page.wait_for_timeout(300)
    assert any(u.endswith(f"/iiif/3/{ITEM}/info.json") for u, _ in tiles)
    assert tiles and all(status == 200 for _, status in tiles), tiles
    first = _shot(page)
    _assert_picture(first)

    # the visitor zooms in with the mouse wheel over the lower middle of the picture
    box = page.locator("#deepzoom-viewer").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.65)
    for _ in range(6):
        page.mouse.wheel(0, -240)
        page.wait_for_timeout(120)
    _settle(page)
    zoomed = _shot(page)
    _assert_picture(zoomed)
    changed = (np.abs(first - zoomed).sum(axis=2) > 30).mean()
    assert changed > 0.2, f"zooming changed only {changed:.0%} of the pixels"
    assert page.evaluate("window.deepZoomViewer.viewport.getZoom()") > 2
    save_screenshot(page.locator("figure.viewer-deepzoom").screenshot(), "deepzoom")

    # at 1:1 the tiles come from the full-resolution level of the pyramid
    before = len(tiles)
    page.evaluate(
        "() => { const v = window.deepZoomViewer.viewport;"
        " v.zoomTo(v.imageToViewportZoom(1.0), null, true); }"
    )
    _settle(page)
    full_res = [m for u, _ in tiles[before:] if (m := FULL_RES_TILE.search(u)) and m[1] == m[3]]
    assert full_res, "no full-resolution tile was requested at 1:1"
    _assert_picture(_shot(page))
    assert page.errors == []
