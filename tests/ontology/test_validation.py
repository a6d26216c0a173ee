"""kg.validation: the compiled shapes reject bad records with readable messages, agree with pyshacl,
and are fast enough for bulk ingest."""

from __future__ import annotations

import csv
from itertools import islice

import pyoxigraph as ox
import pyshacl
import pytest
from rdflib import Graph
from rdflib.namespace import RDFS

from kg.concepts import ConceptResolver, load_scheme_quads
from kg.namespaces import Iris
from kg.validation import ONTOLOGY_PATH, SHAPES_PATH, Validator, compile_shapes
from mappings.csv_record import load_mapping, row_to_record
from mappings.record import record_to_quads
from tests.shared_paths import RECORDS_CSV, require_shared

BASE = "http://127.0.0.1:8000"
HG = "https://w3id.org/heritage-graph/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
N = ox.NamedNode


@pytest.fixture(scope="module")
def schemes() -> list[ox.Quad]:
    return load_scheme_quads()


@pytest.fixture(scope="module")
def validator(schemes: list[ox.Quad]) -> Validator:
    return Validator(SHAPES_PATH, schemes)


@pytest.fixture(scope="module")
def to_quads(schemes: list[ox.Quad]):
    iris, resolver = Iris(BASE), ConceptResolver.from_quads(BASE, schemes)
    return lambda record: record_to_quads(record, iris, resolver)


WORK = {
    "kind": "work", "id": "w1", "identifier": "w1", "title": {"ko": "반가사유상", "en": "Pensive Bodhisattva"},
    "material": ["gilt bronze"], "era": ["Three Kingdoms"], "object_type": ["sculpture"], "begin_year": 600,
    "end_year": 650, "museum": "National Museum of Korea", "dimensions": [{"type": "height", "value": 93.5, "unit": "cm"}],
    "rights": "http://creativecommons.org/publicdomain/zero/1.0/",
}  # fmt: skip
INSTANCE = {"kind": "instance", "id": "i1", "identifier": "i1", "title": {"en": "3D scan"}, "represents": "w1",
            "instance_type": "3d-model"}  # fmt: skip
ITEM = {"kind": "item", "id": "f1", "identifier": "f1", "part_of": "i1", "file_name": "a.glb",
        "media_type": "model/gltf-binary", "file_format": "glb", "byte_size": 10, "sha256": "ab" * 32}  # fmt: skip


def drop(quads: list[ox.Quad], local: str) -> list[ox.Quad]:
    return [q for q in quads if q.predicate.value != HG + local]


def swap(quads: list[ox.Quad], local: str, new: ox.Term) -> list[ox.Quad]:
    return [ox.Quad(q.subject, q.predicate, new, q.graph_name) if q.predicate.value == HG + local else q
            for q in quads]  # fmt: skip


def test_valid_layers_pass(validator: Validator, to_quads) -> None:
    batch = {r["id"]: to_quads(r) for r in (WORK, INSTANCE, ITEM)}
    assert validator.validate(batch) == {}


def test_missing_title_names_record_and_field(validator: Validator, to_quads) -> None:
    result = validator.validate({"w1": drop(to_quads(WORK), "title")})
    [v] = result["w1"]
    assert v["record"] == "w1" and v["field"] == "title" and "required" in v["message"]
    assert v["focus"] == f"{BASE}/id/work/w1"


def test_instance_must_represent_a_registered_work(validator: Validator, to_quads) -> None:
    result = validator.validate({"i1": to_quads(INSTANCE)})
    assert [v["field"] for v in result["i1"]] == ["represents"]
    # the same link passes when the context says the target is a Work
    ctx = [ox.Quad(N(f"{BASE}/id/work/w1"), N(RDF_TYPE), N(HG + "Work"))]
    assert validator.validate({"i1": to_quads(INSTANCE)}, ctx) == {}


def test_item_without_instance_and_bad_checksum(validator: Validator, to_quads) -> None:
    quads = swap(drop(to_quads(ITEM), "partOf"), "sha256", ox.Literal("not-a-hash"))
    fields = sorted(v["field"] for v in validator.validate({"f1": quads})["f1"])
    assert fields == ["partOf", "sha256"]


