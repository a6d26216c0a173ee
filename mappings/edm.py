"""Crosswalk out: a Work (with its Instances and Items) → Europeana EDM RDF/XML.

One ``rdf:RDF`` per Work: ``edm:ProvidedCHO`` + one ``ore:Aggregation`` + an ``edm:WebResource`` per
Item + contextual classes (``skos:Concept``, ``edm:Agent``, ``edm:Place``, ``edm:TimeSpan``). Element
order follows the Europeana XSD (``EDM.xsd``), which the tests validate against. See
``docs/mapping-table.md`` for what maps where and what EDM cannot carry.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable

import pyoxigraph as ox
from lxml import etree

from mappings.graph_view import GEO, GraphView, dimension_texts, scheme_of

NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "edm": "http://www.europeana.eu/schemas/edm/",
    "ore": "http://www.openarchives.org/ore/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "wgs84_pos": GEO,
    "owl": "http://www.w3.org/2002/07/owl#",
    "ebucore": "http://www.ebu.ch/metadata/ontologies/ebucore/ebucore#",
}
XSD_NS = "http://www.w3.org/2001/XMLSchema#"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EDM_TYPES = {"3d-model": "3D", "nexus-mesh": "3D", "image": "IMAGE", "gigapixel-image": "IMAGE", "rti": "IMAGE",
             "multilayer": "IMAGE"}  # fmt: skip
DEFAULT_PROVIDER = "Heritage Graph"


def q(name: str) -> str:
    """``edm:type`` → Clark notation."""
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"


def _literal(parent: etree._Element, name: str, text: str, lang: str | None = None) -> None:
    el = etree.SubElement(parent, q(name))
    el.text = text
    if lang and lang != "und":
        el.set(XML_LANG, lang)


def _resource(parent: etree._Element, name: str, iri: str) -> None:
    etree.SubElement(parent, q(name)).set(q("rdf:resource"), iri)


def _typed(parent: etree._Element, name: str, text: str, datatype: str) -> None:
    el = etree.SubElement(parent, q(name))
    el.text = text
    el.set(q("rdf:datatype"), XSD_NS + datatype)


def sha256_ni(hex_digest: str) -> str:
    """RFC 6920 ``ni:`` IRI of a SHA-256 digest: names exactly these bytes, so ``owl:sameAs`` fits."""
    raw = base64.urlsafe_b64encode(bytes.fromhex(hex_digest)).decode().rstrip("=")
    return f"ni:///sha-256;{raw}"


def edm_type(view: GraphView, work: str) -> str:
    """IMAGE / 3D / ... from the Work's Instances (IMAGE when it has none: the source shows an image)."""
    for inst in view.subjects_with("represents", work):
        for t in view.objects(inst, "instanceType"):
            slug = t.value.rstrip("/").rsplit("/", 1)[-1].removeprefix("instance-type-")
            if slug in EDM_TYPES:
                return EDM_TYPES[slug]
    return "IMAGE"


