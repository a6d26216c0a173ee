"""The graph explorer's queries: neighbourhood, shortest path, clusters.

Two backends answer the same three primitives (node info, edges touching a set of nodes, all
edges of some types): ``CypherBackend`` over the projected graph server and ``SparqlBackend``
over the RDF store, which reuses the projection's own rules (``kg.neo4j_projection``), so both
give the same nodes, labels and relationships. The algorithms on top (breadth-first expansion,
shortest path, label propagation) are shared, deterministic, and return one JSON shape:
``{nodes: [{id, label, kind, ...}], edges: [{source, target, type, props}]}``.
"""

from __future__ import annotations

import abc
from collections import defaultdict

import pyoxigraph as ox

from kg.graph_transport import GraphTransport
from kg.namespaces import HG, Iris
from kg.neo4j_projection import (
    BASE_LABEL,
    KIND_OF_LABEL,
    LABELS,
    REL_TYPES,
    RELATIONS,
    RUN_RELATIONS,
    merge,
    project_graph,
)
from kg.store import Store

KINDS = ("work", "project", "instance", "item", "concept", "agent", "museum")
# a Work's links to the concepts of its facets (material, era, use, type, culture, place)
FACET_RELATIONS = ("HAS_MATERIAL", "FROM_ERA", "HAS_USE", "HAS_TYPE", "HAS_CULTURE", "FROM_PLACE")
# works that share facet concepts or are similar fall into one cluster
CLUSTER_RELATIONS = (*FACET_RELATIONS, "SIMILAR_TO")
_LABEL_KEYS = ("title_en", "label_en", "title_ko", "label_ko", "title", "label", "identifier")
_EDGE_PROPS = ("run", "score", "rank", "attribute", "confidence")
_KIND_ORDER = ("Museum", "Work", "Project", "Instance", "Item", "Concept", "Agent", "Scheme")


def node_view(iri: str, labels: set[str] | list[str], props: dict) -> dict:
    """``{id, label, kind}`` of a projected node (label: English title/label first)."""
    kind = next((KIND_OF_LABEL[lab] for lab in _KIND_ORDER if lab in labels), "resource")
    label = next((props[k] for k in _LABEL_KEYS if props.get(k) not in (None, "", [])), iri)
    if isinstance(label, list):
        label = label[0]
    return {"id": iri, "label": str(label), "kind": kind}


def edge_view(source: str, rel: str, target: str, props: dict) -> dict:
    return {"source": source, "target": target, "type": rel,
            "props": {k: props[k] for k in _EDGE_PROPS if props.get(k) is not None}}  # fmt: skip


def _edge_key(e: dict) -> tuple:
    return (e["source"], e["type"], e["target"], str(e["props"].get("run", "")))


class GraphBackend(abc.ABC):
    """The three primitives the explorer's algorithms need."""

    @abc.abstractmethod
    def nodes(self, iris: list[str]) -> dict[str, dict]:
        """iri → node view, for the iris that are projected nodes."""

    @abc.abstractmethod
    def edges_touching(self, iris: list[str], relations: set[str]) -> list[dict]:
        """Relationships (either direction) of the given nodes, limited to ``relations``."""

    @abc.abstractmethod
    def all_edges(self, relations: set[str]) -> list[dict]:
        """Every relationship of the given types."""


class CypherBackend(GraphBackend):
    """Answers from the projected graph server (Neo4j, Memgraph, FalkorDB)."""

    def __init__(self, transport: GraphTransport) -> None:
        self.transport = transport

    def nodes(self, iris: list[str]) -> dict[str, dict]:
        if not iris:
            return {}
        fields = ", ".join(f"n.{k} AS {k}" for k in _LABEL_KEYS)
        rows = self.transport.run(
            f"UNWIND $iris AS i MATCH (n:{BASE_LABEL} {{iri: i}}) RETURN n.iri AS iri, labels(n) AS labels, {fields}",
            {"iris": iris},
        )
        return {r["iri"]: node_view(r["iri"], set(r["labels"]), r) for r in rows}

    def _edges(self, match: str, params: dict) -> list[dict]:
        fields = ", ".join(f"e.{k} AS {k}" for k in _EDGE_PROPS)
        rows = self.transport.run(f"{match} RETURN a.iri AS s, type(e) AS t, b.iri AS o, {fields}", params)
        return [edge_view(r["s"], r["t"], r["o"], r) for r in rows]

    def edges_touching(self, iris: list[str], relations: set[str]) -> list[dict]:
        params = {"iris": iris, "types": sorted(relations)}
        out = self._edges(f"UNWIND $iris AS i MATCH (a:{BASE_LABEL} {{iri: i}})-[e]->(b:{BASE_LABEL}) "
                          "WHERE type(e) IN $types", params)  # fmt: skip
        out += self._edges(f"UNWIND $iris AS i MATCH (a:{BASE_LABEL})-[e]->(b:{BASE_LABEL} {{iri: i}}) "
                           "WHERE type(e) IN $types", params)  # fmt: skip
        return out

    def all_edges(self, relations: set[str]) -> list[dict]:
        return self._edges(f"MATCH (a:{BASE_LABEL})-[e]->(b:{BASE_LABEL}) WHERE type(e) IN $types",
                           {"types": sorted(relations)})  # fmt: skip


