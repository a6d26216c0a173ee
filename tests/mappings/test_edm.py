"""EDM out (XSD-valid, golden), EDM in, round trip, and bad input."""

from __future__ import annotations

import csv
from itertools import islice

import pytest
from lxml import etree

from kg.errors import ParseError
from mappings.csv_record import load_mapping, row_to_record
from mappings.edm import to_edm
from mappings.edm_in import edm_to_records, remote_item_id
from mappings.edm_rules import Rule, check_edm, load_rules
from tests.mappings.conftest import BASE, INSTANCE, ITEM, PROJECT, WORK, check_golden
from tests.shared_paths import RECORDS_CSV, VOCAB_DIR, require_shared
from tests.work_attributes import DESCRIPTIVE, HG, hg_iris

TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
CARRIED = hg_iris(*DESCRIPTIVE, "dimension", "theme", "derivedFrom")


@pytest.fixture(scope="module")
def edm_schema() -> etree.XMLSchema:
    require_shared(VOCAB_DIR / "edm" / "xsd" / "EDM.xsd")
    return etree.XMLSchema(etree.parse(str(VOCAB_DIR / "edm" / "xsd" / "EDM.xsd")))


@pytest.fixture(scope="module")
def edm_rules() -> list[Rule]:
    """Europeana's Schematron assertions from the official XSDs (all but one XPath 2.0 rights rule)."""
    require_shared(VOCAB_DIR / "edm" / "xsd" / "EDM.xsd")
    rules, skipped = load_rules(VOCAB_DIR / "edm" / "xsd")
    assert len(rules) >= 20 and len(skipped) <= 1, skipped
    return rules


def _valid(schema: etree.XMLSchema, xml: bytes, rules: list[Rule] = ()) -> None:
    doc = etree.fromstring(xml)
    assert schema.validate(doc), schema.error_log.last_error
    assert check_edm(doc, list(rules)) == []


def test_europeana_schematron_rules_hold_and_bite(sample_quads, schemes, edm_rules) -> None:
    doc = etree.fromstring(to_edm(sample_quads, schemes))
    assert check_edm(doc, edm_rules) == []
    ns = {"edm": "http://www.europeana.eu/schemas/edm/", "ore": "http://www.openarchives.org/ore/terms/"}
    for el in doc.xpath("//edm:ProvidedCHO/*[local-name()='type' or local-name()='subject' or "
                        "local-name()='spatial' or local-name()='temporal'][not(self::edm:type)]", namespaces=ns):  # fmt: skip
        el.getparent().remove(el)
    [shown_at] = doc.xpath("//ore:Aggregation/edm:isShownAt", namespaces=ns)
    shown_at.set("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}resource", "")
    failures = check_edm(doc, edm_rules)
    assert any("must have a dc:subject or dc:type" in f and "pensive-bodhisattva>" in f for f in failures)
    assert any("Empty rdf:resource" in f for f in failures), failures


def test_sample_work_is_xsd_valid_and_matches_golden(sample_quads, schemes, edm_schema, edm_rules) -> None:
    xml = to_edm(sample_quads, schemes)
    _valid(edm_schema, xml, edm_rules)
    check_golden("pensive-bodhisattva.edm.xml", xml.decode())
    doc = etree.fromstring(xml)
    ns = {"edm": "http://www.europeana.eu/schemas/edm/", "ore": "http://www.openarchives.org/ore/terms/"}
    assert doc.xpath("//edm:ProvidedCHO/edm:type/text()", namespaces=ns) == ["3D"]
    assert len(doc.xpath("//edm:WebResource", namespaces=ns)) == 1
    for required in ("edm:provider", "edm:dataProvider", "edm:rights", "edm:isShownAt", "edm:isShownBy"):
        assert doc.xpath(f"//ore:Aggregation/{required}", namespaces=ns), required


def test_an_invalid_document_fails_the_xsd(sample_quads, schemes, edm_schema) -> None:
    doc = etree.fromstring(to_edm(sample_quads, schemes))
    ns = {"edm": "http://www.europeana.eu/schemas/edm/"}
    edm_type = doc.xpath("//edm:ProvidedCHO/edm:type", namespaces=ns)[0]
    edm_type.getparent().remove(edm_type)
    assert not edm_schema.validate(doc)


