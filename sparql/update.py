"""SPARQL Update for curators: run on a scratch copy of the records an update names, then write
the changed records through the record layer (SHACL validation and change log, as REST does)."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pyoxigraph as ox

from kg.context import HeritageContext
from kg.errors import Forbidden, ValidationError
from kg.namespaces import LAYER_CLASSES, PREFIXES, is_valid_id
from sparql.execute import syntax_error
from sparql.guard import OPAQUE, keyword, keywords_only, refuse_network

_IRI_RE = re.compile(r"<([^<>\"{}|^`\\\s]*)>")
_DECL_RE = re.compile(r"\b(?:PREFIX\s+([^\s:<>]*):|BASE)\s*<([^<>\"{}|^`\\\s]*)>", re.IGNORECASE)
_PNAME_RE = re.compile(
    r"(?<![\w?$:<\\-])([A-Za-z][\w.-]*)?:((?:[\w%-]|\\.)(?:(?:[\w.%:-]|\\.)*(?:[\w%:-]|\\.))?)"
)
MAX_ROUNDS = 4  # rounds of "the update wrote a record it did not name: load it and run again"


def _mentioned_iris(text: str) -> set[str]:
    """Every IRI an update spells out: ``<...>`` (also resolved against its ``BASE``) and prefixed
    names expanded with its own ``PREFIX`` lines and the house prefixes. Literals and comments
    are blanked first; the namespaces of the declarations themselves are not mentions."""
    bare = OPAQUE.sub(lambda m: m[0] if m[0].startswith("<") else " ", text)
    prefixes, bases = dict(PREFIXES), []
    for match in _DECL_RE.finditer(bare):
        if match[0][:6].upper() == "PREFIX":
            prefixes[match[1]] = match[2]
        else:
            bases.append(match[2])
    body = _DECL_RE.sub(" ", bare)
    iris = set(_IRI_RE.findall(body))
    iris |= {urljoin(base, iri) for base in bases for iri in list(iris)}
    for prefix, local in _PNAME_RE.findall(_IRI_RE.sub(" ", body)):
        if prefix in prefixes:
            iris.add(prefixes[prefix] + local.replace("\\", ""))
    return iris


def _named_records(ctx: HeritageContext, text: str) -> set[str]:
    """Record ids an update names, through a record graph IRI or a layer entity IRI (written out
    or as a prefixed name); refuses (403) any other graph of this dataset (change log, ontology,
    schemes, runs)."""
    base = ctx.iris.base
    ids = set()
    for iri in _mentioned_iris(text):
        if iri.startswith(f"{base}/graph/"):
            ident = ctx.iris.record_id_of_graph(iri)
            if ident is None:
                raise Forbidden(f"updates may only touch record graphs, not <{iri}>")
            ids.add(ident)
        if (owner := _record_of(ctx, iri)) is not None:
            ids.add(owner)
    return ids


_DATASET_WORDS = [keyword(word) for word in ("GRAPH", "WITH", "USING")]


def _names_graphs(text: str) -> bool:
    """Whether an update addresses graphs itself (as keywords: not inside IRIs, literals or
    comments, and not as part of a prefixed name such as ``ex:graph``)."""
    bare = keywords_only(text)
    return any(word.search(bare) for word in _DATASET_WORDS)


def apply_update(ctx: HeritageContext, text: str) -> dict:
    """Run an update on a scratch copy of the record graphs it names, then write the changed
    records through ``RecordStore.put_quads`` (SHACL validation and change log, as REST does).

    An update without GRAPH/WITH/USING sees the named records' triples as its default graph, so
    ``DELETE DATA { <work> hg:p "x" }`` removes the triple from the record that holds it and an
    inserted triple goes to the record of its subject. The update sees only the records it names,
    so ``DELETE WHERE { GRAPH ?g {...} }`` over everything changes nothing."""
    refuse_network(text)
    ids = _named_records(ctx, text)
    as_default = not _names_graphs(text)
    for _ in range(MAX_ROUNDS):
        before, after = _run(ctx, text, ids, as_default)
        # A record the update wrote without naming it (an IRI built with BIND, say) was not in
        # the scratch copy: writing ``after`` would replace it with only the new triples. Load
        # it and run again, so an INSERT adds to a record and never truncates it.
        unnamed = {i for i in after if i not in before and ctx.records.kind_of(i)}
        if not unnamed:
            break
        ids |= unnamed
    else:
        raise ValidationError("the update reaches records it does not name; name them with <IRI>s")
    _check_ownership(ctx, before, after)
    changed = {i: q for i, q in after.items() if set(q) != set(before.get(i, []))}
    emptied = [i for i, q in before.items() if q and i not in after]
    graphs = {}
    for ident, quads in changed.items():
        kind = ctx.records.kind_of(ident) or _kind_from_quads(ctx, ident, quads)
        graphs[ident] = (kind, quads)
    result = ctx.records.put_quads(graphs) if graphs else None
    if result is not None and result.rejected:
        violations = [v for r in result.rejected for v in (getattr(r, "violations", None) or [])]
        detail = "; ".join(r.reason for r in result.rejected)
        raise ValidationError(f"the update leaves invalid records: {detail}", violations)
    for ident in emptied:
        ctx.records.delete(ident)
    return {
        "written": sorted(result.written) if result else [],
        "unchanged": sorted(result.unchanged) if result else [],
        "deleted": sorted(emptied),
    }


def _run(
    ctx: HeritageContext, text: str, ids: set[str], as_default: bool
) -> tuple[dict[str, list[ox.Quad]], dict[str, list[ox.Quad]]]:
    """(before, after): the named records' quads, and every record's quads once the update has
    run on a scratch store holding only those records."""
    scratch = ox.Store()
    before: dict[str, list[ox.Quad]] = {}
    home: dict[ox.Triple, set[str]] = {}  # triple -> records holding it (default-graph mode)
    for ident in ids:
        before[ident] = ctx.records.quads(ident)
        if as_default:
            scratch.extend(ox.Quad(q.subject, q.predicate, q.object) for q in before[ident])
            for quad in before[ident]:
                home.setdefault(quad.triple, set()).add(ident)
        else:
            scratch.extend(before[ident])
    try:
        scratch.update(text, prefixes=PREFIXES)
    except SyntaxError as exc:
        raise syntax_error("SPARQL Update syntax error", exc) from exc
    after: dict[str, list[ox.Quad]] = {}
    for quad in scratch:
        graph = quad.graph_name
        if isinstance(graph, ox.DefaultGraph):
            owners = home.get(quad.triple) or {_owner(ctx, quad)}
        else:
            ident = ctx.iris.record_id_of_graph(graph.value) if isinstance(graph, ox.NamedNode) else None
            if ident is None:
                raise Forbidden(f"updates may only write record graphs, not {graph}")
            owners = {ident}
        if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
            raise ValidationError(f"record {min(owners)}: blank nodes are not allowed in records ({quad})")
        for ident in owners:
            graph_node = ox.NamedNode(ctx.iris.record_graph(ident))
            after.setdefault(ident, []).append(ox.Quad(quad.subject, quad.predicate, quad.object, graph_node))
    return before, after


def _check_ownership(
    ctx: HeritageContext, before: dict[str, list[ox.Quad]], after: dict[str, list[ox.Quad]]
) -> None:
    """Record ids must be valid (as REST requires: no ``/``, spaces or ``..``), and a record's graph
    may not gain statements about another record's entity: ``GRAPH <.../record/w1> { <.../work/w2>
    hg:title "x" }`` would add a title to w2 that w2's own record never shows."""
    for ident, quads in after.items():
        if not is_valid_id(ident):
            raise ValidationError(f"record id {ident!r} is not a valid identifier")
        for quad in set(quads) - set(before.get(ident, [])):
            owner = _record_of(ctx, quad.subject)
            if owner is not None and owner != ident:
                raise Forbidden(
                    f"record {ident}'s graph may not describe {quad.subject}; write it in its own record's graph "
                    "or outside GRAPH clauses"
                )


def _record_of(ctx: HeritageContext, term: ox.Term | str) -> str | None:
    """The record an IRI (a term, or IRI text as an update spells it) is minted in, if it is a
    layer entity of this base (``/id/work/w1`` and ``/id/work/w1/dimension/height`` are both w1's)."""
    if not isinstance(term, str | ox.NamedNode):
        return None  # a blank node or literal belongs to no record by its name
    parsed = ctx.iris.parse_entity(term if isinstance(term, str) else term.value)
    return parsed[1].split("/")[0] if parsed and parsed[0] in LAYER_CLASSES else None


def _owner(ctx: HeritageContext, quad: ox.Quad) -> str:
    """The record a new default-graph triple belongs to: the one its subject IRI is minted in."""
    owner = _record_of(ctx, quad.subject)
    if owner is None:
        raise Forbidden(
            f"a triple outside GRAPH clauses must be about a work, project, instance or item: {quad}"
        )
    return owner


def _kind_from_quads(ctx: HeritageContext, ident: str, quads: list[ox.Quad]) -> str:
    for kind in LAYER_CLASSES:
        if any(q.subject.value == ctx.iris.entity(kind, ident) for q in quads):
            return kind
    raise ValidationError(f"record {ident}: no work, project, instance or item with this id in the update")
