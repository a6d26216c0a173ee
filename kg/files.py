"""The file store beside the graph: uploads streamed to disk with a size limit and sha256,
their format detected from content (never from the name), images opened with Pillow's
decompression-bomb guard. Files live at ``{files_dir}/{item-id}/{safe-name}``."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from kg.errors import PayloadTooLarge, UnsupportedFormat, ValidationError

# Above this a picture is treated as a decompression bomb (about a 32k x 32k gigapixel scan).
Image.MAX_IMAGE_PIXELS = 1_100_000_000

MEDIA_TYPES = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "tiff": "image/tiff",
    "glb": "model/gltf-binary",
    "obj": "model/obj",
    "mtl": "model/mtl",
    "ply": "model/ply",
    "ptm": "application/x-ptm",
    "rti": "application/x-rti",
    "nxs": "application/x-nexus",
    "nxz": "application/x-nexus-compressed",
}
IMAGE_FORMATS = {"jpeg", "png", "tiff"}
_OBJ_LINE = re.compile(rb"^(v|vn|vt|f|o|g|usemtl|mtllib|s)\s", re.M)
# Wavefront material libraries (an OBJ's colours and texture maps): every statement one of these
_MTL_KEYWORDS = frozenset(
    b"newmtl ka kd ks ke ns ni d tr tf illum sharpness bump disp decal refl norm aniso anisor "
    b"pr pm ps pc pcr map_ka map_kd map_ks map_ke map_ns map_d map_tr map_bump map_pr map_pm map_ps".split()
)


@dataclass
class StoredFile:
    path: Path
    file_name: str
    file_format: str
    media_type: str
    byte_size: int
    sha256: str
    pixel_width: int | None = None
    pixel_height: int | None = None

    def item_fields(self) -> dict:
        fields = {
            "file_name": self.file_name,
            "file_format": self.file_format,
            "media_type": self.media_type,
            "byte_size": self.byte_size,
            "sha256": self.sha256,
        }
        if self.pixel_width:
            fields["pixel_width"] = self.pixel_width
            fields["pixel_height"] = self.pixel_height
        return fields


MAX_NAME_CHARS = 150
MAX_NAME_BYTES = 200  # ext4 and most file systems allow 255 bytes per name, not 255 characters
_INVISIBLE = ("Cc", "Cf", "Co", "Cs", "Cn")  # controls, format (bidi overrides, zero-width), unassigned


def safe_file_name(name: str) -> str:
    """A file name with no directory parts, no traversal, no control or invisible characters
    (a right-to-left override, U+202E, makes ``gnp.exe`` after it show as ``exe.png``), at most
    ``MAX_NAME_CHARS`` characters and ``MAX_NAME_BYTES`` of UTF-8 (a Korean character takes 3),
    its suffix kept."""
    name = unicodedata.normalize("NFKC", name or "").replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in _INVISIBLE)
    name = re.sub(r"[<>:\"|?*]", "", name).strip(" .")
    name = re.sub(r"\s+", "_", name)
    if not name or name in (".", ".."):
        name = "file"
    if len(name) > MAX_NAME_CHARS or len(name.encode()) > MAX_NAME_BYTES:
        stem, dot, suffix = name.rpartition(".")
        tail = f".{suffix}" if dot and stem and len(suffix) <= 16 else ""
        stem = name[: len(name) - len(tail)]
        stem = stem[: MAX_NAME_CHARS - len(tail)].encode()[: MAX_NAME_BYTES - len(tail.encode())]
        name = (stem.decode(errors="ignore").rstrip(" .") or "file") + tail
    return name


def detect_format(head: bytes, suffix_hint: str = "") -> str:
    """The file format from its first bytes. The name's suffix only separates NXS from NXZ,
    which share a header."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head[:4] == b"glTF" and len(head) >= 12 and int.from_bytes(head[4:8], "little") == 2:
        return "glb"
    if head.startswith((b"ply\n", b"ply\r\n")):
        return "ply"
    if head.startswith(b"PTM_1.2"):
        return "ptm"
    if head.startswith(b"#HSH") or head.startswith(b"#PTM") or head.startswith(b"#RTI"):
        return "rti"
    if head[:4] in (b"Nxs ", b" sxN"):
        return "nxz" if suffix_hint.lower() == ".nxz" else "nxs"
    sample = head[:8192]
    if (
        b"\x00" not in sample
        and len(re.findall(rb"^v\s+-?[\d.]+\s+-?[\d.]+\s+-?[\d.]+", sample, re.M)) >= 1
        and _OBJ_LINE.search(sample)
    ):
        return "obj"
    if _is_mtl(sample):
        return "mtl"
    raise UnsupportedFormat(
        "the file's content matches none of the supported formats "
        "(JPEG, PNG, TIFF, OBJ + MTL, GLB, PLY, RTI/PTM, NXS/NXZ)"
    )


