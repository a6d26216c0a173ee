"""Crosswalk in: Linked Art JSON-LD (a ``HumanMadeObject``) → a work record dict.

The inverse of ``linked_art.py``; also reads other providers' Linked Art: our concept IRIs are kept,
foreign ones (e.g. AAT) are passed on as their ``_label`` for the concept resolver.
"""

from __future__ import annotations

import json
import re

from kg.errors import ParseError
from mappings.graph_view import scheme_of
from mappings.linked_art import (
    ACCESSION_NUMBER,
    DESCRIPTION,
    DIMENSION_STATEMENT,
    DIMENSION_TYPES,
    LANGUAGES,
    MATERIAL_STATEMENT,
    RIGHTS_STATEMENT,
    SYSTEM_NUMBER,
)

_ID_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_LANG_OF = {v: k for k, v in LANGUAGES.items()}
_DIM_OF = {v: k for k, v in DIMENSION_TYPES.items()}
_YEAR = re.compile(r"^(-?\d{1,6})-")


def _classes(node: dict) -> set[str]:
    return {c.get("id", "") for c in node.get("classified_as", []) if isinstance(c, dict)}


def _value(ref: dict) -> str:
    iri = ref.get("id", "")
    return iri if scheme_of(iri) else ref.get("_label") or iri


def linked_art_to_record(data: bytes | str | dict, name: str = "Linked Art") -> dict:
    """A work record dict from a Linked Art JSON-LD document."""
    if isinstance(data, dict):
        doc = data
    else:
        try:
            doc = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ParseError(f"{name}: not valid JSON: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("type") != "HumanMadeObject":
        raise ParseError(
            f"{name}: expected a Linked Art HumanMadeObject, got type {doc.get('type') if isinstance(doc, dict) else type(doc).__name__!r}"
        )
    iri = doc.get("id", "")
    tail = iri.split("/id/work/", 1)[-1] if "/id/work/" in iri else iri.rstrip("/").rsplit("/", 1)[-1]
    rec: dict = {"kind": "work", "id": _ID_SAFE.sub("-", tail).strip("-") or "record"}
    for node in doc.get("identified_by", []):
        classes = _classes(node)
        if node.get("type") == "Name":
            langs = [_LANG_OF.get(lang.get("id", ""), "en") for lang in node.get("language", [])] or ["en"]
            rec.setdefault("title", {})[langs[0]] = node.get("content", "")
        elif node.get("type") == "Identifier":
            if ACCESSION_NUMBER in classes:
                rec["collection_number"] = node.get("content")
            elif SYSTEM_NUMBER in classes or "identifier" not in rec:
                rec["identifier"] = node.get("content")
    for ref in doc.get("classified_as", []):
        field = "culture" if scheme_of(ref.get("id", "")) == "culture" else "object_type"
        rec.setdefault(field, []).append(_value(ref))
    if doc.get("made_of"):
        rec["material"] = [_value(m) for m in doc["made_of"]]
    for st in doc.get("referred_to_by", []):
        classes, content = _classes(st), st.get("content", "")
        if DESCRIPTION in classes:
            rec.setdefault("description", {})["en"] = content
        elif MATERIAL_STATEMENT in classes:
            rec["material_statement"] = content
        elif DIMENSION_STATEMENT in classes:
            rec["dimension_statement"] = content
        elif RIGHTS_STATEMENT in classes:
            rec["rights_statement"] = content
    prod = doc.get("produced_by", {})
    span = prod.get("timespan", {})
    for field, key in (("begin_year", "begin_of_the_begin"), ("end_year", "end_of_the_end")):
        if (m := _YEAR.match(span.get(key, ""))) is not None:
            rec[field] = int(m.group(1))
    if span.get("identified_by"):
        rec["date_statement"] = span["identified_by"][0].get("content")
    if prod.get("during"):
        rec["era"] = [_value(e) for e in prod["during"]]
    if prod.get("took_place_at"):
        rec["place_of_origin"] = [_value(p) for p in prod["took_place_at"]]
    if prod.get("carried_out_by"):
        rec["creators"] = [c.get("_label") or c.get("id") for c in prod["carried_out_by"]]
    uses = [u for act in doc.get("used_for", []) for u in act.get("classified_as", [])]
    if uses:
        rec["use"] = [_value(u) for u in uses]
    spots = [p for enc in doc.get("encountered_by", []) for p in enc.get("took_place_at", [])]
    if spots:
        rec["find_spot"] = [_value(p) for p in spots]
    dims = []
    for d in doc.get("dimension", []):
        kind = next((_DIM_OF[c] for c in _classes(d) if c in _DIM_OF), None)
        if kind and "value" in d:
            dims.append({"type": kind, "value": d["value"], "unit": d.get("unit", {}).get("_label")})
    if dims:
        rec["dimensions"] = dims
    if doc.get("current_owner"):
        rec["museum"] = doc["current_owner"][0].get("_label")
    for right in doc.get("subject_to", []):
        for c in right.get("classified_as", []):
            rec["rights"] = c.get("id")
    for subj in doc.get("subject_of", []):
        for carrier in subj.get("digitally_carried_by", []):
            for ap in carrier.get("access_point", []):
                rec["source_url"] = ap.get("id")
    return rec
