"""Shared fixtures for crosswalk tests: real record dicts turned into quads by the lead's mapping."""

from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.concepts import ConceptResolver, load_scheme_quads
from kg.namespaces import Iris
from mappings.record import record_to_quads

BASE = "http://127.0.0.1:8000"
GOLDEN = Path(__file__).resolve().parent / "golden"

WORK = {
    "kind": "work", "id": "pensive-bodhisattva", "identifier": "pensive-bodhisattva",
    "collection_number": "Deoksu 3312",
    "title": {"ko": "금동미륵보살반가사유상", "en": "Gilt-bronze Pensive Bodhisattva"},
    "description": {"en": "A seated bodhisattva in contemplation, one leg crossed over the knee."},
    "object_type": ["pensive bodhisattva"], "era": ["Three Kingdoms"], "material": ["gilt bronze"],
    "use": ["Buddhist worship"], "culture": ["Silla"], "place_of_origin": ["Gyeongju"], "find_spot": ["Gyeongju"],
    "material_statement": "gilt bronze", "date_statement": "early 7th century", "begin_year": 600, "end_year": 650,
    "museum": "National Museum of Korea", "creators": ["Unknown Silla sculptor"], "dimension_statement": "H 93.5 cm",
    "dimensions": [{"type": "height", "value": 93.5, "unit": "cm"}], "theme": ["Buddhist sculpture"],
    "rights": "http://creativecommons.org/publicdomain/zero/1.0/", "rights_statement": "CC0",
    "source_url": "https://www.museum.go.kr/",
}  # fmt: skip
PROJECT = {"kind": "project", "id": "scan-2024", "identifier": "scan-2024", "title": {"en": "3D scan 2024"},
           "project_type": "3d-scan", "start_date": "2024-03-01", "carried_out_by": "National Museum of Korea"}  # fmt: skip
INSTANCE = {"kind": "instance", "id": "pensive-3d", "identifier": "pensive-3d", "title": {"en": "3D model"},
            "represents": "pensive-bodhisattva", "produced_by": "scan-2024", "instance_type": "3d-model",
            "rights": "http://creativecommons.org/publicdomain/zero/1.0/"}  # fmt: skip
ITEM = {"kind": "item", "id": "pensive-glb", "identifier": "pensive-glb", "part_of": "pensive-3d",
        "file_name": "pensive.glb", "media_type": "model/gltf-binary", "file_format": "glb", "byte_size": 1048576,
        "sha256": "ab" * 32}  # fmt: skip


@pytest.fixture(scope="session")
def schemes() -> list[ox.Quad]:
    return load_scheme_quads()


@pytest.fixture(scope="session")
def iris() -> Iris:
    return Iris(BASE)


@pytest.fixture(scope="session")
def to_quads(schemes: list[ox.Quad], iris: Iris):
    resolver = ConceptResolver.from_quads(BASE, schemes)
    return lambda record: record_to_quads(record, iris, resolver)


@pytest.fixture(scope="session")
def sample_quads(to_quads) -> list[ox.Quad]:
    """The Work with its Project, Instance and Item records (what an exporter receives)."""
    return [q for r in (WORK, PROJECT, INSTANCE, ITEM) for q in to_quads(r)]


def check_golden(name: str, text: str) -> None:
    """Compare with ``golden/{name}``; ``HERITAGE_UPDATE_GOLDEN=1`` rewrites it (review the diff)."""
    path = GOLDEN / name
    if os.environ.get("HERITAGE_UPDATE_GOLDEN") == "1" or not path.exists():
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from the golden file"