def _is_mtl(sample: bytes) -> bool:
    """A Wavefront MTL: text with a ``newmtl`` and nothing but material statements and comments
    (the sample's last line may be cut off, so it is not judged)."""
    if b"\x00" in sample:
        return False
    lines = sample.splitlines()[:-1] if len(sample) >= 8192 else sample.splitlines()
    words = [
        line.split(None, 1)[0].lower()
        for line in lines
        if line.strip() and not line.lstrip().startswith(b"#")
    ]
    return b"newmtl" in words and all(w in _MTL_KEYWORDS for w in words)


def inspect_image(path: Path) -> tuple[int, int]:
    """Decode fully (so truncation shows) under the decompression-bomb guard; (width, height).

    libvips decodes in strips, so checking a 16,000 x 12,000 scan takes ~70 MB instead of the
    ~930 MB Pillow needs to hold it (``python -m bench.bench_pyramid``); Pillow is the fallback
    where pyvips does not import."""
    from kg.pyramid import vips_builder  # kg.pyramid imports this module: not at the top

    vips = vips_builder()
    return _inspect_with_pillow(path) if vips is None else vips.verify_image(path)


def _inspect_with_pillow(path: Path) -> tuple[int, int]:
    try:
        with Image.open(path) as img:
            img.load()
            return img.size
    except Image.DecompressionBombError as exc:
        raise ValidationError(f"image refused as a decompression bomb: {exc}") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(f"the image is damaged or truncated: {exc}") from None


def _finalise(tmp: Path, name: str, item_id: str, files_dir: Path, size: int, digest: str) -> StoredFile:
    with tmp.open("rb") as fh:
        head = fh.read(8192)
    safe = safe_file_name(name)
    try:
        fmt = detect_format(head, Path(safe).suffix)
        width = height = None
        if fmt in IMAGE_FORMATS:
            width, height = inspect_image(tmp)
        target_dir = (files_dir / item_id).resolve()
        if files_dir.resolve() not in target_dir.parents:
            raise ValidationError("invalid item id for a file path")
        target_dir.mkdir(parents=True, exist_ok=True)
        target = target_dir / safe
        try:
            os.replace(tmp, target)
        except OSError as exc:
            with contextlib.suppress(OSError):
                target_dir.rmdir()  # only when empty: leave no trace of a refused upload
            raise ValidationError(f"the file cannot be stored as {safe!r}: {exc.strerror}") from None
    finally:
        if tmp.exists():
            tmp.unlink()
    return StoredFile(target, safe, fmt, MEDIA_TYPES[fmt], size, digest, width, height)


class _UploadWriter:
    """A temporary file in the file store that counts, hashes and limits what is written to it.
    One writer serves the sync and the async upload paths; on any failure nothing is left."""

    def __init__(self, files_dir: Path, limit: int) -> None:
        files_dir.mkdir(parents=True, exist_ok=True)
        self.limit = limit
        self.size = 0
        self.digest = hashlib.sha256()
        fd, tmp_name = tempfile.mkstemp(dir=files_dir, prefix=".upload-")
        self.tmp = Path(tmp_name)
        self.out = os.fdopen(fd, "wb")

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            raise PayloadTooLarge(f"the file exceeds the upload limit of {self.limit} bytes")
        self.digest.update(chunk)
        self.out.write(chunk)

    def abort(self) -> None:
        self.out.close()
        self.tmp.unlink(missing_ok=True)

    def finish(self, name: str, item_id: str, files_dir: Path) -> StoredFile:
        self.out.close()
        if self.size == 0:
            self.tmp.unlink(missing_ok=True)
            raise ValidationError("the uploaded file is empty")
        return _finalise(self.tmp, name, item_id, files_dir, self.size, self.digest.hexdigest())


def store_bytes_iter(
    chunks: Iterable[bytes], name: str, item_id: str, files_dir: Path, limit: int
) -> StoredFile:
    writer = _UploadWriter(files_dir, limit)
    try:
        for chunk in chunks:
            writer.write(chunk)
    except BaseException:
        writer.abort()
        raise
    return writer.finish(name, item_id, files_dir)


async def store_upload(
    chunks: AsyncIterator[bytes], name: str, item_id: str, files_dir: Path, limit: int
) -> StoredFile:
    """Stream an upload to disk; on any failure (too large, client gone) nothing is left behind."""
    writer = _UploadWriter(files_dir, limit)
    try:
        async for chunk in chunks:
            writer.write(chunk)
    except BaseException:
        writer.abort()
        raise
    return writer.finish(name, item_id, files_dir)


def store_path(source: Path, item_id: str, files_dir: Path, limit: int = 1 << 40) -> StoredFile:
    """Copy a local file into the file store (demo collection, CLI)."""
    with source.open("rb") as fh:
        return store_bytes_iter(iter(lambda: fh.read(1 << 20), b""), source.name, item_id, files_dir, limit)


def file_path(files_dir: Path, item_id: str, name: str) -> Path:
    """Resolve a stored file, refusing anything outside the file store."""
    target = (files_dir / item_id / safe_file_name(name)).resolve()
    if files_dir.resolve() not in target.parents:
        raise ValidationError("path outside the file store")
    return target


def remove_item_files(files_dir: Path, item_id: str) -> None:
    target = (files_dir / item_id).resolve()
    if files_dir.resolve() in target.parents and target.is_dir():
        shutil.rmtree(target)
