"""Crosswalk in: Europeana EDM RDF/XML → work record dicts (for ``mappings.record.record_to_quads``).

The inverse of ``mappings.edm``: every field EDM carries comes back (see docs/mapping-table.md); a
concept IRI from our schemes is kept as the IRI, a foreign one is passed on as its label so the
resolver can match it to our schemes. Input is untrusted: it goes through ``xml_safety`` first.
"""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import unquote

import pyoxigraph as ox
from lxml import etree

from kg.errors import ParseError
from mappings.edm import NS
from mappings.graph_view import GraphView, scheme_of
from mappings.xml_safety import parse_xml

EDM, DC, DCT, ORE = NS["edm"], NS["dc"], NS["dcterms"], NS["ore"]
OWL_SAME_AS, EBU = NS["owl"] + "sameAs", NS["ebucore"]
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
KNOWN_NAMESPACES = {
    *NS.values(),
    "http://www.w3.org/XML/1998/namespace",
    "http://www.w3.org/2002/07/owl#",
    "http://www.w3.org/2000/01/rdf-schema#",
    "http://xmlns.com/foaf/0.1/",
    "http://creativecommons.org/ns#",
    "http://www.w3.org/ns/odrl/2/",
    "http://rdfs.org/sioc/services#",
    "http://usefulinc.com/ns/doap#",
    "http://rdvocab.info/ElementsGr2/",
    "http://www.w3.org/ns/dcat#",
    "http://www.europeana.eu/schemas/edm/enrichment/",
}
_ID_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_DIMENSION = re.compile(r"^([a-z]+): (-?\d+(?:\.\d+)?) (\S+)$")  # mappings.edm.dimension_texts
_BYTES = re.compile(r"^(\d+) bytes$")
_MEDIA_TYPE = re.compile(r"^[a-z]+/[A-Za-z0-9.+-]+$")
_NI_SHA256 = "ni:///sha-256;"
EDM_TYPE_INSTANCE = {"3D": "3d-model", "IMAGE": "image"}
CONCEPT_FIELDS = {"type": "object_type", "use": "use", "culture": "culture", "material": "material",
                  "era": "era", "place": "place_of_origin"}  # fmt: skip


def check_edm_xml(data: bytes, name: str = "EDM") -> etree._Element:
    """Safe parse + structural checks: an ``rdf:RDF`` root and only namespaces EDM uses."""
    root = parse_xml(data, name)
    if root.tag != f"{{{NS['rdf']}}}RDF":
        raise ParseError(f"{name}: the root element must be rdf:RDF, got {root.tag}")
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        ns = etree.QName(el).namespace
        if ns not in KNOWN_NAMESPACES:
            raise ParseError(
                f"{name}: unknown namespace {ns!r} (element {etree.QName(el).localname}, line {el.sourceline})"
            )
    return root


def _record_id(iri: str) -> str:
    tail = (
        iri.rstrip("/").split("/id/work/", 1)[-1]
        if "/id/work/" in iri
        else iri.rstrip("/").rsplit("/", 1)[-1]
    )
    return _ID_SAFE.sub("-", tail).strip("-") or "record"


def edm_to_records(
    data: bytes, name: str = "EDM", surrogates: bool = False, base: str | None = None
) -> list[dict]:
    """Work record dicts, one per ``edm:ProvidedCHO`` in the document; with ``surrogates``, also
    the Instances and Items its ``edm:WebResource``s describe (see ``_surrogates``). ``base`` is
    the importing store's IRI base: WebResources under ``{base}/files/`` are our own Items."""
    check_edm_xml(data, name)
    try:
        triples = list(ox.parse(data, format=ox.RdfFormat.RDF_XML))
    except SyntaxError as exc:
        raise ParseError(f"{name}: invalid RDF/XML: {exc}") from exc
    view = GraphView(triples)
    chos = sorted(
        s for s, p in view.index.items() if any(o.value == EDM + "ProvidedCHO" for o in p.get(RDF_TYPE, []))
    )
    if not chos:
        raise ParseError(f"{name}: no edm:ProvidedCHO in the document")
    works = [_cho_record(view, cho) for cho in chos]
    if not surrogates:
        return works
    layers = [r for cho, work in zip(chos, works, strict=True) for r in _surrogates(view, cho, work, base)]
    instances = list({r["id"]: r for r in layers if r["kind"] == "instance"}.values())
    return works + instances + [r for r in layers if r["kind"] == "item"]


