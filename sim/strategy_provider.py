"""Where the engine finds the strategies a firm's config names.

A firm's config lists its strategies as names, mappings or ready objects
(:class:`strategies.base.Strategy` instances, or functions of a
:class:`sim.context.StepContext`). The engine turns the list into objects
through a *strategy provider*: an entry point in the ``loyalty_sim.strategies``
group (``pyproject.toml``) naming a function ``specs -> list of strategies``.
The built-in :mod:`strategies` package is the provider this project installs;
the engine itself imports nothing from it, so that strategies build on the
engine and not the other way round (a plugin, as pytest finds its plugins).
"""

from __future__ import annotations

import functools
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, Callable, Protocol

from sim.config import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from sim.context import StepContext

#: the entry-point group of strategy providers
GROUP = "loyalty_sim.strategies"


class StrategyHooks(Protocol):
    """What the engine calls of a strategy a provider returns (as
    :class:`strategies.base.Strategy` defines them)."""

    def setup(self, ctx: StepContext) -> None: ...

    def adjust_offer(self, ctx: StepContext) -> None: ...

    def after_step(self, ctx: StepContext) -> None: ...


#: a strategy provider: a firm's config list -> its strategies
Provider = Callable[[Any], list[StrategyHooks]]


@functools.cache
def _provider() -> Provider:
    found = sorted(entry_points(group=GROUP), key=lambda ep: ep.name)
    if not found:
        raise ConfigError(
            f"strategies = (none installed): no strategy provider in the entry-point group {GROUP!r}; "
            "install the project (make setup) so that the built-in strategies are found"
        )
    provider: Provider = found[0].load()
    return provider


def resolve_strategies(specs: Any) -> list[StrategyHooks]:
    """The strategy objects of a firm's config list (names, mappings,
    instances or functions), built by the installed provider; an empty
    list needs none."""
    if not specs:
        return []
    return _provider()(specs)
