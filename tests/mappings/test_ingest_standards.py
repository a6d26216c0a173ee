"""EDM, oai_dc and Linked Art files through ``heritage ingest``: the demo collection exported to EDM
and ingested into a fresh store comes back field for field (Works, Instances' links, Items); bad
files are refused by name with nothing stored."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from lxml import etree
from typer.testing import CliRunner

from heritage.cli import app
from kg.concepts import load_scheme_quads
from kg.context import HeritageContext
from kg.demo import load_demo
from kg.errors import ParseError
from kg.ingest import ingest_file
from kg.settings import load_settings
from kg.store import OxigraphStore
from mappings.dc import to_dc
from mappings.edm_rules import check_edm, load_rules
from mappings.export import export_work, work_ids
from mappings.linked_art import to_linked_art
from tests.mappings.conftest import WORK
from tests.mappings.test_edm import FOREIGN_EDM, HG, TYPE, _work_pairs
from tests.shared_paths import VOCAB_DIR, require_shared

runner = CliRunner()
PROV_GENERATED = "http://www.w3.org/ns/prov#wasGeneratedBy"
RECORD_GRAPHS = (
    "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(CONTAINS(STR(?g), '/graph/record/')) }"
)


def _triples(quads) -> set[tuple[str, str, str]]:
    return {(q.subject.value, q.predicate.value, str(q.object)) for q in quads}


def _item_triples(quads) -> set[tuple[str, str, str]]:
    """An Item's triples minus its PROV activity (method, parameters, metrics): EDM has no place."""
    return {t for t in _triples(quads) if not t[0].endswith("/activity") and t[1] != PROV_GENERATED}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> HeritageContext:
    ctx = HeritageContext.open(load_settings(tmp_path_factory.mktemp("demo")), store=OxigraphStore())
    load_demo(ctx)
    yield ctx
    ctx.close()


@pytest.fixture(scope="module")
def edm_dir(demo: HeritageContext, tmp_path_factory) -> Path:
    """The demo collection as one EDM document per Work (what ``heritage export --format edm`` writes)."""
    out = tmp_path_factory.mktemp("edm")
    reference = load_scheme_quads()
    for ident in work_ids(demo.store, demo.iris):
        (out / f"{ident}.xml").write_bytes(export_work(demo.store, demo.iris, ident, "edm", reference))
    return out


def test_demo_collection_round_trips_through_edm_ingest(demo, edm_dir, tmp_path) -> None:
    files = sorted(edm_dir.glob("*.xml"))
    assert len(files) == 30
    # the demo load went through the record layer: its reasoned view is there too
    for cls in ("crm:E22_Human-Made_Object", "edm:ProvidedCHO", "schema:CreativeWork"):
        assert demo.store.count(f"?w a {cls}") == 30, cls
    require_shared(VOCAB_DIR / "edm" / "xsd" / "EDM.xsd")
    schema = etree.XMLSchema(etree.parse(str(VOCAB_DIR / "edm" / "xsd" / "EDM.xsd")))
    rules, _skipped = load_rules(VOCAB_DIR / "edm" / "xsd")
    for path in files:
        doc = etree.parse(str(path))
        assert schema.validate(doc), (path.name, schema.error_log.last_error)
        assert check_edm(doc, rules) == [], path.name  # Europeana's Schematron rules too

    fresh = HeritageContext.open(load_settings(tmp_path), store=OxigraphStore())
    try:
        for path in files:
            report = ingest_file(fresh, path)
            assert not report.rejected, (path.name, report.rejected)
        for kind in ("work", "instance", "item"):
            assert fresh.records.count(kind) == demo.records.count(kind), kind
        instance_keys = {HG + "represents", HG + "instanceType", TYPE}
        for ident in work_ids(demo.store, demo.iris):
            before, after = demo.records.quads(ident), fresh.records.quads(ident)
            assert _work_pairs(after, fresh.iris, ident) == _work_pairs(before, demo.iris, ident), ident
        for change in demo.records.changes(kind="item"):
            item = change.id
            assert _item_triples(fresh.records.quads(item)) == _item_triples(demo.records.quads(item)), item
        for change in demo.records.changes(kind="instance"):
            pick = lambda quads: {t for t in _triples(quads) if t[1] in instance_keys}  # noqa: E731
            assert pick(fresh.records.quads(change.id)) == pick(demo.records.quads(change.id)), change.id
        # and the reasoned view holds in the new store too
        assert fresh.store.count("?w a edm:ProvidedCHO") == 30
    finally:
        fresh.close()


