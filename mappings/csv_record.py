"""CSV / Excel rows → record dicts through a column-mapping file (pure; see
``mappings/csv/default.toml`` for the format)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_MAPPING = Path(__file__).resolve().parent / "csv" / "default.toml"
CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"
_LICENSES = {
    "cc0": CC0,
    "cc-by-4.0": "http://creativecommons.org/licenses/by/4.0/",
    "cc-by-sa-4.0": "http://creativecommons.org/licenses/by-sa/4.0/",
    "public domain": "http://creativecommons.org/publicdomain/mark/1.0/",
}
_DIM_NAMES = {"h": "height", "w": "width", "d": "depth", "diam": "diameter", "l": "length", "wt": "weight"}
_DIM_RE = re.compile(r"(?P<name>[A-Za-z]+)\.?\s+[\d.]+\s*in\s*\((?P<value>[\d.]+)\s*(?P<unit>cm|mm|m)\)")
_DIM_METRIC_RE = re.compile(r"(?P<name>[A-Za-z]+)\.?\s*(?P<value>[\d.]+)\s*(?P<unit>cm|mm|m|kg|g)\b")


class MappingError(ValueError):
    """A mapping file that cannot be used (unknown field, bad transform)."""


class RowError(ValueError):
    """One row cannot become a record; the message says which column and why."""


@dataclass
class ColumnRule:
    field: str
    split: str | None = None
    lang: str | None = None
    transform: str | None = None


@dataclass
class Mapping:
    kind: str
    columns: dict[str, ColumnRule]
    ignore: set[str] = field(default_factory=set)

    def unknown_columns(self, header: list[str]) -> list[str]:
        return [c for c in header if c not in self.columns and c not in self.ignore]

    def missing_id(self, header: list[str]) -> bool:
        return not any(rule.field == "id" and col in header for col, rule in self.columns.items())


def load_mapping(path: Path | None = None) -> Mapping:
    path = path or DEFAULT_MAPPING
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise MappingError(f"cannot read mapping file {path}: {exc}") from exc
    columns: dict[str, ColumnRule] = {}
    for column, rule in data.get("columns", {}).items():
        if isinstance(rule, str):
            columns[column] = ColumnRule(rule)
        elif isinstance(rule, dict) and "field" in rule:
            if rule.get("transform") not in (None, "year", "dimensions", "license"):
                raise MappingError(f"{path}: column {column!r}: unknown transform {rule['transform']!r}")
            columns[column] = ColumnRule(
                rule["field"], rule.get("split"), rule.get("lang"), rule.get("transform")
            )
        else:
            raise MappingError(f"{path}: column {column!r} needs a field name")
    kind = data.get("record", {}).get("kind", "work")
    return Mapping(kind, columns, set(data.get("ignore", {}).get("columns", [])))


def parse_year(text: str) -> int | None:
    """'1920-01-01' → 1920, '-0206-01-05' → -206, 'c. 1760' → 1760; None when no year."""
    text = text.strip()
    match = re.match(r"^(-?)(\d{1,4})(?:-\d{2}-\d{2})?", text) or re.search(r"(-?)(\d{3,4})", text)
    if not match:
        return None
    return -int(match.group(2)) if match.group(1) else int(match.group(2))


def parse_dimensions(text: str) -> list[dict]:
    """'H 6 in (15.2 cm); W 7.875 in (20.0 cm)' → metric dimension dicts (cm, as the museum gave)."""
    dims: list[dict] = []
    seen: set[str] = set()
    for part in text.split(";"):
        match = _DIM_RE.search(part) or _DIM_METRIC_RE.search(part)
        if not match:
            continue
        name = _DIM_NAMES.get(match.group("name").lower().rstrip("."), match.group("name").lower())
        if not name.isalpha() or name in seen:
            continue
        seen.add(name)
        dims.append({"type": name, "value": float(match.group("value")), "unit": match.group("unit")})
    return dims


def license_to_rights(text: str) -> tuple[str | None, str]:
    key = text.strip().lower()
    for needle, iri in _LICENSES.items():
        if needle in key:
            return iri, text.strip()
    if key.startswith(("http://", "https://")):
        return text.strip(), text.strip()
    return None, text.strip()


def row_to_record(row: dict[str, str], mapping: Mapping) -> dict:
    """One CSV row (column → text) as a record dict. Raises ``RowError`` with the column."""
    record: dict = {"kind": mapping.kind}
    for column, rule in mapping.columns.items():
        raw = row.get(column)
        if raw is None:
            continue
        raw = raw.strip()
        if not raw:
            continue
        if rule.transform == "year":
            year = parse_year(raw)
            if year is None:
                raise RowError(f"column {column!r}: {raw!r} has no year")
            record[rule.field] = year
        elif rule.transform == "dimensions":
            record["dimension_statement"] = raw
            dims = parse_dimensions(raw)
            if dims:
                record["dimensions"] = dims
        elif rule.transform == "license":
            iri, statement = license_to_rights(raw)
            if iri:
                record["rights"] = iri
            record["rights_statement"] = statement
        elif rule.split:
            values = [v.strip() for v in raw.split(rule.split) if v.strip()]
            record.setdefault(rule.field, []).extend(values)
        elif rule.lang:
            record.setdefault(rule.field, {})[rule.lang] = raw
        else:
            record[rule.field] = raw
    if "id" not in record:
        raise RowError("the id column is empty")
    return record
