"""CSV and Excel through a mapping file (the seed's rule-based spreadsheets): Korean column names,
Korean values resolved to the shipped concepts, and a broken mapping refused in one line."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from heritage.cli import app
from kg.context import HeritageContext
from kg.settings import load_settings

runner = CliRunner()
HGS = "https://w3id.org/heritage-graph/scheme/"
MAPPING = """
[record]
kind = "work"

[columns]
"소장품번호" = "id"
"명칭" = { field = "title", lang = "ko" }
"영문명칭" = { field = "title", lang = "en" }
"시대" = "era"
"재질" = { field = "material", split = "|" }
"분류" = "object_type"
"크기" = { field = "dimensions", transform = "dimensions" }
"소장처" = "museum"

[ignore]
columns = ["비고"]
"""
HEADER = ["소장품번호", "명칭", "영문명칭", "시대", "재질", "분류", "크기", "소장처", "비고"]
ROWS = [
    ["bon-1", "백자 달항아리", "White porcelain moon jar", "조선", "백자", "도자기", "H 41 cm", "국립중앙박물관", ""],
    ["bon-2", "금동 불상", "Gilt-bronze Buddha", "통일신라", "금동|청동", "조각", "H 12.5 cm", "국립중앙박물관", "x"],
]  # fmt: skip


@pytest.fixture
def mapping(tmp_path: Path) -> Path:
    path = tmp_path / "emuseum.toml"
    path.write_text(MAPPING, encoding="utf-8")
    return path


def _check_store(data: Path) -> None:
    ctx = HeritageContext.open(load_settings(data))
    try:
        jar = ctx.records.get("bon-1")
        assert jar["title"] == {"ko": "백자 달항아리", "en": "White porcelain moon jar"}
        objects = {q.object.value for q in ctx.records.quads("bon-1")}
        assert {HGS + "era/joseon", HGS + "type/ceramics"} <= objects
        assert jar["dimensions"] == [{"type": "height", "value": 41.0, "unit": "cm"}]
        buddha = {q.object.value for q in ctx.records.quads("bon-2")}
        assert {HGS + "material/gilt-bronze", HGS + "material/bronze", HGS + "era/unified-silla"} <= buddha
    finally:
        ctx.close()


def test_csv_with_a_mapping_file(tmp_path: Path, mapping: Path) -> None:
    csv_file = tmp_path / "소장품.csv"
    csv_file.write_text("\n".join(",".join(r) for r in [HEADER, *ROWS]) + "\n", encoding="utf-8")
    res = runner.invoke(
        app, ["ingest", str(csv_file), "--mapping", str(mapping), "--data", str(tmp_path / "d")]
    )
    assert res.exit_code == 0, res.output
    assert "2 ingested, 0 rejected" in res.output
    _check_store(tmp_path / "d")


def test_xlsx_with_the_same_mapping_file(tmp_path: Path, mapping: Path) -> None:
    book = openpyxl.Workbook()
    for row in [HEADER, *ROWS]:
        book.active.append(row)
    path = tmp_path / "소장품.xlsx"
    book.save(path)
    res = runner.invoke(app, ["ingest", str(path), "--mapping", str(mapping), "--data", str(tmp_path / "d")])
    assert res.exit_code == 0, res.output
    _check_store(tmp_path / "d")


def test_a_broken_mapping_is_refused_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[columns]\n"크기" = { field = "dimensions", transform = "inches" }\n', encoding="utf-8")
    csv_file = tmp_path / "a.csv"
    csv_file.write_text("크기\nH 1 cm\n", encoding="utf-8")
    res = runner.invoke(app, ["ingest", str(csv_file), "--mapping", str(bad), "--data", str(tmp_path / "d")])
    assert res.exit_code == 1
    assert "unknown transform 'inches'" in res.output


def test_validate_a_workbook_with_the_mapping(tmp_path: Path, mapping: Path) -> None:
    book = openpyxl.Workbook()
    untitled = ["bon-3", "", "", "조선", "백자", "도자기", "", "국립중앙박물관", ""]
    for row in [HEADER, *ROWS, untitled]:
        book.active.append(row)
    path = tmp_path / "check.xlsx"
    book.save(path)
    res = runner.invoke(app, ["validate", str(path), "--mapping", str(mapping)])
    assert res.exit_code == 1
    assert "bon-3: title:" in res.output
    assert "bon-1" not in res.output and "bon-2" not in res.output
