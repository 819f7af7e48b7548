"""Typed configuration of a calibration.

``conf/calibrate.yaml`` extends :class:`CalibrateApp` (registered with Hydra
as ``calibrate_schema`` by :mod:`experiments.calibration.cli`); the named
calibrations in ``conf/calibration/`` set the data, the split and the
parameters to fit. :func:`validate_calibration` checks every value and that
each fitted parameter is a numeric market key whose range lies inside the
key's own allowed range.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from sim.config import ConfigError, MarketConfig, _resolve_type, param, validate


@dataclass
class ParameterRange:
    """One market parameter the calibration fits, and the range it searches."""
    key: str = param("customers.purchase_rate_mean", doc="dotted market key (e.g. customers.exit_rate_mean)")
    lo: float = param(0.0, doc="lowest value tried")
    hi: float = param(1.0, doc="highest value tried")
    log: bool = param(False, doc="search on a log scale (for rates spanning orders of magnitude)")


def _default_parameters() -> list:
    return [
        ParameterRange("customers.purchase_rate_mean", 0.02, 0.6, True),
        ParameterRange("customers.purchase_rate_shape", 0.05, 5.0, True),
        ParameterRange("customers.exit_rate_mean", 0.001, 0.1, True),
        ParameterRange("customers.exit_rate_shape", 0.05, 5.0, True),
        ParameterRange("churn.disappointed_defect_prob", 0.0, 0.6, False),
        ParameterRange("customers.spend_median", 5.0, 100.0, True),
        ParameterRange("customers.spend_sigma", 0.1, 1.5, False),
    ]


#: the separators a text log may use, by name, and the literal characters accepted too
SEPARATORS = {"comma": ",", "semicolon": ";", "tab": "\t", "whitespace": r"\s+",
              ",": ",", ";": ";", "\t": "\t"}


@dataclass
class TransactionData:
    """A transaction log: one row per purchase (customer, date, amount)."""
    path: str = param("package://lifetimes/datasets/CDNOW_sample.txt",
                      doc="CSV, Parquet or whitespace-separated text; package://<package>/<file> "
                          "reads a file shipped inside an installed package")
    separator: str = param("whitespace", doc="column separator of a text file: comma, semicolon, tab, or "
                           "whitespace (any run of spaces and tabs)", choices=tuple(SEPARATORS))
    header: bool = param(False, doc="the text file's first line names the columns")
    columns: list = param(["master_id", "customer_id", "date", "quantity", "amount"],
                          doc="column names of a text file without a header line")
    customer: str = param("customer_id", doc="column of the customer id")
    date: str = param("date", doc="column of the purchase date")
    amount: str = param("amount", doc="column of the amount spent (a number >= 0)")
    date_format: str = param("%Y%m%d", doc="strptime format of dates written as text (e.g. %Y-%m-%d, "
                             "%d/%m/%Y); '' = ISO 8601; unused for a column that already holds dates "
                             "(Parquet)")
    start: str = param("", doc="first day of period 1 (YYYY-MM-DD, on or before the first purchase); "
                       "'' = the day of the first purchase")
    days_per_period: int = param(7, 1, 3660, "days in one period (one simulated step: 7 = weekly)")


@dataclass
class SurvivalData:
    """A cohort survival table: customers still active after each period."""
    path: str = param("", doc="CSV or Parquet file, one row per period (period 0 first) with the "
                      "counts in the column named by 'column'; '' = the inline list 'active'")
    column: str = param("active", doc="column of the file holding the counts")
    active: list = param([], doc="customers still active at the start (period 0) and after each period")
    steps_per_period: int = param(12, 1, 10_000, "simulated steps in one period of the table "
                                  "(12 = yearly periods on a monthly market)")


@dataclass
class LossWeights:
    """Weights of the parts of the calibration loss (stated in the report)."""
    curve: float = param(1.0, 0.0, 1e6, "cumulative repeat purchases by period (squared relative error)")
    frequency: float = param(1.0, 0.0, 1e6, "share of customers by number of repeat purchases")
    recency: float = param(1.0, 0.0, 1e6, "share of repeat buyers by periods since their last purchase")
    spend: float = param(0.2, 0.0, 1e6, "log quantiles (10%, 50%, 90%) of each customer's mean amount")
    survival: float = param(1.0, 0.0, 1e6, "share of the cohort still active by period (squared error)")


@dataclass
class CalibrationConfig:
    """Fit the market's base behaviour to observed data."""
    name: str = param("cdnow", doc="name of the calibration; also the calibrated market's name")
    description: str = param("", doc="what the data are (shown in the report)")
    kind: str = param("transactions", doc="kind of data", choices=("transactions", "survival"))
    transactions: TransactionData = field(default_factory=TransactionData)
    survival: SurvivalData = field(default_factory=SurvivalData)
    firm: str = param("Focal", doc="the market's firm whose customers the data are")
    calibration_periods: int = param(39, 1, 100_000, "periods the fit sees (from period 1)")
    holdout_periods: int = param(39, 0, 100_000, "periods after the calibration periods that are forecast "
                                 "and compared with the data (the data must cover them)")
    forecast_periods: int = param(0, 0, 100_000, "periods after the holdout that are forecast without "
                                  "data to compare (beyond the data's end)")
    entry_periods: int = param(0, 0, 100_000, "periods in which the simulated cohort is acquired "
                               "(0 = up to the data's last first purchase)")
    parameters: list = field(default_factory=_default_parameters,
                             metadata={"doc": "market parameters to fit, each {key, lo, hi, log}"})
    trials: int = param(60, 1, 100_000, "Optuna trials")
    seed: int = param(0, 0, 2**31 - 1, "seed of the sampler and of the simulated markets")
    replications: int = param(2, 1, 1000, "simulated markets per trial (the same seeds in every trial)")
    forecast_replications: int = param(8, 1, 1000, "simulated markets of the holdout forecast "
                                       "(seeds other than the fit's)")
    n_customers: int = param(40_000, 100, 100_000_000, "customers of each simulated market")
    burn_in: int = param(52, 0, 1_000_000, "steps simulated before period 1 (steady state)")
    frequency_cap: int = param(7, 1, 1000, "repeat purchases from which customers share one class")
    neighbours: int = param(50, 1, 100_000, "simulated customers behind each conditional forecast")
    loss: LossWeights = field(default_factory=LossWeights)
    market_out: str = param("", doc="also write the calibrated market here (e.g. conf/market/cdnow.yaml)")
    figures: bool = param(True, doc="draw the tracking plot")


