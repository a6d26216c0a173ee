"""Image API 3.0 through the real ASGI app: info.json, every region/size/rotation/quality/format
form, pixels of tiles against the original, and the spec's errors for bad requests."""

from __future__ import annotations

import io
import shutil
import time

import numpy as np
import pytest
from PIL import Image

from kg import pyramid
from kg.errors import ValidationError

B = "/iiif/3/item-texture"


def pixels(response) -> np.ndarray:
    assert response.status_code == 200, response.text
    return np.asarray(Image.open(io.BytesIO(response.content)).convert("RGB")).astype(int)


def diff(a: np.ndarray, b: np.ndarray) -> float:
    assert a.shape == b.shape
    return float(np.abs(a - b).mean())


def test_info_json(iiif):
    r = iiif.client.get(B + "/info.json")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    assert r.headers["access-control-allow-origin"] == "*"
    info = r.json()
    assert info["@context"] == "http://iiif.io/api/image/3/context.json"
    assert info["id"] == "http://testserver/iiif/3/item-texture"
    assert (info["type"], info["protocol"], info["profile"]) == (
        "ImageService3",
        "http://iiif.io/api/image",
        "level1",
    )
    assert (info["width"], info["height"]) == (2600, 1800)
    assert info["tiles"] == [{"width": 512, "height": 512, "scaleFactors": [1, 2, 4, 8]}]
    assert {"width": 325, "height": 225} in info["sizes"]  # the 1/8 level
    assert info["extraFormats"] == ["png"]
    assert info["maxArea"] >= 4096 * 4096 // 2


def test_info_id_follows_the_request_base_url_and_jsonld_on_request(iiif):
    r = iiif.client.get(
        B + "/info.json", headers={"host": "images.example.org:8443", "accept": "application/ld+json"}
    )
    assert r.json()["id"] == "http://images.example.org:8443/iiif/3/item-texture"
    assert r.headers["content-type"].startswith("application/ld+json")
    assert 'profile="http://iiif.io/api/image/3/context.json"' in r.headers["content-type"]


def test_base_uri_redirects_to_info(iiif):
    r = iiif.client.get(B, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "http://testserver/iiif/3/item-texture/info.json"


def test_full_resolution_tile_matches_the_original_crop(iiif):
    x, y = 512, 1024
    tile = pixels(iiif.client.get(f"{B}/{x},{y},512,512/512,512/0/default.png"))
    crop = iiif.texture[y : y + 512, x : x + 512].astype(int)
    assert diff(tile, crop) < 3  # JPEG tiles, quality 90
    shifted = iiif.texture[y + 9 : y + 521, x + 9 : x + 521].astype(int)
    assert diff(tile, shifted) > 20  # the check can tell a wrong crop


def test_reduced_tile_matches_the_downscaled_original(iiif):
    tile = pixels(iiif.client.get(f"{B}/1024,0,1024,1024/512,512/0/default.png"))
    reduced = np.asarray(Image.fromarray(iiif.texture[0:1024, 1024:2048]).reduce(2)).astype(int)
    assert diff(tile, reduced) < 3
    # edge tile of the 1/2 level: 2600/2 = 1300 wide, so the last column is 276 px
    edge = pixels(iiif.client.get(f"{B}/2048,0,552,1024/276,512/0/default.png"))
    assert edge.shape == (512, 276, 3)


def test_jpeg_tiles_are_the_stored_tile_files(iiif):
    r = iiif.client.get(f"{B}/512,512,512,512/512,512/0/default.jpg")
    stored = iiif.texture_path.parent / ".pyramid" / "1" / "1_1.jpg"
    assert r.content == stored.read_bytes()
    assert r.headers["content-type"] == "image/jpeg"
    assert 'rel="canonical"' in r.headers["link"] and "level1.json" in r.headers["link"]


def test_tiles_never_decode_the_original(iiif):
    """With the original file moved away, every request is still answered from the pyramid."""
    hidden = iiif.texture_path.with_name("hidden.png")
    shutil.move(iiif.texture_path, hidden)
    try:
        for path in [
            "0,0,512,512/512,512/0/default.jpg",
            "2048,1536,552,264/552,264/0/default.jpg",
            "full/max/0/default.jpg",
            "100,100,777,555/300,/0/default.png",
            "pct:10,10,50,50/!400,400/0/gray.jpg",
        ]:
            assert iiif.client.get(f"{B}/{path}").status_code == 200, path
    finally:
        shutil.move(hidden, iiif.texture_path)


def test_unaligned_region_and_size(iiif):
    img = pixels(iiif.client.get(f"{B}/301,207,800,600/400,300/0/default.png"))
    expected = np.asarray(
        Image.fromarray(iiif.texture[207:807, 301:1101]).resize((400, 300), Image.LANCZOS)
    ).astype(int)
    assert diff(img, expected) < 4


@pytest.mark.parametrize(
    ("region", "size", "expected"),
    [
        ("full", "max", (2600, 1800)),
        ("square", "max", (1800, 1800)),
        ("10,20,300,200", "max", (300, 200)),
        ("pct:50,50,50,50", "max", (1300, 900)),
        ("2500,1700,500,500", "max", (100, 100)),  # partly outside: cropped to the image
        ("full", "650,", (650, 450)),
        ("full", ",450", (650, 450)),
        ("full", "pct:10", (260, 180)),
        ("full", "500,500", (500, 500)),
        ("full", "!500,500", (500, 346)),
        ("full", "!5000,5000", (2600, 1800)),  # confined, never larger than the region
        ("0,0,100,100", "^200,", (200, 200)),
        ("0,0,100,100", "^pct:150", (150, 150)),
    ],
)
def test_region_and_size_forms(iiif, region, size, expected):
    r = iiif.client.get(f"{B}/{region}/{size}/0/default.jpg")
    assert r.status_code == 200, r.text
    assert Image.open(io.BytesIO(r.content)).size == expected


def test_square_region_is_the_centre(iiif):
    img = pixels(iiif.client.get("/iiif/3/item-small/square/max/0/default.png"))
    src = np.asarray(Image.open(iiif.texture_path.parent.parent / "item-small" / "small.png")).astype(int)
    assert diff(img, src[:, 50:250]) < 1  # small image, no pyramid: lossless from the original


def test_rotation_mirroring_quality_format(iiif):
    region = "0,0,400,200"
    base = pixels(iiif.client.get(f"{B}/{region}/max/0/default.png"))
    rot = pixels(iiif.client.get(f"{B}/{region}/max/90/default.png"))
    assert rot.shape == (400, 200, 3)
    assert diff(rot, np.rot90(base, k=-1)) < 1  # clockwise
    mirrored = pixels(iiif.client.get(f"{B}/{region}/max/!0/default.png"))
    assert diff(mirrored, base[:, ::-1]) < 1
    gray = Image.open(io.BytesIO(iiif.client.get(f"{B}/{region}/max/0/gray.png").content))
    assert gray.mode == "L"
    bitonal = Image.open(io.BytesIO(iiif.client.get(f"{B}/{region}/max/0/bitonal.png").content))
    assert set(np.unique(np.asarray(bitonal.convert("L")))) <= {0, 255}
    png = iiif.client.get(f"{B}/{region}/max/0/color.png")
    assert png.headers["content-type"] == "image/png" and png.content.startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("9000,0,10,10/max/0/default.jpg", "outside"),
        ("0,1800,10,10/max/0/default.jpg", "outside"),
        ("0,0,0,10/max/0/default.jpg", "zero"),
        ("pct:0,0,0,5/max/0/default.jpg", "zero"),
        ("-1,0,5,5/max/0/default.jpg", "region"),
        ("a,b,c,d/max/0/default.jpg", "region"),
        ("1,2,3/max/0/default.jpg", "region"),
        ("full/full/0/default.jpg", "size"),
        ("full/0,/0/default.jpg", "empty"),
        ("full/5000,/0/default.jpg", "larger than"),
        ("0,0,100,100/!200,200x/0/default.jpg", "size"),
        ("full/^9000,/0/default.jpg", "limits"),
        ("full/^5000,5000/0/default.jpg", "limits"),
        ("full/max/45/default.jpg", "rotation"),
        ("full/max/abc/default.jpg", "rotation"),
        ("full/max/400/default.jpg", "rotation"),
        ("full/max/0/best.jpg", "quality"),
        ("full/max/0/default.gif", "format"),
        ("full/max/0/default", "quality.format"),
    ],
)
def test_bad_requests_are_400_with_a_reason(iiif, path, words):
    r = iiif.client.get(f"{B}/{path}")
    assert r.status_code == 400, (path, r.status_code)
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["access-control-allow-origin"] == "*"
    assert words in r.json()["detail"]


