"""The file store on its own: content sniffing, safe names, size limits and cleanup."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from kg.errors import PayloadTooLarge, UnsupportedFormat, ValidationError
from kg.files import detect_format, file_path, remove_item_files, safe_file_name, store_bytes_iter, store_path


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("head", "hint", "fmt"),
    [
        (b"\xff\xd8\xff\xe0rest", "", "jpeg"),
        (b"\x89PNG\r\n\x1a\n....", "", "png"),
        (b"II*\x00....", "", "tiff"),
        (b"glTF\x02\x00\x00\x00\x10\x00\x00\x00", "", "glb"),
        (b"ply\nformat ascii 1.0\n", "", "ply"),
        (b"PTM_1.2\n", "", "ptm"),
        (b"#HSH1.2\n", "", "rti"),
        (b"Nxs \x02\x00", ".nxs", "nxs"),
        (b"Nxs \x02\x00", ".nxz", "nxz"),
        (b"v 0 0 0\nv 1 0 0\nf 1 2 3\n", "", "obj"),
    ],
)
def test_detect_format(head: bytes, hint: str, fmt: str) -> None:
    assert detect_format(head, hint) == fmt


@pytest.mark.parametrize(
    "head", [b"hello world", b"glTF\x01\x00\x00\x00", b"v 1 2\n", b"\x00\x01v 0 0 0\nf 1\n"]
)
def test_detect_format_refuses(head: bytes) -> None:
    with pytest.raises(UnsupportedFormat):
        detect_format(head)


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../x.png", "x.png"),
        ("..\\..\\win.jpg", "win.jpg"),
        ("..", "file"),
        ("a b\x00c.png", "a_bc.png"),
        ("", "file"),
    ],
)
def test_safe_file_name(name: str, safe: str) -> None:
    assert safe_file_name(name) == safe


def test_store_and_limits(tmp_path: Path) -> None:
    files = tmp_path / "files"
    stored = store_bytes_iter([_png()], "../p.png", "item-1", files, limit=1 << 20)
    assert stored.path == (files / "item-1" / "p.png").resolve()
    assert (stored.pixel_width, stored.pixel_height) == (8, 6)
    with pytest.raises(PayloadTooLarge):
        store_bytes_iter([_png()], "q.png", "item-2", files, limit=10)
    with pytest.raises(ValidationError):
        store_bytes_iter([b""], "empty.png", "item-3", files, limit=100)
    with pytest.raises(ValidationError):
        store_bytes_iter([_png()], "p.png", "../../escape", files, limit=1 << 20)
    with pytest.raises(ValidationError):
        store_bytes_iter([_png()[:40]], "cut.png", "item-4", files, limit=1 << 20)
    assert sorted(p.relative_to(files).as_posix() for p in files.rglob("*") if p.is_file()) == [
        "item-1/p.png"
    ]
    with pytest.raises(ValidationError):
        file_path(files, "../..", "x")
    remove_item_files(files, "item-1")
    assert not (files / "item-1").exists()


def test_store_path_copies(tmp_path: Path) -> None:
    src = tmp_path / "src.png"
    src.write_bytes(_png())
    stored = store_path(src, "item-9", tmp_path / "files")
    assert stored.path.read_bytes() == src.read_bytes() and stored.file_format == "png"
