"""Read the graphs a rebuild projects as SPARQL results the store serialises to TSV itself.

The store evaluates one SELECT per predicate and writes the rows as TSV bytes in Rust (without
holding the GIL, so the next query runs on a worker thread while this one parses the previous
result), and Python only splits lines. The rows feed the same ``Projector.add_part`` as the quad
reader, so the mapping rules live in one place. It is the rebuild's reader for a remote SPARQL
store (a few dozen queries instead of one request per record graph). On the embedded store it
measured 1.1-1.2x the quad reader's CPU: decoding terms out of RocksDB, not Python objects, is
what a read costs there, and the scans that keep the per-graph rules exact come on top.

The projection is defined graph by graph (a subject's types, literals and dimensions count within
one graph; across graphs the first graph's property value wins). Most subjects (works, instances,
items, their dimensions) live in exactly one graph, so their rows are read over the union of the
projected graphs without the graph column (one term less to decode per row). The few subjects
spread over several graphs (shared agents, concepts also described in the schemes graph), and
dimension links that do not resolve inside one graph, are read with their graph and projected
graph by graph, in the rebuild's graph order: the result equals the graph-by-graph quad read,
which ``tests/kg/test_neo4j_fast.py`` checks.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor

import pyoxigraph as ox

from kg.neo4j_projection import (
    _HAS_DIMENSION,
    _LANG_STRING,
    _SKIP_LITERALS,
    RDF_TYPE,
    RELATIONS,
    GraphPart,
    Projector,
    _value,
)
from kg.store import Store

_XSD = "http://www.w3.org/2001/XMLSchema#"
# rdf:type, hg:dimension and every relationship predicate: queried before the predicate list is back
_KNOWN_PREDICATES = (RDF_TYPE, _HAS_DIMENSION, *RELATIONS)
_ESCAPE = re.compile(r"\\(.)")
_UNESCAPE = {"t": "\t", "n": "\n", "r": "\r", '"': '"', "\\": "\\", "b": "\b", "f": "\f", "'": "'"}


def _graph_filter(excluded: Iterable[str], var: str = "?g") -> str:
    """``FILTER(?g NOT IN (...))``: compares stored term ids, so no graph name is decoded."""
    names = ", ".join(str(ox.NamedNode(g)) for g in excluded)
    return f"FILTER({var} NOT IN ({names}))" if names else ""


def predicates_query(excluded: list[str]) -> str:
    """The predicates used in the projected graphs (a scan that decodes nothing but the answer)."""
    return f"SELECT DISTINCT ?p WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {_graph_filter(excluded)} }}"


def predicate_query(predicate: str, excluded: list[str]) -> str:
    """One predicate's rows over the projected graphs: bound, the predicate drives the index scan
    (a ``FILTER`` on ``?p`` would scan every quad) and is not decoded per row."""
    return f"SELECT ?s ?o WHERE {{ GRAPH ?g {{ ?s <{predicate}> ?o }} {_graph_filter(excluded)} }}"


def per_graph_query(excluded: list[str]) -> str:
    """Subjects to project graph by graph: those described in more than one projected graph, and
    both ends of a dimension link whose target is not typed ``hg:Dimension`` in the link's graph."""
    g, g2 = _graph_filter(excluded), _graph_filter(excluded, "?g2")
    return (
        f"SELECT DISTINCT ?s WHERE {{ {{ SELECT ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {g} }} "
        f"GROUP BY ?s HAVING (COUNT(DISTINCT ?g) > 1) }} UNION {{ GRAPH ?g2 {{ ?w <{_HAS_DIMENSION}> ?d }} {g2} "
        f"FILTER NOT EXISTS {{ GRAPH ?g2 {{ ?d a hg:Dimension }} }} VALUES ?end {{ 0 1 }} "
        f"BIND(IF(?end = 0, ?w, ?d) AS ?s) }} }}"
    )


def per_graph_rows_query(subjects: list[str], excluded: list[str]) -> str:
    """The rows of ``subjects``, with their graph, plus the rows of their dimension nodes."""
    values = " ".join(f"<{s}>" for s in subjects)
    g = _graph_filter(excluded)
    return (
        f"SELECT ?g ?s ?p ?o WHERE {{ {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} UNION "
        f"{{ VALUES ?w {{ {values} }} GRAPH ?g {{ ?w <{_HAS_DIMENSION}> ?s . ?s ?p ?o }} }} {g} }}"
    )


def unescape(text: str) -> str:
    """A TSV string literal's escapes (``\\t``, ``\\n``, ``\\"``, ``\\\\``, ``\\uXXXX``)."""
    if "\\u" in text or "\\U" in text:
        text = re.sub(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})",
                      lambda m: chr(int(m.group(1) or m.group(2), 16)), text)  # fmt: skip
    return _ESCAPE.sub(lambda m: _UNESCAPE.get(m.group(1), m.group(0)), text)


def parse_literal(term: str) -> tuple[str, str | None, str]:
    """A TSV literal as (lexical form, language or None, datatype IRI); numbers and booleans
    come bare (``12``, ``12.5``, ``true``)."""
    if term[0] == '"':
        end = term.rindex('"')
        lex = term[1:end]
        if "\\" in lex:
            lex = unescape(lex)
        rest = term[end + 1 :]
        if not rest:
            return lex, None, _XSD + "string"
        if rest[0] == "@":
            return lex, rest[1:], _LANG_STRING
        return lex, None, rest[3:-1]  # ^^<datatype>
    if term in ("true", "false"):
        return term, None, _XSD + "boolean"
    if "e" in term or "E" in term:
        return term, None, _XSD + "double"
    if "." in term:
        return term, None, _XSD + "decimal"
    return term, None, _XSD + "integer"