def test_unknown_and_non_image_ids_are_404(iiif):
    for ident in ["no-such-item", "item-mesh", "w-iiif"]:
        for path in ["/info.json", "/full/max/0/default.jpg"]:
            r = iiif.client.get(f"/iiif/3/{ident}{path}")
            assert r.status_code == 404, (ident, path)
            assert r.headers["access-control-allow-origin"] == "*"


def test_large_image_without_pyramid_is_503_and_gets_one_built(iiif):
    """No full decode per request: the client is told to retry while a job cuts the pyramid."""
    r = iiif.client.get("/iiif/3/item-pending/full/max/0/default.jpg")
    assert r.status_code == 503
    assert r.headers["retry-after"] == "5" and r.headers["access-control-allow-origin"] == "*"
    assert "pyramid" in r.json()["detail"]
    job_id = r.json()["job"]
    for _ in range(200):
        job = iiif.client.get(f"/api/jobs/{job_id}").json()
        if job["status"] in ("done", "failed"):
            break
        time.sleep(0.05)
    assert job["status"] == "done" and job["kind"] == "tile-pyramid", job
    info = iiif.client.get("/iiif/3/item-pending/info.json").json()
    assert (info["width"], info["height"]) == (2100, 100)
    assert iiif.client.get("/iiif/3/item-pending/0,0,512,100/512,100/0/default.jpg").status_code == 200


def test_server_keeps_answering_after_bad_requests(iiif):
    for path in ["9000,0,1,1/max/0/default.jpg", "full/^99999,/0/default.jpg", "x/y/z/w.v"]:
        assert iiif.client.get(f"{B}/{path}").status_code == 400
    assert iiif.client.get(f"{B}/0,0,512,512/512,512/0/default.jpg").status_code == 200


def test_pyramid_refuses_decompression_bombs_and_leaves_nothing(iiif, tmp_path, monkeypatch):
    source = tmp_path / "bomb.png"
    Image.fromarray(iiif.texture[:200, :200]).save(source)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)  # 200x200 is over twice the limit
    with pytest.raises(ValidationError, match="decompression bomb"):
        pyramid.build_pyramid(source, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bomb.png"]


def test_levels_follow_the_iiif_convention():
    levels = pyramid.levels_for(2600, 1801, 512)
    assert [(lv.scale, lv.width, lv.height) for lv in levels] == [
        (1, 2600, 1801),
        (2, 1300, 901),
        (4, 650, 451),
        (8, 325, 226),
    ]
