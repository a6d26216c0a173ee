"""Keep the vector indexes in step with the store after a write: DESIGN §3 keeps vectors beside
the store, and they must follow records and files as they change.

Only indexes that already exist are refreshed. The first build over a whole collection is
`heritage embed`'s job (minutes for thousands of images), not a side effect of one upload; after
that, each refresh re-encodes just what changed (embeddings are cached by file sha256 + model,
passages by digest). One lock serialises refreshes, since each rewrites its index files."""

from __future__ import annotations

import threading

from ml.encoders import get_image_encoder
from ml.image_index import image_index_dir, sync_image_index
from ml.semantic_search import build_text_index, text_index_dir

_LOCK = threading.Lock()


def existing_indexes(ctx) -> dict[str, bool]:
    """Which indexes have been built in this data directory (and so should be kept current)."""
    encoder = get_image_encoder(ctx.settings)
    return {
        "images": (image_index_dir(ctx, encoder) / "ids.json").exists(),
        "texts": (text_index_dir(ctx) / "ids.json").exists(),
    }


def refresh_indexes(ctx, images: bool = True, texts: bool = True) -> dict:
    """Bring the existing image and/or text index up to date; returns what changed."""
    out: dict = {}
    with _LOCK:
        present = existing_indexes(ctx)
        if images and present["images"]:
            report = sync_image_index(ctx, get_image_encoder(ctx.settings))
            report["errors"] = len(report.get("errors", {}))
            out["images"] = report
        if texts and present["texts"]:
            out["texts_embedded"] = build_text_index(ctx)
    return out