def test_material_must_be_in_the_material_scheme(validator: Validator, to_quads) -> None:
    era_concept = N("https://w3id.org/heritage-graph/scheme/era/joseon")
    quads = swap(to_quads(WORK), "material", era_concept)
    [v] = validator.validate({"w1": quads})["w1"]
    assert v["field"] == "material" and "material scheme" in v["message"]


def test_wrong_datatype_is_reported(validator: Validator, to_quads) -> None:
    quads = swap(to_quads(WORK), "beginYear", ox.Literal("six hundred"))
    [v] = validator.validate({"w1": quads})["w1"]
    assert v["field"] == "beginYear" and "integer" in v["message"]


def test_unsupported_constraint_is_refused(tmp_path) -> None:
    shapes = tmp_path / "s.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix hg: <https://w3id.org/heritage-graph/ontology#> .\n"
        "hg:S a sh:NodeShape ; sh:targetClass hg:Work ; sh:property [ sh:path hg:title ; sh:minLength 3 ] .\n"
    )
    with pytest.raises(ValueError, match="minLength"):
        compile_shapes(ox.parse(path=str(shapes), format=ox.RdfFormat.TURTLE))


def _pyshacl_violations(batch: dict[str, list[ox.Quad]], schemes: list[ox.Quad]) -> set[tuple[str, str]]:
    triples = [ox.Triple(q.subject, q.predicate, q.object) for qs in [*batch.values(), schemes] for q in qs]
    data = Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    # No RDFS inference: rdfs:range would invent types for dangling links; the one entailment sh:class
    # needs (Museum ⊑ Agent) comes from the ontology's subclass axioms.
    data += Graph().parse(ONTOLOGY_PATH).triples((None, RDFS.subClassOf, None))
    _conforms, report, _text = pyshacl.validate(data, shacl_graph=str(SHAPES_PATH), inference="none")
    q = """PREFIX sh: <http://www.w3.org/ns/shacl#>
           SELECT ?f ?p WHERE { ?r a sh:ValidationResult ; sh:focusNode ?f ; sh:resultPath ?p
                                FILTER NOT EXISTS { ?x sh:detail ?r } }"""
    return {(str(f), str(p).rsplit("#", 1)[-1]) for f, p in report.query(q)}


@pytest.mark.slow
def test_fast_path_agrees_with_pyshacl(validator: Validator, schemes: list[ox.Quad], to_quads) -> None:
    """Same (focus, field) pairs on a mix of valid and broken records."""
    samples = {
        "w1": to_quads(WORK),
        "i1": to_quads(INSTANCE),
        "f1": to_quads(ITEM),
        "w2": drop(to_quads({**WORK, "id": "w2", "identifier": "w2"}), "title"),
        "w3": swap(to_quads({**WORK, "id": "w3", "identifier": "w3"}), "material",
                   N("https://w3id.org/heritage-graph/scheme/era/joseon")),
        "w4": swap(to_quads({**WORK, "id": "w4", "identifier": "w4"}), "beginYear", ox.Literal("x")),
        "f2": swap(drop(to_quads({**ITEM, "id": "f2", "identifier": "f2"}), "partOf"), "sha256", ox.Literal("zz")),
        "i2": to_quads({**INSTANCE, "id": "i2", "identifier": "i2", "represents": "nope"}),
        "w5": swap(to_quads({**WORK, "id": "w5", "identifier": "w5"}), "dimensionType", ox.Literal("girth")),
        "w6": to_quads({**WORK, "id": "w6", "identifier": "w6", "museum": None, "title": {"en": "a", "ko": "b"}}),
    }  # fmt: skip
    ours = {(v["focus"], v["field"]) for found in validator.validate(samples).values() for v in found}
    theirs = _pyshacl_violations(samples, schemes)
    assert ours == theirs
    assert len(ours) >= 7
    assert (f"{BASE}/id/work/w5/dimension/height", "dimensionType") in ours


def test_csv_records_are_valid(validator: Validator, to_quads) -> None:
    require_shared(RECORDS_CSV)
    mapping = load_mapping()
    with open(RECORDS_CSV, newline="", encoding="utf-8") as fh:
        records = [row_to_record(row, mapping) for row in islice(csv.DictReader(fh), 2000)]
    batch = {r["id"]: to_quads(r) for r in records}
    # speed is measured in bench/, never asserted here (house rule)
    assert validator.validate(batch) == {}
