"""Whole-store backup: every named graph (records, change log, runs, schemes) as sorted N-Quads
or TriG, and loading such a dump into an empty store. Sorting makes a dump → load → dump round
trip byte-for-byte identical."""

from __future__ import annotations

import io
from pathlib import Path

import pyoxigraph as ox

from kg.errors import Conflict, ParseError, UnsupportedFormat
from kg.store import Store

FORMATS = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}


def dump_bytes(store: Store, fmt: str = "nquads") -> bytes:
    if fmt not in FORMATS:
        raise UnsupportedFormat(f"dump format {fmt!r}: use nquads or trig")
    quads = sorted(
        store.quads(), key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object))
    )
    if fmt == "nquads":
        return "".join(f"{q} .\n" for q in quads).encode()
    out = io.BytesIO()
    ox.serialize(quads, out, ox.RdfFormat.TRIG)
    return out.getvalue()


def load_dump(store: Store, path: Path) -> int:
    """Load a dump into an EMPTY store (refuses to merge into existing data)."""
    if store.ask("ASK { GRAPH ?g { ?s ?p ?o } }"):
        raise Conflict("the store is not empty: load a dump only into an empty data directory")
    suffix = path.suffix.lower()
    fmt = {".nq": ox.RdfFormat.N_QUADS, ".trig": ox.RdfFormat.TRIG}.get(suffix)
    if fmt is None:
        raise UnsupportedFormat(f"{path.name}: a dump is .nq or .trig")
    data = path.read_bytes()
    try:
        list(ox.parse(data, fmt))  # validate fully before touching the store
    except SyntaxError as exc:
        raise ParseError(f"{path.name}: {exc}") from None
    # extend keeps blank-node labels (bulk_load renames them, breaking byte-identical round trips)
    store.extend(ox.parse(data, fmt)) if hasattr(store, "extend") else store.load_quads(data, fmt)
    return store.triple_count()
