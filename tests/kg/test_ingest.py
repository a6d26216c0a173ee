"""Ingest: the shared 6,000-record CSV, concept resolution, and every kind of bad input with a
clear message and nothing half-written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.context import HeritageContext
from kg.errors import ParseError, UnsupportedFormat
from kg.ingest import ingest_file
from kg.settings import load_settings
from tests.shared_paths import RECORDS_CSV

REPO = Path(__file__).resolve().parents[2]
SCHEMES = REPO / "ontology" / "schemes"
BASE = "http://127.0.0.1:8000"
HEADER = "id,title,material_categories,museum\n"


# ---- the shared CSV -------------------------------------------------------------------------
@pytest.mark.slow
def test_shared_csv_ingests_all_and_reingest_is_idempotent(ingested_dir: Path) -> None:
    written, unchanged, rejected = (ingested_dir / "first_report.txt").read_text().split("\n")[0].split()
    assert (int(written), int(unchanged), int(rejected)) == (6000, 0, 0)
    ctx = HeritageContext.open(load_settings(ingested_dir))
    try:
        before = {c.id: c.datestamp for c in ctx.records.changes()}
        assert len(before) == 6000
        report = ingest_file(ctx, RECORDS_CSV)
        assert (report.ingested, report.unchanged, len(report.rejected)) == (0, 6000, 0)
        after = {c.id: c.datestamp for c in ctx.records.changes()}
        assert after == before
        works = ctx.store.count("?w a hg:Work")
    finally:
        ctx.close()
    out = subprocess.run(
        [sys.executable, "-m", "heritage", "stats", "--json", "--data", str(ingested_dir)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    stats = json.loads(out.stdout.strip().splitlines()[-1])
    assert stats["works"] == works == 6000


# ---- concept resolution --------------------------------------------------------------------
def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_local_concepts_are_minted_with_original_label(ctx, tmp_path: Path) -> None:
    src = _write(tmp_path, "a.csv", HEADER + "x1,Jar,Zorblium Alloy,Museum A\n")
    report = ingest_file(ctx, src)
    assert report.ingested == 1
    iri = f"{BASE}/id/concept/material-zorblium-alloy"
    assert ctx.store.ask(f"ASK {{ <{BASE}/id/work/x1> hg:material <{iri}> }}")
    label = ctx.store.select(f"SELECT ?l ?s WHERE {{ <{iri}> skos:prefLabel ?l ; skos:inScheme ?s }}")
    assert label[0]["l"].value == "Zorblium Alloy"
    assert label[0]["s"].value == "https://w3id.org/heritage-graph/scheme/material"


def test_scheme_label_resolves_to_scheme_concept(ctx, tmp_path: Path) -> None:
    if not list(SCHEMES.glob("*.ttl")):
        pytest.skip("ontology/schemes has no scheme files to resolve against")
    src = _write(tmp_path, "a.csv", HEADER + "x1,Jar,Celadon,Museum A\n")
    ingest_file(ctx, src)
    assert ctx.store.ask(
        f"ASK {{ <{BASE}/id/work/x1> hg:material <https://w3id.org/heritage-graph/scheme/material/celadon> }}"
    )
    assert not ctx.store.ask("ASK { ?w hg:material ?c FILTER(CONTAINS(STR(?c), '/id/concept/')) }")


# ---- transactions -----------------------------------------------------------------------------
def test_first_transaction_is_smaller_then_full_batches(tmp_path: Path, monkeypatch) -> None:
    """A fifth-size first batch lets the background writer start sooner; every batch is still
    one transaction holding its records and their change-log entries."""
    from kg.store import OxigraphStore

    context = HeritageContext.open(load_settings(tmp_path, ingest_batch=5), store=OxigraphStore())
    per_transaction: list[int] = []
    real_extend = context.store.extend

    def counting(quads) -> None:
        quads = list(quads)
        per_transaction.append(sum(q.predicate.value.endswith("#recordId") for q in quads))
        real_extend(quads)

    monkeypatch.setattr(context.store, "extend", counting)
    rows = "".join(f"x{i},Jar {i},metal,Museum A\n" for i in range(12))
    try:
        report = ingest_file(context, _write(tmp_path, "a.csv", HEADER + rows))
        assert report.ingested == 12
        assert per_transaction == [1, 5, 5, 1]
    finally:
        context.close()


# ---- bad tabular input -----------------------------------------------------------------------
def test_wrong_field_count_rejected_with_row_and_report(ctx, tmp_path: Path) -> None:
    src = _write(tmp_path, "a.csv", HEADER + "x1,Jar,metal,M\nx2,Bowl,metal\nx3,Cup,metal,M\n")
    report = ingest_file(ctx, src)
    assert report.ingested == 2
    assert [(r.row, r.id) for r in report.rejected] == [(3, "x2")]
    assert "fields" in report.rejected[0].reason
    out = tmp_path / "rejects.csv"
    report.write_rejects(out)
    lines = out.read_text().splitlines()
    assert lines[0] == "row,id,reason" and lines[1].startswith("3,x2,")


def test_unknown_columns_warned_by_name(ctx, tmp_path: Path) -> None:
    src = _write(tmp_path, "a.csv", "id,title,colour_code\nx1,Jar,#fff\n")
    report = ingest_file(ctx, src)
    assert report.ingested == 1
    assert any("colour_code" in w for w in report.warnings)


def test_xlsx_workbook_ingests(ctx, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "title", "material_categories", "date_earliest"])
    sheet.append(["xl1", "Vase", "ceramic", "1920-01-01"])
    sheet.append(["xl2", "Bell", "metal", "-0206-01-05"])
    path = tmp_path / "book.xlsx"
    book.save(path)
    report = ingest_file(ctx, path)
    assert (report.ingested, len(report.rejected)) == (2, 0)
    rows = ctx.store.select(f"SELECT ?y WHERE {{ <{BASE}/id/work/xl2> hg:beginYear ?y }}")
    assert int(rows[0]["y"].value) == -206


def test_unsupported_extension(ctx, tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormat):
        ingest_file(ctx, _write(tmp_path, "a.docx", "hello"))


# ---- RDF inputs ----------------------------------------------------------------------------------
TTL = f"""@prefix hg: <https://w3id.org/heritage-graph/ontology#> .
<{BASE}/id/work/x1> a hg:Work ; hg:identifier "x1" ; hg:title "Moon jar"@en .
"""


def _rdf_files(tmp_path: Path) -> dict[str, Path]:
    quads = list(ox.parse(TTL.encode(), ox.RdfFormat.TURTLE))
    out = {}
    for suffix, fmt in [
        (".ttl", ox.RdfFormat.TURTLE),
        (".nt", ox.RdfFormat.N_TRIPLES),
        (".rdf", ox.RdfFormat.RDF_XML),
        (".jsonld", ox.RdfFormat.JSON_LD),
    ]:
        path = tmp_path / f"w{suffix}"
        path.write_bytes(ox.serialize([q.triple for q in quads], format=fmt))
        out[suffix] = path
    graph = ox.NamedNode(f"{BASE}/graph/record/x1")
    in_graph = [ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads]
    for suffix, fmt in [(".nq", ox.RdfFormat.N_QUADS), (".trig", ox.RdfFormat.TRIG)]:
        path = tmp_path / f"w{suffix}"
        path.write_bytes(ox.serialize(in_graph, format=fmt))
        out[suffix] = path
    return out


@pytest.mark.parametrize("suffix", [".ttl", ".nt", ".nq", ".trig", ".jsonld", ".rdf"])
def test_rdf_serialisations_ingest(tmp_path: Path, suffix: str) -> None:
    from kg.store import OxigraphStore

    ctx = HeritageContext.open(load_settings(tmp_path), store=OxigraphStore())
    try:
        report = ingest_file(ctx, _rdf_files(tmp_path)[suffix])
        assert (report.ingested, len(report.rejected)) == (1, 0), report.rejected
        assert ctx.records.kind_of("x1") == "work"
        assert ctx.store.ask(f"ASK {{ GRAPH <{BASE}/graph/record/x1> {{ ?w hg:title 'Moon jar'@en }} }}")
    finally:
        ctx.close()


def test_broken_turtle_is_parse_error_and_store_unchanged(ctx, tmp_path: Path) -> None:
    before = ctx.store.triple_count()
    src = _write(tmp_path, "bad.ttl", TTL + f'<{BASE}/id/work/x2> a hg:Work ; hg:title "unterminated .\n')
    with pytest.raises(ParseError):
        ingest_file(ctx, src)
    assert ctx.store.triple_count() == before


def test_xml_entities_refused(ctx, tmp_path: Path) -> None:
    bomb = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY xxe SYSTEM "file:///etc/passwd">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:hg="https://w3id.org/heritage-graph/ontology#">
  <hg:Work rdf:about="http://127.0.0.1:8000/id/work/x9"><hg:title>&lol2;&xxe;</hg:title></hg:Work>
</rdf:RDF>
"""
    before = ctx.store.triple_count()
    with pytest.raises(ParseError, match="entity"):
        ingest_file(ctx, _write(tmp_path, "bomb.rdf", bomb))
    assert ctx.store.triple_count() == before


def test_loose_rdf_triples_are_reported(ctx, tmp_path: Path) -> None:
    src = _write(tmp_path, "loose.ttl", TTL + "<http://example.org/stray> <http://example.org/p> 'x' .\n")
    report = ingest_file(ctx, src)
    assert report.ingested == 1
    assert any("stray" in r.reason for r in report.rejected)
    assert not ctx.store.ask("ASK { <http://example.org/stray> ?p ?o }")