class SparqlBackend(GraphBackend):
    """Answers from the RDF store with the projection's rules (no graph server needed)."""

    def __init__(self, store: Store, iris: Iris) -> None:
        self.store = store
        self.iris = iris

    def _quads(self, where: str) -> dict[str, list[ox.Quad]]:
        rows = self.store.select(f"SELECT ?g ?s ?p ?o WHERE {{ {where} }}")
        out: dict[str, list[ox.Quad]] = defaultdict(list)
        for r in rows:
            out[r["g"].value].append(ox.Quad(r["s"], r["p"], r["o"], r["g"]))
        return out

    def nodes(self, iris: list[str]) -> dict[str, dict]:
        if not iris:
            return {}
        values = " ".join(str(ox.NamedNode(i)) for i in iris)
        by_graph = self._quads(
            f"VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} {self.iris.projected_filter()}"
        )
        proj = merge(project_graph(q) for q in by_graph.values())
        return {iri: node_view(iri, labels, props) for iri, (labels, props) in proj.nodes.items()}

    def _run_edges(self, where_extra: str) -> list[dict]:
        prefix = ox.Literal(self.iris.run_graph(""))
        kinds = f"{ox.NamedNode(str(HG.Similarity))} {ox.NamedNode(str(HG.Prediction))}"
        by_graph = self._quads(
            f"VALUES ?cls {{ {kinds} }} GRAPH ?g {{ ?s a ?cls . ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), {prefix})) "
            f"{where_extra}"
        )
        out = []
        for graph, quads in by_graph.items():
            run = f"{self.iris.base}/id/run/{graph.rsplit('/', 1)[-1]}"
            out += [edge_view(s, r, o, p) for s, r, o, p in project_graph(quads, run=run).edges]
        return out

    def _record_edges(self, preds: list[str], where_extra: str) -> list[dict]:
        if not preds:
            return []
        pvalues = " ".join(str(ox.NamedNode(p)) for p in preds)
        typed = " ".join(str(ox.NamedNode(c)) for c in LABELS)
        rows = self.store.select(
            f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?p {{ {pvalues} }} VALUES ?c {{ {typed} }} "
            f"GRAPH ?g {{ ?s ?p ?o . ?s a ?c }} {self.iris.projected_filter()} {where_extra} }}"
        )
        return [edge_view(r["s"].value, RELATIONS[r["p"].value], r["o"].value, {}) for r in rows]

    def _edges(self, relations: set[str], anchor: str | None) -> list[dict]:
        preds = [p for p, rel in RELATIONS.items() if rel in relations]
        out = []
        if anchor is None:
            out += self._record_edges(preds, "")
        else:
            out += self._record_edges(preds, f"VALUES ?s {{ {anchor} }}")
            out += self._record_edges(preds, f"VALUES ?o {{ {anchor} }}")
        if relations & set(RUN_RELATIONS):
            if anchor is None:
                run = self._run_edges("")
            else:
                ends = f"{ox.NamedNode(str(HG.source))} {ox.NamedNode(str(HG.target))} " + " ".join(
                    str(ox.NamedNode(str(p))) for p in (HG.predictionOf, HG.predictedValue)
                )
                run = self._run_edges(
                    f"FILTER EXISTS {{ VALUES ?end {{ {anchor} }} VALUES ?ep {{ {ends} }} GRAPH ?g {{ ?s ?ep ?end }} }}"
                )
            out += [e for e in run if e["type"] in relations]
        # like the graph server, a relationship exists only between two projected nodes
        ends = sorted({e["source"] for e in out} | {e["target"] for e in out})
        known = self.nodes(ends)
        return [e for e in out if e["source"] in known and e["target"] in known]

    def edges_touching(self, iris: list[str], relations: set[str]) -> list[dict]:
        if not iris:
            return []
        return self._edges(relations, " ".join(str(ox.NamedNode(i)) for i in iris))

    def all_edges(self, relations: set[str]) -> list[dict]:
        return self._edges(relations, None)


# ---- the algorithms, shared by both backends -------------------------------------------------------
def _relations(relations: list[str] | None) -> set[str]:
    if not relations:
        return set(REL_TYPES) - {"IN_SCHEME"}
    unknown = [r for r in relations if r not in REL_TYPES]
    if unknown:
        raise ValueError(f"unknown relation(s) {', '.join(unknown)}; known: {', '.join(sorted(REL_TYPES))}")
    return set(relations)


def _layers(layers: list[str] | None) -> set[str]:
    if not layers:
        return set(KINDS)
    unknown = [k for k in layers if k not in KINDS]
    if unknown:
        raise ValueError(f"unknown layer(s) {', '.join(unknown)}; known: {', '.join(KINDS)}")
    return set(layers)


def _shape(nodes: dict[str, dict], edges: list[dict]) -> dict:
    unique = {_edge_key(e): e for e in edges if e["source"] in nodes and e["target"] in nodes}
    return {"nodes": [nodes[k] for k in sorted(nodes)], "edges": [unique[k] for k in sorted(unique)]}