def _work_pairs(quads, iris, ident: str) -> set[tuple[str, ...]]:
    """What EDM carries of a Work: its carried properties and its structured dimension nodes."""
    work = iris.entity("work", ident)
    return {
        (q.subject.value, q.predicate.value, str(q.object))
        for q in quads
        if (q.subject.value == work and q.predicate.value in CARRIED)
        or q.subject.value.startswith(work + "/dimension/")
    }


def test_round_trip_sample(sample_quads, schemes, to_quads, iris) -> None:
    [back] = edm_to_records(to_edm(sample_quads, schemes))
    before = _work_pairs(to_quads(WORK), iris, WORK["id"])
    assert _work_pairs(to_quads(back), iris, WORK["id"]) == before
    assert len({p for _s, p, _o in before}) >= 21
    assert (
        f"{iris.entity('work', WORK['id'])}/dimension/height",
        HG + "value",
        '"93.5"^^<http://www.w3.org/2001/XMLSchema#decimal>',
    ) in before


def test_round_trip_rebuilds_instances_and_items(to_quads, iris, schemes) -> None:
    item = {**ITEM, "title": {"en": "GLB file"}, "pixel_width": 640, "pixel_height": 480}
    xml = to_edm([q for r in (WORK, PROJECT, INSTANCE, item) for q in to_quads(r)], schemes)
    back = edm_to_records(xml, surrogates=True, base=BASE)
    assert [r["kind"] for r in back] == ["work", "instance", "item"]
    _work, inst, back_item = back
    # every Item field EDM carries, and the Instance's link and type (its title and Project are lost)
    triples = lambda quads: {(q.subject.value, q.predicate.value, str(q.object)) for q in quads}  # noqa: E731
    assert triples(to_quads(back_item)) == triples(to_quads(item))
    assert inst["id"] == INSTANCE["id"] and inst["represents"] == WORK["id"]
    kept = {HG + "represents", HG + "instanceType", str(TYPE)}
    pick = lambda quads: {t for t in triples(quads) if t[1] in kept}  # noqa: E731
    assert pick(to_quads(inst)) == pick(to_quads(INSTANCE))


def test_foreign_web_resources_become_remote_items(to_quads, iris) -> None:
    xml = FOREIGN_EDM.replace(
        b"<edm:provider>",
        b'<edm:isShownBy rdf:resource="http://provider.example/img/42.jpg"/><edm:provider>',
    ).replace(
        b"</rdf:RDF>",
        b'<edm:WebResource rdf:about="http://provider.example/img/42.jpg"><dc:format>image/jpeg</dc:format>'
        b"</edm:WebResource></rdf:RDF>",
    )
    work, inst, item = edm_to_records(xml, surrogates=True, base=BASE)
    assert inst == {"kind": "instance", "id": "42-edm", "identifier": "42-edm", "represents": "42",
                    "title": {"en": "Vase"}, "instance_type": "image"}  # fmt: skip
    url = "http://provider.example/img/42.jpg"
    assert item == {"kind": "item", "id": remote_item_id("42", url), "identifier": remote_item_id("42", url),
                    "part_of": "42-edm", "source_url": url, "media_type": "image/jpeg"}  # fmt: skip
    assert remote_item_id("42", url) != remote_item_id("42", url + "?v=2")  # one Item per file URL


@pytest.mark.slow
def test_round_trip_500_csv_records(schemes, to_quads, iris, edm_schema, edm_rules) -> None:
    require_shared(RECORDS_CSV)
    mapping = load_mapping()
    with open(RECORDS_CSV, newline="", encoding="utf-8") as fh:
        records = [row_to_record(row, mapping) for row in islice(csv.DictReader(fh), 500)]
    for i, rec in enumerate(records):
        quads = to_quads(rec)
        xml = to_edm(quads, schemes)
        if i < 100:
            _valid(edm_schema, xml, edm_rules)
        [back] = edm_to_records(xml)
        assert _work_pairs(to_quads(back), iris, rec["id"]) == _work_pairs(quads, iris, rec["id"]), rec["id"]


