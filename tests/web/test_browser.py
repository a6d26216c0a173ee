"""Browser tests: Debian's Chromium (driven by Playwright, no browser download) against a real
uvicorn server over a copy of the demo collection. Pages load without console errors, search
leads to a Work page whose GLB viewer really renders, and the admin logs in, uploads a PNG and
sees its job reach ``done`` in the live table. Screenshots go to ``docs/screenshots/``."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest
from PIL import Image, ImageStat

from kg.tokens import create_token
from tests.web.conftest import copy_demo
from tests.web.uvicorn_server import REPO, serve_data_dir

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO / "docs" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]  # WebGL still works: Chromium falls back to its software renderer (SwiftShader) without a GPU

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="/usr/bin/chromium is absent (apt-get install chromium)"
    ),
]


@pytest.fixture(scope="module")
def server(demo_dir, tmp_path_factory):
    """uvicorn serving the app over its own data dir; yields (base url, curator token)."""
    data = copy_demo(demo_dir, tmp_path_factory.mktemp("browser") / "data")
    token = create_token(data, "curator", "browser-tests")
    with serve_data_dir(data) as url:
        yield url, token


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh page that records console errors and uncaught exceptions."""
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    pg = context.new_page()
    pg.errors = []
    pg.on("console", lambda m: pg.errors.append(f"console: {m.text}") if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.errors.append(f"pageerror: {e}"))
    yield pg
    context.close()


