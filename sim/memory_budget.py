"""Whether a run fits in this machine's memory, checked before anything is built.

Customer state is columnar (one array per attribute), so a market's memory
grows in proportion to its customers: ``engine.bytes_per_customer`` bytes per
customer and live model (measured with tracemalloc; a test keeps the figure
an upper bound of the engine's real peak). A run that would need more than
``engine.memory_share`` of the memory available now is refused with one line
saying what would fit, instead of swapping or being killed hours later.
"""

from __future__ import annotations

from pathlib import Path

from sim.config import ConfigError, EngineConfig

MEMINFO = Path("/proc/meminfo")
GB = 1e9


def available_memory() -> int | None:
    """Bytes of memory available to a new process now (Linux's MemAvailable),
    or None where the system does not say."""
    try:
        for line in MEMINFO.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def check_fits(
    n_customers: int,
    models: int,
    engine: EngineConfig,
    where: str = "",
    available: int | None = None,
    key: str = "market.n_customers",
) -> None:
    """Raise ConfigError if ``models`` live markets of ``n_customers`` each
    would need more than ``engine.memory_share`` of the available memory
    (``available`` bytes; default: what the system reports now). ``where``
    says what holds the models (e.g. "2 workers x 2 markets")."""
    available = available_memory() if available is None else available
    if available is None:
        return
    budget = engine.memory_share * available
    per_customer = engine.bytes_per_customer * models
    need = n_customers * per_customer
    if need <= budget:
        return
    fit = int(budget // per_customer)
    if fit >= 1000:  # three significant digits, rounded down
        unit = 10 ** (len(str(fit)) - 3)
        fit = fit // unit * unit
    held = f" ({where})" if where else ""
    raise ConfigError(
        f"{key} = {n_customers}: needs about {need / GB:.1f} GB for {models} live "
        f"market{'s' if models != 1 else ''}{held} at {engine.bytes_per_customer:g} B per customer, "
        f"but {engine.memory_share:.0%} of the {available / GB:.1f} GB available now is "
        f"{budget / GB:.1f} GB; at most about {fit:,} customers fit"
    )
