"""The shipped SKOS schemes cover the CMoA values the ingest resolves, with ko and en labels."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace
from rdflib.namespace import RDF, SKOS

from tests.shared_paths import SHARED, require_shared

SCHEMES = Path(__file__).resolve().parents[2] / "ontology" / "schemes"
HG = Namespace("https://w3id.org/heritage-graph/ontology#")
HGS = Namespace("https://w3id.org/heritage-graph/scheme/")
NAMES = ("era", "material", "use", "type", "culture", "place", "project-type", "instance-type")


@pytest.fixture(scope="module")
def graphs() -> dict[str, Graph]:
    return {name: Graph().parse(SCHEMES / f"{name}.ttl") for name in NAMES}


def labels(g: Graph) -> dict[str, set]:
    out: dict[str, set] = defaultdict(set)
    for s, p, o in g:
        if p in (SKOS.prefLabel, SKOS.altLabel):
            out[str(o).casefold()].add(s)
    return out


def test_every_concept_has_ko_and_en_labels(graphs: dict[str, Graph]) -> None:
    for name, g in graphs.items():
        concepts = set(g.subjects(RDF.type, SKOS.Concept))
        assert concepts, name
        for c in concepts:
            assert str(c).startswith(str(HGS[name + "/"])), c
            assert (c, SKOS.inScheme, HGS[name]) in g
            langs = {o.language for o in g.objects(c, SKOS.prefLabel)}
            assert {"ko", "en"} <= langs, c
            alt_langs = {o.language for o in g.objects(c, SKOS.altLabel)}
            assert alt_langs, f"{c} has no altLabel"


def test_no_label_is_ambiguous_within_a_scheme(graphs: dict[str, Graph]) -> None:
    for name, g in graphs.items():
        clashes = {k: v for k, v in labels(g).items() if len(v) > 1}
        assert not clashes, (name, clashes)


def test_era_concepts_have_time_spans(graphs: dict[str, Graph]) -> None:
    g = graphs["era"]
    for c in g.subjects(RDF.type, SKOS.Concept):
        begin, end = g.value(c, HG.beginYear), g.value(c, HG.endYear)
        assert begin is not None and end is not None, c
        assert int(begin.toPython()) <= int(end.toPython()), c
    assert g.value(HGS["era/century-18"], HG.beginYear) == Literal(1701)


def test_places_have_coordinates(graphs: dict[str, Graph]) -> None:
    geo = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
    for c in graphs["place"].subjects(RDF.type, SKOS.Concept):
        assert graphs["place"].value(c, geo.lat) is not None, c


def test_korean_query_words_reach_english_concepts(graphs: dict[str, Graph]) -> None:
    lab = labels(graphs["material"])
    assert lab["도자기"] == lab["pottery"] == {HGS["material/ceramic"]}
    assert HGS["material/ceramic"] in lab["도기"]


@pytest.mark.parametrize(
    ("column", "scheme", "split"),
    [
        ("object_type", "type", None),
        ("material_categories", "material", "|"),
        ("function_or_use", "use", "|"),
        ("period_bucket", "era", None),
        ("culture", "culture", "|"),
    ],
)
def test_cmoa_values_match_a_label(
    graphs: dict[str, Graph], column: str, scheme: str, split: str | None
) -> None:
    require_shared()
    lab = labels(graphs[scheme])
    with open(SHARED / "data" / "heritage" / "records.csv", newline="", encoding="utf-8") as fh:
        values = {row[column] for row in csv.DictReader(fh)}
    tokens = {t.strip() for v in values for t in (v.split(split) if split else [v]) if t.strip()}
    # "0th century" is a data error in the source (2 records); it stays a locally minted concept.
    missing = sorted(t for t in tokens if t.casefold() not in lab and t != "0th century")
    assert not missing, missing


def test_korean_periods_from_prehistoric_to_the_korean_empire(graphs: dict[str, Graph]) -> None:
    g = graphs["era"]
    en = {str(o): c for c, o in g.subject_objects(SKOS.prefLabel) if o.language == "en"}
    for period in ("Prehistoric", "Three Kingdoms", "Unified Silla", "Goryeo", "Joseon", "Korean Empire"):
        assert period in en, period
    years = lambda name: (int(g.value(en[name], HG.beginYear)), int(g.value(en[name], HG.endYear)))  # noqa: E731
    assert years("Goryeo") == (918, 1392) and years("Joseon")[0] == 1392
    assert years("Unified Silla")[0] == 668 and years("Korean Empire") == (1897, 1910)


def test_exact_matches_point_at_getty_aat_or_wikidata(graphs: dict[str, Graph]) -> None:
    per_scheme = defaultdict(int)
    for name, g in graphs.items():
        for _c, target in g.subject_objects(SKOS.exactMatch):
            assert str(target).startswith(
                ("http://vocab.getty.edu/aat/3", "http://www.wikidata.org/entity/Q")
            ), target
            per_scheme[name] += 1
    for name in ("era", "material", "type", "place"):
        assert per_scheme[name] >= 1, name
