"""Transports to a property-graph server, and the per-server dialect differences.

* ``BoltTransport``: the official ``neo4j`` driver, for Neo4j 5 and Memgraph (``bolt://`` or
  ``neo4j://`` URIs). Only ``driver.execute_query(..., database_=...)`` is used: it retries
  transient failures and, against FalkorDB's Bolt port, returned right results where
  ``session.run`` did not. FalkorDB also speaks Bolt, but crashes above ~4 KB per query plus
  parameters, so a Bolt transport to FalkorDB must set ``max_bytes`` (batches are split by size).
* ``FalkorDBTransport``: FalkorDB's native client (``falkordb://host:port``), the server CI uses.

Dialects: Neo4j 5 takes ``CREATE CONSTRAINT resource_iri IF NOT EXISTS FOR (n:Resource) REQUIRE
n.iri IS UNIQUE``; Memgraph ``CREATE CONSTRAINT ON (n:Resource) ASSERT n.iri IS UNIQUE``; FalkorDB
``CREATE INDEX FOR (n:Resource) ON (n.iri)`` (MERGE keeps iris unique there).
"""

from __future__ import annotations

import abc
import contextlib
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from urllib.parse import urlparse

from kg.errors import StoreUnavailable
from kg.neo4j_projection import BASE_LABEL, batches

SCHEMA_STATEMENTS = {
    "neo4j": [f"CREATE CONSTRAINT resource_iri IF NOT EXISTS FOR (n:{BASE_LABEL}) REQUIRE n.iri IS UNIQUE"],
    # Memgraph's uniqueness constraint does not index the property: the MATCHes need the index too
    "memgraph": [
        f"CREATE INDEX ON :{BASE_LABEL}(iri)",
        f"CREATE CONSTRAINT ON (n:{BASE_LABEL}) ASSERT n.iri IS UNIQUE",
    ],
    "falkordb": [f"CREATE INDEX FOR (n:{BASE_LABEL}) ON (n.iri)"],
}


class GraphServerUnavailable(StoreUnavailable):
    """The graph server is down or refused the connection (the RDF store is never touched)."""


class GraphTransport(abc.ABC):
    """Sends Cypher with parameters; knows its dialect and its payload limits."""

    dialect: str = "neo4j"
    max_rows: int = 1000
    max_bytes: int | None = None

    @abc.abstractmethod
    def run(self, cypher: str, params: dict | None = None) -> list[dict]:
        """Run one statement; rows as dicts keyed by the RETURN aliases."""

    def _prepare(self, cypher: str, params: dict) -> object:
        """Client-side work for one write (encoding), done before it is sent."""
        return (cypher, params)

    def _send(self, prepared: object) -> None:
        """Send a prepared write and wait for the server."""
        cypher, params = prepared  # type: ignore[misc]
        self.run(cypher, params)

    def run_rows(self, cypher: str, rows: list) -> int:
        """Run a ``UNWIND $rows`` statement over ``rows`` in batches within the server's limits."""
        return self.run_many([(cypher, rows)])

    def run_many(self, statements: Iterable[tuple[str, list]], in_flight: int = 2) -> int:
        """Run ``UNWIND $rows`` statements in order, each over its rows in batches; returns rows sent.

        One sender thread talks to the server while this thread encodes the next batches (the
        thread waits on the socket without the GIL), so client encoding and server work overlap.
        Batches still reach the server one at a time and in order, so every relationship batch
        follows the node batches before it. The first failure stops the rest and is re-raised.
        """
        sent = 0
        pending: deque[Future] = deque()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="graph-send") as pool:
            try:
                for cypher, rows in statements:
                    for batch in batches(rows, self.max_rows, self.max_bytes):
                        pending.append(pool.submit(self._send, self._prepare(cypher, {"rows": batch})))
                        sent += len(batch)
                        while len(pending) > in_flight or (pending and pending[0].done()):
                            pending.popleft().result()
                while pending:
                    pending.popleft().result()
            finally:
                for future in pending:
                    future.cancel()
        return sent

    def ensure_schema(self) -> None:
        """Create the ``iri`` index / uniqueness constraint (idempotent)."""
        for statement in SCHEMA_STATEMENTS[self.dialect]:
            try:
                self.run(statement)
            except GraphServerUnavailable:
                raise
            except Exception as exc:  # noqa: BLE001 - "already exists" differs per server
                if "already" not in str(exc).lower() and "exist" not in str(exc).lower():
                    raise

    def close(self) -> None:  # noqa: B027 - optional
        """Release connections."""


class BoltTransport(GraphTransport):
    """Neo4j 5 / Memgraph (or FalkorDB's Bolt port with ``max_bytes``) via the ``neo4j`` driver."""

    def __init__(self, uri: str, user: str | None = None, password: str | None = None,
                 database: str | None = None, dialect: str = "neo4j", max_rows: int = 1000,
                 max_bytes: int | None = None) -> None:  # fmt: skip
        import neo4j

        self._neo4j = neo4j
        auth = (user, password or "") if user else None
        self.driver = neo4j.GraphDatabase.driver(uri, auth=auth, connection_timeout=5,
                                                 max_transaction_retry_time=1)  # fmt: skip
        self.database = database
        self.dialect = dialect
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self.uri = uri

    def run(self, cypher: str, params: dict | None = None) -> list[dict]:
        try:
            result = self.driver.execute_query(cypher, params or {}, database_=self.database)
        except (self._neo4j.exceptions.ServiceUnavailable, OSError) as exc:
            raise GraphServerUnavailable(f"graph server at {self.uri} is unreachable: {exc}") from exc
        return [record.data() for record in result.records]

    def close(self) -> None:
        self.driver.close()


