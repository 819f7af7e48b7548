"""Atomic writing of result files.

Every writer writes to a temporary file in the destination's own folder and
then renames it over the destination with :func:`os.replace`, which is atomic
on POSIX and Windows within one file system. A reader therefore sees either
the old file, or the complete new one, never a half-written file; if writing
fails, the temporary file is removed and the destination is left untouched.

A process killed while writing (``kill -9``, a power cut) cannot remove its
temporary file. While a temporary is being written its writer holds an
exclusive lock on it (:func:`claim`), so the next run into the folder can tell
a stray one from one a live process is writing, and removes the strays
(:func:`remove_stray_temporaries`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

try:
    import fcntl
except ImportError:  # Windows: no flock; a temporary being written cannot be told from a stray
    fcntl = None  # type: ignore[assignment]

TMP_PREFIX = ".tmp-"


def _read_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: the process's umask, read once at import (os.umask cannot be read without setting it)
UMASK = _read_umask()


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success rename it to ``path``.

    The temporary name keeps the destination's suffix (some writers pick the
    format from it) and starts with :data:`TMP_PREFIX`; this process holds a
    lock on it until it is renamed or removed, so that it is never taken for a
    stray (:func:`remove_stray_temporaries`).
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f"{TMP_PREFIX}{path.stem}-", suffix=path.suffix, dir=path.parent)
    if fcntl is not None:
        _lock(fd)  # in use until closed: not a stray (remove_stray_temporaries)
    else:  # (Windows cannot rename a file that is open)
        os.close(fd)
        fd = -1
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~UMASK)  # mkstemp makes 0600; use the usual mode
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise
    finally:
        if fd >= 0:
            os.close(fd)


def _lock(fd: int) -> bool:
    """Take an exclusive advisory lock on an open file or folder without
    waiting; False if another open file description holds it."""
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:  # a file system without locks: treat as free
        return True
    return True


def claim(path: str | os.PathLike) -> int:
    """Open ``path`` (a file or a folder) and lock it exclusively, marking it
    as being written by this process until the returned descriptor is closed
    (or the process ends, however it ends). Raises BlockingIOError if a live
    process holds it."""
    fd = os.open(path, os.O_RDONLY)
    if not _lock(fd):
        os.close(fd)
        raise BlockingIOError(f"{path} is being written by another process")
    return fd


def remove_stray_temporaries(
    folder: str | os.PathLike, subfolders: Iterable[str] = ("figures",), pattern: str = f"{TMP_PREFIX}*"
) -> list[Path]:
    """Remove what a killed run left behind in ``folder`` and its ``subfolders``:
    the entries named like ``pattern`` (files, or staging folders) that no live
    process holds (:func:`claim`); return the removed paths.

    Only this folder and the named subfolders are looked at, so jobs of one
    sweep that share a parent folder each clean only their own.
    """
    removed: list[Path] = []
    for where in (Path(folder), *(Path(folder) / s for s in subfolders)):
        if not where.is_dir():
            continue
        for path in where.glob(pattern):
            if path.is_symlink():
                continue
            try:
                fd = claim(path)
            except (BlockingIOError, FileNotFoundError, PermissionError):
                continue  # being written, or gone meanwhile
            try:
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
            finally:
                os.close(fd)
            removed.append(path)
    return removed


def write_with(path: str | os.PathLike, writer: Callable[[Path], Any]) -> Path:
    """Call ``writer(tmp_path)`` and atomically move the result to ``path``."""
    with atomic_path(path) as tmp:
        writer(tmp)
    return Path(path)


def write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` atomically."""

    def _write(tmp: Path) -> None:
        with open(tmp, "w", encoding=encoding, newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())

    return write_with(path, _write)


def write_parquet(path: str | os.PathLike, table: Any, **kwargs: Any) -> Path:
    """Write a pandas DataFrame as Parquet atomically (without the index by default)."""
    kwargs.setdefault("index", False)
    return write_with(path, lambda tmp: table.to_parquet(tmp, **kwargs))


