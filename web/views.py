"""What the pages show, read from the graph: concept labels, a Work's layers, related works,
work cards and the Schema.org JSON-LD. Kept apart from the routes so each can be tested alone."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from string import Template

import pyoxigraph as ox

from kg.concepts import load_scheme_quads
from kg.context import HeritageContext
from kg.errors import NotFound
from mappings.export import work_bundle
from mappings.schema_org import to_schema_org
from web.i18n import pick

QUERIES = Path(__file__).resolve().parent / "queries"
CONCEPT_FIELDS = ("object_type", "era", "material", "use", "culture", "place_of_origin", "find_spot")


@cache
def _template(name: str) -> Template:
    return Template((QUERIES / f"{name}.rq").read_text(encoding="utf-8"))


def query(name: str, **terms: ox.NamedNode | ox.Literal | str) -> str:
    """Fill a ``web/queries/*.rq`` file; every value is a serialised RDF term (or a plain int/list
    built from terms), so no caller text reaches the query unescaped."""
    return _template(name).substitute({k: str(v) for k, v in terms.items()})


def local_url(url: str | None, base: str) -> str | None:
    """Content URLs are minted with the configured base; serve them relative so the page works on
    whatever host and port the server actually runs."""
    if url and url.startswith(base.rstrip("/") + "/"):
        return url[len(base.rstrip("/")) :]
    return url


def labels(ctx: HeritageContext, iris: list[str], lang: str) -> dict[str, str]:
    """IRI -> label in ``lang`` (else English, else untagged) for concepts, agents and museums."""
    iris = sorted({i for i in iris if i.startswith(("http://", "https://"))})
    if not iris:
        return {}
    rows = ctx.store.select(
        query("concept_labels", iris=" ".join(str(ox.NamedNode(i)) for i in iris), lang=ox.Literal(lang))
    )
    rank = {lang: 0, "en": 1, "": 2}
    best: dict[str, tuple[int, str]] = {}
    for r in rows:
        score = rank.get(r["lang"].value, 3)
        key = r["c"].value
        if key not in best or score < best[key][0]:
            best[key] = (score, r["label"].value)
    return {k: v for k, (_, v) in best.items()}


def work_cards(ctx: HeritageContext, iris: list[str], lang: str) -> list[dict]:
    """Title and thumbnail for each Work IRI, in the given order."""
    if not iris:
        return []
    rows = ctx.store.select(
        query("work_cards", works=" ".join(str(ox.NamedNode(i)) for i in iris), lang=ox.Literal(lang))
    )
    by_iri = {r["w"].value: r for r in rows}
    base = ctx.settings.base_url
    cards = []
    for iri in iris:
        r = by_iri.get(iri, {})
        cards.append(
            {
                "iri": iri,
                "id": iri.rsplit("/", 1)[-1],
                "title": r["title"].value if "title" in r else iri.rsplit("/", 1)[-1],
                "thumbnail": local_url(r["thumb"].value, base) if "thumb" in r else None,
            }
        )
    return cards


def related_works(ctx: HeritageContext, work_iri: str, lang: str, limit: int = 8) -> list[dict]:
    """Works sharing curated era, material or type concepts, with the shared concepts' labels."""
    rows = ctx.store.select(
        query(
            "related_works",
            work=ox.NamedNode(work_iri),
            recordGraphs=ox.Literal(ctx.settings.base_url.rstrip("/") + "/graph/record/"),
            limit=int(limit),
        )
    )
    cards = work_cards(ctx, [r["other"].value for r in rows], lang)
    shared = {r["other"].value: r["concepts"].value.split() for r in rows}
    names = labels(ctx, [c for cs in shared.values() for c in cs], lang)
    for card in cards:
        card["shared"] = [names.get(c, c.rsplit("/", 1)[-1]) for c in shared[card["iri"]]]
    return cards


def work_layers(ctx: HeritageContext, work_iri: str) -> list[dict]:
    """Instances of the Work, each with its Project record (if any) and its Item records."""
    rows = ctx.store.select(query("layers_of_work", work=ox.NamedNode(work_iri)))
    base = ctx.settings.base_url
    instances: dict[str, dict] = {}
    for r in rows:
        inst_id = r["inst"].value.rsplit("/", 1)[-1]
        if inst_id not in instances:
            try:
                inst = ctx.records.get(inst_id, "instance")
            except NotFound:
                continue
            inst["items"] = []
            inst["project"] = _maybe(ctx, inst.get("produced_by"), "project")
            instances[inst_id] = inst
        if "item" in r:
            item = _maybe(ctx, r["item"].value.rsplit("/", 1)[-1], "item")
            if item:
                item["href"] = local_url(item.get("content_url"), base)
                instances[inst_id]["items"].append(item)
    return list(instances.values())


def _maybe(ctx: HeritageContext, ident: str | None, kind: str) -> dict | None:
    if not ident:
        return None
    try:
        return ctx.records.get(ident, kind)
    except NotFound:
        return None


def media_of(layers: list[dict]) -> dict[str, str | None]:
    """The first image and the first GLB among a Work's items, for the viewers."""
    image = glb = None
    for inst in layers:
        for item in inst["items"]:
            fmt = item.get("file_format")
            if fmt in ("png", "jpeg") and image is None:
                image = item.get("href")
            if fmt == "glb" and glb is None:
                glb = item.get("href")
    return {"image": image, "glb": glb}


def concept_iris(record: dict) -> list[str]:
    """Every concept IRI a record points to, for one label lookup."""
    return [c["iri"] for f in CONCEPT_FIELDS + ("project_type", "instance_type") for c in record.get(f, [])]


def json_ld(ctx: HeritageContext, work_id: str, media: dict[str, str | None], page_url: str) -> dict:
    """Schema.org JSON-LD for a Work page: the Schema.org crosswalk's own output (one source for
    exports and pages), plus what only the page knows: its URL and the image it shows."""
    doc = to_schema_org(work_bundle(ctx.store, ctx.iris, work_id), _scheme_quads())
    doc["mainEntityOfPage"] = page_url
    if media.get("image"):
        doc["image"] = media["image"]
    return doc


@cache
def _scheme_quads() -> list[ox.Quad]:
    """Concept labels and era years for the crosswalk (the schemes ship with the code: load once)."""
    return load_scheme_quads()


def json_ld_script(doc: dict) -> str:
    """JSON for inside ``<script>``: ``</`` and ``<!--`` escaped so no value can close the element."""
    text = json.dumps(doc, ensure_ascii=False, indent=1)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def display(values: dict[str, str] | str | None, lang: str) -> str:
    """Template helper re-exported for the routes."""
    return pick(values, lang)


def entity_href(ctx: HeritageContext, iri: str) -> str:
    """Where a link to ``iri`` goes: our page for entities minted here (agents, local concepts,
    records), the IRI itself otherwise (an external authority, a shipped scheme concept)."""
    parsed = ctx.iris.parse_entity(iri)
    return f"/page/{parsed[0]}/{parsed[1]}" if parsed else iri


def agents_of(ctx: HeritageContext, work_iri: str, lang: str) -> dict[str, list[dict]]:
    """The Work's makers and holding museum as ``{"creators"|"museum": [{"label", "href"}]}``,
    read from the graph (IRIs an import brought in are linked as they are)."""
    rows = ctx.store.select(
        f"SELECT ?p ?a WHERE {{ {ox.NamedNode(work_iri)} ?p ?a . VALUES ?p {{ hg:creator hg:heldBy }} }}"
    )
    found = [(r["p"].value.rsplit("#", 1)[-1], r["a"].value) for r in rows]
    names = labels(ctx, [a for _p, a in found], lang)
    out: dict[str, list[dict]] = {"creators": [], "museum": []}
    for prop, agent in sorted(found, key=lambda pa: names.get(pa[1], pa[1])):
        key = "creators" if prop == "creator" else "museum"
        out[key].append({"label": names.get(agent, agent), "href": entity_href(ctx, agent)})
    return out
