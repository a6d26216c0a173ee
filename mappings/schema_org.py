"""Crosswalk out: a Work (with its Instances and Items) → Schema.org JSON-LD.

Used for exports and embedded in item pages (``<script type="application/ld+json">``) so search
engines see the object. Only terms of Schema.org release 30.0 are used (a test checks them).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import pyoxigraph as ox

from mappings.graph_view import GEO, GraphView

MEDIA_TYPES = {"3d-model": "3DModel", "nexus-mesh": "3DModel", "image": "ImageObject", "gigapixel-image": "ImageObject",
               "rti": "ImageObject", "multilayer": "MediaObject"}  # fmt: skip


def _text(pairs: list[tuple[str, str | None]]) -> list[dict] | str | None:
    if not pairs:
        return None
    if len(pairs) == 1 and not pairs[0][1]:
        return pairs[0][0]
    return [{"@value": t, "@language": lang} if lang else {"@value": t} for t, lang in pairs]


def _iso_year(year: int) -> str:
    """ISO 8601 years: four digits; BCE as a signed extended year (1 BCE is year 0)."""
    return f"{year:04d}" if year >= 0 else f"-{abs(year) - 1:06d}"


def _year_interval(begin: str | None, end: str | None) -> str | None:
    """``begin/end`` as an ISO 8601 interval of years, or one year when only one is known."""
    years = [_iso_year(int(y)) for y in (begin, end) if y not in (None, "")]
    if not years:
        return None
    return years[0] if len(years) == 1 or years[0] == years[1] else f"{years[0]}/{years[1]}"


def _defined_term(view: GraphView, iri: str) -> dict:
    return {"@type": "DefinedTerm", "@id": iri, "name": _text(view.labels(iri))}


def to_schema_org(quads: Iterable[ox.Quad], reference: Iterable[ox.Quad] = ()) -> dict:
    """A JSON-LD dict (``json.dumps`` it, or use ``to_schema_org_json``)."""
    view = GraphView(quads, reference)
    works = view.of_type("Work")
    if len(works) != 1:
        raise ValueError(f"Schema.org export needs exactly one Work, got {len(works)}")
    work = works[0]
    doc: dict = {"@context": "https://schema.org", "@type": "VisualArtwork", "@id": work}
    doc["identifier"] = view.value(work, "identifier")
    doc["name"] = _text(view.langs(work, "title"))
    if d := _text(view.langs(work, "description")):
        doc["description"] = d
    if types := view.objects(work, "objectType"):
        doc["artform"] = [view.label(t.value) for t in types]
        doc["genre"] = [_defined_term(view, t.value) for t in types]
    if mats := view.objects(work, "material"):
        doc["material"] = [_defined_term(view, m.value) for m in mats]
    # ISO 8601 interval first (what Schema.org consumers parse), then the era labels people read.
    coverage = [_year_interval(view.value(work, "beginYear"), view.value(work, "endYear"))]
    coverage += [view.label(e.value) for e in view.objects(work, "era")]
    if coverage := [c for c in coverage if c]:
        doc["temporalCoverage"] = coverage
    if statement := view.value(work, "dateStatement"):
        doc["dateCreated"] = statement
    if creators := view.objects(work, "creator"):
        doc["creator"] = [{"@type": "Person", "@id": c.value, "name": view.label(c.value)} for c in creators]
    for prop, key in (("placeOfOrigin", "locationCreated"), ("findSpot", "spatialCoverage")):
        places = []
        for p in view.objects(work, prop):
            place: dict = {"@type": "Place", "@id": p.value, "name": _text(view.labels(p.value))}
            lat, long = view.value(p.value, GEO + "lat"), view.value(p.value, GEO + "long")
            if lat and long:
                place["geo"] = {"@type": "GeoCoordinates", "latitude": float(lat), "longitude": float(long)}
            places.append(place)
        if places:
            doc[key] = places
    if museum := view.objects(work, "heldBy"):
        doc["sourceOrganization"] = {
            "@type": "Organization",
            "@id": museum[0].value,
            "name": view.label(museum[0].value),
        }
    for dim in view.objects(work, "dimension"):
        kind = view.value(dim.value, "dimensionType")
        if kind in ("height", "width", "depth", "weight"):
            doc[kind] = {"@type": "QuantitativeValue", "value": float(view.value(dim.value, "value") or 0),
                         "unitText": view.value(dim.value, "unit")}  # fmt: skip
    if themes := view.langs(work, "theme"):
        doc["keywords"] = [t for t, _ in themes]
    if rights := view.value(work, "rights"):
        doc["license"] = rights
    if statement := view.value(work, "rightsStatement"):
        doc["copyrightNotice"] = statement
    if url := view.value(work, "sourceUrl"):
        doc["url"] = url
    media = []
    for inst in view.subjects_with("represents", work):
        slug = (view.value(inst, "instanceType") or "").rstrip("/").rsplit("/", 1)[-1]
        for item in view.subjects_with("partOf", inst):
            obj: dict = {"@type": MEDIA_TYPES.get(slug, "MediaObject"), "@id": item}
            for prop, key in (
                ("contentUrl", "contentUrl"),
                ("mediaType", "encodingFormat"),
                ("sha256", "sha256"),
            ):
                if v := view.value(item, prop):
                    obj[key] = v
            if size := view.value(item, "byteSize"):
                obj["contentSize"] = f"{size} B"
            for prop, key in (("pixelWidth", "width"), ("pixelHeight", "height")):
                if v := view.value(item, prop):
                    obj[key] = {"@type": "QuantitativeValue", "value": int(v), "unitText": "px"}
            media.append(obj)
    if media:
        doc["associatedMedia"] = media
    return {k: v for k, v in doc.items() if v is not None}


def to_schema_org_json(quads: Iterable[ox.Quad], reference: Iterable[ox.Quad] = ()) -> str:
    """Pretty JSON text, safe to embed in a ``<script>`` element (``</`` is escaped)."""
    return json.dumps(to_schema_org(quads, reference), ensure_ascii=False, indent=2).replace("</", "<\\/")
