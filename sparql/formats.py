"""SPARQL result and graph formats by media type, and content negotiation over ``Accept`` with
q-values: which serialization a client gets, or a 406 when none fits."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from kg.errors import HeritageError

RESULT_TYPES: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/xml": ox.QueryResultsFormat.XML,
}
GRAPH_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "text/plain": ox.RdfFormat.N_TRIPLES,
}


class NotAcceptable(HeritageError):
    status = 406
    title = "Not acceptable"


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """``Accept`` as (media range, q) pairs; malformed q-values count as 1."""
    ranges = []
    for part in (header or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 1.0
        ranges.append((fields[0].lower(), q))
    return ranges


def negotiate(header: str | None, offers: list[str]) -> str | None:
    """The offer with the highest q (the most specific matching range sets it; ties go to the
    earlier offer, so put the default first). No header means the first offer; None = 406."""
    ranges = parse_accept(header)
    if not ranges:
        return offers[0]
    best, best_q = None, 0.0
    for offer in offers:
        kind = offer.split("/")[0]
        q, specificity = None, -1
        for media, mq in ranges:
            spec = 2 if media == offer else 1 if media == f"{kind}/*" else 0 if media == "*/*" else -1
            if spec > specificity:
                q, specificity = mq, spec
        if q is not None and q > best_q:
            best, best_q = offer, q
    return best


def pick(accept: str | None, offers: list[str]) -> str:
    media = negotiate(accept, offers)
    if media is None:
        raise NotAcceptable(f"no acceptable format for this result; offered: {', '.join(offers)}")
    return media


def serialize_triples(
    triples: Iterable[ox.Triple | ox.Quad], fmt: ox.RdfFormat, prefixes: dict[str, str]
) -> bytes:
    """Oxigraph's serializer, with prefixes where the format has them (Turtle, RDF/XML, JSON-LD).
    Quads are welcome if they are in the default graph (what ``ox.parse`` of N-Triples yields)."""
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML, ox.RdfFormat.JSON_LD):
        try:
            return ox.serialize(triples, format=fmt, prefixes=prefixes)
        except (TypeError, ValueError):
            if not isinstance(triples, list):  # a consumed iterator cannot be replayed
                raise
            # else: a prefix the format cannot use; plain output instead
    return ox.serialize(triples, format=fmt)