def write_csv(path: str | os.PathLike, table: Any, **kwargs: Any) -> Path:
    """Write a pandas DataFrame as CSV atomically."""
    return write_text(path, table.to_csv(**kwargs))


#: an SVG larger than this is drawn again with its dense artists rasterised
SVG_MAX_BYTES = 1_000_000
#: an artist with more points than this is dense (rasterised in a too large SVG)
DENSE_POINTS = 1_000
#: how every SVG is written: text as text (small, searchable; the reader's fonts
#: draw it), element ids and the file the same for the same figure (no date)
SVG_STYLE = {"svg.fonttype": "none", "svg.hashsalt": "loyalty-sim"}


def save_figure(path: str | os.PathLike, fig: Any, **kwargs: Any) -> Path:
    """Save a matplotlib Figure atomically; the format follows the suffix of
    ``path``. A PNG also gets its SVG twin beside it (``x.png`` and
    ``x.svg``), each file written atomically, so every figure can be read
    both as a picture and as a scalable drawing (:func:`svg_bytes`). Returns
    ``path``."""
    fmt = kwargs.pop("format", None) or Path(path).suffix.lstrip(".") or "png"
    if fmt == "svg":
        data = svg_bytes(fig, **kwargs)
        return write_with(path, lambda tmp: tmp.write_bytes(data))
    write_with(path, lambda tmp: fig.savefig(tmp, format=fmt, **kwargs))
    if fmt == "png":
        data = svg_bytes(fig, **kwargs)
        write_with(Path(path).with_suffix(".svg"), lambda tmp: tmp.write_bytes(data))
    return Path(path)


def svg_bytes(fig: Any, **kwargs: Any) -> bytes:
    """``fig`` as SVG (:data:`SVG_STYLE`, no date). Above :data:`SVG_MAX_BYTES`
    it is drawn again with its dense artists (lines, scatters, meshes of more
    than :data:`DENSE_POINTS` points) as pictures at the ``dpi`` given; the
    figure is left as it was."""
    import io

    import matplotlib

    kwargs = {**kwargs, "format": "svg", "metadata": {"Date": None, **kwargs.get("metadata", {})}}

    def draw() -> bytes:
        buffer = io.BytesIO()
        with matplotlib.rc_context(SVG_STYLE):
            fig.savefig(buffer, **kwargs)
        return buffer.getvalue()

    data = draw()
    if len(data) <= SVG_MAX_BYTES:
        return data
    dense = [a for a in fig.findobj() if _points(a) > DENSE_POINTS and not a.get_rasterized()]
    for artist in dense:
        artist.set_rasterized(True)
    try:
        return draw()
    finally:
        for artist in dense:
            artist.set_rasterized(False)


def _points(artist: Any) -> int:
    """How many points an artist draws: a line's vertices, a collection's
    offsets or path vertices (0 for anything else)."""
    from matplotlib.collections import Collection
    from matplotlib.lines import Line2D

    if isinstance(artist, Line2D):
        return len(artist.get_xydata())
    if isinstance(artist, Collection):
        offsets = len(artist.get_offsets())
        vertices = sum(len(p.vertices) for p in artist.get_paths())
        return max(offsets, vertices)
    return 0


def folder_problem(path: str | os.PathLike) -> str | None:
    """Why results cannot be written into the folder ``path`` (made if
    missing), or None: checked before a run, so that a long run does not end
    in an error. Probes the nearest existing folder with a temporary folder,
    removed at once. An empty path is refused, not read as the current folder."""
    if not str(path).strip():
        return "must be a folder path, not empty"
    existing = Path(path)
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        return f"{str(existing)!r} is a file, not a folder"
    try:
        os.rmdir(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}probe-", dir=existing))
    except OSError as e:
        return f"cannot write in {str(existing)!r} ({e.strerror or e})"
    return None
