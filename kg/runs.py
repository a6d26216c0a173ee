"""Model runs as named graphs: write, list and drop ``{base}/graph/run/{run-id}``.

Every prediction lives in its run's graph and nowhere else, so curated record graphs are never
touched and dropping a run is dropping one graph. Each run is written in one transaction (one
``INSERT DATA``), so a reader sees either the whole run or none of it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pyoxigraph as ox

from kg.namespaces import HG, Iris
from kg.store import Store

PROV = "http://www.w3.org/ns/prov#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
XSD = "http://www.w3.org/2001/XMLSchema#"
_RUN_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")


def _hg(local: str) -> ox.NamedNode:
    return ox.NamedNode(str(HG[local]))


def _prov(local: str) -> ox.NamedNode:
    return ox.NamedNode(PROV + local)


def _dt(value: datetime) -> ox.Literal:
    return ox.Literal(value.astimezone(UTC).isoformat(), datatype=ox.NamedNode(XSD + "dateTime"))


def _double(value: float) -> ox.Literal:
    return ox.Literal(repr(float(value)), datatype=ox.NamedNode(XSD + "double"))


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(int(value)), datatype=ox.NamedNode(XSD + "integer"))


@dataclass
class Similarity:
    source: str
    target: str
    score: float
    rank: int


@dataclass
class Prediction:
    entity: str
    attribute: str  # property IRI, e.g. hg:material
    value: str  # concept IRI
    confidence: float


@dataclass
class Run:
    """What a run did; ``kind`` ("similar" | "predict" | ...) keeps ``runs list`` readable."""

    run_id: str
    kind: str
    model: str
    model_version: str
    parameters: dict = field(default_factory=dict)
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    ended: datetime | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    similarities: list[Similarity] = field(default_factory=list)
    predictions: list[Prediction] = field(default_factory=list)


def new_run_id(kind: str) -> str:
    """A sortable, unique run id such as ``predict-20260101T120000123456``."""
    return f"{kind}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%f')}"


def check_run_id(run_id: str) -> str:
    """Run ids go unescaped into graph IRIs, so they are restricted to a safe slug."""
    if not _RUN_ID_RE.match(run_id):
        raise ValueError(f"invalid run id {run_id!r}")
    return run_id


def run_quads(run: Run, iris: Iris) -> list[ox.Quad]:
    """The run graph as quads: PROV description, similarity edges + nodes, prediction nodes + triples."""
    check_run_id(run.run_id)
    g = ox.NamedNode(iris.run_graph(run.run_id))
    node = ox.NamedNode(iris.entity("run", run.run_id))
    model = ox.NamedNode(f"{node.value}/model")
    quads = [
        ox.Quad(node, RDF_TYPE, _hg("ModelRun"), g),
        ox.Quad(node, RDF_TYPE, _prov("Activity"), g),
        ox.Quad(node, _hg("runKind"), ox.Literal(run.kind), g),
        # hg:model is an object property (a sub-property of prov:used): the model is an entity
        ox.Quad(node, _hg("model"), model, g),
        ox.Quad(node, _prov("used"), model, g),
        ox.Quad(model, RDF_TYPE, _prov("Entity"), g),
        ox.Quad(model, _RDFS_LABEL, ox.Literal(run.model), g),
        ox.Quad(model, _hg("modelVersion"), ox.Literal(run.model_version), g),
        ox.Quad(node, _hg("modelVersion"), ox.Literal(run.model_version), g),
        ox.Quad(node, _hg("parameters"), ox.Literal(json.dumps(run.parameters, sort_keys=True)), g),
        ox.Quad(node, _prov("startedAtTime"), _dt(run.started), g),
        ox.Quad(node, _prov("endedAtTime"), _dt(run.ended or datetime.now(UTC)), g),
    ]
    if run.metrics:
        quads.append(ox.Quad(node, _hg("evaluation"), ox.Literal(json.dumps(run.metrics, sort_keys=True)), g))
    for name, value in sorted(run.metrics.items()):
        metric = ox.NamedNode(f"{node.value}/metric/{re.sub(r'[^A-Za-z0-9_-]', '_', name)}")
        quads += [
            ox.Quad(node, _hg("metric"), metric, g),
            ox.Quad(metric, _hg("metricName"), ox.Literal(name), g),
            ox.Quad(metric, _hg("value"), _double(value), g),
        ]
    for i, sim in enumerate(run.similarities):
        s, t = ox.NamedNode(sim.source), ox.NamedNode(sim.target)
        q = ox.NamedNode(f"{node.value}/similarity/{i}")
        quads += [
            ox.Quad(s, _hg("similarTo"), t, g),
            ox.Quad(q, RDF_TYPE, _hg("Similarity"), g),
            ox.Quad(q, _hg("source"), s, g),
            ox.Quad(q, _hg("target"), t, g),
            ox.Quad(q, _hg("score"), _double(sim.score), g),
            ox.Quad(q, _hg("rank"), _int(sim.rank), g),
            ox.Quad(q, _prov("wasGeneratedBy"), node, g),
        ]
    for i, pred in enumerate(run.predictions):
        e, a, v = ox.NamedNode(pred.entity), ox.NamedNode(pred.attribute), ox.NamedNode(pred.value)
        p = ox.NamedNode(f"{node.value}/prediction/{i}")
        quads += [
            ox.Quad(e, a, v, g),
            ox.Quad(p, RDF_TYPE, _hg("Prediction"), g),
            ox.Quad(p, _hg("predictionOf"), e, g),
            ox.Quad(p, _hg("attribute"), a, g),
            ox.Quad(p, _hg("predictedValue"), v, g),
            ox.Quad(p, _hg("confidence"), _double(pred.confidence), g),
            ox.Quad(p, _prov("wasGeneratedBy"), node, g),
        ]
    return quads


def write_run(store: Store, iris: Iris, run: Run) -> str:
    """Write a run graph atomically (replacing a graph of the same id); returns the graph IRI."""
    quads = run_quads(run, iris)
    graph = iris.run_graph(run.run_id)
    body = " .\n".join(f"{q.subject} {q.predicate} {q.object}" for q in quads)
    g = str(ox.NamedNode(graph))
    store.update(f"DROP SILENT GRAPH {g} ;\nINSERT DATA {{ GRAPH {g} {{\n{body} .\n}} }}")
    return graph


def drop_run(store: Store, iris: Iris, run_id: str) -> bool:
    """Drop one run graph; False when there was no such run."""
    graph = str(ox.NamedNode(iris.run_graph(check_run_id(run_id))))
    existed = store.ask(f"ASK {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
    if existed:
        store.update(f"DROP GRAPH {graph}")
    return existed


def list_runs(store: Store) -> list[dict]:
    """Every run with its kind, model, times, evaluation metrics and the number of predictions /
    similarity edges."""
    rows = store.select(
        """SELECT ?run ?g ?kind ?model ?version ?started ?ended
             (COUNT(DISTINCT ?p) AS ?predictions) (COUNT(DISTINCT ?s) AS ?similarities) WHERE {
           GRAPH ?g { ?run a hg:ModelRun ; hg:model ?used ; hg:modelVersion ?version ;
                           prov:startedAtTime ?started .
             OPTIONAL { ?used rdfs:label ?label }
             OPTIONAL { ?run hg:runKind ?kind } OPTIONAL { ?run prov:endedAtTime ?ended }
             OPTIONAL { ?p a hg:Prediction } OPTIONAL { ?s a hg:Similarity } }
             BIND(COALESCE(?label, ?used) AS ?model)  # runs written before the model was an entity
         } GROUP BY ?run ?g ?kind ?model ?version ?started ?ended ORDER BY ?started"""
    )
    metrics: dict[str, dict[str, float]] = {}
    for r in store.select(
        "SELECT ?run ?name ?value WHERE { GRAPH ?g { ?run a hg:ModelRun ; hg:metric ?m . "
        "?m hg:metricName ?name ; hg:value ?value } }"
    ):
        metrics.setdefault(r["run"].value, {})[r["name"].value] = float(r["value"].value)
    out = []
    for r in rows:
        out.append(
            {
                "run_id": r["run"].value.rsplit("/", 1)[-1],
                "graph": r["g"].value,
                "kind": r["kind"].value if "kind" in r else None,
                "model": r["model"].value,
                "model_version": r["version"].value,
                "started": r["started"].value,
                "ended": r["ended"].value if "ended" in r else None,
                "predictions": int(r["predictions"].value),
                "similarities": int(r["similarities"].value),
                "metrics": metrics.get(r["run"].value, {}),
            }
        )
    return out


__all__ = ["Prediction", "Run", "Similarity", "drop_run", "list_runs", "new_run_id", "write_run"]
