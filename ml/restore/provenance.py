"""Results are new Items ``derivedFrom`` the original, with a PROV activity (method, parameters,
metrics); the original file is never overwritten. The record dict follows ``mappings.record``
and the file layout ``kg.files`` (``{files_dir}/{item-id}/{file-name}``); the lead's record
store writes the dict."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from kg.errors import Conflict, ValidationError
from kg.files import safe_file_name
from ml.restore.io import to_png_bytes

SOFTWARE = "heritage-graph ml.restore"


def derived_item_record(
    *,
    item_id: str,
    source_item_id: str,
    part_of: str,
    file_name: str,
    data: bytes,
    method: str,
    parameters: dict | None = None,
    metrics: dict | None = None,
    pixel_size: tuple[int, int] | None = None,
    title: dict[str, str] | None = None,
    rights: str | None = None,
    media_type: str = "image/png",
    file_format: str = "png",
) -> dict:
    """The record dict of a derived Item (pure: no I/O); ``pixel_size`` is (width, height)."""
    if item_id == source_item_id:
        raise ValidationError("a derived item needs its own id: the original is never overwritten")
    if not part_of:
        raise ValidationError("a derived item must be part of an instance (part_of)")
    record: dict = {
        "kind": "item",
        "id": item_id,
        "identifier": item_id,
        "title": title or {"en": f"{method} of {source_item_id}"},
        "part_of": part_of,
        "file_name": safe_file_name(file_name),
        "media_type": media_type,
        "file_format": file_format,
        "byte_size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "derived_from": [source_item_id],
        "provenance": {
            "method": method,
            "parameters": parameters or {},
            "metrics": metrics or {},
            "software": SOFTWARE,
        },
    }
    if pixel_size is not None:
        record["pixel_width"], record["pixel_height"] = int(pixel_size[0]), int(pixel_size[1])
    if rights:
        record["rights"] = rights
    return record


def write_result_file(files_dir: str | Path, item_id: str, file_name: str, data: bytes) -> Path:
    """Write ``data`` to ``{files_dir}/{item_id}/{file_name}``; refuses to replace any existing file,
    so neither the original nor an earlier result can be overwritten."""
    files_dir = Path(files_dir).resolve()
    target_dir = (files_dir / item_id).resolve()
    if files_dir not in target_dir.parents:
        raise ValidationError(f"invalid item id for a file path: {item_id!r}")
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / safe_file_name(file_name)
    try:
        with target.open("xb") as handle:  # "x": fail rather than overwrite
            handle.write(data)
    except FileExistsError as exc:
        raise Conflict(f"{target} exists; results are written as new files only") from exc
    return target


def save_derived_image(
    files_dir: str | Path,
    image: np.ndarray,
    *,
    item_id: str,
    source_item_id: str,
    part_of: str,
    method: str,
    parameters: dict | None = None,
    metrics: dict | None = None,
    file_name: str | None = None,
) -> tuple[Path, dict]:
    """PNG-encode a result, write it as a new file and return (path, record dict)."""
    data = to_png_bytes(image)
    name = file_name or f"{item_id}.png"
    path = write_result_file(files_dir, item_id, name, data)
    record = derived_item_record(
        item_id=item_id,
        source_item_id=source_item_id,
        part_of=part_of,
        file_name=name,
        data=data,
        method=method,
        parameters=parameters,
        metrics=metrics,
        pixel_size=(image.shape[1], image.shape[0]),
    )
    return path, record