def test_cli_ingests_an_edm_file_and_refuses_bad_ones(edm_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = sorted(edm_dir.glob("*.xml"))[0]
    res = runner.invoke(app, ["ingest", str(first), "--data", str(data)])
    assert res.exit_code == 0, res.output
    assert "3 ingested, 0 rejected" in res.output  # the Work, its Instance and its Item

    cho = (
        b"<edm:ProvidedCHO rdf:about='http://x.test/id/work/a'><dc:title>A</dc:title>"
        b"<edm:type>IMAGE</edm:type></edm:ProvidedCHO>"
    )
    head = (
        b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#' "
        b"xmlns:dc='http://purl.org/dc/elements/1.1/' xmlns:edm='http://www.europeana.eu/schemas/edm/'"
    )
    bad = {
        "broken.xml": (head + b">" + cho[:-10], "not well-formed"),
        "foreign.xml": (head + b" xmlns:x='http://evil.example/ns#'>" + cho + b"<x:Thing/></rdf:RDF>",
                        "unknown namespace 'http://evil.example/ns#'"),
        "xxe.xml": (b"<?xml version='1.0'?><!DOCTYPE r [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
                    + head + b">" + cho + b"&x;</rdf:RDF>", "refused"),
        "bomb.xml": (b"<?xml version='1.0'?><!DOCTYPE r [<!ENTITY a 'aaaa'><!ENTITY b '&a;&a;&a;&a;'>]>"
                     + head + b">" + cho + b"&b;</rdf:RDF>", "refused"),
    }  # fmt: skip
    for name, (content, expected) in bad.items():
        path = tmp_path / name
        path.write_bytes(content)
        res = runner.invoke(app, ["ingest", str(path), "--data", str(data)])
        assert res.exit_code == 1, (name, res.output)
        assert name in res.output and expected in res.output.replace("\n", ""), (name, res.output)
    ctx = HeritageContext.open(load_settings(data))
    try:
        assert ctx.store.count(RECORD_GRAPHS) == 3  # only the good file's records
        assert not ctx.records.exists("a")
    finally:
        ctx.close()


def test_a_record_breaking_a_shape_is_named_and_not_stored(tmp_path: Path) -> None:
    untitled = FOREIGN_EDM.replace(b'<dc:title xml:lang="en">Vase</dc:title>', b"")
    path = tmp_path / "untitled.xml"
    path.write_bytes(untitled)
    ctx = HeritageContext.open(load_settings(tmp_path / "data"), store=OxigraphStore())
    try:
        report = ingest_file(ctx, path)
        [rejected] = report.rejected
        assert rejected.id == "42" and "title" in rejected.reason
        assert {v["field"] for v in rejected.violations} == {"title"}
        assert ctx.store.count(RECORD_GRAPHS) == 0
    finally:
        ctx.close()


def test_oai_dc_and_linked_art_files_are_ingested(to_quads, schemes, tmp_path: Path) -> None:
    quads = to_quads(WORK)
    dc_file = tmp_path / "record.xml"
    dc_file.write_bytes(to_dc(quads, schemes))
    la_file = tmp_path / "record.jsonld"
    la_file.write_text(json.dumps({**to_linked_art(quads, schemes), "id": "http://x.test/id/work/la-copy"}))
    ctx = HeritageContext.open(load_settings(tmp_path / "data"), store=OxigraphStore())
    try:
        assert ingest_file(ctx, dc_file).ingested == 1
        assert ctx.records.get(WORK["id"])["title"]["ko"] == WORK["title"]["ko"]
        assert ingest_file(ctx, la_file).ingested == 1
        copy = ctx.records.get("la-copy")
        assert copy["dimensions"] == [{"type": "height", "value": 93.5, "unit": "cm"}]
        gilt_bronze = ox.NamedNode("https://w3id.org/heritage-graph/scheme/material/gilt-bronze")
        assert any(q.object == gilt_bronze for q in ctx.records.quads("la-copy"))
        plain = tmp_path / "plain.xml"
        plain.write_bytes(b"<not-rdf/>")
        with pytest.raises(ParseError, match="plain.xml"):
            ingest_file(ctx, plain)
    finally:
        ctx.close()


def test_sniffing_leaves_plain_rdf_alone(tmp_path: Path) -> None:
    from mappings.standard_in import sniff_standard

    plain = tmp_path / "a.rdf"
    work = ox.Triple(ox.NamedNode("http://x.test/id/work/a"), ox.NamedNode(TYPE), ox.NamedNode(HG + "Work"))
    plain.write_bytes(ox.serialize([work], format=ox.RdfFormat.RDF_XML))
    assert sniff_standard(plain) is None
    edm = tmp_path / "b.xml"
    edm.write_bytes(FOREIGN_EDM)
    assert sniff_standard(edm) == "edm"


def test_an_entity_bomb_behind_a_long_comment_is_still_refused(tmp_path: Path) -> None:
    # pyoxigraph expands internal entities, so the DTD check must see the whole prolog, not a head
    pad = "<!--" + "x" * 70_000 + "-->"
    bomb = tmp_path / "late-dtd.rdf"
    bomb.write_text(
        f"<?xml version='1.0'?>{pad}<!DOCTYPE r [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;'>]>"
        "<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#' "
        "xmlns:hg='https://w3id.org/heritage-graph/ontology#'><hg:Work rdf:about='http://127.0.0.1:8000/id/work/b'>"
        "<hg:identifier>b</hg:identifier><hg:title xml:lang='en'>&b;</hg:title></hg:Work></rdf:RDF>"
    )
    ctx = HeritageContext.open(load_settings(tmp_path / "data"), store=OxigraphStore())
    try:
        with pytest.raises(ParseError, match="late-dtd.rdf.*refused"):
            ingest_file(ctx, bomb)
        assert ctx.store.count(RECORD_GRAPHS) == 0
    finally:
        ctx.close()


def test_every_demo_work_exports_valid_in_all_six_formats(demo: HeritageContext) -> None:
    from mappings.export import FORMATS
    from tests.mappings.test_text_crosswalks import OAI_DC_XSD

    require_shared(VOCAB_DIR / "carare" / "carare-v2.0.6.xsd")
    schemas = {
        "carare": etree.XMLSchema(etree.parse(str(VOCAB_DIR / "carare" / "carare-v2.0.6.xsd"))),
        "dc": etree.XMLSchema(etree.parse(str(OAI_DC_XSD))),
    }
    reference = load_scheme_quads()
    for ident in work_ids(demo.store, demo.iris):
        for fmt in FORMATS:
            out = export_work(demo.store, demo.iris, ident, fmt, reference)
            if fmt in schemas:
                assert schemas[fmt].validate(etree.fromstring(out)), (
                    ident,
                    fmt,
                    schemas[fmt].error_log.last_error,
                )
            elif fmt == "bibframe":
                assert any(True for _ in ox.parse(out, format=ox.RdfFormat.RDF_XML)), ident
            elif fmt in ("schema", "linkedart"):
                assert json.loads(out)["@context"], (ident, fmt)


def test_an_oai_pmh_response_with_many_oai_dc_records(to_quads, schemes, tmp_path: Path) -> None:
    other = {
        **WORK,
        "id": "moon-jar",
        "identifier": "moon-jar",
        "title": {"en": "Moon jar"},
        "source_url": None,
    }
    records = b"".join(
        b"<record><metadata>" + to_dc(to_quads(r), schemes).split(b"?>", 1)[1] + b"</metadata></record>"
        for r in (WORK, other)
    )
    path = tmp_path / "ListRecords.xml"
    path.write_bytes(
        b"<?xml version='1.0' encoding='UTF-8'?><OAI-PMH xmlns='http://www.openarchives.org/OAI/2.0/'>"
        b"<ListRecords>" + records + b"</ListRecords></OAI-PMH>"
    )
    ctx = HeritageContext.open(load_settings(tmp_path / "data"), store=OxigraphStore())
    try:
        assert ingest_file(ctx, path).ingested == 2
        assert ctx.records.get("moon-jar")["title"] == {"en": "Moon jar"}
    finally:
        ctx.close()
