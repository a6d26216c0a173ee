"""Image encoders behind one interface, with an on-disk embedding cache keyed by sha256 + model id.

The default is MobileNetV2 with the shipped ImageNet weights (``ml/mobilenet.py``). When
``settings.clip_weights_dir`` points at a local directory loadable by ``transformers.CLIPModel``,
``CLIPEncoder`` is used instead and can also embed text, which switches text-to-image search on.
Without CLIP, text-to-image search is done by searching the records' text (e5) and showing their
images. Encoding is batched, deterministic (eval mode, no dropout, fixed resize) and reports
per-file failures instead of stopping the batch.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from ml.image_io import ImageRejected, load_rgb

SIZE = 224
# One image (an explorer query) is encoded on one thread: measured on the shared 2-core machine
# under load, 2 intra-op threads took 768 ms wall / 305 ms CPU per image (the threads wait on each
# other when a core is busy elsewhere), 1 thread 54 ms wall / 22 ms CPU. Batches keep all threads.
QUERY_THREADS = 1


@contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Run the block with ``n`` torch intra-op threads, then restore the previous count."""
    previous = torch.get_num_threads()
    if previous != n:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        if previous != n:
            torch.set_num_threads(previous)


class ImageEncoder:
    """``encode(images) -> (n, dim) float32`` for RGB PIL images; ``model_id`` names it in PROV."""

    model_id: str = ""
    dim: int = 0
    supports_text: bool = False

    def encode(self, images: list[Image.Image]) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError

    def encode_text(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError(f"{self.model_id} has no text tower; text-to-image needs CLIP weights")


def _to_tensor(image: Image.Image, mean, std) -> torch.Tensor:
    # Resize the short side then centre-crop: deterministic and aspect-preserving.
    w, h = image.size
    scale = SIZE / min(w, h)
    image = image.resize((max(SIZE, round(w * scale)), max(SIZE, round(h * scale))), Image.BILINEAR)
    w, h = image.size
    left, top = (w - SIZE) // 2, (h - SIZE) // 2
    image = image.crop((left, top, left + SIZE, top + SIZE))
    arr = np.asarray(image, dtype=np.float32) / 255.0
    arr = (arr - np.array(mean, dtype=np.float32)) / np.array(std, dtype=np.float32)
    return torch.from_numpy(arr.transpose(2, 0, 1).copy())


class MobileNetEncoder(ImageEncoder):
    """1280-d pooled MobileNetV2 features (ImageNet weights shipped in a registry package)."""

    dim = 1280

    def __init__(self) -> None:
        from ml.mobilenet import IMAGENET_MEAN, IMAGENET_STD, MODEL_ID, load_mobilenet_v2

        self.model = load_mobilenet_v2().eval()
        self.model_id, self.mean, self.std = MODEL_ID, IMAGENET_MEAN, IMAGENET_STD

    @torch.inference_mode()
    def encode(self, images: list[Image.Image]) -> np.ndarray:
        if not images:
            return np.zeros((0, self.dim), dtype=np.float32)
        batch = torch.stack([_to_tensor(im, self.mean, self.std) for im in images])
        if len(images) == 1:
            with torch_threads(QUERY_THREADS):
                return self.model.embed(batch).float().numpy()
        return self.model.embed(batch).float().numpy()

    @torch.inference_mode()
    def logits(self, images: list[Image.Image]) -> np.ndarray:
        batch = torch.stack([_to_tensor(im, self.mean, self.std) for im in images])
        return self.model(batch).float().numpy()


class CLIPEncoder(ImageEncoder):
    """A local CLIP checkpoint (``transformers.CLIPModel`` directory); never downloads."""

    supports_text = True

    def __init__(self, weights_dir: Path) -> None:
        from transformers import CLIPModel, CLIPProcessor

        self.model = CLIPModel.from_pretrained(str(weights_dir), local_files_only=True).eval()
        self.processor = CLIPProcessor.from_pretrained(str(weights_dir), local_files_only=True)
        self.model_id = f"clip:{Path(weights_dir).name}"
        self.dim = int(self.model.config.projection_dim)

    @torch.inference_mode()
    def encode(self, images: list[Image.Image]) -> np.ndarray:
        inputs = self.processor(images=images, return_tensors="pt")
        return self.model.get_image_features(**inputs).float().numpy()

    @torch.inference_mode()
    def encode_text(self, texts: list[str]) -> np.ndarray:
        inputs = self.processor(text=texts, return_tensors="pt", padding=True, truncation=True)
        return self.model.get_text_features(**inputs).float().numpy()


_ENCODERS: dict[str, ImageEncoder] = {}


def get_image_encoder(settings=None) -> ImageEncoder:
    """CLIP when configured with an existing directory, else MobileNetV2; loaded once per process."""
    clip_dir = getattr(settings, "clip_weights_dir", None) if settings is not None else None
    key = str(clip_dir) if clip_dir and Path(clip_dir).is_dir() else "mobilenet"
    if key not in _ENCODERS:
        _ENCODERS[key] = CLIPEncoder(Path(clip_dir)) if key != "mobilenet" else MobileNetEncoder()
    return _ENCODERS[key]


@dataclass
class BatchResult:
    """Embeddings for the files that worked, and one error line per file that did not."""

    ids: list[str] = field(default_factory=list)
    vectors: np.ndarray | None = None
    errors: dict[str, str] = field(default_factory=dict)
    cached: int = 0


class EmbeddingCache:
    """``{data_dir}/vectors/cache/{model_id}/{sha256}.npy``: re-encoding an unchanged file is free."""

    def __init__(self, root: Path, model_id: str) -> None:
        self.dir = Path(root) / "cache" / model_id.replace("/", "_").replace(":", "_")
        self.dir.mkdir(parents=True, exist_ok=True)

    def get(self, sha256: str) -> np.ndarray | None:
        path = self.dir / f"{sha256}.npy"
        return np.load(path) if path.exists() else None

    def put(self, sha256: str, vector: np.ndarray) -> None:
        tmp = self.dir / f"{sha256}.tmp.npy"
        np.save(tmp, vector.astype(np.float32))
        tmp.replace(self.dir / f"{sha256}.npy")


def encode_files(
    encoder: ImageEncoder,
    files: list[tuple[str, Path]],
    cache: EmbeddingCache | None = None,
    batch_size: int = 16,
    progress: Callable[[int], None] | None = None,
) -> BatchResult:
    """Encode ``(id, path)`` pairs in batches; a bad file is reported in ``errors`` and skipped."""
    result = BatchResult()
    vectors: list[np.ndarray] = []
    pending: list[tuple[str, str, Image.Image]] = []

    def flush() -> None:
        if not pending:
            return
        embs = encoder.encode([im for _, _, im in pending])
        for (ident, digest, _), emb in zip(pending, embs, strict=True):
            if cache is not None:
                cache.put(digest, emb)
            result.ids.append(ident)
            vectors.append(emb)
        if progress:
            progress(len(pending))
        pending.clear()

    for ident, path in files:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            result.errors[ident] = f"{path}: cannot read ({exc.strerror})"
            continue
        digest = hashlib.sha256(data).hexdigest()
        hit = cache.get(digest) if cache is not None else None
        if hit is not None:
            result.ids.append(ident)
            vectors.append(hit)
            result.cached += 1
            continue
        try:
            pending.append((ident, digest, load_rgb(data, str(path))))
        except ImageRejected as exc:
            result.errors[ident] = str(exc)
            continue
        if len(pending) >= batch_size:
            flush()
    flush()
    result.vectors = (
        np.stack(vectors).astype(np.float32) if vectors else np.zeros((0, encoder.dim), np.float32)
    )
    return result
