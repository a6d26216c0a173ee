"""NXG layers for technical imaging over the demo plus an X-radiograph (PNG) and an infrared
reflectogram (a TIFF master with a tile pyramid): each gets its own kind from its Instance's type,
ordered after the photograph, and the pyramid layer is loaded as a right-sized IIIF rendition
while a plain PNG is loaded from its file."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from api.app import create_app
from kg.settings import load_settings
from tests.web.conftest import copy_demo
from tests.web.imaging_data import IRR_ITEM, IRR_SIZE, WORK, XRAY_ITEM, add_imaging_layers
from web.viewers import layer_href, layer_kind

SCHEME = "https://w3id.org/heritage-graph/scheme/instance-type/"


@pytest.fixture(scope="module")
def imaging_client(demo_dir, tmp_path_factory):
    data = copy_demo(demo_dir, tmp_path_factory.mktemp("nxg-imaging") / "data")
    add_imaging_layers(data)
    with TestClient(create_app(load_settings(data)), headers={"accept": "text/html"}) as c:
        yield c


def instance_of(slug: str) -> dict:
    return {"instance_type": [{"iri": SCHEME + slug, "label": slug}]}


def test_layer_kind_of_imaging_instances():
    photo = {"id": "i1", "file_format": "png"}
    assert layer_kind(photo, instance_of("x-radiography")) == "x-radiography"
    assert layer_kind(photo, instance_of("infrared-reflectography")) == "infrared-reflectography"
    assert layer_kind(photo, instance_of("uv-fluorescence")) == "uv-fluorescence"
    assert layer_kind(photo, instance_of("image")) == "photograph"
    assert layer_kind(photo, instance_of("rti")) == "rti-capture"
    restored = dict(photo, derived_from=["i0"], provenance={"method": "telea"})
    assert layer_kind(restored, instance_of("x-radiography")) == "derived"  # a restoration stays one


def test_layer_href_prefers_a_iiif_rendition_when_there_is_a_pyramid():
    png = {"id": "it-1", "file_format": "png", "href": "/files/it-1/a.png"}
    tif = {"id": "it 2", "file_format": "tiff", "href": "/files/it%202/a.tif"}
    assert layer_href(png, set()) == "/files/it-1/a.png"
    assert layer_href(png, {"it-1"}) == "/iiif/3/it-1/full/!2048,2048/0/default.jpg"
    assert layer_href(tif, set()) == "/iiif/3/it%202/full/!2048,2048/0/default.jpg"  # never the TIFF
    assert layer_href({"id": "m", "file_format": "glb", "href": "/files/m/m.glb"}, set()) is None


def test_imaging_layers_through_the_app(imaging_client):
    c = imaging_client
    instances = {
        i: c.get(f"/api/instances/{i}", headers={"accept": "application/json"}).json()
        for i in ("inst-nt-097-xray", "inst-nt-097-irr")
    }
    assert (
        instances["inst-nt-097-irr"]["instance_type"][0]["iri"] == SCHEME + "infrared-reflectography"
    )  # "IRR"
    layers = c.get(f"/viewer/nxg/{WORK}/layers.json").json()["layers"]
    assert [(layer["id"], layer["kind"]) for layer in layers] == [
        ("item-nt-097-png", "photograph"),
        (IRR_ITEM, "infrared-reflectography"),
        (XRAY_ITEM, "x-radiography"),
    ]
    by_id = {layer["id"]: layer for layer in layers}
    assert by_id[XRAY_ITEM]["href"].startswith(f"/files/{XRAY_ITEM}/")
    irr = by_id[IRR_ITEM]
    assert irr["href"] == f"/iiif/3/{IRR_ITEM}/full/!2048,2048/0/default.jpg"
    assert irr["file"].endswith(".tif")  # the master is still linked
    rendition = c.get(irr["href"])
    assert rendition.status_code == 200 and rendition.headers["content-type"] == "image/jpeg"
    picture = Image.open(io.BytesIO(rendition.content))
    assert picture.size == (2048, round(2048 * IRR_SIZE[1] / IRR_SIZE[0]))
    assert picture.convert("L").getpixel((1024, 683)) > 200  # the bright disc in the middle


def test_pages_label_the_imaging_kinds(imaging_client):
    c = imaging_client
    assert 'data-layers="/viewer/nxg/nt-097/layers.json"' in c.get(f"/page/work/{WORK}").text
    page = c.get(f"/viewer/nxg/{WORK}").text
    assert '<td data-kind="x-radiography">X-radiograph</td>' in page
    assert '<td data-kind="infrared-reflectography">Infrared reflectography</td>' in page
    assert 'data-kind-x-radiography="X-radiograph"' in page
    korean = c.get(f"/viewer/nxg/{WORK}", params={"lang": "ko"}).text
    assert "X선 투과 촬영" in korean and "적외선 반사 촬영" in korean


def test_every_layer_kind_is_labelled_in_both_languages_and_in_the_viewer():
    from pathlib import Path

    from web.i18n import LABELS
    from web.viewers import LAYER_ORDER

    templates = Path(__file__).resolve().parents[2] / "web" / "templates"
    widget = (templates / "_nxg_widget.html").read_text(encoding="utf-8")
    page = (templates / "viewer_nxg.html").read_text(encoding="utf-8")
    for kind in LAYER_ORDER:
        key = "nxg_" + kind.replace("-", "_")
        assert set(LABELS[key]) == {"en", "ko"}, kind
        assert f"data-kind-{kind}=\"{{{{ t('{key}', lang) }}}}\"" in widget, kind
        assert f"'{kind}': t('{key}', lang)" in page, kind
