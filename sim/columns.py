"""Per-firm totals over all customers of ``[n, n_firms]`` columns, and other
helpers for such arrays.

``x.sum(axis=0)`` on a C-ordered ``[n, 3]`` array runs an inner loop of
length 3 and is ~30x slower than a BLAS product with a vector of ones, which
is what these functions use (exact for counts below 2**24 per firm).
"""

from __future__ import annotations

import functools

import numpy as np

_ONES: dict[int, np.ndarray] = {}


def _ones(n: int) -> np.ndarray:
    if n not in _ONES:
        _ONES.clear()
        _ONES[n] = np.ones(n, dtype=np.float32)
    return _ONES[n]


def column_sum(x: np.ndarray) -> np.ndarray:
    """Sum of each column of a float ``[n, k]`` array (float64 result); of
    each ``[n, k]`` array of a stack ``[..., n, k]`` (each summed as alone)."""
    return (_ones(x.shape[-2]) @ x.astype(np.float32, copy=False)).astype(np.float64)


def column_count(mask: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
    """Number of True values in each column of a boolean ``[n, k]`` array,
    counting only the rows where the boolean ``[n]`` array ``rows`` holds if given."""
    weight = _ones(mask.shape[0]) if rows is None else rows.view(np.uint8).astype(np.float32)
    counts = weight @ mask.view(np.uint8).astype(np.float32)
    return np.rint(counts).astype(np.int64)


def column_mean(x: np.ndarray, mask: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Mean of each column of ``x`` over the rows where ``mask`` holds."""
    mean: np.ndarray = column_sum(x * mask) / np.maximum(count, 1)
    return mean


def colwise(op: np.ufunc, a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``op(a, b)`` broadcast to ``[n, k]`` where an operand is one value per
    row (``[n, 1]``) or per column (``[k]``), iterating down the columns into a
    C-ordered result (or ``out``). The values are numpy's own; its default
    order runs an inner loop over the ``k`` columns for every row, several
    times slower when the columns are a few firms."""
    a, b = np.asarray(a), np.asarray(b)
    if out is None:
        out = np.empty(np.broadcast_shapes(a.shape, b.shape), op.resolve_dtypes((a.dtype, b.dtype, None))[-1])
    result: np.ndarray = op(a, b, out=out, order="F")
    return result


def flat(x: np.ndarray) -> np.ndarray:
    """A flat view of a C-ordered ``[n, k]`` array (an error rather than a
    copy): cell ``(i, j)`` is ``flat(x)[i * k + j]``. Reading or writing many
    cells through one flat index is several times faster than ``x[rows, cols]``."""
    if not x.flags.c_contiguous:
        raise ValueError(f"flat: a C-ordered array is needed, got strides {x.strides}")
    return x.reshape(-1)


def take_rows(x: np.ndarray, rows: slice | np.ndarray) -> np.ndarray:
    """``x[rows]`` for a slice (a view) or an array of row indices (a copy):
    ``np.take`` copies the rows of a narrow ``[n, k]`` array several times
    faster than indexing with an array does."""
    return x[rows] if isinstance(rows, slice) else x.take(rows, axis=0)


def nonzero_cells(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of the True cells of a boolean ``[n, k]`` array, in
    row-major order: ``np.nonzero(mask)``, whose 2-D path is several times
    slower than finding the flat positions."""
    return np.divmod(np.flatnonzero(mask), mask.shape[1])


def any_column(mask: np.ndarray) -> np.ndarray:
    """Rows where any column holds."""
    out: np.ndarray = mask[:, 0].copy()
    for k in range(1, mask.shape[1]):
        out |= mask[:, k]
    return out


@functools.lru_cache(maxsize=256)
def rule_constants(dtype: type, *values: float) -> np.ndarray:
    """A rule's constants as the compiled rule reads them: an array of
    ``dtype`` (float32 as numpy applies a Python float to float32 columns,
    float64 for a float64 rule), read-only and kept for each set of values,
    so a step reads them without building them again."""
    out: np.ndarray = np.array(values, dtype=dtype)
    out.flags.writeable = False
    return out
