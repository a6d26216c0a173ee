"""Refuse SPARQL queries whose cost is unbounded before any store evaluates them.

Why this exists: Oxigraph cannot be interrupted inside one evaluation step, and a killable
subprocess over the embedded store is not an option (``Store.read_only`` beside a writer is
undefined behaviour). So ``SELECT * { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c`` sorts the store times
itself (about 3 GB on the ontology alone), and a cross product under an always-false ``FILTER``
never yields a row for the cancel check, holding a query slot for hours. Both are cross products
of pattern groups that share no variable; this module finds them in rdflib's algebra and refuses
them with 400, for everyone (curators use ``heritage dump`` for bulk).

What counts: within a join group, triple patterns (property paths included) are linked by a
shared variable in subject or object position (a shared predicate variable joins on the
predicate, which is nearly a cross product, so it does not link; nor do VALUES, BIND, FILTER or a
GRAPH variable). A group is refused when two or more unlinked parts each hold a pattern with two
or more positions free (not a constant, not fixed by a VALUES of the group), unless a LIMIT sits
above it with no ORDER BY, GROUP BY, DISTINCT, aggregate or FILTER in between and a small OFFSET
(then Oxigraph streams and stops). Also refused: a VALUES table of more than
``MAX_VALUES_ROWS`` sharing no variable with the patterns, groups linked only through a variable
an OPTIONAL alone binds, and an EXISTS pattern sharing no variable with the rows it tests. A
transitive path (``*``, ``+``) with both ends free under
ORDER BY, GROUP BY or DISTINCT is refused too. What rdflib cannot parse is left to Oxigraph,
which reports syntax errors itself, unless Oxigraph accepts it (then the check could be dodged
with syntax rdflib lacks, so it is refused).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import NamedTuple

import pyoxigraph as ox
from rdflib.paths import MulPath, Path
from rdflib.plugins.sparql.algebra import translateQuery, traverse
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import BNode, Variable

from kg.errors import HeritageError
from kg.namespaces import PREFIXES

MAX_CHECKED_CHARS = 100_000
"""Longest query text the check parses. rdflib's parser is pure Python (about 3 s for 100 KB of
VALUES); a longer text is refused rather than let through unchecked, since padding would
otherwise dodge the check. Bulk reads go through ``heritage dump``."""

MAX_STREAMED_OFFSET = 10_000
"""Largest OFFSET under which a LIMIT still counts as bounding a cross product: the store must
produce and drop every skipped row first."""

SMALL_SUBQUERY_LIMIT = 1_000
"""A subquery with at most this LIMIT is a small table, not an unbounded pattern."""

MAX_NESTED_LIMIT = 100_000
"""Largest LIMIT of a subquery that still bounds a cross product inside it. The query's own
LIMIT may be any size, as the endpoint's result cap stops the stream, but a subquery's rows may
all be held by an ORDER BY or aggregate above it (about a hundred bytes a row)."""

MAX_VALUES_ROWS = 1_000
"""A VALUES table longer than this that shares no variable with the group's patterns is an
unbounded part of its own: every row is paired with every match."""


class QueryTooCostly(HeritageError):
    """The query would make the store build an unbounded cross product or closure."""

    title = "Query too costly"


class _Scope(NamedTuple):
    streams: bool  # a LIMIT above, with nothing in between that must see every row
    sorts: bool  # under ORDER BY, GROUP BY, DISTINCT or an aggregate


@dataclass
class _Unit:
    """A pattern (or an already-checked group) as one member of a join group."""

    links: set[str]  # variables through which it joins others (subject, object, projected)
    weak: set[str] = field(default_factory=set)  # predicate variables: they link only to a link
    free: list[tuple[str, ...]] = field(default_factory=list)  # per pattern: its free positions
    big: bool = False  # known unbounded regardless of the group's VALUES
    label: str = ""

    def unbounded(self, fixed: set[str]) -> bool:
        return self.big or any(sum(v not in fixed for v in pat) >= 2 for pat in self.free)


def _name(term) -> str | None:
    if isinstance(term, Variable | BNode):
        return f"{'?' if isinstance(term, Variable) else '_:'}{term}"
    return None


def _text(term) -> str:
    name = _name(term)
    if name:
        return name
    return term.n3() if hasattr(term, "n3") else str(term)


def _transitive(path) -> bool:
    if isinstance(path, MulPath) and path.mod in ("*", "+"):
        return True
    parts = getattr(path, "args", None) or ([path.path] if hasattr(path, "path") else [])
    return any(isinstance(p, Path) and _transitive(p) for p in parts)


def _triple(triple, scope: _Scope) -> _Unit:
    s, p, o = triple
    names = [_name(s), _name(p), _name(o)]
    label = " ".join(_text(t) for t in triple)
    if isinstance(p, Path) and names[0] and names[2] and scope.sorts and _transitive(p):
        raise QueryTooCostly(
            f"the path pattern {label} follows a transitive path (* or +) between two variables "
            "under ORDER BY, GROUP BY or DISTINCT, which makes the store compute the closure over "
            "everything before the first row; fix one end to an IRI or VALUES, or drop the sort",
            groups=[label],
        )
    links = {n for n in (names[0], names[2]) if n}
    weak = {names[1]} - links if names[1] else set()
    return _Unit(links, weak, [tuple(n for n in names if n)], label=label)


def _join(
    units: list[_Unit], fixed: set[str], scope: _Scope, tables: list[tuple[set[str], int]] = ()
) -> list[_Unit]:
    """Link the members of one join group; refuse an unbounded cross product; return the parts."""
    used = set().union(*(u.links | {v for pat in u.free for v in pat} for u in units)) if units else set()
    for names, rows in tables:
        if rows > MAX_VALUES_ROWS and not names & used:
            units = [*units, _Unit(set(), big=True, label=f"VALUES of {rows:,} rows")]
    parent = list(range(len(units)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    strong = set().union(*(u.links for u in units)) if units else set()
    first: dict[str, int] = {}
    for i, unit in enumerate(units):
        for var in unit.links | (unit.weak & strong):  # two predicate positions alone do not link
            if var in first:
                parent[root(i)] = root(first[var])
            else:
                first[var] = i
    parts: dict[int, _Unit] = {}
    for i, unit in enumerate(units):
        part = parts.setdefault(root(i), _Unit(set()))
        part.links |= unit.links
        part.weak |= unit.weak
        part.big = part.big or unit.unbounded(fixed)
        part.label = f"{part.label} . {unit.label}" if part.label else unit.label
    merged = list(parts.values())
    wide = [p for p in merged if p.big]
    if len(wide) >= 2 and not scope.streams:
        groups = [p.label if len(p.label) <= 200 else p.label[:197] + "..." for p in wide]
        shown = " × ".join("{ " + g + " }" for g in groups)
        raise QueryTooCostly(
            f"these pattern groups share no variable, so the store would build every combination "
            f"of their matches (an unbounded cross product): {shown}. Join them through a shared "
            "subject or object variable, or add a LIMIT with no ORDER BY, GROUP BY, DISTINCT, "
            "aggregate or FILTER above them",
            groups=groups,
        )
    return merged


def _members(node, scope: _Scope, out: list[_Unit], fixed: set[str], tables: list) -> None:
    """Collect the members of the join group ``node`` belongs to (flattening joins)."""
    name = getattr(node, "name", "")
    if name == "BGP":
        out.extend(_triple(t, scope) for t in node.triples)
    elif name == "Join":
        _members(node.p1, scope, out, fixed, tables)
        _members(node.p2, scope, out, fixed, tables)
    elif name in ("Extend", "Graph"):  # BIND and GRAPH ?g neither link nor bound
        _members(node.p, scope, out, fixed, tables)
    elif name == "ToMultiSet" and getattr(node.p, "name", "") == "values":
        rows = node.p.res
        names = set().union(*(set(r) for r in rows)) if rows else set()
        fixed |= {f"?{v}" for v in names if all(v in r for r in rows)}
        tables.append(({f"?{v}" for v in names}, len(rows)))
    else:
        out.extend(_group(node, scope))


def _group(node, scope: _Scope, top: bool = False) -> list[_Unit]:
    """Check ``node`` as a group of its own and return its linked parts (``top``: the query's
    own pattern, whose rows go straight to the capped output)."""
    name = getattr(node, "name", "")
    blocked = _Scope(False, scope.sorts)
    sorted_ = _Scope(False, True)
    if name in ("BGP", "Join", "Extend", "Graph", "ToMultiSet") and not (
        name == "ToMultiSet" and getattr(node.p, "name", "") != "values"
    ):
        units: list[_Unit] = []
        fixed: set[str] = set()
        tables: list[tuple[set[str], int]] = []
        _members(node, scope, units, fixed, tables)
        return _join(units, fixed, scope, tables)
    if name == "ToMultiSet":  # a subquery
        return _group(node.p, scope)
    if name == "Slice":
        length = node.length
        bounded = length is not None and (top or length <= MAX_NESTED_LIMIT)
        inner = _Scope(bounded and (node.start or 0) <= MAX_STREAMED_OFFSET, False)
        parts = _group(node.p, inner)
        if node.length is not None and node.length <= SMALL_SUBQUERY_LIMIT:
            links = set().union(*(p.links for p in parts)) if parts else set()
            return [_Unit(links, label="{ subquery with LIMIT }")]
        return parts
    if name == "Project":
        parts = _group(node.p, scope)
        keep = {f"?{v}" for v in node.PV}
        return [_Unit((p.links | p.weak) & keep, big=p.big, label=p.label) for p in parts]
    if name in ("OrderBy", "Group", "AggregateJoin", "Distinct", "Reduced"):
        return _group(node.p, sorted_)
    if name == "Filter":
        parts = _group(node.p, blocked)
        for graph in _exists_patterns(node.expr):  # evaluated again for every row of ``parts``
            _join(parts + _group(graph, blocked), set(), blocked)
        return parts
    if name == "LeftJoin":
        inner = scope if getattr(node.expr, "name", "") == "TrueFilter" else blocked
        left = _group(node.p1, scope)
        parts = _join(left + _group(node.p2, inner), set(), scope)
        # a variable only the OPTIONAL binds may be unbound, and then joins with every row
        sure = set().union(*(u.links | u.weak for u in left)) if left else set()
        return [_Unit(p.links & sure, p.weak & sure, big=p.big, label=p.label) for p in parts]
    if name == "Minus":
        _group(node.p2, blocked)
        return _group(node.p1, scope)
    if name == "Union":
        left, right = _group(node.p1, scope), _group(node.p2, scope)
        links = set().union(*(p.links for p in left)) & set().union(*(p.links for p in right))
        big = any(p.big for p in left + right)
        labels = " UNION ".join("{ " + " . ".join(p.label for p in side) + " }" for side in (left, right))
        return [_Unit(links, big=big, label=labels)]
    if name == "values":
        return []
    children = [getattr(node, k) for k in ("p", "p1", "p2") if getattr(node, k, None) is not None]
    parts = [part for child in children for part in _group(child, blocked)]
    return _join(parts, set(), blocked) if parts else []


def _exists_patterns(expr) -> list:
    """The patterns of the EXISTS and NOT EXISTS inside a FILTER expression."""
    found: list = []

    def visit(node):
        if isinstance(node, CompValue) and node.name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
            found.append(node.graph)

    traverse(expr, visitPre=visit)
    return found


def _oxigraph_accepts(text: str) -> bool:
    """Whether Oxigraph parses ``text``: planned against an empty in-memory store, never run
    (SELECT and CONSTRUCT results are lazy; an ASK over nothing ends at once)."""
    try:
        ox.Store().query(text, prefixes=PREFIXES, use_default_graph_as_union=True)
    except Exception:  # noqa: BLE001 - a syntax error or any other refusal: Oxigraph would not run it
        return False
    return True


def refuse_costly(text: str) -> None:
    """Raise ``QueryTooCostly`` when a query would make the store build an unbounded cross product
    or a sorted transitive closure; return quietly for anything else (see the module docstring)."""
    found = _verdict(text) if len(text) <= 10_000 else _verdict.__wrapped__(text)  # cache small texts
    if found is not None:
        detail, extra = found
        raise QueryTooCostly(detail, **dict(extra))


@functools.lru_cache(maxsize=256)
def _verdict(text: str) -> tuple[str, tuple] | None:
    """The refusal's detail and fields, or None. Cached: rdflib takes 5-25 ms on a typical query,
    and pages and clients send the same texts again and again."""
    try:
        _check(text)
    except QueryTooCostly as exc:
        return exc.detail, tuple(exc.extra.items())
    return None


def _check(text: str) -> None:
    if len(text) > MAX_CHECKED_CHARS:
        raise QueryTooCostly(
            f"the query is {len(text):,} characters long; the cost check reads at most "
            f"{MAX_CHECKED_CHARS:,}. Split it, or use `heritage dump` for bulk data"
        )
    try:
        query = translateQuery(parseQuery(text), initNs=PREFIXES)
    except RecursionError:
        raise QueryTooCostly(
            "the query has too many patterns in one block (or is nested too deeply) for the cost "
            "check to read; split it into smaller queries"
        ) from None
    except Exception:  # noqa: BLE001 - rdflib's syntax errors and its own gaps alike
        if _oxigraph_accepts(text):
            raise QueryTooCostly(
                "the query uses syntax the cost check cannot read, so it cannot be shown to be "
                "bounded; write it in plain SPARQL 1.1"
            ) from None
        return  # a syntax error: Oxigraph reports it with its position
    algebra = query.algebra
    scope = _Scope(streams=algebra.name == "AskQuery", sorts=False)  # ASK stops at one solution
    _group(algebra.p, scope, top=True)
