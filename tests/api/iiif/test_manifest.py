"""Presentation 3.0 manifests through a real HTTP client (httpx against uvicorn): the spec's
MUSTs for Manifest, Canvas, AnnotationPage, Annotation and image bodies, each body's image
service answering with matching sizes, errors, and a golden file for the pure mapping.

The IIIF presentation validator's JSON schema is not available offline; the checks below
follow the MUST statements of the Presentation API 3.0 text."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import httpx
import pytest
from PIL import Image

from api.app import create_app
from mappings.iiif_manifest import CanvasImage, build_manifest
from tests.api.w3c.live import live_server

GOLDEN = Path(__file__).parent / "golden" / "manifest.json"
CONTEXT = "http://iiif.io/api/presentation/3/context.json"
HTTP_URI = re.compile(r"^https?://[^\s]+$")
RIGHTS = re.compile(r"^http://(creativecommons\.org/(licenses|publicdomain)/|rightsstatements\.org/vocab/)")
MANIFEST_KEYS = {
    "@context", "id", "type", "label", "summary", "metadata", "rights", "requiredStatement",
    "homepage", "seeAlso", "thumbnail", "items", "provider", "behavior", "navDate",
}  # fmt: skip


def lang_map(value) -> bool:
    return (
        isinstance(value, dict)
        and bool(value)
        and all(
            isinstance(k, str) and isinstance(v, list) and all(isinstance(s, str) for s in v)
            for k, v in value.items()
        )
    )


def must_problems(doc: dict) -> list[str]:
    """Every broken MUST of Presentation 3.0 that applies to our manifests (empty when valid)."""
    out: list[str] = []
    ctx = doc.get("@context")
    if (ctx[-1] if isinstance(ctx, list) else ctx) != CONTEXT:
        out.append("@context must end with the Presentation 3 context")
    if not HTTP_URI.match(doc.get("id", "")) or doc.get("type") != "Manifest":
        out.append("Manifest needs an HTTP(S) id and type Manifest")
    if not lang_map(doc.get("label")):
        out.append("Manifest label must be a language map")
    if extra := set(doc) - MANIFEST_KEYS:
        out.append(f"unknown Manifest properties {sorted(extra)}")
    for key in ("summary",):
        if key in doc and not lang_map(doc[key]):
            out.append(f"{key} must be a language map")
    for entry in doc.get("metadata", []) + ([doc["requiredStatement"]] if "requiredStatement" in doc else []):
        if not (lang_map(entry.get("label")) and lang_map(entry.get("value"))):
            out.append(f"metadata / requiredStatement entry {entry} needs label and value language maps")
    if "rights" in doc and not RIGHTS.match(doc["rights"]):
        out.append("rights must be a Creative Commons or RightsStatements.org http URI")
    for res in doc.get("homepage", []) + doc.get("seeAlso", []) + doc.get("thumbnail", []):
        if not (HTTP_URI.match(res.get("id", "")) and res.get("type")):
            out.append(f"linked resource {res} needs id and type")
    for res in doc.get("homepage", []):
        if not lang_map(res.get("label")):
            out.append("homepage needs a label")
    canvases = doc.get("items")
    if not isinstance(canvases, list) or not canvases:
        out.append("Manifest items must list at least one Canvas")
        return out
    ids = [doc["id"]]
    for canvas in canvases:
        cid = canvas.get("id", "")
        ids.append(cid)
        if not HTTP_URI.match(cid) or "#" in cid or canvas.get("type") != "Canvas":
            out.append(f"Canvas {cid!r}: HTTP(S) id without fragment and type Canvas")
        w, h = canvas.get("width"), canvas.get("height")
        if not (isinstance(w, int) and isinstance(h, int) and w > 0 and h > 0):
            out.append(f"Canvas {cid!r}: width and height must both be positive integers")
        if "label" in canvas and not lang_map(canvas["label"]):
            out.append(f"Canvas {cid!r}: label must be a language map")
        for page in canvas.get("items", []):
            ids.append(page.get("id", ""))
            if page.get("type") != "AnnotationPage" or not HTTP_URI.match(page.get("id", "")):
                out.append(f"Canvas {cid!r}: items must be AnnotationPages with ids")
            for anno in page.get("items", []):
                ids.append(anno.get("id", ""))
                if anno.get("type") != "Annotation" or not HTTP_URI.match(anno.get("id", "")):
                    out.append(f"annotation {anno.get('id')!r} needs an id and type Annotation")
                if anno.get("motivation") != "painting" or anno.get("target") != cid:
                    out.append(f"annotation {anno.get('id')!r} must paint its own canvas")
                body = anno.get("body", {})
                if (
                    body.get("type") != "Image"
                    or not HTTP_URI.match(body.get("id", ""))
                    or not body.get("format")
                ):
                    out.append(f"annotation {anno.get('id')!r}: body must be an Image with id and format")
                for service in body.get("service", []):
                    if not (HTTP_URI.match(service.get("id", "")) and service.get("type") == "ImageService3"):
                        out.append(f"service {service} needs an id and type ImageService3")
        if not canvas.get("items"):
            out.append(f"Canvas {cid!r} paints nothing")
    if len(ids) != len(set(ids)):
        out.append("ids must be unique")
    return out


@pytest.fixture(scope="module")
def http(iiif):
    with (
        live_server(create_app(iiif.ctx.settings, ctx=iiif.ctx)) as url,
        httpx.Client(base_url=url, timeout=30) as client,
    ):
        yield client


def test_manifest_meets_the_presentation_3_musts(http):
    r = http.get("/iiif/manifest/w-iiif")
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == "*"
    doc = r.json()
    assert must_problems(doc) == []
    assert doc["id"] == str(http.base_url).rstrip("/") + "/iiif/manifest/w-iiif"
    assert doc["label"] == {"en": ["Test pattern"], "ko": ["시험 무늬"]}
    assert doc["rights"] == "http://creativecommons.org/publicdomain/zero/1.0/"
    ids = [c["id"].rsplit("/", 1)[-1] for c in doc["items"]]
    assert sorted(ids) == ["item-pending", "item-small", "item-squares", "item-texture"]  # not the OBJ


def test_every_canvas_is_painted_through_a_working_image_service(http):
    doc = http.get("/iiif/manifest/w-iiif").json()
    for canvas in doc["items"]:
        if canvas["id"].endswith("item-pending"):
            continue  # its tiles are not built yet (503, tested with the Image API)
        body = canvas["items"][0]["items"][0]["body"]
        service = body["service"][0]["id"]
        info = http.get(service + "/info.json").json()
        assert (info["width"], info["height"]) == (canvas["width"], canvas["height"])
        assert info["id"] == service
        image = http.get(body["id"])
        assert image.status_code == 200 and image.headers["content-type"] == body["format"]
        assert Image.open(io.BytesIO(image.content)).size == (body["width"], body["height"])


def test_the_must_checks_catch_broken_manifests(http):
    doc = http.get("/iiif/manifest/w-iiif").json()
    broken = json.loads(json.dumps(doc))
    broken["label"] = "a string"
    broken["items"][0]["width"] = "wide"
    broken["items"][1]["items"][0]["items"][0]["target"] = "http://elsewhere/canvas"
    broken["items"][2]["id"] = broken["items"][3]["id"]
    problems = " | ".join(must_problems(broken))
    for expected in ["label must be a language map", "positive integers", "paint its own canvas", "unique"]:
        assert expected in problems


def test_jsonld_media_type_and_errors(http):
    r = http.get("/iiif/manifest/w-iiif", headers={"accept": "application/ld+json"})
    assert r.headers["content-type"].startswith("application/ld+json")
    assert "presentation/3/context.json" in r.headers["content-type"]
    for work in ["w-empty", "no-such-work", "item-texture"]:
        r = http.get(f"/iiif/manifest/{work}")
        assert r.status_code == 404, work
        assert r.headers["content-type"] == "application/problem+json"


def test_build_manifest_golden():
    work = {
        "id": "nt-216",
        "iri": "https://example.org/id/work/nt-216",
        "identifier": "NT-216",
        "title": {"ko": "정선 필 인왕제색도", "en": "Clearing after Rain on Mount Inwang"},
        "description": {"en": "Ink on paper."},
        "era": [{"iri": "https://w3id.org/heritage-graph/scheme/era/joseon", "label": "Joseon"}],
        "begin_year": 1751,
        "end_year": 1751,
        "museum": "Leeum",
        "rights": "https://creativecommons.org/publicdomain/zero/1.0/",
        "rights_statement": "CC0",
    }
    images = [
        CanvasImage("item-nt-216-gigapixel", {"en": "Gigapixel scan"}, 6000, 4000, "image/jpeg", 5016, 3344)
    ]
    doc = build_manifest(work, images, "https://example.org/")
    assert must_problems(doc) == []
    assert doc == json.loads(GOLDEN.read_text(encoding="utf-8"))
