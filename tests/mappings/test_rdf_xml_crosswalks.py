"""BIBFRAME and CARARE crosswalks: golden files, schema/vocabulary validity."""

from __future__ import annotations

import csv
from itertools import islice

import pyoxigraph as ox
import pytest
from lxml import etree

from mappings.bibframe import BF, to_bibframe, to_bibframe_triples
from mappings.carare import to_carare
from mappings.csv_record import load_mapping, row_to_record
from tests.mappings.conftest import WORK, check_golden
from tests.shared_paths import RECORDS_CSV, VOCAB_DIR, require_shared


def test_bibframe_golden_and_terms_exist(sample_quads, schemes) -> None:
    require_shared(VOCAB_DIR)
    check_golden("pensive-bodhisattva.bibframe.ttl", to_bibframe(sample_quads, schemes, fmt="ttl").decode())
    vocab = {
        t.subject.value
        for t in ox.parse(path=str(VOCAB_DIR / "bibframe" / "bibframe.rdf"), format=ox.RdfFormat.RDF_XML)
    }
    used = {
        term.value
        for t in to_bibframe_triples(sample_quads, schemes)
        for term in (t.predicate, t.object)
        if isinstance(term, ox.NamedNode) and term.value.startswith(BF)
    }
    assert used and sorted(used - vocab) == []
    # layers: Work → Instance → Item
    g = to_bibframe_triples(sample_quads, schemes)
    assert any(t.predicate.value == BF + "instanceOf" for t in g) and any(
        t.predicate.value == BF + "itemOf" for t in g
    )
    # and the RDF/XML form parses back to the same triples
    parsed = {
        ox.Triple(q.subject, q.predicate, q.object)
        for q in ox.parse(to_bibframe(sample_quads, schemes), format=ox.RdfFormat.RDF_XML)
    }
    assert parsed == set(g)


@pytest.fixture(scope="module")
def carare_schema() -> etree.XMLSchema:
    path = require_shared(VOCAB_DIR / "carare" / "carare-v2.0.6.xsd")
    return etree.XMLSchema(etree.parse(str(path)))


def test_carare_is_xsd_valid_and_matches_golden(sample_quads, schemes, carare_schema) -> None:
    xml = to_carare(sample_quads, schemes)
    assert carare_schema.validate(etree.fromstring(xml)), carare_schema.error_log.last_error
    check_golden("pensive-bodhisattva.carare.xml", xml.decode())
    doc = etree.fromstring(xml)
    ns = {"c": "http://www.carare.eu/carareSchema"}
    assert doc.xpath("//c:digitalResource/c:type/text()", namespaces=ns) == ["3D"]
    assert "CC0" in doc.xpath(
        "string(//c:heritageAssetIdentification/c:rights/c:europeanaRights)", namespaces=ns
    )


def test_carare_for_csv_records_is_valid(to_quads, schemes, carare_schema) -> None:
    require_shared(RECORDS_CSV)
    mapping = load_mapping()
    with open(RECORDS_CSV, newline="", encoding="utf-8") as fh:
        for row in islice(csv.DictReader(fh), 100):
            xml = to_carare(to_quads(row_to_record(row, mapping)), schemes)
            assert carare_schema.validate(etree.fromstring(xml)), carare_schema.error_log.last_error


@pytest.mark.parametrize("fmt", ["edm", "carare", "bibframe", "schema", "linkedart"])
def test_structured_dimensions_survive_every_export_that_can_carry_them(to_quads, schemes, fmt: str) -> None:
    """Without a dimension statement, each export still says 93.5 cm high (dc has no place: —)."""
    from mappings.export import FORMATS

    work = {k: v for k, v in WORK.items() if k != "dimension_statement"}
    out = FORMATS[fmt][1](to_quads(work), schemes).decode()
    assert "93.5" in out and "height" in out.lower(), fmt
