"""RTI and NXG viewers through the real app over the demo: the item page of the RTI work shows
both viewers, the data endpoints decode to the stored PTM, and bad ids get problem details."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from ml.rti import fit, formats

RTI_WORK = "nt-119"


def test_item_page_of_the_rti_work_shows_both_viewers(client):
    html = client.get(f"/page/work/{RTI_WORK}").text
    assert 'class="viewer rti-viewer" data-manifest="/viewer/rti/item-nt-119-ptm/manifest.json"' in html
    assert '<script type="module" src="/static/rti.js">' in html
    assert 'data-layers="/viewer/nxg/nt-119/layers.json"' in html
    for mode in ("default", "normals", "specular", "gain"):
        assert f'value="{mode}"' in html
    for mode in ("swipe", "side", "opacity"):
        assert f'value="{mode}"' in html


def test_a_work_with_one_image_has_neither_viewer(client):
    html = client.get("/page/work/nt-097").text
    assert "rti-viewer" not in html and "nxg-viewer" not in html


def test_korean_labels(client):
    html = client.get(f"/page/work/{RTI_WORK}?lang=ko").text
    assert "정반사 강조" in html and "스와이프" in html


def test_manifest_and_atlas_decode_to_the_stored_ptm(client, data_dir):
    manifest = client.get("/viewer/rti/item-nt-119-ptm/manifest.json").json()
    assert manifest["model"] == "ptm" and manifest["terms"] == 6 and manifest["normals_tile"] == 6
    response = client.get(manifest["atlas"])
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    atlas = np.asarray(Image.open(io.BytesIO(response.content)).convert("RGB"), dtype=np.float32)
    w, h = manifest["width"], manifest["height"]
    assert atlas.shape == (manifest["rows"] * h, manifest["columns"] * w, 3)
    stored = formats.read_rti(next((data_dir / "files" / "item-nt-119-ptm").glob("*.ptm")))
    coeffs = stored.as_rgb().coeffs
    for k in range(6):
        row, col = divmod(k, manifest["columns"])
        lo, hi = np.array(manifest["min"][k]), np.array(manifest["max"][k])
        decoded = lo + atlas[row * h : (row + 1) * h, col * w : (col + 1) * w] / 255 * (hi - lo)
        assert np.abs(decoded - coeffs[..., k]).max() <= (hi - lo).max() / 255 + 1e-5
    # the demo relief has an engraved inscription: the normals tile is far from flat in places
    row, col = divmod(6, manifest["columns"])
    normals = atlas[row * h : (row + 1) * h, col * w : (col + 1) * w] / 127.5 - 1
    tilt = np.degrees(np.arccos(np.clip(normals[..., 2], -1, 1)))
    assert np.percentile(tilt, 99) > 20 and np.median(tilt) < 5
    np.testing.assert_allclose(normals, fit.normals(stored), atol=0.01)


def test_nxg_layers_carry_kind_and_provenance(client):
    layers = client.get(f"/viewer/nxg/{RTI_WORK}/layers.json").json()["layers"]
    by_kind = {layer["kind"]: layer for layer in layers}
    assert set(by_kind) == {"photograph", "derived", "rti-capture", "rti-normals"}
    assert layers[0]["kind"] == "photograph"
    derived = by_kind["derived"]
    assert derived["method"] == "reinhard" and derived["derived_from"][-1].endswith("item-nt-119-png")
    assert by_kind["rti-normals"]["derived_from"][-1].endswith("item-nt-119-ptm")
    for layer in layers:
        image = client.get(layer["href"])
        assert image.status_code == 200 and image.headers["content-type"] == "image/png"


def test_full_pages(client):
    page = client.get(f"/viewer/nxg/{RTI_WORK}")
    assert page.status_code == 200
    assert "reinhard" in page.text and "rti-normals" in page.text and 'class="viewer nxg-viewer"' in page.text
    page = client.get("/viewer/rti/item-nt-119-ptm")
    assert page.status_code == 200 and "rti-viewer" in page.text and "/page/work/nt-119" in page.text


@pytest.mark.parametrize(
    ("path", "detail"),
    [
        ("/viewer/rti/no-such-item/manifest.json", "no item"),
        ("/viewer/rti/item-nt-119-png/manifest.json", "not an RTI file"),
        ("/viewer/nxg/no-such-work/layers.json", "no work"),
    ],
)
def test_bad_ids_are_problem_details(client, path, detail):
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert detail in response.json()["detail"]


def test_bad_ids_on_pages_are_friendly_404s(client):
    for path in ("/viewer/rti/nope", "/viewer/nxg/nope"):
        response = client.get(path)
        assert response.status_code == 404 and "<html" in response.text and "nope" in response.text


def test_script_in_titles_is_escaped(client, curator_token):
    evil = "<script>alert(1)</script>"
    record = client.get("/api/items/item-nt-119-raking", headers={"accept": "application/json"}).json()
    for key in ("kind", "iri", "content_url", "identifier"):  # server-made fields
        record.pop(key, None)
    response = client.put(
        "/api/items/item-nt-119-raking",
        json={**record, "title": {"en": evil}},
        headers={"authorization": f"Bearer {curator_token}", "accept": "application/json"},
    )
    assert response.status_code in (200, 201), response.text
    page = client.get(f"/viewer/nxg/{RTI_WORK}").text
    assert evil not in page and "&lt;script&gt;" in page


def test_an_uploaded_hsh_file_gets_the_viewer(client, curator_token, tmp_path):
    """Any .rti a curator uploads is viewable: upload an HSH file, then its manifest and the page."""
    from ml.rti import synth

    size = 64
    lights = fit.dome(20)
    photos = synth.render(synth.coin_relief(size), synth.bronze_albedo(size), lights)
    path = formats.write_hsh(tmp_path / "coin.rti", fit.fit(photos, lights, "hsh", 2))
    auth = {"authorization": f"Bearer {curator_token}", "accept": "application/json"}
    response = client.post(
        "/api/instances/inst-nt-097-image/files?name=coin.rti", content=path.read_bytes(), headers=auth
    )
    assert response.status_code == 201, response.text
    item_id = response.json()["item"]["id"]
    assert response.json()["item"]["file_format"] == "rti"
    manifest = client.get(f"/viewer/rti/{item_id}/manifest.json").json()
    assert manifest["model"] == "hsh" and manifest["terms"] == 4 and manifest["width"] == size
    assert 'class="viewer rti-viewer"' in client.get("/page/work/nt-097").text
