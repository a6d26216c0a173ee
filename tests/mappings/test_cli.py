"""``heritage export`` and ``heritage validate`` through the real app, store and record store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from heritage.cli import app
from kg.context import HeritageContext
from kg.settings import load_settings
from tests.mappings.conftest import INSTANCE, ITEM, PROJECT, WORK
from tests.shared_paths import VOCAB_DIR, require_shared

runner = CliRunner()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("data")
    ctx = HeritageContext.open(load_settings(path))
    try:
        other = {**WORK, "id": "moon-jar", "identifier": "moon-jar", "title": {"en": "Moon jar", "ko": "달항아리"},
                 "object_type": ["moon jar"], "material": ["porcelain"], "era": ["Joseon"]}  # fmt: skip
        result = ctx.records.put([WORK, other, PROJECT, INSTANCE, ITEM])
        assert not result.rejected, result.rejected
    finally:
        ctx.close()
    return path


def test_export_one_work_to_stdout_is_valid_edm(data_dir: Path) -> None:
    require_shared(VOCAB_DIR)
    res = runner.invoke(app, ["export", "--format", "edm", "--id", WORK["id"], "--data", str(data_dir)])
    assert res.exit_code == 0, res.output
    schema = etree.XMLSchema(etree.parse(str(VOCAB_DIR / "edm" / "xsd" / "EDM.xsd")))
    doc = etree.fromstring(res.stdout_bytes)
    assert schema.validate(doc), schema.error_log.last_error
    assert b"pensive.glb" in res.stdout_bytes  # the Item reached the export through Instance → Work


@pytest.mark.parametrize("fmt", ["edm", "dc", "schema", "linkedart", "bibframe", "carare"])
def test_export_all_works_to_a_directory(data_dir: Path, tmp_path: Path, fmt: str) -> None:
    res = runner.invoke(app, ["export", "--format", fmt, "--out", str(tmp_path), "--data", str(data_dir)])
    assert res.exit_code == 0, res.output
    files = sorted(p.name for p in tmp_path.iterdir())
    assert len(files) == 2 and files[0].startswith("moon-jar")
    if fmt in ("schema", "linkedart"):
        json.loads((tmp_path / files[0]).read_text())


def test_export_bad_input(data_dir: Path) -> None:
    res = runner.invoke(app, ["export", "--format", "marc", "--id", "x", "--data", str(data_dir)])
    assert res.exit_code != 0 and "unknown format" in res.output
    res = runner.invoke(app, ["export", "--format", "edm", "--id", "nope", "--data", str(data_dir)])
    assert res.exit_code != 0 and "nope" in res.output


def test_validate_rdf_file(tmp_path: Path) -> None:
    good = tmp_path / "good.ttl"
    good.write_text(
        "@prefix hg: <https://w3id.org/heritage-graph/ontology#> .\n"
        '<http://x.test/id/work/a> a hg:Work ; hg:identifier "a" ; hg:title "A"@en ;\n'
        "  hg:material <https://w3id.org/heritage-graph/scheme/material/ceramic> .\n"
    )
    res = runner.invoke(app, ["validate", str(good)])
    assert res.exit_code == 0, res.output
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix hg: <https://w3id.org/heritage-graph/ontology#> .\n"
        '<http://x.test/id/work/a> a hg:Work ; hg:identifier "a" ;\n'
        "  hg:material <https://w3id.org/heritage-graph/scheme/era/joseon> .\n"
        '<http://x.test/id/instance/i> a hg:Instance ; hg:identifier "i" ; hg:title "I"@en .\n'
    )
    res = runner.invoke(app, ["validate", str(bad)])
    assert res.exit_code == 1
    assert "http://x.test/id/work/a: title: title is required" in res.output
    assert "material" in res.output and "represents" in res.output


def test_validate_refuses_entities_and_garbage(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.rdf"
    bomb.write_text("<?xml version='1.0'?><!DOCTYPE r [<!ENTITY a 'aaaa'>]><rdf:RDF "
                    "xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>&a;</rdf:RDF>")  # fmt: skip
    res = runner.invoke(app, ["validate", str(bomb)])
    assert res.exit_code == 1 and "refused" in res.output
    junk = tmp_path / "junk.ttl"
    junk.write_text("this is not turtle")
    res = runner.invoke(app, ["validate", str(junk)])
    assert res.exit_code == 1 and "junk.ttl" in res.output


def test_validate_edm_file_through_the_crosswalk(tmp_path: Path) -> None:
    from tests.mappings.test_edm import FOREIGN_EDM

    good = tmp_path / "good.xml"
    good.write_bytes(FOREIGN_EDM)
    res = runner.invoke(app, ["validate", str(good)])
    assert res.exit_code == 0, res.output
    assert "good.xml: valid" in res.output
    bad = tmp_path / "untitled.xml"
    bad.write_bytes(FOREIGN_EDM.replace(b'<dc:title xml:lang="en">Vase</dc:title>', b""))
    res = runner.invoke(app, ["validate", str(bad)])
    assert res.exit_code == 1
    assert "42: title:" in res.output


RDF_ROOT = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF"
XML_EXPORTS = [
    ("edm", ".xml", RDF_ROOT),
    ("carare", ".xml", "{http://www.carare.eu/carareSchema}carareWrap"),
    ("bibframe", ".rdf", RDF_ROOT),
    ("dc", ".xml", "{http://www.openarchives.org/OAI/2.0/oai_dc/}dc"),
]


@pytest.mark.parametrize(("fmt", "suffix", "root_tag"), XML_EXPORTS)
def test_export_suffixes_and_one_document_per_file(
    data_dir: Path, tmp_path: Path, fmt: str, suffix: str, root_tag: str
) -> None:
    res = runner.invoke(app, ["export", "--format", fmt, "--out", str(tmp_path), "--data", str(data_dir)])
    assert res.exit_code == 0, res.output
    files = sorted(tmp_path.iterdir())
    assert [p.name for p in files] == [f"moon-jar{suffix}", f"pensive-bodhisattva{suffix}"]
    for path in files:
        assert etree.parse(str(path)).getroot().tag == root_tag
