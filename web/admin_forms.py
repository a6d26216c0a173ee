"""The admin console's forms: one small field table per layer (Work, Project, Instance, Item), the
record dict a submitted form becomes, the form values a stored record pre-fills, and where each
validation error belongs. Kept apart from the routes so one generic form serves all four kinds."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import pyoxigraph as ox

from kg.context import HeritageContext
from mappings.record import (
    CONCEPT_FIELDS,
    DATE_FIELDS,
    INT_FIELDS,
    IRI_FIELDS,
    LANG_FIELDS,
    LINK_FIELDS,
    STRING_FIELDS,
)
from web.views import labels, query


@dataclass(frozen=True)
class Field:
    """One form input: ``name`` is the form name, ``error`` the record field its errors are filed
    under (``title_en`` and ``title_ko`` both show ``title`` errors), ``label`` an i18n key."""

    name: str
    label: str
    error: str = ""
    type: str = "text"
    required: bool = False
    group: str = ""  # inputs of one group (the dimensions) share a fieldset and a group error
    options: tuple[str, ...] = ()  # a <select> with these values instead of a text input

    @property
    def error_key(self) -> str:
        return self.error or self.name


_ID = Field("id", "identifier", required=True)
_TITLES = (Field("title_en", "title", "title"), Field("title_ko", "title", "title"))
_DESC = Field("description_en", "description", "description")

# The dimensions a registrar measures on the form; weight and length, which the record model also
# stores, are kept from the stored record on edit (``_merge_dimensions``).
DIMENSION_TYPES = ("height", "width", "depth", "diameter")
UNITS = ("cm", "mm", "m", "in")
DIMENSIONS = "dimensions"  # the group's own error slot (SHACL reports about a Dimension node)
_DIMS = (
    *(Field(f"dim_{d}", d, group=DIMENSIONS) for d in DIMENSION_TYPES),
    Field("dim_unit", "unit", group=DIMENSIONS, options=UNITS),
)

FIELDS: dict[str, tuple[Field, ...]] = {
    "work": (
        _ID,
        *_TITLES,
        _DESC,
        Field("object_type", "type"),
        Field("era", "era"),
        Field("material", "material"),
        Field("use", "use"),
        Field("culture", "culture"),
        Field("place_of_origin", "place_of_origin"),
        Field("creators", "creators"),
        Field("museum", "museum"),
        Field("date_statement", "date_statement"),
        Field("begin_year", "begin_year"),
        Field("end_year", "end_year"),
        *_DIMS,
    ),
    "project": (
        _ID,
        *_TITLES,
        _DESC,
        Field("project_type", "project_type"),
        Field("start_date", "start_date", type="date"),
        Field("end_date", "end_date", type="date"),
        Field("carried_out_by", "carried_out_by"),
    ),
    "instance": (
        _ID,
        *_TITLES,
        _DESC,
        Field("represents", "represents", required=True),
        Field("produced_by", "produced_by"),
        Field("instance_type", "instance_type"),
    ),
    "item": (
        _ID,
        Field("title_en", "title", "title"),
        Field("part_of", "part_of", required=True),
        Field("file_name", "file_name"),
        Field("media_type", "media_type"),
        Field("file_format", "format"),
        Field("byte_size", "size"),
        Field("sha256", "sha256"),
    ),
}
KINDS = tuple(FIELDS)
PLURALS = {f"{kind}s": kind for kind in KINDS}
_LIST_SEP = ";"
LIST_FIELDS = frozenset({*CONCEPT_FIELDS, "creators"})  # fields entered as ``a; b; c``

# SHACL reports a property's local name (``partOf``); the form knows record fields (``part_of``)
_BY_PROPERTY: dict[str, str] = {
    "identifier": "id",
    "heldBy": "museum",
    "carriedOutBy": "carried_out_by",
    "creator": "creators",
    **{p: DIMENSIONS for p in ("dimension", "dimensionType", "value", "unit")},
}
for _table in (STRING_FIELDS, INT_FIELDS, DATE_FIELDS, LANG_FIELDS, IRI_FIELDS):
    _BY_PROPERTY.update({prop: name for name, prop in _table.items() if name != "identifier"})
for _table in (CONCEPT_FIELDS, LINK_FIELDS):
    _BY_PROPERTY.update({prop: name for name, (prop, _x) in _table.items()})


def field_names(kind: str) -> list[str]:
    return [f.name for f in FIELDS[kind]]


def _number(value: float) -> str:
    """23.5 → "23.5", 30.0 → "30": what a registrar would type."""
    text = format(Decimal(repr(float(value))), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


_MEASURE = re.compile(r"^(?P<value>[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+))\s*(?P<unit>[A-Za-z]+)?$")


def _parse_dimensions(form: dict[str, str], errors: dict[str, str]) -> list[dict]:
    """The form's dimensions as record dicts (``{"type", "value", "unit"}``); a value may carry its
    own unit (``"12 mm"``) over the group's. Bad values are filed under their own input."""
    unit = form.get("dim_unit", "").strip() or UNITS[0]
    if unit not in UNITS:
        errors["dim_unit"] = f"one of {', '.join(UNITS)}"
    out = []
    for dtype in DIMENSION_TYPES:
        name = f"dim_{dtype}"
        text = form.get(name, "").strip()
        if not text:
            continue
        match = _MEASURE.match(text)
        if match is None:
            errors[name] = f"a number, optionally with a unit (e.g. 23.5 or 235 mm), not {text!r}"
            continue
        value = Decimal(match["value"].replace(",", "."))
        own_unit = match["unit"] or unit
        if value <= 0:
            errors[name] = f"{dtype} must be a positive number"
        elif own_unit not in UNITS:
            errors[name] = f"unit {own_unit!r} is not one of {', '.join(UNITS)}"
        else:
            out.append({"type": dtype, "value": float(value), "unit": own_unit})
    return out


