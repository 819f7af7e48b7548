"""Compiled rules: a step's per-customer rules as loops compiled by numba.

A step of a small market was mostly per-call overhead: several hundred numpy
calls of a few microseconds each, whatever the number of customers. A rule
written as one loop over the customers (or relationships) of a block and
compiled once does the same arithmetic in one call, without the temporary
arrays. The loops stay vectorised in the sense that matters here: no Python
runs per customer, every customer follows the same rule, and the random
draws were made for all agents before the step (common random numbers).

Compiled with IEEE semantics (no ``fastmath``), so results are the same on
every run of one machine, and with the GIL released, so
:class:`sim.blocks.RowBlocks` can run blocks on several cores. Compiled code
is cached on disk beside the sources (numba's ``cache=True``): only the
first run on a machine pays the compilation.
"""

from __future__ import annotations

from typing import Any, Callable, TypeAlias, TypeVar

import numba
import numpy as np
from numba.core.dispatcher import Dispatcher

#: a rule to compile; the dispatcher numba returns keeps its signature (calls
#: are checked against it) and the plain Python function as ``py_func``
F = TypeVar("F", bound=Callable[..., Any])

#: a real number as a compiled rule takes one: a Python float or a numpy
#: scalar (most often float32, so that the rule rounds as numpy code would)
Real: TypeAlias = float | np.floating[Any]


def compiled(rule: F) -> Dispatcher[F]:
    """``rule`` compiled to machine code (nopython mode, no GIL, cached,
    IEEE floating point, numpy's error model: a division by zero gives inf
    or nan, as the numpy code it replaces)."""
    return numba.njit(cache=True, nogil=True, fastmath=False, error_model="numpy")(rule)


def inlined(rule: F) -> Dispatcher[F]:
    """``rule`` compiled as :func:`compiled`, and written into every compiled
    rule that calls it (numba's ``inline="always"``): the rule of one
    relationship, called from a loop over a block. A call from one compiled
    function to another is otherwise a real call (each is compiled, and
    cached, on its own), which costs more than a small rule."""
    return numba.njit(inline="always", cache=True, nogil=True, fastmath=False, error_model="numpy")(rule)


def interrupted(error: BaseException) -> bool:
    """True when ``error`` is a Ctrl-C that arrived while a compiled rule ran.
    numba's dispatcher then returns with the KeyboardInterrupt still pending,
    and Python reports a ``SystemError`` ("returned a result with an
    exception set") chained to it, once per compiled call on the way out."""
    seen = 0
    link: BaseException | None = error
    while link is not None and seen < 32:
        if isinstance(link, KeyboardInterrupt):
            return True
        link, seen = link.__cause__ or link.__context__, seen + 1
    return False
