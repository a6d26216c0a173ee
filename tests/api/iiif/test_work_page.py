"""The Work page embeds the deep-zoom viewer (OpenSeadragon, vendored) only when one of the
Work's Items has a tile pyramid, pointing it at that Item's info.json."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def test_viewer_only_for_works_with_a_pyramid(iiif):
    page = iiif.client.get("/page/work/w-iiif", headers={"accept": "text/html"})
    assert page.status_code == 200
    # the first Item with a pyramid (item-squares, item-texture); never the small or pending ones
    assert 'id="deepzoom-viewer" data-info="/iiif/3/item-squares/info.json"' in page.text
    assert '<script src="/static/vendor/openseadragon/openseadragon.min.js"></script>' in page.text
    assert 'href="/iiif/manifest/w-iiif"' in page.text
    other = iiif.client.get("/page/work/w-empty", headers={"accept": "text/html"})
    assert other.status_code == 200 and "deepzoom-viewer" not in other.text


def test_viewer_assets_are_served_locally(iiif):
    for path in [
        "/static/vendor/openseadragon/openseadragon.min.js",
        "/static/vendor/openseadragon/images/zoomin_rest.png",
        "/static/deepzoom.js",
    ]:
        r = iiif.client.get(path)
        assert r.status_code == 200, path
        assert r.content == (REPO / "web" / path.removeprefix("/")).read_bytes()