def _merge_dimensions(stored: list[dict] | None, entered: list[dict]) -> list[dict]:
    """The form's dimensions plus the stored ones the form does not show (weight, length)."""
    kept = [d for d in stored or [] if d.get("type") not in DIMENSION_TYPES]
    return sorted([*kept, *entered], key=lambda d: str(d.get("type") or ""))


def _dimension_values(dims: list[dict]) -> dict[str, str]:
    """Form values for stored dimensions: the commonest unit fills the unit select; a value in
    another unit shows its unit (``"12 mm"``), so nothing changes when the form is saved as is."""
    shown = [d for d in dims if d.get("type") in DIMENSION_TYPES]
    units = [str(d.get("unit") or UNITS[0]) for d in shown]
    unit = max(UNITS, key=units.count)  # the first offered unit when none is stored
    values = {"dim_unit": unit}
    for d in shown:
        own = str(d.get("unit") or unit)
        values[f"dim_{d['type']}"] = _number(d["value"]) + ("" if own == unit else f" {own}")
    return values


def _text(value: object) -> str:
    if isinstance(value, dict):  # a concept as returned by the store: {"iri", "label"}
        return str(value.get("label") or value.get("iri") or "")
    return "" if value is None else str(value)


def record_from_form(
    kind: str, form: dict[str, str], base: dict | None = None
) -> tuple[dict, dict[str, str]]:
    """The record a submitted form describes, and the errors the form itself can see (SHACL
    reports the rest). ``base`` is the stored record when editing: fields the form does not show
    (dimensions, creators, other title languages…) are kept, so a replace loses nothing."""
    errors: dict[str, str] = {}
    record: dict = dict(base or {})
    for key in ("iri", "content_url"):
        record.pop(key, None)
    for name in CONCEPT_FIELDS:  # stored concepts come back as {"iri", "label"}: keep the IRI
        if name in record:
            record[name] = [v.get("iri") if isinstance(v, dict) else v for v in record[name]]
    record.update({"kind": kind, "id": form.get("id", "").strip()})
    for f in FIELDS[kind]:
        if f.name == "id" or f.group:
            continue
        text = form.get(f.name, "").strip()
        if f.name.startswith(("title_", "description_")):
            field, lang = f.name.rsplit("_", 1)
            texts = dict(record.get(field) or {}) if isinstance(record.get(field), dict) else {}
            if text:
                texts[lang] = text
            else:
                texts.pop(lang, None)
            if texts:
                record[field] = texts
            else:
                record.pop(field, None)
        elif not text:
            record.pop(f.name, None)
        elif f.name in INT_FIELDS:
            try:
                record[f.name] = int(text)
            except ValueError:
                errors[f.name] = (
                    "a whole year, negative for BCE (e.g. -300)" if "year" in f.name else "a whole number"
                )
        elif f.name in LIST_FIELDS:
            record[f.name] = [v.strip() for v in text.split(_LIST_SEP) if v.strip()]
        else:
            record[f.name] = text
    if any(f.group == DIMENSIONS for f in FIELDS[kind]):
        dims = _merge_dimensions(record.get("dimensions"), _parse_dimensions(form, errors))
        if dims:
            record["dimensions"] = dims
        else:
            record.pop("dimensions", None)
    begin, end = record.get("begin_year"), record.get("end_year")
    if isinstance(begin, int) and isinstance(end, int) and begin > end and "end_year" not in errors:
        errors["end_year"] = f"the end year comes before the begin year ({begin})"
    return record, errors