def to_edm(
    quads: Iterable[ox.Quad],
    reference: Iterable[ox.Quad] = (),
    provider: str = DEFAULT_PROVIDER,
) -> bytes:
    """EDM RDF/XML for the one Work in ``quads`` (its record plus its Instances'/Items' records).

    ``reference`` supplies concept labels, era years and place coordinates (the scheme quads).
    """
    view = GraphView(quads, reference)
    works = view.of_type("Work")
    if len(works) != 1:
        raise ValueError(f"EDM export needs exactly one Work in the input, got {len(works)}")
    work = works[0]
    root = etree.Element(q("rdf:RDF"), nsmap=NS)
    cho = etree.SubElement(root, q("edm:ProvidedCHO"))
    cho.set(q("rdf:about"), work)
    contextual: dict[str, str] = {}

    # DC/DCTERMS block (any order inside the XSD's choice)
    for text in (view.value(work, "identifier"), view.value(work, "collectionNumber")):
        if text:
            _literal(cho, "dc:identifier", text)
    for text, lang in view.langs(work, "title"):
        _literal(cho, "dc:title", text, lang)
    for text, lang in view.langs(work, "description"):
        _literal(cho, "dc:description", text, lang)
    for agent in view.objects(work, "creator"):
        _resource(cho, "dc:creator", agent.value)
        contextual[agent.value] = "edm:Agent"
    for concept in view.objects(work, "objectType"):
        _resource(cho, "dc:type", concept.value)
        contextual[concept.value] = "skos:Concept"
    for prop in ("use", "culture"):
        for concept in view.objects(work, prop):
            _resource(cho, "dc:subject", concept.value)
            contextual[concept.value] = "skos:Concept"
    for text, lang in view.langs(work, "theme"):
        _literal(cho, "dc:subject", text, lang)
    for text in [o.value for o in view.objects(work, "rightsStatement")]:
        _literal(cho, "dc:rights", text)
    for place in view.objects(work, "findSpot"):
        _resource(cho, "dc:coverage", place.value)
        contextual[place.value] = "edm:Place"
    if text := view.value(work, "dateStatement"):
        _literal(cho, "dcterms:created", text)
    if text := view.value(work, "dimensionStatement"):
        _literal(cho, "dcterms:extent", text)
    for text in dimension_texts(view, work):
        _literal(cho, "dcterms:extent", text)
    # the Work's digital surrogates (Instances): DCMI's hasFormat, the design's Dublin Core alignment
    for instance in sorted(view.subjects_with("represents", work)):
        _resource(cho, "dcterms:hasFormat", instance)
    if text := view.value(work, "materialStatement"):
        _literal(cho, "dcterms:medium", text)
    for concept in view.objects(work, "material"):
        _resource(cho, "dcterms:medium", concept.value)
        contextual[concept.value] = "skos:Concept"
    for place in view.objects(work, "placeOfOrigin"):
        _resource(cho, "dcterms:spatial", place.value)
        contextual[place.value] = "edm:Place"
    for era in view.objects(work, "era"):
        _resource(cho, "dcterms:temporal", era.value)
        contextual[era.value] = "edm:TimeSpan"
    if view.value(work, "beginYear") or view.value(work, "endYear"):
        span = f"{work}/timespan"
        _resource(cho, "dcterms:temporal", span)
        contextual[span] = "edm:TimeSpan"
    # EDM block, XSD order
    for source in view.objects(work, "derivedFrom"):
        _resource(cho, "edm:isDerivativeOf", source.value)
    _literal(cho, "edm:type", edm_type(view, work))

    items = [
        it for inst in view.subjects_with("represents", work) for it in view.subjects_with("partOf", inst)
    ]
    # our files (contentUrl), or remote ones an import brought in (sourceUrl)
    located = [(it, u) for it in items if (u := view.value(it, "contentUrl") or view.value(it, "sourceUrl"))]
    for item, url in located:
        _web_resource(root, view, item, url, contextual)
    urls = [url for _item, url in located]

    for iri, kind in sorted(contextual.items()):
        _contextual(root, view, iri, kind, work)

    agg = etree.SubElement(root, q("ore:Aggregation"))
    agg.set(q("rdf:about"), f"{work}/aggregation")
    _resource(agg, "edm:aggregatedCHO", work)
    museum = next(iter(view.objects(work, "heldBy")), None)
    _literal(agg, "edm:dataProvider", view.label(museum.value) if museum else provider)
    for url in urls[1:]:
        _resource(agg, "edm:hasView", url)
    if source := view.value(work, "sourceUrl"):
        _resource(agg, "edm:isShownAt", source)
    if urls:
        _resource(agg, "edm:isShownBy", urls[0])
    _literal(agg, "edm:provider", provider)
    _resource(agg, "edm:rights", view.value(work, "rights") or "http://rightsstatements.org/vocab/CNE/1.0/")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _web_resource(
    root: etree._Element, view: GraphView, item: str, url: str, contextual: dict[str, str]
) -> None:
    """One Item as an ``edm:WebResource`` (XSD sequence order). ``dcterms:isPartOf`` names its
    Instance and ``dc:type`` the Instance's type, so that ``edm_in`` can rebuild both layers."""
    res = etree.SubElement(root, q("edm:WebResource"))
    res.set(q("rdf:about"), url)
    instance = view.value(item, "partOf")
    if name := view.value(item, "fileName"):
        _literal(res, "dc:description", name)
    if media := view.value(item, "mediaType"):
        _literal(res, "dc:format", media)
    for source in view.objects(item, "derivedFrom"):  # dc:source: "a resource it is derived from"
        _resource(res, "dc:source", source.value)
    for concept in view.objects(instance, "instanceType") if instance else []:
        _resource(res, "dc:type", concept.value)
        contextual[concept.value] = "skos:Concept"
    for text, lang in view.langs(item, "title"):
        _literal(res, "dc:title", text, lang)
    if fmt := view.value(item, "fileFormat"):  # the format the file conforms to (jpeg, glb, nxs, ...)
        _literal(res, "dcterms:conformsTo", fmt)
    if size := view.value(item, "byteSize"):
        _literal(res, "dcterms:extent", f"{size} bytes")
    if instance:
        _resource(res, "dcterms:isPartOf", instance)
    if rights := view.value(item, "rights"):  # else the Aggregation's edm:rights applies
        _resource(res, "edm:rights", rights)
    if digest := view.value(item, "sha256"):
        _resource(res, "owl:sameAs", sha256_ni(digest))
    if size:
        _typed(res, "ebucore:fileByteSize", size, "long")
    for prop, name in (("pixelWidth", "ebucore:width"), ("pixelHeight", "ebucore:height")):
        if value := view.value(item, prop):
            _typed(res, name, value, "integer")


def _contextual(root: etree._Element, view: GraphView, iri: str, kind: str, work: str) -> None:
    el = etree.SubElement(root, q(kind))
    el.set(q("rdf:about"), iri)
    if kind == "edm:Place":  # the XSD puts coordinates first
        lat, long = view.value(iri, GEO + "lat"), view.value(iri, GEO + "long")
        if lat and long:
            _literal(el, "wgs84_pos:lat", lat)
            _literal(el, "wgs84_pos:long", long)
    if iri == f"{work}/timespan":
        _literal(el, "skos:prefLabel", view.value(work, "dateStatement") or "date", "en")
        begin, end = view.value(work, "beginYear"), view.value(work, "endYear")
    else:
        for text, lang in view.labels(iri):
            _literal(el, "skos:prefLabel", text, lang)
        for text, lang in view.langs(iri, "http://www.w3.org/2004/02/skos/core#altLabel"):
            _literal(el, "skos:altLabel", text, lang)
        begin, end = view.value(iri, "beginYear"), view.value(iri, "endYear")
    if kind == "edm:TimeSpan":
        if begin:
            _literal(el, "edm:begin", begin)
        if end:
            _literal(el, "edm:end", end)
    if kind == "skos:Concept" and (scheme := scheme_of(iri)):
        _resource(el, "skos:inScheme", f"https://w3id.org/heritage-graph/scheme/{scheme}")
