"""The OWL ontology: every external term exists in the official vocabularies, it is bilingual, and
HermiT finds it consistent (and would notice an inconsistency)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import owlready2
import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from ontology.term_check import missing_terms
from tests.shared_paths import VOCAB_DIR, require_shared
from tests.work_attributes import DESCRIPTIVE, HG

ONTOLOGY = Path(__file__).resolve().parents[2] / "ontology" / "heritage.ttl"

CONTRACT_CLASSES = [
    "Work",
    "Project",
    "Instance",
    "Item",
    "Agent",
    "Museum",
    "Dimension",
    "ModelRun",
    "Prediction",
    "Similarity",
]
CONTRACT_PROPERTIES = [
    *DESCRIPTIVE,
    "department",
    "dimension",
    "dimensionType",
    "value",
    "unit",
    "exhibition",
    "theme",
    "derivedFrom",
    "projectType",
    "startDate",
    "endDate",
    "carriedOutBy",
    "represents",
    "producedBy",
    "instanceType",
    "partOf",
    "fileName",
    "mediaType",
    "fileFormat",
    "byteSize",
    "sha256",
    "contentUrl",
    "pixelWidth",
    "pixelHeight",
    "similarTo",
    "source",
    "target",
    "score",
    "rank",
    "predictionOf",
    "attribute",
    "predictedValue",
    "confidence",
    "recordId",
    "recordKind",
    "datestamp",
    "deleted",
    "contentHash",
]


def triples() -> list[ox.Triple]:
    return list(ox.parse(path=str(ONTOLOGY), format=ox.RdfFormat.TURTLE))


def test_every_external_term_exists_in_the_official_files() -> None:
    require_shared(VOCAB_DIR)
    assert missing_terms(triples(), VOCAB_DIR) == []


@pytest.mark.parametrize(
    "bad",
    [
        "http://www.cidoc-crm.org/cidoc-crm/E22_Man-Made_Object",  # the pre-7.0 spelling
        "http://www.europeana.eu/schemas/edm/ProvidedCho",
        "http://purl.org/dc/terms/titel",
        "https://schema.org/VisualArtWork",
        "http://id.loc.gov/ontologies/bibframe/Werk",
        "http://www.carare.eu/carareSchema#heritageAsset",
        "http://example.org/unknown#Thing",
    ],
)
def test_a_misspelt_term_fails_the_check(bad: str) -> None:
    require_shared(VOCAB_DIR)
    extra = ox.Triple(ox.NamedNode(HG + "Work"), ox.NamedNode(str(RDFS.subClassOf)), ox.NamedNode(bad))
    assert missing_terms([*triples(), extra], VOCAB_DIR) == [bad]


def test_contract_terms_have_ko_and_en_labels_and_definitions() -> None:
    g = Graph().parse(ONTOLOGY)
    for name in CONTRACT_CLASSES + CONTRACT_PROPERTIES:
        iri = URIRef(HG + name)
        assert (iri, RDF.type, None) in g, name
        for pred in (RDFS.label, SKOS.definition):
            assert {o.language for o in g.objects(iri, pred)} >= {"ko", "en"}, (name, pred)


def test_six_vocabularies_are_aligned_for_the_work_layer() -> None:
    g = Graph().parse(ONTOLOGY)
    work = URIRef(HG + "Work")
    targets = {str(o) for o in g.objects(work, RDFS.subClassOf)} | {
        str(o) for o in g.objects(work, SKOS.closeMatch)
    }
    for ns in ("cidoc-crm", "europeana", "id.loc.gov/ontologies/bibframe", "schema.org", "carare"):
        assert any(ns in t for t in targets), ns
    assert any("purl.org/dc/terms" in str(o) for o in g.objects(URIRef(HG + "title"), RDFS.subPropertyOf))


def _reason(extra_nt: str = "") -> owlready2.World:
    g = Graph().parse(ONTOLOGY)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "onto.nt"
        path.write_text(g.serialize(format="nt") + extra_nt, encoding="utf-8")
        world = owlready2.World()
        onto = world.get_ontology(path.as_uri()).load()
        with onto:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    return world


def test_ontology_is_consistent_under_hermit() -> None:
    world = _reason()
    assert list(world.inconsistent_classes()) == []
    assert any(c.name == "Work" for c in world.classes())


def test_hermit_notices_a_layer_clash() -> None:
    # One entity that is both a Work and an Item contradicts the disjointness axioms.
    clash = (
        f"<http://x.test/a> <{RDF.type}> <{HG}Work> .\n"
        f"<http://x.test/a> <{RDF.type}> <{HG}Item> .\n"
        f"<http://x.test/a> <{RDF.type}> <{OWL.NamedIndividual}> .\n"
    )
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        _reason(clash)
