"""FalkorDB's ``GRAPH.BULK`` loader for a rebuild: the projection as binary node and edge blobs.

A rebuild writes a whole graph into an empty key, which is what ``GRAPH.BULK`` is for: the server
builds nodes and relationships straight from binary blobs, with no Cypher to parse, no index
lookup per relationship end and no per-row ``SET``. Format (FalkorDB ``src/bulk_insert``):

    GRAPH.BULK <graph> BEGIN <nodes> <edges> <node blobs> <edge blobs> <blob> ...

* a blob's header: its label(s) (``Resource:Work``) or relationship type, NUL-terminated, a
  4-byte property count and the NUL-terminated property names;
* a node: one typed value per header property (``0`` null, i.e. absent); nodes get ids 0, 1, ...
  in the order they are sent;
* an edge: 8-byte source and target node ids, then its typed values.

Values: ``1`` bool, ``2`` double, ``3`` NUL-terminated UTF-8 string, ``4`` int64, ``5`` array
(8-byte length, then typed values). A string holding a NUL byte or an integer beyond 64 bits
cannot be sent this way: ``NotBulkable`` tells the caller to use the Cypher path instead. Bolt
servers (Neo4j 5, Memgraph) have no such command; the rebuild uses Cypher there.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from kg.neo4j_projection import REL_TYPES, RUN_RELATIONS, Projection, _check_labels

_pack_q = struct.Struct("<q").pack
_pack_d = struct.Struct("<d").pack
_pack_i = struct.Struct("<I").pack
_pack_qq = struct.Struct("<QQ").pack
_TRUE, _FALSE, _NULL = b"\x01\x01", b"\x01\x00", b"\x00"
MAX_CALL_BYTES = 64 * 1024 * 1024  # well under Redis' 512 MB argument and 1 GB query limits


class NotBulkable(ValueError):
    """A value the binary format cannot carry (the caller falls back to Cypher)."""


def _value(value: object) -> bytes:
    kind = type(value)
    if kind is str:
        data = value.encode()  # type: ignore[union-attr]
        if b"\x00" in data:
            raise NotBulkable("a string holds a NUL character")
        return b"\x03" + data + b"\x00"
    if kind is bool:
        return _TRUE if value else _FALSE
    if kind is int:
        if not -(2**63) <= value < 2**63:  # type: ignore[operator]
            raise NotBulkable(f"integer {value} does not fit in 64 bits")
        return b"\x04" + _pack_q(value)
    if kind is float:
        return b"\x02" + _pack_d(value)
    if value is None:
        return _NULL
    if kind is list or kind is tuple:
        return b"\x05" + _pack_q(len(value)) + b"".join([_value(v) for v in value])  # type: ignore[arg-type]
    raise NotBulkable(f"cannot send a {kind.__name__} property in bulk")


def _header(name: str, keys: list[str]) -> bytes:
    for key in (name, *keys):
        if not key or "\x00" in key:  # the Cypher path refuses these with its own clear error
            raise NotBulkable(f"a label or property name cannot be sent in bulk: {key!r}")
    return (name.encode() + b"\x00" + _pack_i(len(keys))
            + b"".join(k.encode() + b"\x00" for k in keys))  # fmt: skip


def node_blobs(proj: Projection) -> tuple[dict[str, int], list[bytes], list[int]]:
    """(iri → node id, one blob per label set, nodes per blob). Rows carry every property of the label set's
    header, absent ones as null (which the server skips)."""
    ids: dict[str, int] = {}
    blobs: list[bytes] = []
    counts: list[int] = []
    for labels, rows in proj.node_rows().items():
        keys: dict[str, None] = {"iri": None}
        for row in rows:
            keys.update(dict.fromkeys(row))
        names = list(keys)
        parts = [_header(_check_labels(labels), names)]
        for row in rows:
            ids[row["iri"]] = len(ids)
            get = row.get
            parts.append(b"".join([_value(get(k)) for k in names]))
        blobs.append(b"".join(parts))
        counts.append(len(rows))
    return ids, blobs, counts


def edge_blobs(proj: Projection, ids: dict[str, int]) -> tuple[list[bytes], list[int]]:
    """(one blob per relationship type, relationships per blob) between projected nodes only."""
    counts: list[int] = []
    blobs: list[bytes] = []
    for rel, rows in proj.edge_rows(known=ids).items():
        if rel not in REL_TYPES:
            raise ValueError(f"relationship type {rel!r} is not on the whitelist")
        if rel in RUN_RELATIONS:
            keys: dict[str, None] = {}
            for row in rows:
                keys.update(dict.fromkeys(row[2]))
            names = list(keys)
            parts = [_header(rel, names)]
            parts += [_pack_qq(ids[r[0]], ids[r[1]]) + b"".join([_value(r[2].get(k)) for k in names])
                      for r in rows]  # fmt: skip
        else:
            parts = [_header(rel, [])]
            flat = [i for r in rows for i in (ids[r[0]], ids[r[1]])]
            parts.append(struct.pack(f"<{len(flat)}Q", *flat))
        counts.append(len(rows))
        blobs.append(b"".join(parts))
    return blobs, counts


def bulk_calls(graph: str, node_blobs_: list[bytes], node_count: list[int], edge_blobs_: list[bytes],
               edge_count: list[int], max_bytes: int = MAX_CALL_BYTES) -> Iterator[list]:  # fmt: skip
    """``GRAPH.BULK`` argument lists, blobs grouped into calls of at most ``max_bytes`` (one blob
    per label set or type can be larger on its own); the first call carries ``BEGIN``. Nodes come
    first, so every edge's ends exist when it is created."""
    items = [(b, n, True) for b, n in zip(node_blobs_, node_count, strict=True)]
    items += [(b, n, False) for b, n in zip(edge_blobs_, edge_count, strict=True)]
    call: list[tuple[bytes, int, bool]] = []
    size = 0
    first = True

    def flush() -> list:
        nonlocal first
        nodes = [c for c in call if c[2]]
        edges = [c for c in call if not c[2]]
        args: list = ["GRAPH.BULK", graph, *(["BEGIN"] if first else [])]
        args += [sum(c[1] for c in nodes), sum(c[1] for c in edges), len(nodes), len(edges)]
        args += [c[0] for c in nodes] + [c[0] for c in edges]
        first = False
        return args

    for item in items:
        if call and size + len(item[0]) > max_bytes:
            yield flush()
            call, size = [], 0
        call.append(item)
        size += len(item[0])
    if call:
        yield flush()


def bulk_load(transport, proj: Projection) -> tuple[int, int]:
    """Send ``proj`` to an empty FalkorDB graph (the key must not exist); returns (nodes, edges)."""
    ids, nblobs, counts = node_blobs(proj)
    eblobs, ecounts = edge_blobs(proj, ids)  # all encoded before anything is sent
    for args in bulk_calls(transport.graph_name, nblobs, counts, eblobs, ecounts, max_bytes=MAX_CALL_BYTES):
        transport.execute(*args)
    return len(ids), sum(ecounts)