BAD = {
    "not well-formed": (b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'><edm:ProvidedCHO>",
                        "not well-formed"),
    "unknown namespace": (b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#' "
                          b"xmlns:x='http://evil.example/ns#'><x:Thing/></rdf:RDF>", "unknown namespace"),
    "external entity": (b"<?xml version='1.0'?><!DOCTYPE r [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]>"
                        b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>&xxe;</rdf:RDF>", "refused"),
    "entity bomb": (b"<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'><!ENTITY lol2 '&lol;&lol;&lol;&lol;'>"
                    b"<!ENTITY lol3 '&lol2;&lol2;&lol2;&lol2;'>]><rdf:RDF "
                    b"xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>&lol3;</rdf:RDF>", "refused"),
    "no CHO": (b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'/>", "no edm:ProvidedCHO"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_gives_a_clear_parse_error(case: str) -> None:
    data, expected = BAD[case]
    with pytest.raises(ParseError, match=expected):
        edm_to_records(data, name="upload.xml")


FOREIGN_EDM = b"""<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:dcterms="http://purl.org/dc/terms/" xmlns:edm="http://www.europeana.eu/schemas/edm/"
  xmlns:ore="http://www.openarchives.org/ore/terms/" xmlns:skos="http://www.w3.org/2004/02/skos/core#">
  <edm:ProvidedCHO rdf:about="http://provider.example/object/42">
    <dc:identifier>42</dc:identifier>
    <dc:title xml:lang="en">Vase</dc:title>
    <dc:type>Ceramics</dc:type>
    <dcterms:medium rdf:resource="http://provider.example/concept/porcelain"/>
    <edm:type>IMAGE</edm:type>
  </edm:ProvidedCHO>
  <skos:Concept rdf:about="http://provider.example/concept/porcelain">
    <skos:prefLabel xml:lang="en">porcelain</skos:prefLabel>
  </skos:Concept>
  <ore:Aggregation rdf:about="http://provider.example/aggregation/42">
    <edm:aggregatedCHO rdf:resource="http://provider.example/object/42"/>
    <edm:dataProvider>Example Museum</edm:dataProvider>
    <edm:isShownAt rdf:resource="http://provider.example/page/42"/>
    <edm:provider>Example Aggregator</edm:provider>
    <edm:rights rdf:resource="http://creativecommons.org/publicdomain/zero/1.0/"/>
  </ore:Aggregation>
</rdf:RDF>"""


def test_foreign_edm_resolves_through_scheme_labels(to_quads, iris) -> None:
    [rec] = edm_to_records(FOREIGN_EDM)
    assert rec["id"] == "42" and rec["museum"] == "Example Museum"
    assert rec["material"] == ["porcelain"] and rec["object_type"] == ["Ceramics"]
    objects = {q.object.value for q in to_quads(rec) if q.subject.value == iris.entity("work", "42")}
    assert "https://w3id.org/heritage-graph/scheme/material/porcelain" in objects
    assert "https://w3id.org/heritage-graph/scheme/type/ceramics" in objects


def test_remote_items_survive_a_second_round_trip(to_quads, schemes, edm_schema, edm_rules) -> None:
    """A harvested WebResource (an Item with only a source_url) is exported and re-imported as such."""
    xml = FOREIGN_EDM.replace(
        b"<edm:provider>",
        b'<edm:isShownBy rdf:resource="http://provider.example/img/42.jpg"/><edm:provider>',
    )
    first = edm_to_records(xml, surrogates=True, base=BASE)
    again = to_edm([q for r in first for q in to_quads(r)], schemes)
    _valid(edm_schema, again, edm_rules)
    back = edm_to_records(again, surrogates=True, base=BASE)

    def triples(recs: list[dict]) -> set[tuple[str, str, str]]:
        return {(q.subject.value, q.predicate.value, str(q.object)) for r in recs for q in to_quads(r)}

    assert [r["kind"] for r in back] == ["work", "instance", "item"]
    assert triples(back[1:]) == triples(first[1:])
