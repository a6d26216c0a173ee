"""oai_dc, Schema.org and Linked Art crosswalks: golden files, vocabulary checks, import round trips."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from lxml import etree

from kg.errors import ParseError
from mappings.dc import DC, OAI_DC, to_dc
from mappings.dc_in import dc_to_record
from mappings.linked_art import to_linked_art
from mappings.linked_art_in import linked_art_to_record
from mappings.schema_org import to_schema_org, to_schema_org_json
from tests.mappings.conftest import WORK, check_golden
from tests.shared_paths import VOCAB_DIR, require_shared
from tests.work_attributes import DESCRIPTIVE, HG, hg_iris


def _work_pairs(quads, iris, props: set[str]) -> set[tuple[str, str]]:
    work = iris.entity("work", WORK["id"])
    return {
        (q.predicate.value, str(q.object))
        for q in quads
        if q.subject.value == work and q.predicate.value in props
    }


def test_oai_dc_golden_and_structure(sample_quads, schemes) -> None:
    xml = to_dc(sample_quads, schemes)
    check_golden("pensive-bodhisattva.oai_dc.xml", xml.decode())
    root = etree.fromstring(xml)
    assert root.tag == f"{{{OAI_DC}}}dc"
    allowed = {"title", "creator", "subject", "description", "publisher", "contributor", "date", "type", "format",
               "identifier", "source", "language", "relation", "coverage", "rights"}  # fmt: skip
    for child in root:
        qname = etree.QName(child)
        assert qname.namespace == DC and qname.localname in allowed
        assert len(child) == 0 and child.text


OAI_DC_XSD = Path(__file__).resolve().parents[2] / "mappings" / "schemas" / "oai_dc.xsd"


def test_oai_dc_is_valid_against_the_local_oai_dc_schema(sample_quads, schemes, to_quads) -> None:
    schema = etree.XMLSchema(etree.parse(str(OAI_DC_XSD)))
    assert schema.validate(etree.fromstring(to_dc(sample_quads, schemes))), schema.error_log.last_error
    broken = etree.fromstring(to_dc(sample_quads, schemes))
    etree.SubElement(broken, f"{{{DC}}}titel").text = "typo"
    assert not schema.validate(broken)


def test_oai_dc_round_trip(sample_quads, schemes, to_quads, iris) -> None:
    back = dc_to_record(to_dc(sample_quads, schemes))
    assert back["id"] == WORK["id"]
    props = {HG + p for p in ("identifier", "title", "description", "objectType", "era", "heldBy", "collectionNumber",
                              "creator", "materialStatement", "dateStatement", "rights", "rightsStatement", "sourceUrl")}  # fmt: skip
    assert _work_pairs(to_quads(back), iris, props) == _work_pairs(to_quads(WORK), iris, props)


def test_oai_dc_refuses_foreign_elements() -> None:
    data = f"<oai_dc:dc xmlns:oai_dc='{OAI_DC}' xmlns:x='http://x.example/'><x:title>a</x:title></oai_dc:dc>"
    with pytest.raises(ParseError, match="unknown namespace"):
        dc_to_record(data.encode())


def _schema_terms() -> set[str]:
    require_shared(VOCAB_DIR)
    path = VOCAB_DIR / "schemaorg" / "schemaorg-current-https.ttl"
    return {
        t.subject.value
        for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
        if isinstance(t.subject, ox.NamedNode)
    }


def _keys_and_types(node, keys: set[str], types: set[str]) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "@type":
                types.add(v)
            elif not k.startswith("@"):
                keys.add(k)
            _keys_and_types(v, keys, types)
    elif isinstance(node, list):
        for v in node:
            _keys_and_types(v, keys, types)


def test_schema_org_golden_and_terms_exist(sample_quads, schemes) -> None:
    doc = to_schema_org(sample_quads, schemes)
    check_golden("pensive-bodhisattva.schema.jsonld", json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    keys: set[str] = set()
    types: set[str] = set()
    _keys_and_types(doc, keys, types)
    terms = _schema_terms()
    missing = sorted(t for t in keys | types if "https://schema.org/" + t not in terms)
    assert missing == []
    assert doc["associatedMedia"][0]["@type"] == "3DModel"


def test_schema_org_json_is_safe_in_script_tags(to_quads, schemes) -> None:
    quads = to_quads({**WORK, "title": {"en": "</script><script>alert(1)</script>"}})
    text = to_schema_org_json(quads, schemes)
    assert "</script>" not in text
    assert json.loads(text)["name"][0]["@value"] == "</script><script>alert(1)</script>"


def test_linked_art_golden_and_round_trip(sample_quads, schemes, to_quads, iris) -> None:
    doc = to_linked_art(sample_quads, schemes)
    check_golden(
        "pensive-bodhisattva.linked-art.jsonld", json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    )
    back = linked_art_to_record(json.dumps(doc))
    props = hg_iris(*DESCRIPTIVE)
    assert _work_pairs(to_quads(back), iris, props) == _work_pairs(to_quads(WORK), iris, props)
    assert back["dimensions"] == [{"type": "height", "value": 93.5, "unit": "cm"}]


@pytest.mark.parametrize("bad", [b"{not json", b'{"type": "Person"}', b"[1, 2]"])
def test_linked_art_bad_input(bad: bytes) -> None:
    with pytest.raises(ParseError):
        linked_art_to_record(bad)
