"""Attribute prediction (material, era, use, object type) from a record's text and graph neighbourhood.

Features are what a record has even when its labels are missing: title words and character
n-grams, each maker and culture, and the *graph neighbourhood*: the label distribution of each of
the record's makers' and cultures' other curated works (optionally of works sharing its culture
and title head word), computed leave-one-out for training rows so that a row never sees its own
label. Multi-maker records ("Arzberg | Hermann Gretsch") pool their makers' neighbourhoods, so the
order in which makers are listed does not matter. An optional dense block (image or e5
embeddings) is appended when given. Heads are one-vs-rest logistic regressions calibrated with
Platt scaling (``CalibratedClassifierCV(method="sigmoid")``), so a confidence of 0.8 means about
80% right.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import MultiLabelBinarizer

ATTRIBUTES = ("material", "era", "use", "type")
MULTI_LABEL = {"material"}
_WORD = re.compile(r"[^\W\d_]+")


@dataclass
class Row:
    """One work as the models see it: free text plus curated label sets (empty = unknown)."""

    id: str
    title: str = ""
    maker: str = ""
    culture: str = ""
    description: str = ""
    labels: dict[str, set[str]] = field(default_factory=dict)


def parts(value: str) -> list[str]:
    """``"A | B"`` -> ``["a", "b"]``: makers and cultures are sets, not ordered strings."""
    return sorted({p.strip().lower() for p in value.split("|") if p.strip()})


def head_word(title: str) -> str:
    """The object word of a title ("Bowl, covered" -> "bowl"; "Pair of vases" -> "vases")."""
    words = _WORD.findall(title.lower().split(",")[0].split("(")[0])
    words = [w for w in words if w not in {"a", "an", "the", "of", "and", "pair", "set", "with"}]
    return words[-1] if words else ""


def _text(row: Row) -> str:
    return " ".join(x for x in (row.title, row.description) if x)


def _makers(row: Row) -> list[str]:
    return parts(row.maker)


def _cultures(row: Row) -> list[str]:
    return parts(row.culture)


def _culture_head(row: Row) -> list[str]:
    head = head_word(row.title)
    return [f"{c}|{head}" for c in parts(row.culture) or [""]] if head else []


def top_classes(classes: list[str], proba: np.ndarray) -> list[tuple[str, float]]:
    """The most probable class and its probability, per row of ``proba`` (columns = ``classes``)."""
    best = proba.argmax(axis=1)
    return [(classes[b], float(proba[i, b])) for i, b in enumerate(best)]


# Named (not lambdas) so that trained models pickle.
KEYS: dict[str, Callable[[Row], list[str]]] = {
    "maker": _makers,
    "culture": _cultures,
    "culture_head": _culture_head,
}


class NeighbourhoodFeatures:
    """Pooled label distribution of the works sharing a key (a maker, a culture, ...), leave-one-out."""

    def __init__(self, attr: str, classes: list[str], key: str) -> None:
        self.attr, self.classes, self.key = attr, classes, key
        self.index = {c: i for i, c in enumerate(classes)}
        self.counts: dict[str, np.ndarray] = {}
        self.totals: Counter = Counter()

    def _row_vec(self, row: Row) -> np.ndarray:
        vec = np.zeros(len(self.classes))
        for label in row.labels.get(self.attr, ()):
            if label in self.index:
                vec[self.index[label]] = 1.0
        return vec

    def fit(self, rows: list[Row]) -> NeighbourhoodFeatures:
        for row in rows:
            if row.labels.get(self.attr):
                vec = self._row_vec(row)
                for k in KEYS[self.key](row):
                    self.counts[k] = self.counts.get(k, 0) + vec
                    self.totals[k] += 1
        return self

    def transform(self, rows: list[Row], leave_one_out: bool) -> np.ndarray:
        out = np.zeros((len(rows), len(self.classes) + 1))
        for i, row in enumerate(rows):
            own = self._row_vec(row) if leave_one_out and row.labels.get(self.attr) else None
            counts, total = np.zeros(len(self.classes)), 0
            for k in KEYS[self.key](row):
                if k in self.counts:
                    counts += self.counts[k] - (own if own is not None else 0)
                    total += self.totals[k] - (1 if own is not None else 0)
            if total > 0:
                out[i, :-1] = counts / total
                out[i, -1] = np.log1p(total)
        return out


class AttributeModel:
    """One calibrated multi-label (or multi-class) head for one attribute."""

    def __init__(
        self,
        attr: str,
        use_neighbourhood: bool = True,
        calibrate: bool = True,
        # culture_head is available but off: on the shared split it cost use accuracy 2.6 points
        # (0.9316 -> 0.9055) for +0.2 on period and nothing on material
        keys: tuple[str, ...] = ("maker", "culture"),
        c: float = 4.0,
        nb_weight: float = 3.0,
    ) -> None:
        self.attr = attr
        self.use_neighbourhood = use_neighbourhood
        self.calibrate = calibrate
        self.keys, self.c, self.nb_weight = keys, c, nb_weight
        self.word = TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True)
        self.char = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 4), min_df=3, max_features=20000, sublinear_tf=True
        )
        self.who = TfidfVectorizer(token_pattern=r"[^|]+", lowercase=True)
        # char n-grams of the maker's name catch "Porzellan", "Glass Company", "Silversmith"
        self.maker_char = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), min_df=2, max_features=20000, sublinear_tf=True
        )

    def _sparse(self, rows: list[Row], fit: bool, dense: np.ndarray | None, loo: bool) -> sparse.csr_matrix:
        texts = [_text(r) for r in rows]
        makers = [r.maker.replace("|", " ") for r in rows]
        who = [
            "|".join(
                [f"m:{m}" for m in parts(r.maker)]
                + [f"c:{c}" for c in parts(r.culture)]
                + [f"w:{t}" for t in (r.maker + " " + r.culture).lower().replace("|", " ").split()]
                + ([f"h:{head_word(r.title)}"] if head_word(r.title) else [])
            )
            for r in rows
        ]
        inputs = ((self.word, texts), (self.char, texts), (self.who, who), (self.maker_char, makers))
        if fit:
            self.empty = set()
            blocks = []
            for i, (vec, docs) in enumerate(inputs):
                try:
                    blocks.append(vec.fit_transform(docs))
                except ValueError:  # empty vocabulary: e.g. a collection without makers
                    self.empty.add(i)
                    blocks.append(sparse.csr_matrix((len(rows), 0)))
        else:
            blocks = [
                sparse.csr_matrix((len(rows), 0)) if i in getattr(self, "empty", ()) else vec.transform(docs)
                for i, (vec, docs) in enumerate(inputs)
            ]
        if self.use_neighbourhood:
            for nb in self.neighbourhoods:
                blocks.append(sparse.csr_matrix(nb.transform(rows, leave_one_out=loo) * self.nb_weight))
        if dense is not None:
            blocks.append(sparse.csr_matrix(dense))
        return sparse.hstack(blocks).tocsr()

    def fit(self, rows: list[Row], dense: np.ndarray | None = None) -> AttributeModel:
        keep = [i for i, r in enumerate(rows) if r.labels.get(self.attr)]
        train = [rows[i] for i in keep]
        label_sets = [sorted(r.labels[self.attr]) for r in train]
        self.mlb = MultiLabelBinarizer().fit(label_sets)
        self.classes = list(self.mlb.classes_)
        self.neighbourhoods = [
            NeighbourhoodFeatures(self.attr, self.classes, k).fit(train) for k in self.keys
        ]
        x = self._sparse(train, True, None if dense is None else dense[keep], loo=True)
        y = self.mlb.transform(label_sets)
        self.heads: list[object | float] = []
        for j in range(y.shape[1]):
            col = y[:, j]
            if col.sum() == 0 or col.sum() == len(col):
                self.heads.append(float(col.mean()))
                continue
            base = LogisticRegression(C=self.c, solver="liblinear", max_iter=500)
            if self.calibrate and min(col.sum(), len(col) - col.sum()) >= 3:
                clf = CalibratedClassifierCV(base, method="sigmoid", cv=3)
            else:
                clf = base
            self.heads.append(clf.fit(x, col))
        return self

    def predict_proba(self, rows: list[Row], dense: np.ndarray | None = None) -> np.ndarray:
        """Calibrated probability per class (columns follow ``self.classes``)."""
        x = self._sparse(rows, False, dense, loo=False)
        out = np.zeros((len(rows), len(self.classes)))
        for j, head in enumerate(self.heads):
            out[:, j] = head if isinstance(head, float) else head.predict_proba(x)[:, 1]
        return out

    def top(self, rows: list[Row], dense: np.ndarray | None = None) -> list[tuple[str, float]]:
        return top_classes(self.classes, self.predict_proba(rows, dense))


class BaselineModel:
    """TF-IDF over title + maker + culture text, plain logistic regression: the yardstick."""

    def __init__(self, attr: str) -> None:
        self.attr = attr
        self.vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)

    def fit(self, rows: list[Row]) -> BaselineModel:
        train = [r for r in rows if r.labels.get(self.attr)]
        # the first label in sorted order is the single target (the baseline is single-label)
        y = [sorted(r.labels[self.attr])[0] for r in train]
        x = self.vec.fit_transform([f"{r.title} {r.maker} {r.culture}" for r in train])
        self.clf = LogisticRegression(max_iter=1000).fit(x, y)
        return self

    def top(self, rows: list[Row]) -> list[tuple[str, float]]:
        x = self.vec.transform([f"{r.title} {r.maker} {r.culture}" for r in rows])
        return top_classes([str(c) for c in self.clf.classes_], self.clf.predict_proba(x))
