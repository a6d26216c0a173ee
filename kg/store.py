"""The ``Store`` interface and its two backends.

* ``OxigraphStore``: embedded pyoxigraph on disk (the default). Every ``update`` is one RocksDB
  transaction, so a killed process leaves either all of a write or none of it.
* ``RemoteStore``: any SPARQL 1.1 Query / Update / Graph Store Protocol server (Oxigraph server,
  Fuseki, GraphDB, Virtuoso), configured by URL. The server must treat the default graph as the
  union of the named graphs (``oxigraph serve --union-default-graph``, Fuseki's
  ``tdb2:unionDefaultGraph``), because every record lives in its own named graph.

Both speak pyoxigraph terms in and out, so code above this module never knows which it has.
Writes go through SPARQL Update text built from library-serialised terms (never hand-formatted).
"""

from __future__ import annotations

import abc
import contextlib
import io
from collections.abc import Iterable, Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox

from kg.errors import ParseError, QueryTimeout, StoreUnavailable
from kg.namespaces import PREFIXES, sparql_prefixes

Term = ox.NamedNode | ox.BlankNode | ox.Literal


class Store(abc.ABC):
    """The small surface every part of the project talks to the graph through."""

    @abc.abstractmethod
    def query(self, sparql: str) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run a SPARQL query over the union of all graphs; prefixes from ``kg.namespaces``."""

    @abc.abstractmethod
    def query_serialized(self, sparql: str, fmt: ox.QueryResultsFormat | ox.RdfFormat) -> bytes:
        """Run a query and serialise its results in ``fmt`` (SPARQL results or an RDF format)."""

    @abc.abstractmethod
    def update(self, sparql_update: str) -> None:
        """Run a SPARQL Update atomically: all of it or none of it."""

    @abc.abstractmethod
    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Stream the quads of one named graph, or of the whole dataset."""

    @abc.abstractmethod
    def load_quads(self, data: bytes, fmt: ox.RdfFormat) -> None:
        """Bulk-load a dataset serialisation (used by ``heritage load`` into an empty store)."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release files or connections."""

    # ---- conveniences built on the abstract surface -------------------------------------
    def select(self, sparql: str) -> list[dict[str, Term]]:
        """A SELECT as a list of ``{variable: term}`` rows (unbound variables left out)."""
        result = self.query(sparql)
        if not isinstance(result, ox.QuerySolutions):
            raise TypeError("select() needs a SELECT query")
        names = [v.value for v in result.variables]
        rows = []
        for solution in result:
            row = {}
            for name in names:
                term = solution[name]
                if term is not None:
                    row[name] = term
            rows.append(row)
        return rows

    def ask(self, sparql: str) -> bool:
        return bool(self.query(sparql))

    def count(self, sparql_where: str) -> int:
        """``SELECT (COUNT(*) AS ?n) WHERE { ... }`` as an int."""
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {sparql_where} }}")
        return int(rows[0]["n"].value) if rows else 0

    def triple_count(self) -> int:
        return self.count("GRAPH ?g { ?s ?p ?o }")


class OxigraphStore(Store):
    """Embedded pyoxigraph on disk; ``path=None`` gives an in-memory store (tests)."""

    def __init__(self, path: str | Path | None = None) -> None:
        if path is None:
            self._store = ox.Store()
        else:
            Path(path).mkdir(parents=True, exist_ok=True)
            try:
                self._store = ox.Store(str(path))
            except OSError as exc:
                if "lock" in str(exc).lower():
                    raise StoreUnavailable(
                        f"the store at {path} is in use by another process (a running server?); "
                        "stop it or write through its API"
                    ) from exc
                raise
        self.path = path

    def query(self, sparql: str):
        try:
            return self._store.query(sparql, prefixes=PREFIXES, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise ParseError(f"SPARQL syntax error: {exc}") from exc

    def query_serialized(self, sparql: str, fmt) -> bytes:
        result = self.query(sparql)
        out = io.BytesIO()
        if isinstance(result, ox.QueryTriples):
            result.serialize(out, fmt)
        else:
            result.serialize(out, fmt)
        return out.getvalue()

    def update(self, sparql_update: str) -> None:
        try:
            self._store.update(sparql_update, prefixes=PREFIXES)
        except SyntaxError as exc:
            raise ParseError(f"SPARQL Update syntax error: {exc}") from exc

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        if graph is None:
            for quad in self._store.quads_for_pattern(None, None, None, None):
                if not isinstance(quad.graph_name, ox.DefaultGraph):
                    yield quad
            yield from self._store.quads_for_pattern(None, None, None, ox.DefaultGraph())
            return
        yield from self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph))

    def load_quads(self, data: bytes, fmt: ox.RdfFormat) -> None:
        self._store.bulk_load(data, fmt)
        self._store.flush()

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        """Transactional insert of quads (all or nothing)."""
        self._store.extend(quads)

    def close(self) -> None:
        with contextlib.suppress(Exception):  # best effort on shutdown
            self._store.flush()
        del self._store


