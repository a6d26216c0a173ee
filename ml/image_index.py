"""The collection's image index: one vector per work (its first image item), synced from the store.

Image items are found through the graph (``item hg:partOf/hg:represents work``, ``hg:mediaType``
image/*) and their files under ``{files_dir}/{item-id}/{file-name}``. Embeddings come from the
sha256-keyed cache, so re-syncing after a change only encodes new or changed files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ml.encoders import EmbeddingCache, ImageEncoder, encode_files
from ml.vector_index import VectorIndex


def vectors_dir(ctx) -> Path:
    return Path(ctx.settings.data_dir) / "vectors"


def image_index_dir(ctx, encoder: ImageEncoder) -> Path:
    return vectors_dir(ctx) / ("image-" + encoder.model_id.replace(":", "_").replace("/", "_"))


def image_items(ctx) -> list[tuple[str, str, Path]]:
    """``(work id, item id, path)`` for every image file in the store whose file exists."""
    prefix_w, prefix_i = f"{ctx.iris.base}/id/work/", f"{ctx.iris.base}/id/item/"
    rows = ctx.store.select(
        """SELECT ?w ?item ?name WHERE { ?item a hg:Item ; hg:partOf/hg:represents ?w ;
             hg:fileName ?name ; hg:mediaType ?mt . FILTER(STRSTARTS(STR(?mt), "image/")) }
           ORDER BY ?w ?item"""
    )
    out = []
    for r in rows:
        work, item = r["w"].value.removeprefix(prefix_w), r["item"].value.removeprefix(prefix_i)
        path = Path(ctx.files_dir) / item / r["name"].value
        if path.is_file():
            out.append((work, item, path))
    return out


def sync_image_index(ctx, encoder: ImageEncoder, progress=None) -> dict:
    """Bring the image index in line with the store; returns counts and per-file errors."""
    directory = image_index_dir(ctx, encoder)
    index = VectorIndex.load(directory, dim=encoder.dim, model_id=encoder.model_id)
    first: dict[str, tuple[str, Path]] = {}
    for work, item, path in image_items(ctx):
        first.setdefault(work, (item, path))
    removed = index.remove([w for w in list(index.ids) if w not in first])
    result = encode_files(
        encoder,
        [(work, path) for work, (_, path) in first.items()],
        EmbeddingCache(vectors_dir(ctx), encoder.model_id),
        progress=progress,
    )
    if result.ids:
        index.upsert(result.ids, result.vectors)
    index.save(directory)
    return {
        "works": len(index),
        "encoded": len(result.ids) - result.cached,
        "cached": result.cached,
        "removed": removed,
        "errors": result.errors,
    }


def load_image_index(ctx, encoder: ImageEncoder) -> VectorIndex:
    return VectorIndex.load(image_index_dir(ctx, encoder), dim=encoder.dim, model_id=encoder.model_id)


def pca_map(index: VectorIndex, directory: Path) -> dict:
    """2-D PCA of the index, cached as ``map.npz`` beside it (rebuilt when the ids change)."""
    cache = Path(directory) / "map.npz"
    if cache.exists():
        data = np.load(cache, allow_pickle=False)
        if list(data["ids"]) == index.ids:
            return {
                "ids": index.ids,
                "xy": data["xy"],
                "mean": data["mean"],
                "components": data["components"],
            }
    x = index.matrix.astype(np.float64)
    mean = x.mean(axis=0) if len(x) else np.zeros(index.dim)
    if len(x) >= 2:
        _, _, vt = np.linalg.svd(x - mean, full_matrices=False)
        components = vt[:2]
        if components.shape[0] < 2:
            components = np.vstack([components, np.zeros((2 - components.shape[0], index.dim))])
    else:
        components = np.eye(2, index.dim)
    # a deterministic sign so the map does not flip between rebuilds
    signs = np.sign(components[np.arange(2), np.abs(components).argmax(axis=1)])
    components = components * signs[:, None]
    xy = (x - mean) @ components.T if len(x) else np.zeros((0, 2))
    Path(directory).mkdir(parents=True, exist_ok=True)
    np.savez(cache, ids=np.array(index.ids, dtype=str), xy=xy, mean=mean, components=components)
    return {"ids": index.ids, "xy": xy, "mean": mean, "components": components}


def project(point_map: dict, vector: np.ndarray) -> tuple[float, float]:
    """Where a new (normalised) vector falls on the cached map."""
    v = np.asarray(vector, dtype=np.float64)
    v = v / max(float(np.linalg.norm(v)), 1e-12)
    xy = (v - point_map["mean"]) @ point_map["components"].T
    return float(xy[0]), float(xy[1])