def _concept_value(view: GraphView, term: ox.Term) -> str:
    if isinstance(term, ox.Literal):
        return term.value
    return term.value if scheme_of(term.value) else view.label(term.value)


def _cho_record(view: GraphView, cho: str) -> dict:
    rec: dict = {"kind": "work", "id": _record_id(cho)}
    idents = [o.value for o in view.objects(cho, DC + "identifier")]
    if idents:
        rec["identifier"] = idents[0]
    if len(idents) > 1:
        rec["collection_number"] = idents[1]
    for field, prop in (("title", DC + "title"), ("description", DC + "description")):
        pairs = view.langs(cho, prop)
        if pairs:
            rec[field] = {lang or "en": text for text, lang in pairs}
    creators = [
        view.label(o.value) if isinstance(o, ox.NamedNode) else o.value
        for o in view.objects(cho, DC + "creator")
    ]
    if creators:
        rec["creators"] = creators

    def add(field: str, value: str) -> None:
        rec.setdefault(field, []).append(value)

    for term in view.objects(cho, DC + "type"):
        add("object_type", _concept_value(view, term))
    for term in view.objects(cho, DC + "subject"):
        scheme = scheme_of(term.value) if isinstance(term, ox.NamedNode) else None
        if scheme in ("use", "culture"):
            add(scheme, term.value)
        else:
            add("theme", _concept_value(view, term))
    for term in view.objects(cho, DCT + "medium"):
        if isinstance(term, ox.Literal):
            rec["material_statement"] = term.value
        else:
            add("material", _concept_value(view, term))
    for term in view.objects(cho, DC + "coverage"):
        add("find_spot", _concept_value(view, term))
    for term in view.objects(cho, DCT + "spatial"):
        add("place_of_origin", _concept_value(view, term))
    for term in view.objects(cho, DCT + "temporal"):
        if term.value == f"{cho}/timespan":
            for field, prop in (("begin_year", EDM + "begin"), ("end_year", EDM + "end")):
                if (v := view.value(term.value, prop)) and re.fullmatch(r"-?\d+", v):
                    rec[field] = int(v)
        else:
            add("era", _concept_value(view, term))
    for field, prop in (("rights_statement", DC + "rights"), ("date_statement", DCT + "created")):
        if v := view.value(cho, prop):
            rec[field] = v
    for term in view.objects(cho, DCT + "extent"):
        if m := _DIMENSION.match(term.value):
            rec.setdefault("dimensions", []).append({"type": m[1], "value": m[2], "unit": m[3]})
        else:
            rec.setdefault("dimension_statement", term.value)
    derived = [_record_id(o.value) for o in view.objects(cho, EDM + "isDerivativeOf")]
    if derived:
        rec["derived_from"] = derived
    for agg, props in view.index.items():
        if not any(o.value == cho for o in props.get(EDM + "aggregatedCHO", [])):
            continue
        provider = next(iter(props.get(EDM + "dataProvider", [])), None)
        if provider is not None:
            rec["museum"] = (
                view.label(provider.value) if isinstance(provider, ox.NamedNode) else provider.value
            )
        if v := view.value(agg, EDM + "rights"):
            rec["rights"] = v
        if v := view.value(agg, EDM + "isShownAt"):
            rec["source_url"] = v
    return rec


def _aggregations(view: GraphView, cho: str) -> list[str]:
    return sorted(
        a
        for a, props in view.index.items()
        if any(o.value == cho for o in props.get(EDM + "aggregatedCHO", []))
    )


