"""Embeddings beside the store: a float32 matrix + id map, exact cosine top-k, HNSW above a threshold.

Files in ``{data_dir}/vectors/{name}/``: ``vectors.npy`` (L2-normalised rows), ``ids.json`` (row ->
record id, plus the model id that produced them), ``hnsw.bin`` when the index is large. Exact search
is a single matrix-vector product, which is fast enough (and exact) up to tens of thousands of rows;
above ``ann_threshold`` an hnswlib index answers instead.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

ANN_THRESHOLD = 20_000


def _normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


class VectorIndex:
    """An id-keyed set of unit vectors with ``upsert``/``remove``/``search`` and ``save``/``load``."""

    def __init__(self, dim: int, model_id: str = "", ann_threshold: int = ANN_THRESHOLD) -> None:
        self.dim, self.model_id, self.ann_threshold = dim, model_id, ann_threshold
        self.ids: list[str] = []
        self.pos: dict[str, int] = {}
        self.matrix = np.zeros((0, dim), dtype=np.float32)
        self._ann = None

    def __len__(self) -> int:
        return len(self.ids)

    def upsert(self, ids: list[str], vectors: np.ndarray) -> None:
        """Add or replace vectors by id (one row per id)."""
        vectors = _normalise(np.atleast_2d(vectors))
        if vectors.shape != (len(ids), self.dim):
            raise ValueError(f"expected {len(ids)}x{self.dim} vectors, got {vectors.shape}")
        new_rows = []
        for ident, vec in zip(ids, vectors, strict=True):
            if ident in self.pos:
                self.matrix[self.pos[ident]] = vec
            else:
                self.pos[ident] = len(self.ids) + len(new_rows)
                new_rows.append((ident, vec))
        if new_rows:
            self.ids.extend(i for i, _ in new_rows)
            self.matrix = np.vstack([self.matrix, np.stack([v for _, v in new_rows])])
        self._ann = None

    def remove(self, ids: list[str]) -> int:
        """Drop vectors by id; returns how many were present."""
        drop = {self.pos[i] for i in ids if i in self.pos}
        if drop:
            keep = [r for r in range(len(self.ids)) if r not in drop]
            self.ids = [self.ids[r] for r in keep]
            self.matrix = self.matrix[keep]
            self.pos = {ident: r for r, ident in enumerate(self.ids)}
            self._ann = None
        return len(drop)

    def get(self, ident: str) -> np.ndarray | None:
        row = self.pos.get(ident)
        return None if row is None else self.matrix[row]

    def _ann_index(self):
        if self._ann is None:
            import hnswlib

            index = hnswlib.Index(space="cosine", dim=self.dim)
            index.init_index(max_elements=max(len(self.ids), 1), ef_construction=200, M=16, random_seed=0)
            index.add_items(self.matrix, np.arange(len(self.ids)), num_threads=1)
            index.set_ef(max(64, 2 * 50))
            self._ann = index
        return self._ann

    def search(self, query: np.ndarray, k: int = 10, exclude: str | None = None) -> list[tuple[str, float]]:
        """Top-k (id, cosine) best first; ``exclude`` drops one id (the query record itself)."""
        if not self.ids:
            return []
        q = _normalise(np.asarray(query).reshape(-1))
        want = min(len(self.ids), k + (1 if exclude else 0))
        if len(self.ids) >= self.ann_threshold:
            labels, dists = self._ann_index().knn_query(q, k=want)
            pairs = [(self.ids[int(i)], 1.0 - float(d)) for i, d in zip(labels[0], dists[0], strict=True)]
        else:
            scores = self.matrix @ q
            top = np.argpartition(-scores, want - 1)[:want] if want < len(scores) else np.arange(len(scores))
            top = top[np.argsort(-scores[top], kind="stable")]
            pairs = [(self.ids[int(i)], float(scores[i])) for i in top]
        return [p for p in pairs if p[0] != exclude][:k]

    def save(self, directory: str | Path) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        tmp = directory / "vectors.tmp.npy"
        np.save(tmp, self.matrix)
        tmp.replace(directory / "vectors.npy")
        meta = {"dim": self.dim, "model_id": self.model_id, "ids": self.ids}
        (directory / "ids.json.tmp").write_text(json.dumps(meta), encoding="utf-8")
        (directory / "ids.json.tmp").replace(directory / "ids.json")

    @classmethod
    def load(cls, directory: str | Path, dim: int | None = None, model_id: str = "") -> VectorIndex:
        """Load an index; an absent directory gives an empty one (needs ``dim``)."""
        directory = Path(directory)
        meta_path = directory / "ids.json"
        if not meta_path.exists():
            if dim is None:
                raise FileNotFoundError(f"no vector index in {directory}")
            return cls(dim, model_id)
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        index = cls(meta["dim"], meta.get("model_id", ""))
        index.matrix = np.load(directory / "vectors.npy").astype(np.float32)
        index.ids = list(meta["ids"])
        index.pos = {ident: r for r, ident in enumerate(index.ids)}
        return index
