"""Observed data in the simulator's time unit (issue 6, item 2).

A transaction log becomes one row per customer and period with a purchase
(``customer_id``, ``period``, ``amount`` summed over the period), because a
simulated customer has at most one purchase occasion per step: both the
simulator and the standard models then see the same data. Periods count from
1; a customer's first purchase period is their entry into the cohort, and
purchases in later periods are repeat purchases (the convention of the
BG/NBD literature on CDNOW, Fader, Hardie & Lee 2005).

A survival table is a list of counts: the cohort at the start, then the
customers still active after each period (Fader & Hardie 2007).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.calibration.config import SurvivalData, TransactionData
from sim.config import ConfigError

PACKAGE_PREFIX = "package://"


@dataclass(frozen=True)
class CohortLog:
    """Purchases of a cohort of new customers, one row per customer and period."""
    purchases: pd.DataFrame         # customer_id, period, amount

    @property
    def entry(self) -> pd.Series:
        """Each customer's first purchase period (their entry into the cohort)."""
        return self.purchases.groupby("customer_id", sort=True)["period"].min()

    def upto(self, last: int) -> "CohortLog":
        """The purchases up to and including period ``last``."""
        return CohortLog(self.purchases[self.purchases["period"] <= last])

    def between(self, first: int, last: int) -> pd.DataFrame:
        """Purchases in periods ``first``..``last``."""
        p = self.purchases["period"]
        return self.purchases[(p >= first) & (p <= last)]


def resolve_path(path: str) -> Path:
    """A file path, or ``package://<package>/<file>`` inside an installed package."""
    if path.startswith(PACKAGE_PREFIX):
        package, _, inner = path[len(PACKAGE_PREFIX):].partition("/")
        try:
            root = resources.files(package)
        except ModuleNotFoundError:
            raise ConfigError(f"calibration.transactions.path = {path!r}: package {package!r} is not "
                              "installed") from None
        return Path(str(root / inner))
    return Path(path)


def read_transactions(cfg: TransactionData) -> CohortLog:
    """The transaction log of ``cfg`` as purchases per customer and period."""
    where = "calibration.transactions"
    path = resolve_path(cfg.path)
    if not path.is_file():
        raise ConfigError(f"{where}.path = {cfg.path!r}: no such file; must be a CSV, Parquet or text "
                          "transaction log")
    if path.suffix.lower() == ".parquet":
        raw = pd.read_parquet(path)
    elif cfg.separator == "whitespace":
        raw = pd.read_csv(path, sep=r"\s+", header=0 if cfg.header else None,
                          names=None if cfg.header else list(cfg.columns), dtype=str)
    else:
        raw = pd.read_csv(path, sep=cfg.separator, header=0 if cfg.header else None,
                          names=None if cfg.header else list(cfg.columns), dtype=str)
    for key in ("customer", "date", "amount"):
        column = getattr(cfg, key)
        if column not in raw.columns:
            raise ConfigError(f"{where}.{key} = {column!r}: not a column of {path.name}; "
                              f"columns: {', '.join(map(str, raw.columns))}")
    try:
        dates = pd.to_datetime(raw[cfg.date].astype(str), format=cfg.date_format or "ISO8601")
    except (ValueError, TypeError) as e:
        raise ConfigError(f"{where}.date_format = {cfg.date_format!r}: does not read the dates of "
                          f"{path.name} ({str(e).splitlines()[0]})") from None
    amounts = pd.to_numeric(raw[cfg.amount], errors="coerce")
    if amounts.isna().any():
        bad = raw.loc[amounts.isna(), cfg.amount].iloc[0]
        raise ConfigError(f"{where}.amount = {cfg.amount!r}: column holds {bad!r}; must hold numbers")
    try:
        start = pd.Timestamp(cfg.start) if cfg.start else dates.min()
    except ValueError:
        raise ConfigError(f"{where}.start = {cfg.start!r}: must be a date (YYYY-MM-DD) or ''") from None
    period = (dates - start).dt.days // cfg.days_per_period + 1
    log = pd.DataFrame({"customer_id": raw[cfg.customer].astype(str), "period": period.astype("int64"),
                        "amount": amounts.astype(float)})
    log = log[log["period"] >= 1]
    return CohortLog(log.groupby(["customer_id", "period"], as_index=False, sort=True)["amount"].sum())


def read_survival(cfg: SurvivalData) -> np.ndarray:
    """The survival table of ``cfg``: the cohort's size, then the active customers after each period."""
    where = "calibration.survival"
    if cfg.path:
        path = resolve_path(cfg.path)
        if not path.is_file():
            raise ConfigError(f"{where}.path = {cfg.path!r}: no such file; must be a CSV with a column 'active'")
        table = pd.read_csv(path)
        if "active" not in table.columns:
            raise ConfigError(f"{where}.path = {cfg.path!r}: has no column 'active' "
                              f"(columns: {', '.join(map(str, table.columns))})")
        counts = table["active"].to_numpy(dtype=float)
    else:
        counts = np.asarray(cfg.active, dtype=float)
    if len(counts) < 2 or counts[0] <= 0 or np.any(np.diff(counts) > 0) or np.any(counts < 0):
        raise ConfigError(f"{where}.active = {counts.tolist()!r}: must be non-increasing counts, the "
                          "cohort's size first")
    return counts
