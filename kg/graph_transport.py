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
from urllib.parse import urlparse

from kg.errors import StoreUnavailable
from kg.neo4j_projection import BASE_LABEL, batches

SCHEMA_STATEMENTS = {
    "neo4j": [f"CREATE CONSTRAINT resource_iri IF NOT EXISTS FOR (n:{BASE_LABEL}) REQUIRE n.iri IS UNIQUE"],
    "memgraph": [f"CREATE CONSTRAINT ON (n:{BASE_LABEL}) ASSERT n.iri IS UNIQUE"],
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

    def run_rows(self, cypher: str, rows: list[dict]) -> int:
        """Run a ``UNWIND $rows`` statement over ``rows`` in batches within the server's limits."""
        sent = 0
        for batch in batches(rows, self.max_rows, self.max_bytes):
            self.run(cypher, {"rows": batch})
            sent += len(batch)
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
        self.max_rows = max_rows

    def run(self, cypher: str, params: dict | None = None) -> list[dict]:
        try:
            result = self.graph.query(cypher, params or None)
        except self._errors as exc:
            raise GraphServerUnavailable(f"graph server at {self.uri} is unreachable: {exc}") from exc
        header = [h[1] if isinstance(h, list | tuple) else h for h in (result.header or [])]
        return [dict(zip(header, row, strict=False)) for row in result.result_set]

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


def open_transport(uri: str, user: str | None = None, password: str | None = None,
                   database: str | None = None) -> GraphTransport:  # fmt: skip
    """``bolt://`` / ``neo4j://`` → Bolt (Neo4j 5 dialect); ``falkordb://host:port`` → native."""
    parsed = urlparse(uri)
    if parsed.scheme == "falkordb":
        return FalkorDBTransport(parsed.hostname or "127.0.0.1", parsed.port or 6379, database or "heritage",
                                 password=password)  # fmt: skip
    if parsed.scheme in ("bolt", "neo4j", "bolt+s", "neo4j+s", "bolt+ssc", "neo4j+ssc"):
        return BoltTransport(uri, user, password, database)
    raise ValueError(f"unsupported graph server URI {uri!r} (use bolt://, neo4j:// or falkordb://)")