class RemoteStore(Store):
    """A SPARQL 1.1 Query / Update / Graph Store Protocol server reached over HTTP."""

    def __init__(
        self, query_url: str, update_url: str, gsp_url: str | None = None, timeout_s: float = 30.0
    ) -> None:
        self.query_url = query_url
        self.update_url = update_url
        self.gsp_url = gsp_url
        self._client = httpx.Client(timeout=timeout_s)

    def _post_query(
        self,
        sparql: str,
        accept: str,
        default_graphs: Iterable[str] = (),
        named_graphs: Iterable[str] = (),
        timeout: float | None = None,
    ) -> httpx.Response:
        """POST a query; a dataset goes as the protocol's ``default-graph-uri`` /
        ``named-graph-uri`` form parameters, and ``timeout`` overrides the client's."""
        default_graphs, named_graphs = list(default_graphs), list(named_graphs)
        text = sparql_prefixes() + sparql
        kwargs: dict = {"headers": {"Accept": accept}}
        if default_graphs or named_graphs:
            kwargs["data"] = {
                "query": text,
                "default-graph-uri": default_graphs,
                "named-graph-uri": named_graphs,
            }
        else:
            kwargs["content"] = text.encode()
            kwargs["headers"]["Content-Type"] = "application/sparql-query"
        if timeout is not None:
            kwargs["timeout"] = timeout
        try:
            response = self._client.post(self.query_url, **kwargs)
        except httpx.TimeoutException as exc:
            if timeout is not None:
                raise QueryTimeout(f"the query ran longer than {timeout:g} s") from exc
            raise QueryTimeout(f"the SPARQL server at {self.query_url} did not answer in time") from exc
        except httpx.HTTPError as exc:
            raise StoreUnavailable(f"cannot reach the SPARQL server at {self.query_url}: {exc}") from exc
        if response.status_code == 400:
            raise ParseError(f"SPARQL error from server: {response.text.strip()[:500]}")
        if response.status_code >= 300:
            raise StoreUnavailable(f"SPARQL server answered {response.status_code}: {response.text[:300]}")
        return response

    def query(self, sparql: str):
        return self.query_dataset(sparql)

    def query_dataset(
        self,
        sparql: str,
        default_graphs: Iterable[str] = (),
        named_graphs: Iterable[str] = (),
        timeout: float | None = None,
    ):
        """``query`` over an explicit dataset (what the SPARQL endpoint's dataset parameters ask)."""
        response = self._post_query(
            sparql,
            "application/sparql-results+json, application/n-triples;q=0.9",
            default_graphs,
            named_graphs,
            timeout,
        )
        ctype = response.headers.get("content-type", "").split(";")[0].strip()
        if ctype == "application/n-triples":
            triples = [q.triple for q in ox.parse(response.content, ox.RdfFormat.N_TRIPLES)]
            return _TripleList(triples)
        return ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON)

    def query_serialized(self, sparql: str, fmt) -> bytes:
        return self._post_query(sparql, fmt.media_type).content

    def update(self, sparql_update: str) -> None:
        try:
            response = self._client.post(
                self.update_url,
                content=(sparql_prefixes() + sparql_update).encode(),
                headers={"Content-Type": "application/sparql-update"},
            )
        except httpx.HTTPError as exc:
            raise StoreUnavailable(f"cannot reach the SPARQL server at {self.update_url}: {exc}") from exc
        if response.status_code == 400:
            raise ParseError(f"SPARQL Update error from server: {response.text.strip()[:500]}")
        if response.status_code >= 300:
            raise StoreUnavailable(f"SPARQL Update answered {response.status_code}: {response.text[:300]}")

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        if graph is not None:
            if self.gsp_url:
                response = self._client.get(
                    self.gsp_url, params={"graph": graph}, headers={"Accept": "application/n-triples"}
                )
                if response.status_code == 404:
                    return
                response.raise_for_status()
                for quad in ox.parse(response.content, ox.RdfFormat.N_TRIPLES):
                    yield ox.Quad(quad.subject, quad.predicate, quad.object, ox.NamedNode(graph))
                return
            sparql = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
            for triple in self.query(sparql):
                yield ox.Quad(triple.subject, triple.predicate, triple.object, ox.NamedNode(graph))
            return
        rows = self.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        for solution in rows:
            yield ox.Quad(solution["s"], solution["p"], solution["o"], solution["g"])

    def load_quads(self, data: bytes, fmt: ox.RdfFormat) -> None:
        if not self.gsp_url:
            raise StoreUnavailable("loading a dump into a remote store needs remote_gsp_url")
        response = self._client.post(self.gsp_url, content=data, headers={"Content-Type": fmt.media_type})
        if response.status_code >= 300:
            raise StoreUnavailable(
                f"Graph Store Protocol answered {response.status_code}: {response.text[:300]}"
            )

    def close(self) -> None:
        self._client.close()


class _TripleList(list):
    """CONSTRUCT results from a remote server, iterable like pyoxigraph's QueryTriples."""


def open_store(settings) -> Store:
    """The backend named by configuration."""
    if settings.store == "remote":
        if not (settings.remote_query_url and settings.remote_update_url):
            raise StoreUnavailable("store=remote needs remote_query_url and remote_update_url")
        return RemoteStore(
            settings.remote_query_url,
            settings.remote_update_url,
            settings.remote_gsp_url,
            settings.remote_timeout_s,
        )
    if settings.store != "oxigraph":
        raise StoreUnavailable(f"unknown store backend {settings.store!r} (use 'oxigraph' or 'remote')")
    return OxigraphStore(settings.store_dir)
