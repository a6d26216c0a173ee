"""What the pages of agents, local concepts and model runs show, read from the graph: their
labels, every triple about them (linked objects as links), the Works that point at them by each
property, and for a run its PROV description, metrics and the size of its output. Kept apart
from the routes (``web.pages``) so each piece can be tested alone."""

from __future__ import annotations

import json

import pyoxigraph as ox

from kg.context import HeritageContext
from kg.namespaces import HG, PREFIXES, RDFS, SKOS, is_valid_id
from web import views

ENTITY_KINDS = ("agent", "concept", "run")
LABEL_PROPERTIES = (str(SKOS.prefLabel), str(RDFS.label), str(SKOS.altLabel))
# the heading over the Works that point here, by the property they use (i18n keys)
RELATION_HEADINGS = {str(HG.creator): "works_by_maker", str(HG.heldBy): "works_held"}


def entity_exists(ctx: HeritageContext, kind: str, ident: str) -> bool:
    """Whether ``/id/{kind}/{ident}`` names something the graph says anything about."""
    if kind not in ENTITY_KINDS or not is_valid_id(ident):
        return False
    return ctx.store.ask(f"ASK {{ {ox.NamedNode(ctx.iris.entity(kind, ident))} ?p ?o }}")


def compact(iri: str) -> str:
    """``hg:title`` for a property IRI in a known namespace, else the IRI itself."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def _href(ctx: HeritageContext, iri: str) -> str | None:
    """Where a linked object goes: its /id/ path when this server can dereference it (then 303 to
    its page), the IRI itself when it is elsewhere, nothing for the base's undereferenceable
    nodes (a run's model or metric nodes)."""
    parsed = ctx.iris.parse_entity(iri)
    if parsed and is_valid_id(parsed[1]):
        return f"/id/{parsed[0]}/{parsed[1]}"
    if iri.startswith(ctx.iris.base + "/"):
        return None
    return iri if iri.startswith(("http://", "https://")) else None


def _best_label(labels: list[dict], lang: str) -> str | None:
    rank = {lang: 0, "en": 1, "": 2}
    ordered = sorted(
        (lb for lb in labels if lb["property"] != "skos:altLabel"), key=lambda lb: rank.get(lb["lang"], 3)
    )
    return ordered[0]["text"] if ordered else None


def describe(ctx: HeritageContext, kind: str, ident: str, lang: str) -> dict:
    """The page's content: iri, title, labels (text, lang, property), and the statements grouped
    by property, each value with its text, language and link."""
    iri = ctx.iris.entity(kind, ident)
    rows = ctx.store.select(views.query("entity_triples", iri=ox.NamedNode(iri)))
    objects = [r["o"].value for r in rows if isinstance(r["o"], ox.NamedNode)]
    names = views.labels(ctx, objects, lang)
    labels, statements = [], {}
    for r in rows:
        p, o = r["p"].value, r["o"]
        if isinstance(o, ox.Literal):
            value = {"text": o.value, "lang": o.language or "", "href": None}
            if p in LABEL_PROPERTIES:
                labels.append({"text": o.value, "lang": o.language or "", "property": compact(p)})
        elif isinstance(o, ox.NamedNode):
            value = {"text": names.get(o.value) or compact(o.value), "lang": "", "href": _href(ctx, o.value)}
        else:
            value = {"text": str(o), "lang": "", "href": None}
        statements.setdefault(p, {"property": compact(p), "iri": p, "values": []})["values"].append(value)
    return {
        "iri": iri,
        "kind": kind,
        "kind_label": "run" if kind == "run" else f"kind_{kind}",  # i18n keys
        "id": ident,
        "title": _best_label(labels, lang) or ident,
        "labels": labels,
        "statements": list(statements.values()),
    }


def relations(ctx: HeritageContext, iri: str) -> list[dict]:
    """The properties by which Works point at ``iri``: property IRI, its short form, the i18n key
    of its heading and how many Works use it, most used first."""
    rows = ctx.store.select(views.query("entity_relations", iri=ox.NamedNode(iri)))
    return [
        {
            "iri": r["p"].value,
            "property": compact(r["p"].value),
            "heading": RELATION_HEADINGS.get(r["p"].value, "works_with_concept"),
            "count": int(r["n"].value),
        }
        for r in rows
    ]


def works_pointing(
    ctx: HeritageContext, iri: str, prop: str, lang: str, page: int, per_page: int
) -> list[dict]:
    """One page of the Works whose ``prop`` is ``iri``, as cards ordered by title."""
    rows = ctx.store.select(
        views.query(
            "entity_works",
            iri=ox.NamedNode(iri),
            prop=ox.NamedNode(prop),
            lang=ox.Literal(lang),
            limit=int(per_page),
            offset=int(max(page - 1, 0) * per_page),
        )
    )
    return views.work_cards(ctx, [r["w"].value for r in rows], lang)


def run_summary(ctx: HeritageContext, run_id: str) -> dict:
    """A run's PROV description as the page shows it: model (label, version), parameters (parsed
    JSON), start and end, metrics by name, and the number of predictions and similarity edges."""
    iri = ox.NamedNode(ctx.iris.entity("run", run_id))
    rows = ctx.store.select(
        f"SELECT ?model ?version ?params ?started ?ended WHERE {{ GRAPH ?g {{ {iri} a hg:ModelRun . "
        f"OPTIONAL {{ {iri} hg:model ?m . OPTIONAL {{ ?m rdfs:label ?model }} }} "
        f"OPTIONAL {{ {iri} hg:modelVersion ?version }} OPTIONAL {{ {iri} hg:parameters ?params }} "
        f"OPTIONAL {{ {iri} prov:startedAtTime ?started }} OPTIONAL {{ {iri} prov:endedAtTime ?ended }} }} }} LIMIT 1"
    )
    if not rows:
        return {}
    r = rows[0]
    try:
        params = json.loads(r["params"].value) if "params" in r else {}
    except ValueError:
        params = {"parameters": r["params"].value}
    counts = ctx.store.select(views.query("run_counts", graph=ox.NamedNode(ctx.iris.run_graph(run_id))))[0]
    metrics = ctx.store.select(views.query("run_metrics", iri=iri))
    return {
        "model": r["model"].value if "model" in r else "",
        "model_version": r["version"].value if "version" in r else "",
        "parameters": params,
        "started": r["started"].value if "started" in r else "",
        "ended": r["ended"].value if "ended" in r else "",
        "metrics": {m["name"].value: float(m["value"].value) for m in metrics},
        "predictions": int(counts["predictions"].value),
        "similarities": int(counts["similarities"].value),
    }
