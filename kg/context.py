"""``HeritageContext``: the settings, the store, the IRI minter and the record layer, opened
once per process (server, CLI command, test) and closed at the end."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.concepts import SCHEMES_DIR, ConceptResolver, load_scheme_quads
from kg.namespaces import HG, Iris
from kg.records import RecordStore
from kg.settings import Settings
from kg.store import Store, open_store
from kg.validation import Validator

ONTOLOGY_DIR = Path(__file__).resolve().parents[1] / "ontology"


def _files_digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def skolemise(quads: list[ox.Quad], prefix: str) -> list[ox.Quad]:
    """Blank nodes → deterministic IRIs (numbered in parse order), so that dumps of the store
    are byte-for-byte reproducible."""
    names: dict[str, ox.NamedNode] = {}

    def term(t):
        if isinstance(t, ox.BlankNode):
            return names.setdefault(t.value, ox.NamedNode(f"{prefix}{len(names)}"))
        return t

    return [ox.Quad(term(q.subject), q.predicate, term(q.object), q.graph_name) for q in quads]


def sync_reference_graph(store: Store, graph: str, quads: list[ox.Quad], digest: str) -> bool:
    """Replace a shipped reference graph (ontology, schemes) when its files changed."""
    quads = skolemise(quads, f"{graph}/genid/")
    marker = ox.Quad(
        ox.NamedNode(graph), ox.NamedNode(str(HG.contentHash)), ox.Literal(digest), ox.NamedNode(graph)
    )
    if store.ask(
        f"ASK {{ GRAPH {marker.graph_name} {{ {marker.subject} {marker.predicate} {marker.object} }} }}"
    ):
        return False
    body = "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in [*quads, marker])
    store.update(f"DROP SILENT GRAPH <{graph}> ;\nINSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}")
    return True


@dataclass
class HeritageContext:
    settings: Settings
    store: Store
    iris: Iris
    resolver: ConceptResolver
    records: RecordStore

    @property
    def files_dir(self) -> Path:
        return self.settings.files_dir

    @classmethod
    def open(cls, settings: Settings, store: Store | None = None, validate: bool = True) -> HeritageContext:
        """Open the store and the record layer. ``validate=False`` (SHACL off for writes) is for
        benchmarks that time something else; it is deliberately not a setting, so no environment
        variable or config file can switch validation off under a running server."""
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        store = store or open_store(settings)
        iris = Iris(settings.base_url)
        scheme_files = sorted(SCHEMES_DIR.glob("*.ttl"))
        scheme_quads = load_scheme_quads(SCHEMES_DIR)
        sync_reference_graph(store, iris.schemes_graph, scheme_quads, _files_digest(scheme_files))
        ontology_files = [ONTOLOGY_DIR / "heritage.ttl"] if (ONTOLOGY_DIR / "heritage.ttl").exists() else []
        if ontology_files:
            onto_quads = [
                ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                for path in ontology_files
                for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
            ]
            sync_reference_graph(store, iris.ontology_graph, onto_quads, _files_digest(ontology_files))
        resolver = ConceptResolver.from_quads(settings.base_url, scheme_quads)
        shapes = ONTOLOGY_DIR / "shapes.ttl"
        validator = Validator(shapes if shapes.exists() else None, scheme_quads) if validate else None
        records = RecordStore(store, iris, resolver, validator)
        return cls(settings, store, iris, resolver, records)

    def close(self) -> None:
        self.store.close()
