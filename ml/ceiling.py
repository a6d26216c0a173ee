"""How far title, maker and culture can carry a prediction at all: oracle figures for an evaluation.

A model that sees only a work's title, maker and culture can do no better, on a row, than the
evidence those fields share with training works. These figures bound that evidence from above:

- ``exact_key``: rows whose exact (title, makers, cultures) occurs among the training works, and
  how often that key's majority training label is right on them (a lookup table's accuracy);
- ``maker_known``: rows whose maker has labelled training works, and the maker-majority accuracy;
- ``union_of_majorities``: share of rows where *any* of the majority labels of their exact key,
  maker, exact title, culture, title head word or culture x head word is right: an oracle that
  knows, per row, which rule to trust. A model built on these neighbourhoods rarely beats it;
- ``repeated_key_agreement``: among training works whose exact key occurs more than once, the
  share carrying the key's majority label: the label noise between works that look identical.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable

from ml.attributes import Row, head_word, parts


def _exact(r: Row) -> Hashable:
    return (" ".join(r.title.lower().split()), tuple(parts(r.maker)), tuple(parts(r.culture)))


def _maker(r: Row) -> Hashable:
    return tuple(parts(r.maker))


def _title(r: Row) -> Hashable:
    return " ".join(r.title.lower().split())


def _culture(r: Row) -> Hashable:
    return tuple(parts(r.culture))


def _head(r: Row) -> Hashable:
    return head_word(r.title)


def _culture_head(r: Row) -> Hashable:
    return (head_word(r.title), tuple(parts(r.culture)))


RULES: dict[str, Callable[[Row], Hashable]] = {
    "exact": _exact,
    "maker": _maker,
    "title": _title,
    "culture": _culture,
    "head": _head,
    "culture_head": _culture_head,
}


def _majorities(rows: list[Row], attr: str, key: Callable[[Row], Hashable]) -> dict[Hashable, str]:
    counts: dict[Hashable, Counter] = defaultdict(Counter)
    for r in rows:
        for label in r.labels.get(attr, ()):
            counts[key(r)][label] += 1
    # ties broken by label so the figure is deterministic
    return {k: min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0] for k, c in counts.items() if k}


def ceiling(train: list[Row], test: list[Row], attr: str) -> dict[str, float]:
    """Oracle figures for ``attr`` on the labelled ``test`` rows (see the module docstring)."""
    evaluated = [r for r in test if r.labels.get(attr)]
    if not evaluated:
        return {}
    n = len(evaluated)
    majority = {name: _majorities(train, attr, key) for name, key in RULES.items()}

    def right(name: str, r: Row) -> bool:
        return majority[name].get(RULES[name](r)) in r.labels[attr]

    out: dict[str, float] = {}
    for name in ("exact", "maker"):
        seen = [r for r in evaluated if RULES[name](r) in majority[name]]
        out[f"{name}_seen_share"] = round(len(seen) / n, 4)
        out[f"{name}_majority_accuracy_when_seen"] = round(
            sum(right(name, r) for r in seen) / len(seen) if seen else 0.0, 4
        )
    out["union_of_majorities"] = round(sum(any(right(k, r) for k in RULES) for r in evaluated) / n, 4)
    keyed = Counter(_exact(r) for r in train if r.labels.get(attr))
    repeated = [r for r in train if r.labels.get(attr) and keyed[_exact(r)] > 1]
    if repeated:
        out["repeated_key_agreement"] = round(sum(right("exact", r) for r in repeated) / len(repeated), 4)
    return out