def form_from_record(record: dict) -> dict[str, str]:
    """The form values that show a stored record (concept lists joined with ``;``)."""
    kind = record.get("kind", "work")
    values: dict[str, str] = {}
    for f in FIELDS.get(kind, ()):
        if f.group == DIMENSIONS:
            continue
        if f.name.startswith(("title_", "description_")):
            field, lang = f.name.rsplit("_", 1)
            texts = record.get(field)
            values[f.name] = texts.get(lang, "") if isinstance(texts, dict) else _text(texts)
            continue
        value = record.get(f.name)
        if isinstance(value, list):
            values[f.name] = f"{_LIST_SEP} ".join(_text(v) for v in value)
        else:
            values[f.name] = _text(value)
    if any(f.group == DIMENSIONS for f in FIELDS.get(kind, ())):
        values.update(_dimension_values(record.get("dimensions") or []))
    return values


def relabel(ctx: HeritageContext, record: dict) -> dict:
    """The stored record with its concepts' English labels (the store returns only the IRI's last
    part), so the edit form shows "Goryeo", which resolves back to the same concept on save."""
    iris = [v["iri"] for name in CONCEPT_FIELDS for v in record.get(name) or [] if isinstance(v, dict)]
    names = labels(ctx, iris, "en")
    for name in CONCEPT_FIELDS:
        if name in record:
            record[name] = [
                dict(v, label=names.get(v["iri"], v.get("label"))) if isinstance(v, dict) else v
                for v in record[name]
            ]
    return record


def errors_from_violations(kind: str, violations: list[dict]) -> dict[str, str]:
    """Violations filed under the form field that shows them; the rest under ``form``."""
    shown = {f.error_key for f in FIELDS[kind]} | {f.group for f in FIELDS[kind] if f.group}
    out: dict[str, str] = {}
    for v in violations or []:
        raw = str(v.get("field") or "form").split(".")[0]
        field = raw if raw in shown else _BY_PROPERTY.get(raw, raw)
        message = str(v.get("message") or "invalid")
        if field in shown:
            out.setdefault(field, message)
        else:
            out["form"] = f"{out['form']}; " if "form" in out else ""
            out["form"] += f"{raw}: {message}"
    return out


def _value(row: dict, name: str) -> str:
    term = row.get(name)
    return term.value if term is not None else ""


def recent_records(ctx: HeritageContext, limit: int = 15) -> list[dict[str, str]]:
    """The newest live records of every layer, for the console's edit list."""
    rows = ctx.store.select(
        query("recent_records", log=ox.NamedNode(ctx.iris.changelog_graph), limit=int(limit))
    )
    return [{"id": _value(r, "id"), "kind": _value(r, "kind"), "datestamp": _value(r, "d")} for r in rows]


def upload_history(ctx: HeritageContext, limit: int = 20) -> list[dict[str, str]]:
    """Recent Items (uploads), newest first: file, format, size, Instance and Work ids."""
    rows = ctx.store.select(
        query("upload_history", log=ox.NamedNode(ctx.iris.changelog_graph), limit=int(limit))
    )
    out = []
    for r in rows:
        instance = ctx.iris.parse_entity(_value(r, "instance")) if "instance" in r else None
        work = ctx.iris.parse_entity(_value(r, "work")) if "work" in r else None
        out.append(
            {
                "id": _value(r, "id"),
                "datestamp": _value(r, "d"),
                "file_name": _value(r, "name"),
                "file_format": _value(r, "format"),
                "byte_size": _value(r, "size"),
                "instance": instance[1] if instance else "",
                "work": work[1] if work else "",
            }
        )
    return out
