"""The record crosswalk at the heart of the platform: a record dict (REST JSON, a CSV row after
its column mapping, the demo collection) ↔ the quads of the record's named graph.

Pure functions: the concept resolver is passed in, nothing is read or written here. Every IRI
and literal is built through pyoxigraph terms, never by string formatting of RDF.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from kg.concepts import ConceptResolver, scheme_iri
from kg.errors import ValidationError
from kg.namespaces import HG, LAYER_CLASSES, PROV, RDF, RDFS, SKOS, XSD, Iris, is_valid_id
from mappings.xml_safety import NOT_XML

N = ox.NamedNode
T_XSD_INT = N(str(XSD.integer))
T_XSD_DEC = N(str(XSD.decimal))
T_XSD_DATE = N(str(XSD.date))
RDF_TYPE = N(str(RDF.type))


_HG_CACHE: dict[str, ox.NamedNode] = {}


def hg(name: str) -> ox.NamedNode:
    term = _HG_CACHE.get(name)
    if term is None:
        term = _HG_CACHE[name] = N(str(HG) + name)
    return term


# field name → (property, scheme) for concept-valued fields
CONCEPT_FIELDS: dict[str, tuple[str, str]] = {
    "object_type": ("objectType", "type"),
    "era": ("era", "era"),
    "material": ("material", "material"),
    "use": ("use", "use"),
    "culture": ("culture", "culture"),
    "place_of_origin": ("placeOfOrigin", "place"),
    "find_spot": ("findSpot", "place"),
    "project_type": ("projectType", "project-type"),
    "instance_type": ("instanceType", "instance-type"),
}
STRING_FIELDS = {
    "identifier": "identifier",
    "material_statement": "materialStatement",
    "date_statement": "dateStatement",
    "collection_number": "collectionNumber",
    "department": "department",
    "dimension_statement": "dimensionStatement",
    "exhibition": "exhibition",
    "rights_statement": "rightsStatement",
    "file_name": "fileName",
    "media_type": "mediaType",
    "file_format": "fileFormat",
    "sha256": "sha256",
}
INT_FIELDS = {
    "begin_year": "beginYear",
    "end_year": "endYear",
    "byte_size": "byteSize",
    "pixel_width": "pixelWidth",
    "pixel_height": "pixelHeight",
}
DATE_FIELDS = {"start_date": "startDate", "end_date": "endDate"}
LANG_FIELDS = {"title": "title", "description": "description", "theme": "theme"}
IRI_FIELDS = {"rights": "rights", "source_url": "sourceUrl"}
# field → (property, kind of the referenced record)
LINK_FIELDS = {
    "represents": ("represents", "work"),
    "produced_by": ("producedBy", "project"),
    "part_of": ("partOf", "instance"),
}
MULTI_FIELDS = {
    "object_type",
    "era",
    "material",
    "use",
    "culture",
    "place_of_origin",
    "find_spot",
    "creators",
    "derived_from",
    "theme",
}


def _as_list(value: object) -> list:
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return [v for v in value if v not in (None, "")]
    return [value]


def _lang_map(value: object, default_lang: str = "en") -> dict[str, list[str]]:
    """``{"ko": "..", "en": ".."}``, a plain string, or a list of either → lang → texts."""
    out: dict[str, list[str]] = {}
    for entry in _as_list(value):
        if isinstance(entry, dict):
            for lang, text in entry.items():
                for t in _as_list(text):
                    out.setdefault(lang, []).append(str(t))
        else:
            out.setdefault(default_lang, []).append(str(entry))
    return out


def agent_iri(iris: Iris, label: str) -> str:
    from kg.concepts import slugify

    return iris.entity("agent", slugify(label))


def record_to_quads(record: dict, iris: Iris, resolver: ConceptResolver) -> list[ox.Quad]:
    """The quads of one record's named graph. Raises ``ValidationError`` for shape-level input
    errors that cannot even be expressed as RDF (bad id, unknown kind, non-numeric year)."""
    kind = record.get("kind")
    ident = str(record.get("id") or "")
    if kind not in LAYER_CLASSES:
        raise ValidationError(
            f"record {ident or '?'}: unknown kind {kind!r}",
            [{"record": ident, "field": "kind", "message": "must be work, project, instance or item"}],
        )
    if not is_valid_id(ident):
        raise ValidationError(
            f"record id {ident!r} is not a valid identifier",
            [{"record": ident, "field": "id", "message": "letters, digits, . _ ~ - only"}],
        )
    graph = N(iris.record_graph(ident))
    subject = N(iris.entity(kind, ident))
    quads: list[ox.Quad] = []

    def add(s: ox.NamedNode, p: ox.NamedNode, o) -> None:
        quads.append(ox.Quad(s, p, o, graph))

    def problem(field: str, message: str) -> ValidationError:
        return ValidationError(
            f"record {ident}: {field}: {message}", [{"record": ident, "field": field, "message": message}]
        )

    add(subject, RDF_TYPE, N(str(LAYER_CLASSES[kind])))
    add(subject, hg("identifier"), ox.Literal(str(record.get("identifier") or ident)))

    def text_literal(field: str, text: str, lang: str | None = None) -> ox.Literal:
        bad = NOT_XML.search(text)  # no XML export (OAI-PMH, EDM, RDF/XML) could carry it
        if bad:
            raise problem(field, f"contains the character U+{ord(bad[0]):04X}, which no XML export can carry")
        if lang is None:
            return ox.Literal(text)
        try:  # pyoxigraph parses the tag as BCP 47 (a lone surrogate is a UnicodeError, a ValueError)
            return ox.Literal(text, language=lang)
        except ValueError:
            raise problem(
                field, f"{lang[:40]!r} is not a language tag (BCP 47, e.g. ko, en, ko-Latn)"
            ) from None

    for field, prop in LANG_FIELDS.items():
        for lang, texts in _lang_map(record.get(field)).items():
            for text in texts:
                if text.strip():
                    add(subject, hg(prop), text_literal(field, text.strip(), lang))

    for field, prop in STRING_FIELDS.items():
        if field == "identifier":
            continue
        for value in _as_list(record.get(field)):
            add(subject, hg(prop), text_literal(field, str(value)))

    for field, prop in INT_FIELDS.items():
        value = record.get(field)
        if value in (None, ""):
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise problem(field, f"{value!r} is not a whole number") from None
        add(subject, hg(prop), ox.Literal(str(number), datatype=T_XSD_INT))

    for field, prop in DATE_FIELDS.items():
        value = record.get(field)
        if value:
            add(subject, hg(prop), ox.Literal(str(value), datatype=T_XSD_DATE))

    for field, prop in IRI_FIELDS.items():
        value = record.get(field)
        if value:
            if not str(value).startswith(("http://", "https://", "urn:")):
                raise problem(field, f"{value!r} is not an IRI")
            add(subject, hg(prop), N(str(value)))

    for field, (prop, scheme) in CONCEPT_FIELDS.items():
        for value in _as_list(record.get(field)):
            iri, local = resolver.resolve(scheme, str(value))
            add(subject, hg(prop), N(iri))
            if local:
                concept = N(iri)
                add(concept, RDF_TYPE, N(str(SKOS.Concept)))
                add(concept, N(str(SKOS.inScheme)), N(scheme_iri(scheme)))
                add(concept, N(str(SKOS.prefLabel)), ox.Literal(str(value)))

    for field, (prop, target_kind) in LINK_FIELDS.items():
        value = record.get(field)
        if value:
            target = str(value)
            if not is_valid_id(target):
                raise problem(field, f"{target!r} is not a valid {target_kind} id")
            add(subject, hg(prop), N(iris.entity(target_kind, target)))

    for value in _as_list(record.get("derived_from")):
        value = str(value)
        target = value if value.startswith("http") else None
        if target is None:
            kind_of = record.get("derived_from_kind", kind)
            target = iris.entity(kind_of, value)
        add(subject, hg("derivedFrom"), N(target))

    museum = record.get("museum") or record.get("carried_out_by")
    if museum:
        museum_iri = N(agent_iri(iris, str(museum)))
        add(subject, hg("heldBy" if kind == "work" else "carriedOutBy"), museum_iri)
        add(museum_iri, RDF_TYPE, hg("Museum"))
        add(museum_iri, RDF_TYPE, hg("Agent"))
        add(museum_iri, N(str(RDFS.label)), ox.Literal(str(museum)))

    for creator in _as_list(record.get("creators")):
        creator_iri = N(agent_iri(iris, str(creator)))
        add(subject, hg("creator"), creator_iri)
        add(creator_iri, RDF_TYPE, hg("Agent"))
        add(creator_iri, N(str(RDFS.label)), ox.Literal(str(creator)))

    for dim in _as_list(record.get("dimensions")):
        dtype = str(dim.get("type", "")).strip().lower()
        if not dtype.isalpha():
            raise problem("dimensions", f"dimension type {dtype!r} is not a word")
        try:
            value = Decimal(str(dim.get("value")))
        except (InvalidOperation, ValueError):
            raise problem("dimensions", f"{dim.get('value')!r} is not a number") from None
        node = N(f"{subject.value}/dimension/{dtype}")
        add(subject, hg("dimension"), node)
        add(node, RDF_TYPE, hg("Dimension"))
        add(node, hg("dimensionType"), ox.Literal(dtype))
        add(node, hg("value"), ox.Literal(str(value), datatype=T_XSD_DEC))
        add(node, hg("unit"), ox.Literal(str(dim.get("unit") or "cm")))

    if kind == "item" and record.get("file_name"):
        from urllib.parse import quote

        url = f"{iris.base}/files/{ident}/{quote(str(record['file_name']))}"
        add(subject, hg("contentUrl"), N(url))

    prov = record.get("provenance")
    if prov:
        activity = N(f"{subject.value}/activity")
        add(subject, N(str(PROV.wasGeneratedBy)), activity)
        add(activity, RDF_TYPE, N(str(PROV.Activity)))
        add(activity, hg("method"), ox.Literal(str(prov.get("method", "unknown"))))
        add(activity, hg("parameters"), ox.Literal(json.dumps(prov.get("parameters", {}), sort_keys=True)))
        add(activity, hg("metrics"), ox.Literal(json.dumps(prov.get("metrics", {}), sort_keys=True)))
        if prov.get("software"):
            add(activity, hg("software"), ox.Literal(str(prov["software"])))
        for source in _as_list(record.get("derived_from")):
            src = str(source)
            add(activity, N(str(PROV.used)), N(src if src.startswith("http") else iris.entity("item", src)))
    return quads


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1] if "#" in iri else iri.rsplit("/", 1)[-1]


def quads_to_record(quads: Iterable[ox.Quad], iris: Iris) -> dict:
    """A record dict (the REST shape) from the quads of a record graph; concept-valued fields come
    back as ``{"iri", "label"}`` objects so that clients see both."""
    quads = list(quads)
    by_subject: dict[str, list[ox.Quad]] = {}
    for q in quads:
        by_subject.setdefault(q.subject.value, []).append(q)
    main = None
    for subject, items in by_subject.items():
        parsed = iris.parse_entity(subject)
        if parsed and parsed[0] in LAYER_CLASSES and any(q.predicate == RDF_TYPE for q in items):
            types = {q.object.value for q in items if q.predicate == RDF_TYPE}
            if types & {str(c) for c in LAYER_CLASSES.values()}:
                main = subject
                break
    if main is None:
        return {}
    kind, ident = iris.parse_entity(main)
    labels = {
        q.subject.value: q.object.value
        for q in quads
        if q.predicate.value in (str(RDFS.label), str(SKOS.prefLabel))
    }
    record: dict = {"kind": kind, "id": ident, "iri": main}
    reverse_concepts = {prop: field for field, (prop, _s) in CONCEPT_FIELDS.items()}
    reverse_strings = {prop: field for field, prop in STRING_FIELDS.items()}
    reverse_ints = {prop: field for field, prop in INT_FIELDS.items()}
    reverse_lang = {prop: field for field, prop in LANG_FIELDS.items()}
    reverse_links = {prop: field for field, (prop, _k) in LINK_FIELDS.items()}
    for q in by_subject[main]:
        prop = _local(q.predicate.value)
        obj = q.object
        if q.predicate == RDF_TYPE:
            continue
        if prop in reverse_lang:
            record.setdefault(reverse_lang[prop], {}).setdefault(obj.language or "und", obj.value)
        elif prop in reverse_strings:
            record[reverse_strings[prop]] = obj.value
        elif prop in reverse_ints:
            record[reverse_ints[prop]] = int(obj.value)
        elif prop in ("startDate", "endDate"):
            record["start_date" if prop == "startDate" else "end_date"] = obj.value
        elif prop in reverse_concepts:
            record.setdefault(reverse_concepts[prop], []).append(
                {"iri": obj.value, "label": labels.get(obj.value, _local(obj.value))}
            )
        elif prop in reverse_links:
            record[reverse_links[prop]] = (
                iris.parse_entity(obj.value)[1] if iris.parse_entity(obj.value) else obj.value
            )
        elif prop in ("heldBy", "carriedOutBy"):
            record["museum" if prop == "heldBy" else "carried_out_by"] = labels.get(obj.value, obj.value)
        elif prop == "creator":
            record.setdefault("creators", []).append(labels.get(obj.value, obj.value))
        elif prop == "rights":
            record["rights"] = obj.value
        elif prop == "sourceUrl":
            record["source_url"] = obj.value
        elif prop == "contentUrl":
            record["content_url"] = obj.value
        elif prop == "derivedFrom":
            parsed = iris.parse_entity(obj.value)
            record.setdefault("derived_from", []).append(parsed[1] if parsed else obj.value)
        elif prop == "dimension":
            node = by_subject.get(obj.value, [])
            values = {_local(d.predicate.value): d.object.value for d in node}
            record.setdefault("dimensions", []).append(
                {
                    "type": values.get("dimensionType"),
                    "value": float(values.get("value", 0)),
                    "unit": values.get("unit"),
                }
            )
        elif prop == "wasGeneratedBy":
            node = by_subject.get(obj.value, [])
            values = {_local(d.predicate.value): d.object.value for d in node}
            record["provenance"] = {
                "method": values.get("method"),
                "parameters": json.loads(values.get("parameters", "{}")),
                "metrics": json.loads(values.get("metrics", "{}")),
                "software": values.get("software"),
            }
    for key in ("dimensions",):
        if key in record:
            record[key].sort(key=lambda d: d["type"] or "")
    for key in ("creators", "derived_from"):
        if key in record:
            record[key].sort()
    return record
