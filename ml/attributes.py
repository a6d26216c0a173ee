"""Attribute prediction (material, era, use, object type) from a record's text and graph neighbourhood.

Features are what a record has even when its labels are missing: title words and character
n-grams, the maker and culture, and the *maker's other works* in the graph (the label distribution
of the maker's and the culture's curated works, computed leave-one-out for training rows so that
a row never sees its own label). An optional dense block (image or e5 embeddings) is appended
when given. Heads are one-vs-rest logistic regressions calibrated with Platt scaling
(``CalibratedClassifierCV(method="sigmoid")``), so a confidence of 0.8 means about 80% right.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import MultiLabelBinarizer

ATTRIBUTES = ("material", "era", "use", "type")
MULTI_LABEL = {"material"}


@dataclass
class Row:
    """One work as the models see it: free text plus curated label sets (empty = unknown)."""

    id: str
    title: str = ""
    maker: str = ""
    culture: str = ""
    description: str = ""
    labels: dict[str, set[str]] = field(default_factory=dict)


def _text(row: Row) -> str:
    return " ".join(x for x in (row.title, row.description) if x)


class NeighbourhoodFeatures:
    """Label distributions of a key's (maker, culture) other curated works, leave-one-out."""

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
                k = getattr(row, self.key).strip().lower()
                self.counts[k] = self.counts.get(k, 0) + self._row_vec(row)
                self.totals[k] += 1
        return self

    def transform(self, rows: list[Row], leave_one_out: bool) -> np.ndarray:
        out = np.zeros((len(rows), len(self.classes) + 1))
        for i, row in enumerate(rows):
            k = getattr(row, self.key).strip().lower()
            counts, total = self.counts.get(k), self.totals.get(k, 0)
            if counts is None:
                continue
            counts = counts.copy()
            if leave_one_out and row.labels.get(self.attr):
                counts -= self._row_vec(row)
                total -= 1
            if total > 0:
                out[i, :-1] = counts / total
                out[i, -1] = np.log1p(total)
        return out


class AttributeModel:
    """One calibrated multi-label (or multi-class) head for one attribute."""

    def __init__(self, attr: str, use_neighbourhood: bool = True, calibrate: bool = True) -> None:
        self.attr = attr
        self.use_neighbourhood = use_neighbourhood
        self.calibrate = calibrate
        self.word = TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True)
        self.char = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 4), min_df=3, max_features=20000, sublinear_tf=True
        )
        self.who = TfidfVectorizer(token_pattern=r"[^|]+", lowercase=True)

    def _sparse(self, rows: list[Row], fit: bool, dense: np.ndarray | None, loo: bool) -> sparse.csr_matrix:
        texts = [_text(r) for r in rows]
        who = [
            f"m:{r.maker.strip().lower()}|c:{r.culture.strip().lower()}|"
            + "|".join(f"w:{t}" for t in (r.maker + " " + r.culture).lower().split())
            for r in rows
        ]
        if fit:
            blocks = [
                self.word.fit_transform(texts),
                self.char.fit_transform(texts),
                self.who.fit_transform(who),
            ]
        else:
            blocks = [self.word.transform(texts), self.char.transform(texts), self.who.transform(who)]
        if self.use_neighbourhood:
            for nb in self.neighbourhoods:
                blocks.append(sparse.csr_matrix(nb.transform(rows, leave_one_out=loo) * 3.0))
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
            NeighbourhoodFeatures(self.attr, self.classes, key).fit(train) for key in ("maker", "culture")
        ]
        x = self._sparse(train, True, None if dense is None else dense[keep], loo=True)
        y = self.mlb.transform(label_sets)
        self.heads: list[object | float] = []
        for j in range(y.shape[1]):
            col = y[:, j]
            if col.sum() == 0 or col.sum() == len(col):
                self.heads.append(float(col.mean()))
                continue
            base = LogisticRegression(C=4.0, solver="liblinear", max_iter=500)
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
        proba = self.predict_proba(rows, dense)
        best = proba.argmax(axis=1)
        return [(self.classes[b], float(proba[i, b])) for i, b in enumerate(best)]


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
        proba = self.clf.predict_proba(x)
        best = proba.argmax(axis=1)
        return [(str(self.clf.classes_[b]), float(proba[i, b])) for i, b in enumerate(best)]