@dataclass
class CalibrateApp:
    """The top-level config of ``loyalty-sim-calibrate``: a market and a calibration of it."""
    market: MarketConfig = field(default_factory=MarketConfig)
    calibration: CalibrationConfig = field(default_factory=CalibrationConfig)


_ITEMS = {"parameters": ParameterRange}


def validate_calibration(cfg: dict) -> None:
    """Check a calibration app config (a resolved dict): every key and range,
    the fitted parameters against the market schema, and that some period is
    forecast. Raises one ConfigError naming key, value and what is allowed.
    The data themselves are checked as they are read
    (:mod:`experiments.calibration.observed`)."""
    cal = dict(cfg.get("calibration", {}))
    params = cal.pop("parameters", None)
    validate({**cfg, "calibration": cal}, CalibrateApp)
    firms = [str(f.get("name")) for f in cfg.get("market", {}).get("firms", [])] or \
        [f.name for f in MarketConfig().firms]
    if cal.get("firm", "Focal") not in firms:
        raise ConfigError(f"calibration.firm = {cal.get('firm')!r}: must be one of the market's firms "
                          f"({', '.join(firms)})")
    if params is not None:
        if not isinstance(params, list) or not params:
            raise ConfigError(f"calibration.parameters = {params!r}: must be a non-empty list of "
                              "{key, lo, hi, log}")
        for i, p in enumerate(params):
            validate(p, ParameterRange, f"calibration.parameters[{i}].")
            check_range(p, f"calibration.parameters[{i}]")
    if cal.get("holdout_periods") == 0 and cal.get("forecast_periods", 0) == 0:
        raise ConfigError("calibration.holdout_periods = 0: with calibration.forecast_periods = 0 there is "
                          "nothing to forecast; must be at least 1, or set calibration.forecast_periods")


def market_field(key: str) -> tuple[type, dict]:
    """The type and metadata of a dotted market key (``customers.exit_rate_mean``,
    ``firms.0.price``); raises ConfigError for a key the market does not have."""
    from sim.config import _LIST_ITEM
    cls: Any = MarketConfig
    parts = key.split(".")
    i = 0
    while i < len(parts):
        fields = {f.name: f for f in dataclasses.fields(cls)}
        name = parts[i]
        if name not in fields:
            raise ConfigError(f"{key}: unknown market key {name!r}; allowed here: {', '.join(fields)}")
        f = fields[name]
        kind = _resolve_type(cls, f)
        item = _LIST_ITEM.get((cls.__name__, name))
        if item is not None:
            if i + 1 >= len(parts) or not parts[i + 1].isdigit():
                raise ConfigError(f"{key}: {name} is a list; name an entry by its index ({name}.0.<key>)")
            cls, i = item, i + 2
            continue
        if dataclasses.is_dataclass(kind):
            cls, i = kind, i + 1
            continue
        if i != len(parts) - 1:
            raise ConfigError(f"{key}: {name} is not a section of the market")
        return kind, dict(f.metadata)
    raise ConfigError(f"{key}: names a section of the market, not a parameter")


def check_range(p: dict, where: str) -> None:
    """A fitted parameter is a number whose range lies inside its allowed range."""
    key, lo, hi = p.get("key", ""), float(p.get("lo", 0.0)), float(p.get("hi", 1.0))
    try:
        kind, meta = market_field(str(key))
    except ConfigError as e:
        raise ConfigError(f"{where}.key = {key!r}: {str(e).split(': ', 1)[1]}") from None
    if kind not in (int, float):
        raise ConfigError(f"{where}.key = {key!r}: must be a numeric market parameter")
    if lo >= hi:
        raise ConfigError(f"{where}.lo = {lo!r}: must be below hi ({hi!r})")
    if p.get("log") and lo <= 0:
        raise ConfigError(f"{where}.lo = {lo!r}: must be above 0 on a log scale")
    allowed_lo, allowed_hi, lo_open = meta.get("lo"), meta.get("hi"), meta.get("lo_open", False)
    for end, value in (("lo", lo), ("hi", hi)):
        below = allowed_lo is not None and (value <= allowed_lo if lo_open else value < allowed_lo)
        above = allowed_hi is not None and value > allowed_hi
        if below or above:
            left = "(" if lo_open else "["
            raise ConfigError(f"{where}.{end} = {value!r}: {key} must be in {left}{allowed_lo}, {allowed_hi}]")
