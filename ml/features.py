"""Rows for the attribute models, read from the store (curated record graphs only) or a split CSV.

The store is the source of truth for training: titles, makers (``hg:creator`` → ``rdfs:label``),
cultures (concept prefLabel) and the curated label concepts, restricted to record graphs so a
model never trains on another model's predictions. A split CSV is mapped to the same concept IRIs
through the schemes' labels (the same resolver ingest uses), so labels compare by concept.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from ml.attributes import Row

ATTR_PROPERTIES = {"material": "hg:material", "era": "hg:era", "use": "hg:use", "type": "hg:objectType"}
ATTR_SCHEMES = {"material": "material", "era": "era", "use": "use", "type": "type"}
SPLIT_COLUMNS = {
    "material": "material_categories",
    "era": "period_bucket",
    "use": "function_or_use",
    "type": "object_type",
}


def _record_filter(base: str) -> str:
    prefix = f"{base.rstrip('/')}/graph/record/"
    return f'FILTER(STRSTARTS(STR(?g), "{prefix}"))'


def _label(var: str, out: str) -> str:
    """Prefer the English label, fall back to any."""
    return (
        f"OPTIONAL {{ {var} skos:prefLabel|rdfs:label ?{out}_en . FILTER(LANGMATCHES(LANG(?{out}_en), 'en')) }}"
        f" OPTIONAL {{ {var} skos:prefLabel|rdfs:label ?{out}_any }}"
    )


def rows_from_store(store, base: str, ids: set[str] | None = None) -> list[Row]:
    """Every curated work as a ``Row`` (labels are concept IRIs); ``ids`` limits to some works."""
    flt = _record_filter(base)
    rows: dict[str, Row] = {}
    for r in store.select(
        f"""SELECT ?w ?id (SAMPLE(?t) AS ?title) (SAMPLE(?d) AS ?desc) WHERE {{
              GRAPH ?g {{ ?w a hg:Work ; hg:identifier ?id . OPTIONAL {{ ?w hg:title ?t }}
                         OPTIONAL {{ ?w hg:description ?d }} }} {flt} }} GROUP BY ?w ?id"""
    ):
        ident = r["id"].value
        if ids is None or ident in ids:
            rows[r["w"].value] = Row(
                id=ident,
                title=r["title"].value if "title" in r else "",
                description=r["desc"].value if "desc" in r else "",
                labels={a: set() for a in ATTR_PROPERTIES},
            )
    for field_name, prop in (("maker", "hg:creator"), ("culture", "hg:culture")):
        for r in store.select(
            f"""SELECT ?w ?x ?l_en ?l_any WHERE {{ GRAPH ?g {{ ?w a hg:Work ; {prop} ?x }} {flt}
                  {_label("?x", "l")} }}"""
        ):
            row = rows.get(r["w"].value)
            if row is None:
                continue
            label = (r.get("l_en") or r.get("l_any") or r["x"]).value
            current = getattr(row, field_name)
            if label not in current.split(" | "):
                setattr(row, field_name, f"{current} | {label}" if current else label)
    for attr, prop in ATTR_PROPERTIES.items():
        for r in store.select(f"SELECT ?w ?v WHERE {{ GRAPH ?g {{ ?w a hg:Work ; {prop} ?v }} {flt} }}"):
            row = rows.get(r["w"].value)
            if row is not None:
                row.labels[attr].add(r["v"].value)
    return sorted(rows.values(), key=lambda r: r.id)


def rows_from_split(path: str | Path, resolve) -> list[Row]:
    """Rows of a split CSV (shared ``records.csv`` columns); ``resolve(scheme, text)`` -> concept IRI.

    Only title, maker and culture become features; the label columns become labels only.
    """
    out = []
    with open(path, newline="", encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            labels = {}
            for attr, col in SPLIT_COLUMNS.items():
                tokens = [t.strip() for t in (rec.get(col) or "").split("|") if t.strip()]
                labels[attr] = {resolve(ATTR_SCHEMES[attr], t) for t in tokens}
            out.append(
                Row(
                    id=rec["id"],
                    title=rec.get("title") or "",
                    maker=" | ".join(t.strip() for t in (rec.get("maker") or "").split("|") if t.strip()),
                    culture=" | ".join(t.strip() for t in (rec.get("culture") or "").split("|") if t.strip()),
                    labels=labels,
                )
            )
    return out


def features_only(rows: Iterable[Row]) -> list[Row]:
    """The same rows stripped of every label: what a model may see at prediction time."""
    return [
        Row(id=r.id, title=r.title, maker=r.maker, culture=r.culture, description=r.description) for r in rows
    ]
