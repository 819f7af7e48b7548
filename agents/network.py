"""The customers' social network (small-world by default).

Word of mouth is a sparse matrix product over this network, dominated by
random reads, so customers are numbered so that friends sit close together:
the ring lattice of a Watts–Strogatz graph already does that for the
unrewired ties; ``reorder="rcm"`` renumbers with reverse Cuthill–McKee and
``reorder="random"`` scatters friends (the slow baseline the benchmark uses).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import reverse_cuthill_mckee

REORDERINGS = ("ring", "rcm", "random")


def small_world(
    sociability: np.ndarray, mean_degree: float, rewire_prob: float, rng: np.random.Generator, reorder: str = "ring"
) -> tuple[sp.csr_matrix, np.ndarray]:
    """A symmetric 0/1 adjacency (float32 CSR) of a Watts–Strogatz-like graph.

    Each customer ties to the next ``h_i`` customers on a ring, ``h_i``
    proportional to their sociability (so sociable customers have more ties,
    001/002), and each tie is rewired to a random customer with
    ``rewire_prob``. Returns the adjacency in the new numbering and the
    permutation ``order`` such that new customer ``k`` was ring position
    ``order[k]`` (apply it to arrays drawn in ring order).
    """
    n = len(sociability)
    mean_soc = float(sociability.mean()) if n else 1.0
    half = np.maximum(np.rint(sociability / max(mean_soc, 1e-12) * mean_degree / 2.0), 0)
    half = np.minimum(half, max(n - 1, 0)).astype(np.int64)
    if mean_degree <= 0 or n < 2:
        half[:] = 0
    n_edges = int(half.sum())
    src = np.repeat(np.arange(n, dtype=np.int64), half)
    step = np.arange(n_edges, dtype=np.int64) - np.repeat(np.cumsum(half) - half, half) + 1
    dst = (src + step) % n
    del step
    rewire = rng.random(n_edges) < rewire_prob
    k = int(rewire.sum())
    dst[rewire] = rng.integers(0, n, size=k)
    self_loop = dst == src
    dst[self_loop] = (dst[self_loop] + 1) % n
    del rewire, self_loop
    rows = np.concatenate([src, dst]).astype(np.int32)
    cols = np.concatenate([dst, src]).astype(np.int32)
    del src, dst
    adj = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n, n))
    del rows, cols
    adj.sum_duplicates()
    adj.data[:] = 1.0
    order = _ordering(adj, rng, reorder)
    if order is not None:
        adj = adj[order][:, order].tocsr()
        adj.sort_indices()
    else:
        order = np.arange(n)
    return adj, order


def _ordering(adj: sp.csr_matrix, rng: np.random.Generator, reorder: str) -> np.ndarray | None:
    if reorder == "ring":
        return None
    if reorder == "rcm":
        rcm: np.ndarray = reverse_cuthill_mckee(adj, symmetric_mode=True).astype(np.int64)
        return rcm
    if reorder == "random":
        return rng.permutation(adj.shape[0])
    raise ValueError(f"network.reorder = {reorder!r}: must be one of {', '.join(REORDERINGS)}")
