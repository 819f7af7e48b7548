"""Atomic writing of result files (DESIGN.md §7-8).

Every writer writes to a temporary file in the destination's own folder and
then renames it over the destination with :func:`os.replace`, which is atomic
on POSIX and Windows within one file system. A reader therefore sees either
the old file, or the complete new one, never a half-written file; if writing
fails, the temporary file is removed and the destination is left untouched.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterator

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
    format from it) and starts with :data:`TMP_PREFIX`.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f"{TMP_PREFIX}{path.stem}-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~UMASK)     # mkstemp makes 0600; use the usual mode
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


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


def save_figure(path: str | os.PathLike, fig: Any, **kwargs: Any) -> Path:
    """Save a matplotlib Figure atomically; the format follows the suffix of ``path``."""
    fmt = kwargs.pop("format", None) or Path(path).suffix.lstrip(".") or "png"
    return write_with(path, lambda tmp: fig.savefig(tmp, format=fmt, **kwargs))