def parse_rows(lines: Iterable[str], part: GraphPart) -> None:
    """Add ``?s ?p ?o`` TSV lines (no header) to ``part`` (blank-node subjects and objects and
    ``skos:notation`` left out, as ``Projector.add_graph`` does)."""
    types, literals, links = part.types, part.literals, part.links
    for line in lines:
        s, p, o = line.split("\t")
        if s[0] != "<":
            continue
        s = s[1:-1]
        p = p[1:-1]
        first = o[0]
        if first == "<":
            if p == RDF_TYPE:
                types[s].append(o[1:-1])
            else:
                links[s].append((p, o[1:-1]))
        elif first != "_" and p not in _SKIP_LITERALS:
            literals[s].append((p, *parse_literal(o)))


def parse_predicate_rows(data: bytes, predicate: str, part: GraphPart) -> None:
    """Add ``?s ?o`` TSV rows of one predicate to ``part`` (same rules as ``parse_rows``)."""
    if predicate in _SKIP_LITERALS:
        return
    is_type = predicate == RDF_TYPE
    types, literals, links = part.types, part.literals, part.links
    for line in data.decode().split("\n")[1:]:
        if not line or line[0] != "<":
            continue
        s, o = line.split("\t")
        s = s[1:-1]
        first = o[0]
        if first == "<":
            if is_type:
                types[s].append(o[1:-1])
            else:
                links[s].append((predicate, o[1:-1]))
        elif first != "_":
            literals[s].append((predicate, *parse_literal(o)))


def term_value(term: str) -> object:
    """A TSV term as the projection stores it: an IRI's text, a literal's typed value (what
    ``literal_value`` gives for the same literal), None for an unbound cell."""
    if not term:
        return None
    if term[0] == "<":
        return term[1:-1]
    lex, _lang, datatype = parse_literal(term)
    return _value(lex, datatype)


def term_text(term: str) -> str | None:
    """A TSV term's text: an IRI's, a literal's lexical form (``Term.value``); None if unbound."""
    if not term:
        return None
    return term[1:-1] if term[0] == "<" else parse_literal(term)[0]


def parse_select(data: bytes) -> list[list[str]]:
    """A SELECT's TSV rows as lists of terms (an unbound variable is an empty cell)."""
    return [line.split("\t") for line in data.decode().split("\n")[1:] if line]


def parse_graph_rows(data: bytes) -> dict[str, GraphPart]:
    """``?g ?s ?p ?o`` TSV rows as one part per graph."""
    parts: dict[str, GraphPart] = defaultdict(GraphPart)
    by_graph: dict[str, list[str]] = defaultdict(list)
    lines = data.decode().split("\n")
    for line in lines[1:]:
        if line:
            g, rest = line.split("\t", 1)
            by_graph[g[1:-1]].append(rest)
    for g, rows in by_graph.items():
        parse_rows(rows, parts[g])
    return parts


def _extend(part: GraphPart, more: GraphPart) -> None:
    """Add ``more``'s rows to ``part``, skipping rows it already has (a dimension node reached
    both as a subject and through its work)."""
    for mine, theirs in ((part.types, more.types), (part.literals, more.literals), (part.links, more.links)):
        for s, rows in theirs.items():
            have = mine[s]
            have.extend(r for r in rows if r not in have)


def read_projection(store: Store, graphs: list[str], excluded: list[str], threads: int = 2) -> Projector:
    """Project the record and scheme ``graphs`` (in this order) of ``store``; ``excluded`` names
    every other named graph (the change log, the ontology, entailments, run graphs)."""
    tsv = ox.QueryResultsFormat.TSV
    projector = Projector()
    with ThreadPoolExecutor(max_workers=max(1, threads), thread_name_prefix="graph-read") as pool:

        def select(query: str) -> Future:
            return pool.submit(store.query_serialized, query, tsv)

        # queued in this order: the predicate list, the predicates every store uses (no need to wait
        # for the list), the per-graph subjects, then the other predicates once listed
        preds_f = select(predicates_query(excluded))
        union_fs = {p: select(predicate_query(p, excluded)) for p in _KNOWN_PREDICATES}
        shared_f = select(per_graph_query(excluded))
        predicates = [line[1:-1] for line in preds_f.result().decode().split("\n")[1:] if line]
        for p in predicates:
            if p not in union_fs:
                union_fs[p] = select(predicate_query(p, excluded))
        used = set(predicates)
        union = GraphPart()
        for predicate, future in union_fs.items():
            data = future.result()
            if predicate in used:
                parse_predicate_rows(data, predicate, union)
        shared = {line[1:-1] for line in shared_f.result().decode().split("\n")[1:] if line.startswith("<")}
        rows_fs = [select(per_graph_rows_query(sorted(shared), excluded))] if shared else []
        # out of the union: the per-graph subjects, and subjects whose dimension node is one of them
        extra = {s for s, links in union.links.items()
                 if s not in shared and any(p == _HAS_DIMENSION and o in shared for p, o in links)}  # fmt: skip
        for s in shared | extra:
            union.types.pop(s, None)
            union.literals.pop(s, None)
            union.links.pop(s, None)
        if extra:
            rows_fs.append(select(per_graph_rows_query(sorted(extra), excluded)))
        parts: dict[str, GraphPart] = defaultdict(GraphPart)
        for future in rows_fs:
            for g, part in parse_graph_rows(future.result()).items():
                _extend(parts[g], part)
        order = {g: i for i, g in enumerate(graphs)}
        for g in sorted(parts, key=lambda g: order.get(g, len(order))):
            projector.add_part(parts[g])
        projector.add_part(union)
    return projector
