"""SHACL validation of writes cannot be switched off by configuration: only code that opens the
context itself (a benchmark) may pass ``validate=False``."""

from __future__ import annotations

from kg.context import HeritageContext
from kg.settings import load_settings
from kg.store import OxigraphStore

BAD = {"kind": "work", "id": "w-untitled"}  # a Work needs a title (shapes.ttl)


def test_environment_and_config_file_cannot_turn_validation_off(tmp_path, monkeypatch):
    monkeypatch.setenv("HERITAGE_VALIDATE_WRITES", "false")
    (tmp_path / "heritage.toml").write_text("[heritage]\nvalidate_writes = false\n", encoding="utf-8")
    ctx = HeritageContext.open(load_settings(tmp_path), store=OxigraphStore())
    try:
        result = ctx.records.put([BAD])
        assert [r.id for r in result.rejected] == ["w-untitled"] and not result.written
    finally:
        ctx.close()


def test_code_can_open_an_unvalidated_context_for_benchmarks(tmp_path):
    ctx = HeritageContext.open(load_settings(tmp_path), store=OxigraphStore(), validate=False)
    try:
        assert ctx.records.put([BAD]).written == ["w-untitled"]
    finally:
        ctx.close()