class FalkorDBTransport(GraphTransport):
    """FalkorDB's native protocol (the ``falkordb`` client)."""

    dialect = "falkordb"

    def __init__(self, host: str, port: int, graph: str = "heritage", password: str | None = None,
                 max_rows: int = 1000) -> None:  # fmt: skip
        import falkordb
        import redis

        self._errors = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)
        self.uri = f"falkordb://{host}:{port}"
        try:
            self.db = falkordb.FalkorDB(host=host, port=port, password=password, socket_timeout=60,
                                        socket_connect_timeout=5)  # fmt: skip
        except self._errors as exc:
            raise GraphServerUnavailable(f"graph server at {self.uri} is unreachable: {exc}") from exc
        self.graph = self.db.select_graph(graph)
        self.graph_name = graph
        self.max_rows = max_rows

    def run(self, cypher: str, params: dict | None = None) -> list[dict]:
        result = self._query(self._prepare(cypher, params) if params else cypher)
        header = [h[1] if isinstance(h, list | tuple) else h for h in (result.header or [])]
        return [dict(zip(header, row, strict=False)) for row in result.result_set]

    def _prepare(self, cypher: str, params: dict) -> str:
        """The query text with FalkorDB's ``CYPHER name=value ...`` parameter header."""
        header = " ".join(f"{_identifier(k)}={cypher_value(v)}" for k, v in params.items())
        return f"CYPHER {header} {cypher}"

    def _send(self, prepared: object) -> None:
        self._query(prepared)  # type: ignore[arg-type]

    def _query(self, text: str):
        try:
            return self.graph.query(text)
        except self._errors as exc:
            raise GraphServerUnavailable(f"graph server at {self.uri} is unreachable: {exc}") from exc

    def execute(self, *args: object) -> object:
        """A raw server command (``GRAPH.BULK``), with the same unreachable-server error."""
        try:
            return self.db.connection.execute_command(*args)
        except self._errors as exc:
            raise GraphServerUnavailable(f"graph server at {self.uri} is unreachable: {exc}") from exc

    def drop_graph(self) -> None:
        try:
            self.graph.delete()
        except self._errors as exc:
            raise GraphServerUnavailable(f"graph server at {self.uri} is unreachable: {exc}") from exc
        except Exception:  # noqa: BLE001 - an empty graph does not exist yet
            pass

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing a dead connection is not an error
            self.db.connection.close()


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _identifier(key: str) -> str:
    """A map key or parameter name, backtick-quoted (FalkorDB has no escape for a backtick)."""
    if not key or "`" in key:
        raise ValueError(f"a property name cannot be empty or contain a backtick: {key!r}")
    return f"`{key}`"


def cypher_value(value: object) -> str:
    """A parameter value as FalkorDB's parameter-header syntax (strings quoted and escaped the way
    the ``falkordb`` client does). Written for the row shapes the projection sends: on a rebuild
    the client's generic encoder cost as much time as the server's writes."""
    kind = type(value)
    if kind is str:
        return _quote(value)  # type: ignore[arg-type]
    if kind is bool:
        return "true" if value else "false"
    if kind is int or kind is float:
        return repr(value)
    if value is None:
        return "null"
    if kind is list or kind is tuple:
        return "[" + ",".join([cypher_value(v) for v in value]) + "]"  # type: ignore[union-attr]
    if kind is dict:
        return "{" + ",".join([f"{_identifier(k)}:{cypher_value(v)}" for k, v in value.items()]) + "}"  # type: ignore[union-attr]
    for base in (str, bool, int, float):  # subclasses (str enums, numpy-free IntEnums)
        if isinstance(value, base):
            return cypher_value(base(value))
    raise TypeError(f"cannot send a {kind.__name__} as a graph parameter")


def open_transport(uri: str, user: str | None = None, password: str | None = None,
                   database: str | None = None) -> GraphTransport:  # fmt: skip
    """``bolt://`` / ``neo4j://`` → Bolt (Neo4j 5 dialect); ``memgraph://host:port`` → Bolt with the
    Memgraph dialect; ``falkordb://host:port`` → native."""
    parsed = urlparse(uri)
    if parsed.scheme == "memgraph":
        return BoltTransport(
            "bolt://" + parsed.netloc.rsplit("@", 1)[-1], user, password, database, dialect="memgraph"
        )
    if parsed.scheme == "falkordb":
        return FalkorDBTransport(parsed.hostname or "127.0.0.1", parsed.port or 6379, database or "heritage",
                                 password=password)  # fmt: skip
    if parsed.scheme in ("bolt", "neo4j", "bolt+s", "neo4j+s", "bolt+ssc", "neo4j+ssc"):
        return BoltTransport(uri, user, password, database)
    raise ValueError(
        f"unsupported graph server URI {uri!r} (use bolt://, neo4j://, memgraph:// or falkordb://)"
    )