def save_screenshot(png: bytes, name: str) -> None:
    """Keep committed screenshots small: a 256-colour PNG is plenty for documentation."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    img = Image.open(io.BytesIO(png)).convert("RGB")
    img.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(SCREENSHOTS / f"{name}.png", optimize=True)
    assert (SCREENSHOTS / f"{name}.png").stat().st_size < 300_000


def test_every_page_loads_without_console_errors(server, page):
    url, _ = server
    for path in [
        "/",
        "/search?q=celadon",
        "/search?era=https://w3id.org/heritage-graph/scheme/era/goryeo",
        "/page/work/nt-097?lang=ko",
        "/page/work/nt-078?lang=en",
        "/page/project/proj-3d-scan-2024",
        "/page/instance/inst-nt-097-3d",
        "/page/item/item-nt-097-png",
        "/admin",
    ]:
        response = page.goto(url + path, wait_until="load")
        assert response.status == 200, path
        if page.locator("model-viewer").count():  # errors in loading the GLB come after "load"
            page.wait_for_function("() => document.querySelector('model-viewer').loaded")
        assert page.locator("main").count() == 1
    missing = page.goto(url + "/page/work/no-such-work")
    assert missing.status == 404 and "404" in page.locator("h1").inner_text()
    page.errors = [e for e in page.errors if "404" not in e]  # the 404 page's own status line
    assert page.errors == []


def test_facet_checkbox_filters_results(server, page):
    url, _ = server
    page.goto(url + "/search", wait_until="networkidle")
    before = int(page.locator("#total").inner_text())
    page.locator('.facet[data-facet="era"] input').first.check()
    page.wait_for_url("**era=**")
    after = int(page.locator("#total").inner_text())
    assert 0 < after < before
    assert page.errors == []


def _viewer_pixels(page) -> Image.Image:
    """The model-viewer element on a plain white backdrop, as Pillow sees it on screen."""
    page.eval_on_selector("#glb-viewer", "el => { el.style.background = '#ffffff'; }")
    page.wait_for_timeout(300)
    return Image.open(io.BytesIO(page.locator("#glb-viewer").screenshot())).convert("RGB")


def _pixels(img: Image.Image) -> list[tuple[int, int, int]]:
    small = img.resize((80, 80))
    return [small.getpixel((x, y)) for y in range(80) for x in range(80)]


def test_search_to_item_page_and_the_glb_viewer_renders(server, page):
    url, _ = server
    page.goto(url + "/", wait_until="networkidle")
    save_screenshot(page.screenshot(), "home")
    page.fill(".big-search input[name=q]", "celadon")
    page.click(".big-search button")
    page.wait_for_url("**/search?q=celadon**")
    page.wait_for_load_state("networkidle")
    save_screenshot(page.screenshot(), "search")
    page.click('.results a[href="/page/work/nt-097"]')
    page.wait_for_url("**/page/work/nt-097")
    page.wait_for_function(
        "() => { const v = document.querySelector('model-viewer'); return v && v.loaded; }"
    )
    page.wait_for_function("() => document.querySelector('model-viewer').modelIsVisible", timeout=15_000)
    page.wait_for_timeout(500)
    save_screenshot(page.screenshot(), "item")

    shot = _viewer_pixels(page)
    small = shot.resize((shot.width // 4, shot.height // 4))
    colours = small.getcolors(maxcolors=1_000_000)
    assert len(colours) > 50, "the viewer shows (almost) one colour: the model did not render"
    non_white = sum(n for n, c in colours if sum(c) < 3 * 245)
    assert non_white / (small.width * small.height) > 0.05
    assert max(ImageStat.Stat(small).stddev) > 10

    # rotate with a drag: the rendered pixels change
    box = page.locator("#glb-viewer").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.mouse.move(cx + 200, cy + 40, steps=10)
    page.mouse.up()
    page.wait_for_timeout(800)
    rotated = _viewer_pixels(page)
    changed = sum(1 for a, b in zip(_pixels(shot), _pixels(rotated), strict=True) if a != b)
    assert changed > 80 * 80 * 0.02, "dragging did not rotate the model"

    # zoom with the wheel: the model grows, so fewer white pixels remain
    page.mouse.move(cx, cy)
    page.mouse.wheel(0, -600)
    page.wait_for_timeout(1200)
    zoomed = _viewer_pixels(page)
    white = [sum(1 for p in _pixels(img) if sum(p) >= 3 * 245) for img in (rotated, zoomed)]
    assert white[1] < white[0], "the wheel did not zoom in"
    assert page.errors == []


def test_admin_logs_in_uploads_a_png_and_sees_the_job_done(server, page, tmp_path):
    url, token = server
    png = tmp_path / "scan.png"
    Image.new("RGB", (640, 480), (180, 140, 90)).save(png)
    page.goto(url + "/admin", wait_until="load")
    page.fill("#login-form input[name=token]", token)
    page.click("#login-form button")
    page.wait_for_selector("#upload-form")
    assert page.evaluate("sessionStorage.getItem('heritage.token')") == token
    page.fill("#upload-form input[name=instance]", "inst-nt-097-image")
    page.set_input_files("#upload-form input[name=file]", str(png))
    page.click("#upload-form button")
    page.wait_for_selector('#jobs tr[data-status="done"]', timeout=20_000)
    assert page.locator("#upload-progress").evaluate("el => el.value") == 100
    status = page.locator("#upload-status").inner_text()
    assert status.startswith("Stored item-")
    item_id = status.split()[1]
    row = page.locator('#jobs tr[data-status="done"]').first
    assert item_id in row.inner_text()
    # the upload history gains the new Item on top, with its Work looked up from the Instance
    newest = page.locator("#upload-history tbody tr").first
    assert newest.get_attribute("data-item") == item_id and "scan.png" in newest.inner_text()
    newest.locator('a[href="/page/work/nt-097"]').wait_for(timeout=5_000)
    save_screenshot(page.screenshot(), "admin")
    # the new Item is a layer of the Work now, with a working download link
    page.goto(url + "/page/work/nt-097", wait_until="load")
    # (scoped to the layers table: with two images the NXG layer widget links the Item too)
    assert page.locator(f'ul.files a[href="/page/item/{item_id}"]').count() == 1
    assert page.locator('a[href="/admin/edit/work/nt-097"]').count() == 1  # signed in: edit link
    assert httpx.get(f"{url}/files/{item_id}/scan.png").status_code == 200
    assert page.errors == []
