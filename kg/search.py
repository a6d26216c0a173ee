"""Keyword search with facets over Works, knowledge-graph first: the query is matched against
titles, descriptions, makers and statements, and against the concept schemes' ko/en labels, so a
Korean word reaches English records through a concept (and the reverse).

``search_works`` is the keyword search (ordered by title). The pieces it is made of
(``matching_ids``, ``hits_for``, ``facet_counts``) are public so that the hybrid search in
``ml.semantic_search`` can rank the same matched set by meaning and still show the same facets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.concepts import normalise
from kg.store import Store

# facet name -> hg: property; place and find_spot are e-Museum's "region" and "excavation site"
FACETS = {
    "era": "era",
    "material": "material",
    "use": "use",
    "type": "objectType",
    "museum": "heldBy",
    "place": "placeOfOrigin",
    "find_spot": "findSpot",
}


@dataclass
class SearchResult:
    total: int
    hits: list[dict]
    facets: dict[str, list[dict]] = field(default_factory=dict)


def concepts_matching(store: Store, query: str) -> list[str]:
    """Concepts whose normalised ko/en label equals the query or one of its words."""
    words = {normalise(query)} | {normalise(w) for w in query.split() if len(w) > 1}
    if not any(words):
        return []
    values = " ".join(str(ox.Literal(w)) for w in words if w)
    rows = store.select(
        "SELECT DISTINCT ?c WHERE { VALUES ?w { " + values + " } "
        "?c skos:prefLabel|skos:altLabel ?l . FILTER(LCASE(STR(?l)) = ?w) }"
    )
    return [r["c"].value for r in rows]


def _filters(query: str, facets: dict[str, list[str]], concepts: list[str]) -> str:
    parts = []
    if query.strip():
        q = ox.Literal(query.strip().lower())
        text = (
            "{ ?w hg:title|hg:description|hg:materialStatement|hg:dateStatement|hg:collectionNumber ?t . "
            f"FILTER(CONTAINS(LCASE(STR(?t)), {q})) }} UNION "
            f"{{ ?w hg:creator/rdfs:label ?t . FILTER(CONTAINS(LCASE(STR(?t)), {q})) }}"
        )
        if concepts:
            values = " ".join(str(ox.NamedNode(c)) for c in concepts)
            text += f" UNION {{ VALUES ?qc {{ {values} }} ?w ?cp ?qc }}"
        parts.append("{ " + text + " }")
    for name, values in facets.items():
        if name not in FACETS or not values:
            continue
        iris = " ".join(str(ox.NamedNode(v)) for v in values if v.startswith(("http://", "https://")))
        if iris:
            parts.append(f"{{ VALUES ?f_{name} {{ {iris} }} ?w hg:{FACETS[name]} ?f_{name} }}")
    return "\n".join(parts)


def where_clause(
    store: Store, query: str, facets: dict[str, list[str]] | None, concepts: list[str] | None = None
) -> str:
    """The graph pattern binding ``?w`` to every Work the query and the chosen facets select.

    ``concepts`` overrides the concepts found for the query (the hybrid search finds them with
    Korean particles stripped).
    """
    if concepts is None:
        concepts = concepts_matching(store, query) if query.strip() else []
    return f"?w a hg:Work . {_filters(query, facets or {}, concepts)}"


def matching_ids(store: Store, where: str, lang: str = "en") -> list[str]:
    """Every selected Work IRI, ordered by title (the keyword search's order)."""
    rows = store.select(
        f"SELECT ?w (SAMPLE(?title) AS ?t) WHERE {{ {{ SELECT DISTINCT ?w WHERE {{ {where} }} }} "
        f"OPTIONAL {{ ?w hg:title ?title . FILTER(LANGMATCHES(LANG(?title), {ox.Literal(lang)})) }} "
        f"OPTIONAL {{ ?w hg:title ?title }} }} GROUP BY ?w ORDER BY ?t ?w"
    )
    return [r["w"].value for r in rows]


def hits_for(store: Store, iris: list[str], lang: str = "en") -> list[dict]:
    """Display hits (iri, id, title in ``lang`` if there is one, thumbnail) in the given order."""
    if not iris:
        return []
    values = " ".join(str(ox.NamedNode(i)) for i in iris)
    rows = store.select(
        f"SELECT ?w (SAMPLE(?title) AS ?t) (SAMPLE(?thumb) AS ?img) WHERE {{ VALUES ?w {{ {values} }} "
        f"OPTIONAL {{ ?w hg:title ?title . FILTER(LANGMATCHES(LANG(?title), {ox.Literal(lang)})) }} "
        f"OPTIONAL {{ ?w hg:title ?title }} "
        f"OPTIONAL {{ ?inst hg:represents ?w . ?it hg:partOf ?inst ; hg:fileFormat ?ff ; hg:contentUrl ?thumb . "
        f'FILTER(?ff IN ("png", "jpeg")) }} }} GROUP BY ?w'
    )
    found = {
        r["w"].value: {
            "iri": r["w"].value,
            "id": r["w"].value.rsplit("/", 1)[-1],
            "title": r["t"].value if "t" in r else "",
            "thumbnail": r["img"].value if "img" in r else None,
        }
        for r in rows
    }
    return [found[i] for i in iris if i in found]


def facet_counts(store: Store, where: str, lang: str = "en") -> dict[str, list[dict]]:
    """Per facet, the values the selected Works carry with their counts (top 30)."""
    out: dict[str, list[dict]] = {}
    for name, prop in FACETS.items():
        frows = store.select(
            f"SELECT ?v (SAMPLE(?lbl) AS ?label) (COUNT(DISTINCT ?w) AS ?n) WHERE {{ {{ SELECT DISTINCT ?w WHERE {{ {where} }} }} "
            f"?w hg:{prop} ?v . OPTIONAL {{ ?v skos:prefLabel|rdfs:label ?lbl . "
            f'FILTER(LANG(?lbl) = {ox.Literal(lang)} || LANG(?lbl) = "") }} }} GROUP BY ?v ORDER BY DESC(?n) LIMIT 30'
        )
        out[name] = [
            {
                "value": r["v"].value,
                "label": r["label"].value if "label" in r else r["v"].value.rsplit("/", 1)[-1],
                "count": int(r["n"].value),
            }
            for r in frows
        ]
    return out


def search_works(
    store: Store,
    query: str = "",
    facets: dict[str, list[str]] | None = None,
    page: int = 1,
    per_page: int = 20,
    lang: str = "en",
) -> SearchResult:
    """Keyword + concept search with facets, ordered by title, one page of hits."""
    where = where_clause(store, query, facets)
    total = store.count(f"SELECT DISTINCT ?w WHERE {{ {where} }}")
    offset = max(page - 1, 0) * per_page
    rows = store.select(
        f"SELECT ?w (SAMPLE(?title) AS ?t) WHERE {{ {{ SELECT DISTINCT ?w WHERE {{ {where} }} }} "
        f"OPTIONAL {{ ?w hg:title ?title . FILTER(LANGMATCHES(LANG(?title), {ox.Literal(lang)})) }} "
        f"OPTIONAL {{ ?w hg:title ?title }} }} GROUP BY ?w ORDER BY ?t ?w LIMIT {int(per_page)} OFFSET {int(offset)}"
    )
    hits = hits_for(store, [r["w"].value for r in rows], lang)
    return SearchResult(total, hits, facet_counts(store, where, lang))