def neighbourhood(backend: GraphBackend, iri: str, depth: int = 1, relations: list[str] | None = None,
                  layers: list[str] | None = None, limit: int = 500) -> dict:  # fmt: skip
    """Nodes within ``depth`` hops of ``iri`` (either direction), filtered by relation and layer."""
    from kg.errors import NotFound

    rels, kinds = _relations(relations), _layers(layers)
    nodes = backend.nodes([iri])
    if iri not in nodes:
        raise NotFound(f"{iri} is not in the graph")
    frontier, edges = [iri], []
    for _ in range(max(0, min(depth, 5))):
        if not frontier or len(nodes) >= limit:
            break
        hop = backend.edges_touching(frontier, rels)
        new = sorted(({e["target"] for e in hop} | {e["source"] for e in hop}) - set(nodes))
        found = {k: v for k, v in backend.nodes(new).items() if v["kind"] in kinds}
        for k in sorted(found)[: max(0, limit - len(nodes))]:
            nodes[k] = found[k]
        edges += hop
        frontier = [k for k in new if k in nodes]
    return _shape(nodes, edges)


def shortest_path(backend: GraphBackend, source: str, target: str, relations: list[str] | None = None,
                  max_depth: int = 6) -> dict:  # fmt: skip
    """One shortest undirected path (fewest hops; ties broken by IRI order) or empty lists."""
    from kg.errors import NotFound

    rels = _relations(relations)
    ends = backend.nodes([source, target])
    for iri in (source, target):
        if iri not in ends:
            raise NotFound(f"{iri} is not in the graph")
    parent: dict[str, tuple[str, dict] | None] = {source: None}
    frontier = [source]
    for _ in range(max_depth):
        if target in parent or not frontier:
            break
        hop = sorted(backend.edges_touching(frontier, rels), key=_edge_key)
        nxt = []
        front = set(frontier)
        for e in hop:
            for here, there in ((e["source"], e["target"]), (e["target"], e["source"])):
                if here in front and there not in parent:
                    parent[there] = (here, e)
                    nxt.append(there)
        frontier = sorted(set(nxt))
    if target not in parent:
        return {"nodes": [], "edges": []}
    path_nodes, path_edges, cur = [target], [], target
    while parent[cur] is not None:
        prev, edge = parent[cur]
        path_edges.append(edge)
        path_nodes.append(prev)
        cur = prev
    info = backend.nodes(path_nodes)
    return {"nodes": [info[i] for i in reversed(path_nodes)], "edges": list(reversed(path_edges))}


def clusters(backend: GraphBackend, relations: list[str] | None = None, min_size: int = 2,
             iterations: int = 20) -> dict:  # fmt: skip
    """Groups of related Works: label propagation over shared concepts and similarity edges.

    Works and the concepts they share form one undirected graph; each node repeatedly takes the
    most frequent label among its neighbours (ties: the smallest), visiting nodes in IRI order,
    so the result does not depend on the backend. Nodes get a ``cluster`` id (its smallest Work
    IRI); clusters with fewer than ``min_size`` Works are left out.
    """
    rels = _relations(relations or list(CLUSTER_RELATIONS))
    edges = backend.all_edges(rels)
    adj: dict[str, set[str]] = defaultdict(set)
    for e in edges:
        adj[e["source"]].add(e["target"])
        adj[e["target"]].add(e["source"])
    order = sorted(adj)
    label = {n: n for n in order}
    for _ in range(iterations):
        changed = False
        for n in order:
            counts: dict[str, int] = defaultdict(int)
            for m in adj[n]:
                counts[label[m]] += 1
            best = min(counts, key=lambda lab: (-counts[lab], lab))
            if counts[best] > counts.get(label[n], 0) or (
                counts[best] == counts.get(label[n], 0) and best < label[n]
            ):
                label[n], changed = best, True
        if not changed:
            break
    info = backend.nodes(order)
    groups: dict[str, list[str]] = defaultdict(list)
    for n in order:
        if n in info:
            groups[label[n]].append(n)
    nodes: dict[str, dict] = {}
    for members in groups.values():
        works = sorted(m for m in members if info[m]["kind"] == "work")
        if len(works) < min_size:
            continue
        for m in members:
            nodes[m] = {**info[m], "cluster": works[0]}
    same = [e for e in edges if e["source"] in nodes and e["target"] in nodes
            and nodes[e["source"]]["cluster"] == nodes[e["target"]]["cluster"]]  # fmt: skip
    return _shape(nodes, same)


def backend_for(ctx: object) -> GraphBackend:
    """The graph server when one is configured, the RDF store otherwise."""
    settings = ctx.settings  # type: ignore[attr-defined]
    if settings.neo4j_uri:
        from kg.graph_transport import open_transport

        return CypherBackend(open_transport(settings.neo4j_uri, settings.neo4j_user, settings.neo4j_password,
                                            settings.neo4j_database))  # fmt: skip
    return SparqlBackend(ctx.store, ctx.iris)  # type: ignore[attr-defined]