def remote_item_id(work_id: str, url: str) -> str:
    """A stable id for a remote file: the same URL always gives the same Item, whatever its
    position in the aggregation, so a re-harvest updates it instead of shifting ids."""
    return f"{work_id}-file-{hashlib.sha256(url.encode()).hexdigest()[:10]}"


def _surrogates(view: GraphView, cho: str, work: dict, base: str | None) -> list[dict]:
    """Instance and Item records from the WebResources the CHO's aggregation shows.

    Each ``edm:isShownBy`` / ``edm:hasView`` WebResource becomes an Item; its ``dcterms:isPartOf``
    (our export writes the Instance IRI there) groups Items into Instances, otherwise one Instance
    ``{work}-edm`` per CHO. Our own files (under ``{base}/files/{item}/{name}``) keep their ids and
    file names; other WebResources become Items that point at the remote file (``source_url``).
    Not carried by EDM, so not rebuilt: the Instance's own title (the Work's is used), its Project.
    """
    out: list[dict] = []
    urls: list[str] = []
    for agg in _aggregations(view, cho):
        for prop in (EDM + "isShownBy", EDM + "hasView"):
            urls.extend(o.value for o in view.objects(agg, prop) if o.value not in urls)
    cho_type = view.value(cho, EDM + "type") or ""
    own = f"{base.rstrip('/')}/files/" if base else None
    for url in urls:
        part_of = view.value(url, DCT + "isPartOf") or ""
        inst_id = (
            _ID_SAFE.sub("-", part_of.split("/id/instance/", 1)[1]) if "/id/instance/" in part_of else None
        )
        inst_id = inst_id or f"{work['id']}-edm"
        types = [o.value for o in view.objects(url, DC + "type") if scheme_of(o.value) == "instance-type"]
        instance = {"kind": "instance", "id": inst_id, "identifier": inst_id, "represents": work["id"],
                    "title": dict(work.get("title") or {"en": work["id"]})}  # fmt: skip
        if types or cho_type in EDM_TYPE_INSTANCE:
            instance["instance_type"] = types[0] if types else EDM_TYPE_INSTANCE[cho_type]
        out.append(instance)

        item: dict = {"kind": "item", "part_of": inst_id}
        if own and url.startswith(own) and "/" in url[len(own) :]:
            ident, _, file_name = url[len(own) :].partition("/")
            item.update(id=ident, file_name=unquote(file_name))
        else:
            item.update(id=remote_item_id(work["id"], url), source_url=url)
        item["identifier"] = item["id"]
        if (media := view.value(url, DC + "format")) and _MEDIA_TYPE.match(media):
            item["media_type"] = media
        if (fmt := view.value(url, DCT + "conformsTo")) and re.fullmatch(r"[a-z0-9]{1,16}", fmt):
            item["file_format"] = fmt
        if pairs := view.langs(url, DC + "title"):
            item["title"] = {lang or "en": text for text, lang in pairs}
        size = view.value(url, EBU + "fileByteSize")
        if size is None and (m := _BYTES.match(view.value(url, DCT + "extent") or "")):
            size = m[1]
        if size and size.isdigit():
            item["byte_size"] = int(size)
        for field, prop in (("pixel_width", "width"), ("pixel_height", "height")):
            if (v := view.value(url, EBU + prop)) and v.isdigit():
                item[field] = int(v)
        for same in view.objects(url, OWL_SAME_AS):
            if same.value.startswith(_NI_SHA256):
                raw = same.value[len(_NI_SHA256) :]
                try:
                    digest = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
                except ValueError:
                    continue  # not a digest: ignore the link rather than the record
                if len(digest) == 32:
                    item["sha256"] = digest.hex()
        if rights := view.value(url, EDM + "rights"):
            item["rights"] = rights
        sources = [o.value for o in view.objects(url, DC + "source") if isinstance(o, ox.NamedNode)]
        if sources:
            item["derived_from"] = sources
        out.append(item)
    return out
