"""Browser tests of the RTI and NXG viewers in Debian's Chromium (headless, software WebGL via
SwiftShader): dragging the light changes the relit pixels, each mode changes them again, and
NXG's swipe and opacity sliders change the composited picture. Pixels are read back from the
canvases (``toDataURL``), not inferred from the DOM. Screenshots go to ``docs/screenshots/``."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image

from tests.web.test_browser import CHROMIUM, browser, page, save_screenshot, server  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="/usr/bin/chromium is absent (apt-get install chromium)"
    ),
]


def canvas_pixels(pg, selector: str) -> np.ndarray:
    """The canvas as the page drew it, (H, W, 3) uint8."""
    url = pg.eval_on_selector(selector, "c => c.toDataURL('image/png')")
    data = base64.b64decode(url.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def frames(pg, figure: str) -> int:
    return int(pg.eval_on_selector(figure, "f => Number(f.dataset.frames || 0)"))


def wait_for_new_frame(pg, figure: str, before: int) -> None:
    pg.wait_for_function(
        "([sel, n]) => Number(document.querySelector(sel).dataset.frames || 0) > n", arg=[figure, before]
    )


def changed(a: np.ndarray, b: np.ndarray) -> float:
    """Fraction of pixels that differ by more than a few levels in any channel."""
    return float((np.abs(a.astype(int) - b.astype(int)).max(axis=-1) > 6).mean())


def test_rti_viewer_relights_when_the_light_is_dragged(server, page):  # noqa: F811
    url, _ = server
    page.goto(url + "/page/work/nt-119", wait_until="networkidle")
    fig = ".rti-viewer"
    page.wait_for_function("() => document.querySelector('.rti-viewer').dataset.frames > 0")
    assert page.eval_on_selector(fig, "f => f.dataset.renderer") == "webgl", "WebGL unavailable in Chromium"
    first = canvas_pixels(page, ".rti-canvas")
    assert first.std() > 10, "the RTI canvas is blank"

    page.locator(fig).scroll_into_view_if_needed()
    box = page.locator(".rti-canvas").bounding_box()
    before = frames(page, fig)
    page.mouse.move(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.3)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.85, box["y"] + box["height"] * 0.7, steps=8)
    page.mouse.up()
    wait_for_new_frame(page, fig, before)
    page.wait_for_timeout(100)
    dragged = canvas_pixels(page, ".rti-canvas")
    light = [float(v) for v in page.eval_on_selector(fig, "f => f.dataset.light").split(",")]
    assert light[0] > 0.5 and light[1] < 0, light  # the light followed the pointer to lower right
    assert changed(first, dragged) > 0.10, "moving the light did not change the relit image"
    # the object is lit from the right now: its right half brightens relative to the left
    h, w, _ = first.shape
    obj = slice(h // 4, 3 * h // 4)

    def right_minus_left(img):
        return img[obj, w // 2 : 3 * w // 4].mean() - img[obj, w // 4 : w // 2].mean()

    assert right_minus_left(dragged) > right_minus_left(first)

    images = {"default": dragged}
    for mode in ("normals", "specular", "gain"):
        before = frames(page, fig)
        page.locator(f'{fig} input[value="{mode}"]').check()
        wait_for_new_frame(page, fig, before)
        images[mode] = canvas_pixels(page, ".rti-canvas")
    normals = images["normals"].astype(float)
    assert changed(images["default"], images["normals"]) > 0.3
    # the normal map of a mostly flat relief is mostly (128, 128, 255)-blue
    assert np.median(normals[..., 2]) > 240 and abs(np.median(normals[..., 0]) - 128) < 10
    assert changed(images["default"], images["specular"]) > 0.05
    assert changed(images["default"], images["gain"]) > 0.05
    # the strength slider changes the enhanced image
    before = frames(page, fig)
    page.locator(f"{fig} .rti-strength input").fill("100")
    wait_for_new_frame(page, fig, before)
    assert changed(images["gain"], canvas_pixels(page, ".rti-canvas")) > 0.02

    page.goto(url + "/viewer/rti/item-nt-119-ptm", wait_until="networkidle")
    page.wait_for_function("() => document.querySelector('.rti-viewer').dataset.frames > 0")
    # keyboard: arrows move the light as well
    start = [float(v) for v in page.eval_on_selector(fig, "f => f.dataset.light").split(",")]
    page.locator(".rti-canvas").focus()
    before = frames(page, fig)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    wait_for_new_frame(page, fig, before)
    page.wait_for_timeout(100)
    moved = [float(v) for v in page.eval_on_selector(fig, "f => f.dataset.light").split(",")]
    assert moved[0] == pytest.approx(start[0] + 0.2, abs=1e-3) and moved[1] == pytest.approx(
        start[1], abs=1e-3
    )
    box = page.locator(".rti-canvas").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.15, box["y"] + box["height"] * 0.2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.12, box["y"] + box["height"] * 0.25, steps=3)
    page.mouse.up()
    page.locator(f'{fig} input[value="specular"]').check()
    page.wait_for_timeout(200)
    save_screenshot(page.screenshot(), "rti-viewer")
    assert page.errors == []


def test_nxg_swipe_side_by_side_and_opacity(server, page):  # noqa: F811
    url, _ = server
    page.goto(url + "/viewer/nxg/nt-119", wait_until="networkidle")
    fig = ".nxg-viewer"
    page.wait_for_function("() => document.querySelector('.nxg-viewer').dataset.ready === 'true'")
    options = page.locator(f"{fig} .nxg-a option").count()
    assert options >= 3  # photograph, style-transferred photograph, RTI layers
    page.select_option(f"{fig} .nxg-a", "item-nt-119-png")
    page.select_option(f"{fig} .nxg-b", "item-nt-119-rti-normals")
    meta = page.locator(f"{fig} .nxg-meta-b").inner_text()
    assert "rti-normals" in meta and "item-nt-119-ptm" in meta  # provenance beside the layer

    slider = f"{fig} .nxg-slider"
    page.locator(slider).fill("20")
    left = canvas_pixels(page, ".nxg-canvas")
    page.locator(slider).fill("80")
    right = canvas_pixels(page, ".nxg-canvas")
    h, w, _ = left.shape
    # between 20 % and 80 % the picture switched from the normals (top) to the photo (base)
    middle = (slice(None), slice(int(w * 0.3), int(w * 0.7)))
    assert changed(left[middle], right[middle]) > 0.5
    outside = (slice(None), slice(int(w * 0.85), w))
    assert changed(left[outside], right[outside]) < 0.01  # right of both lines: normals in both

    page.locator(f'{fig} input[value="opacity"]').check()
    page.locator(slider).fill("0")
    clear = canvas_pixels(page, ".nxg-canvas")
    page.locator(slider).fill("100")
    opaque = canvas_pixels(page, ".nxg-canvas")
    page.locator(slider).fill("50")
    half = canvas_pixels(page, ".nxg-canvas")
    assert changed(clear, opaque) > 0.5
    # half opacity lies between the two layers
    mid = (clear.astype(float) + opaque.astype(float)) / 2
    assert np.abs(half.astype(float) - mid).mean() < 3

    page.select_option(f"{fig} .nxg-b", "item-nt-119-style-nt-068")
    page.locator(f'{fig} input[value="side"]').check()
    side = canvas_pixels(page, ".nxg-canvas")
    assert side.shape[1] == 2 * side.shape[0]  # two layers next to each other
    assert changed(side[:, : side.shape[0]], side[:, side.shape[0] :]) > 0.3
    assert page.locator(slider).is_disabled()

    page.select_option(f"{fig} .nxg-b", "item-nt-119-rti-normals")
    page.locator(f'{fig} input[value="swipe"]').check()
    page.locator(slider).fill("55")
    page.wait_for_timeout(100)
    save_screenshot(page.screenshot(), "nxg-viewer")
    assert page.errors == []


def test_rti_cpu_fallback_matches_webgl(server, browser):  # noqa: F811
    """Without WebGL the same viewer renders on the CPU into a 2D canvas, with the same maths."""
    url, _ = server
    shots = {}
    for renderer in ("webgl", "cpu"):
        context = browser.new_context(viewport={"width": 1000, "height": 800})
        if renderer == "cpu":  # a browser without WebGL
            context.add_init_script(
                "const g = HTMLCanvasElement.prototype.getContext;"
                "HTMLCanvasElement.prototype.getContext = function (t, o) {"
                " return t === 'webgl' || t === 'experimental-webgl' ? null : g.call(this, t, o); };"
            )
        pg = context.new_page()
        pg.goto(url + "/viewer/rti/item-nt-119-ptm", wait_until="networkidle")
        pg.wait_for_function("() => document.querySelector('.rti-viewer').dataset.frames > 0")
        assert pg.eval_on_selector(".rti-viewer", "f => f.dataset.renderer") == renderer
        shots[renderer] = {"default": canvas_pixels(pg, ".rti-canvas")}
        for mode in ("normals", "gain"):
            before = frames(pg, ".rti-viewer")
            pg.locator(f'.rti-viewer input[value="{mode}"]').check()
            wait_for_new_frame(pg, ".rti-viewer", before)
            shots[renderer][mode] = canvas_pixels(pg, ".rti-canvas")
        context.close()
    for mode, gl_image in shots["webgl"].items():
        cpu_image = shots["cpu"][mode]
        assert gl_image.std() > 10
        # float precision and rounding differ slightly between the GPU emulation and JS
        assert np.abs(gl_image.astype(int) - cpu_image.astype(int)).mean() < 2.0, mode
