"""Typed configuration of a calibration.

``conf/calibrate.yaml`` extends :class:`CalibrateApp` (registered with Hydra
as ``calibrate_schema`` by :mod:`experiments.analysis.calibration.cli`); the named
calibrations in ``conf/calibration/`` set the data, the split and the
parameters to fit. :func:`validate_calibration` checks every value; that
the name can name a folder; that the kind of data has its data; and that
each fitted parameter is a numeric key of the market's behaviour, fitted
once, whose range lies inside the key's own allowed range and leaves the
market valid at both ends (so that a bad range stops the command before it
writes anything, not in the middle of the fit).
"""

from __future__ import annotations

import copy
import dataclasses
import math
import re
from dataclasses import dataclass, field
from typing import Any

from sim.config import ConfigError, MarketConfig, _resolve_type, market_config, param, validate


@dataclass
class ParameterRange:
    """One market parameter the calibration fits, and the range it searches."""

    key: str = param("customers.visits_per_year_mean", doc="dotted market key (e.g. customers.exit_per_year_mean)")
    lo: float = param(0.0, doc="lowest value tried")
    hi: float = param(1.0, doc="highest value tried")
    log: bool = param(False, doc="search on a log scale (for rates spanning orders of magnitude)")


def _default_parameters() -> list:
    """The transaction log's fitted parameters: purchase rates, category exit,
    the relationship hazard's heterogeneity and quiet dropout. Dropout's
    mean and concentration both span BG/NBD's range (its CDNOW fit, a = 0.79,
    b = 2.4 in Fader, Hardie & Lee 2005 "Counting your customers the easy
    way", is a mean of 0.25 a purchase at a concentration of 3), so the
    simulator can express as heterogeneous a dropout as the standard model.
    Category exit is a lifetime that ends with time rather than with a
    purchase (the Pareto/NBD story: Schmittlein, Morrison & Colombo 1987,
    "Counting your customers: who are they and what will they do next?";
    fitted to CDNOW, a death rate of about 2.7 a year at gamma shape 0.6), so
    its range reaches 20 a year: a CDNOW fit ended at 4.6, near a bound of 5."""
    return [
        ParameterRange("customers.visits_per_year_mean", 0.5, 50.0, True),
        ParameterRange("customers.visits_per_year_shape", 0.05, 5.0, True),
        ParameterRange("customers.exit_per_year_mean", 0.05, 20.0, True),
        ParameterRange("customers.exit_per_year_shape", 0.05, 5.0, True),
        ParameterRange("customers.churn_proneness_a", 0.05, 10.0, True),
        ParameterRange("customers.churn_proneness_b", 0.3, 30.0, True),
        ParameterRange("customers.dropout_mean", 0.0, 0.6, False),
        ParameterRange("customers.dropout_concentration", 0.3, 1000.0, True),
        ParameterRange("customers.spend_median", 5.0, 100.0, True),
        ParameterRange("customers.spend_sigma", 0.1, 1.5, False),
    ]


#: the separators a text log may use, by name, and the literal characters accepted too
SEPARATORS = {"comma": ",", "semicolon": ";", "tab": "\t", "whitespace": r"\s+", ",": ",", ";": ";", "\t": "\t"}


@dataclass
class TransactionData:
    """A transaction log: one row per purchase (customer, date, amount)."""

    path: str = param(
        "package://lifetimes/datasets/CDNOW_sample.txt",
        doc="CSV, Parquet or whitespace-separated text; package://<package>/<file> "
        "reads a file shipped inside an installed package",
    )
    separator: str = param(
        "whitespace",
        doc="column separator of a text file: comma, semicolon, tab, or whitespace (any run of spaces and tabs)",
        choices=tuple(SEPARATORS),
    )
    header: bool = param(False, doc="the text file's first line names the columns")
    columns: list = param(
        ["master_id", "customer_id", "date", "quantity", "amount"],
        doc="column names of a text file without a header line",
    )
    customer: str = param("customer_id", doc="column of the customer id")
    date: str = param("date", doc="column of the purchase date")
    amount: str = param("amount", doc="column of the amount spent (a number >= 0)")
    date_format: str = param(
        "%Y%m%d",
        doc="strptime format of dates written as text (e.g. %Y-%m-%d, "
        "%d/%m/%Y); '' = ISO 8601; unused for a column that already holds dates "
        "(Parquet)",
    )
    start: str = param(
        "",
        doc="first day of period 1 (YYYY-MM-DD, on or before the first purchase); '' = the day of the first purchase",
    )
    days_per_period: int = param(7, 1, 3660, "days in one period (one simulated step: 7 = weekly)")


#: the simulated cohorts a survival table can be compared with (:mod:`experiments.analysis.calibration.cohort`)
COHORTS = ("opening", "new_customers")
#: how a survival loss compares the simulated and the observed curves
#: (:func:`experiments.analysis.calibration.measures.survival_loss`)
SURVIVAL_MEASURES = ("squared", "likelihood")


@dataclass
class SurvivalData:
    """A cohort survival table: customers still active after each period."""

    path: str = param(
        "",
        doc="CSV or Parquet file, one row per period (period 0 first) with the "
        "counts in the column named by 'column'; '' = the inline list 'active'",
    )
    column: str = param("active", doc="column of the file holding the counts")
    active: list = param([], doc="customers still active at the start (period 0) and after each period")
    steps_per_period: int = param(
        12, 1, 10_000, "simulated steps in one period of the table (12 = yearly periods on a monthly market)"
    )
    cohort: str = param(
        "opening",
        doc="the simulated cohort: 'opening' = every customer the firm has after "
        "the first step of the market simulated from its opening (no burn-in: all "
        "relationships start on one date, as a cohort of subscribers who joined together; "
        "about the firm's share of calibration.n_customers); 'new_customers' = the customers "
        "new to the firm in the first period after the burn-in (only newcomers to the "
        "market, so few)",
        choices=COHORTS,
    )
    measure: str = param(
        "squared",
        doc="how the loss compares the curves: 'squared' = mean over the "
        "calibration periods of the squared difference of the share still active; "
        "'likelihood' = the deviance per customer of the observed lifetimes (the churn count "
        "of each period and the survivors at its end, as the shifted-beta-geometric model is "
        "fitted by maximum likelihood: Fader & Hardie 2007) under the simulated curve: the "
        "Kullback-Leibler divergence of the simulated lifetimes from the observed, 0 at a "
        "perfect fit",
        choices=SURVIVAL_MEASURES,
    )


@dataclass
class LossWeights:
    """Weights of the parts of the calibration loss (stated in the report)."""

    curve: float = param(1.0, 0.0, 1e6, "cumulative repeat purchases by period (squared relative error)")
    frequency: float = param(1.0, 0.0, 1e6, "share of customers by number of repeat purchases")
    recency: float = param(1.0, 0.0, 1e6, "share of repeat buyers by periods since their last purchase")
    spend: float = param(0.2, 0.0, 1e6, "log quantiles (10%, 50%, 90%) of each customer's mean amount")
    survival: float = param(
        1.0,
        0.0,
        1e6,
        "share of the cohort still active by period (squared error, or "
        "the deviance of the lifetimes: calibration.survival.measure)",
    )


@dataclass
class CalibrationConfig:
    """Fit the market's base behaviour to observed data."""

    name: str = param(
        "cdnow",
        doc="name of the calibration (letters, digits, '-', '_', '.'; not starting with "
        "'.'): the folder outputs/calibrate/<name>/ and the calibrated market's name",
    )
    description: str = param("", doc="what the data are (shown in the report)")
    kind: str = param("transactions", doc="kind of data", choices=("transactions", "survival"))
    transactions: TransactionData = field(default_factory=TransactionData)
    survival: SurvivalData = field(default_factory=SurvivalData)
    firm: str = param("Focal", doc="the market's firm whose customers the data are")
    calibration_periods: int = param(39, 1, 100_000, "periods the fit sees (from period 1)")
    holdout_periods: int = param(
        39,
        0,
        100_000,
        "periods after the calibration periods that are forecast and compared with the data (the data must cover them)",
    )
    forecast_periods: int = param(
        0, 0, 100_000, "periods after the holdout that are forecast without data to compare (beyond the data's end)"
    )
    entry_periods: int = param(
        0, 0, 100_000, "periods in which the simulated cohort is acquired (0 = up to the data's last first purchase)"
    )
    parameters: list = field(
        default_factory=_default_parameters, metadata={"doc": "market parameters to fit, each {key, lo, hi, log}"}
    )
    trials: int = param(60, 1, 100_000, "Optuna trials")
    startup_trials: int = param(
        10,
        1,
        100_000,
        "trials drawn at random over the ranges before TPE models the "
        "loss (Optuna's default 10): more explore the ranges more widely before the "
        "search narrows, so a fit is less likely to settle in the first good valley",
    )
    seed: int = param(0, 0, 2**31 - 1, "seed of the sampler and of the simulated markets")
    replications: int = param(2, 1, 1000, "simulated markets per trial (the same seeds in every trial)")
    forecast_replications: int = param(
        8, 1, 1000, "simulated markets of the holdout forecast (seeds other than the fit's)"
    )
    n_customers: int = param(40_000, 100, 100_000_000, "customers of each simulated market")
    burn_in: int = param(52, 0, 1_000_000, "steps simulated before period 1 (steady state)")
    frequency_cap: int = param(7, 1, 1000, "repeat purchases from which customers share one class")
    neighbours: int = param(50, 1, 100_000, "simulated customers behind each conditional forecast")
    loss: LossWeights = field(default_factory=LossWeights)
    special_case: dict = param(
        {},
        doc="market keys and values that switch off every mechanism but the "
        "standard model's story, making the simulator its special case (for a survival "
        "table: no category exit, no dropout, every hazard effect neutral, so a "
        "relationship survives each year with chance 1 - p, p ~ Beta(churn_proneness_a, "
        "churn_proneness_b): the shifted-beta-geometric model). When given, the report "
        "also forecasts with this special case at the standard model's fitted "
        "parameters, so the full model is compared with its nested special case; {} = "
        "no such forecast",
    )
    market_out: str = param("", doc="also write the calibrated market here (e.g. conf/market/cdnow.yaml)")
    figures: bool = param(True, doc="draw the tracking plot")


@dataclass
class CalibrateApp:
    """The top-level config of ``loyalty-sim-calibrate``: a market and a calibration of it."""

    market: MarketConfig = field(default_factory=MarketConfig)
    calibration: CalibrationConfig = field(default_factory=CalibrationConfig)


#: a calibration's name: one plain folder name under outputs/calibrate/ (no separator, not hidden, not empty)
NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")

#: top-level market keys that are not the market's behaviour, and what to set instead
NOT_BEHAVIOUR = {
    "name": "the calibrated market's name is calibration.name",
    "n_customers": "the simulated market's size is calibration.n_customers",
    "steps": "the simulated periods are set by the data and calibration.calibration_periods",
    "burn_in": "the steps before period 1 are calibration.burn_in",
    "steps_per_year": "the length of a period is set by the data (calibration.transactions.days_per_period, "
    "calibration.survival.steps_per_period)",
    "discount_rate": "it discounts the firms' profits, which the data do not show",
    "engine": "the engine's settings change its speed, never its results",
}

#: the keys a fitted parameter must give (``log`` defaults to false)
REQUIRED = ("key", "lo", "hi")


def validate_calibration(cfg: dict) -> None:
    """Check a calibration app config (a resolved dict): every key and range,
    the name, that the kind of data has its data, and the fitted parameters
    against the market (:func:`check_parameters`). Raises one ConfigError
    naming key, value and what is allowed. The data themselves are checked
    as they are read (:mod:`experiments.analysis.calibration.observed`)."""
    cal = dict(cfg.get("calibration", {}))
    params = cal.pop("parameters", None)
    special = cal.get("special_case") or {}
    validate({**cfg, "calibration": cal}, CalibrateApp)
    name = cal.get("name", CalibrationConfig.name)
    if not NAME.fullmatch(str(name)):
        raise ConfigError(
            f"calibration.name = {name!r}: names the folder outputs/calibrate/<name>/; must be a "
            "plain name of letters, digits, '-', '_' and '.', not starting with '.'"
        )
    _check_kind(cal)
    market = cfg.get("market") or dataclasses.asdict(MarketConfig())
    firms = [str(f.get("name")) for f in market.get("firms", [])] or [f.name for f in MarketConfig().firms]
    if cal.get("firm", "Focal") not in firms:
        raise ConfigError(
            f"calibration.firm = {cal.get('firm')!r}: must be one of the market's firms ({', '.join(firms)})"
        )
    if params is not None:
        check_parameters(params, market)
    check_special_case(special, market)
    if cal.get("holdout_periods") == 0 and cal.get("forecast_periods", 0) == 0:
        raise ConfigError(
            "calibration.holdout_periods = 0: with calibration.forecast_periods = 0 there is "
            "nothing to forecast; must be at least 1, or set calibration.forecast_periods"
        )


def special_case_market(market: dict, special: dict) -> dict:
    """A copy of ``market`` (a market config dict) with the special case's keys set."""
    from experiments.running.config_keys import set_key

    data = copy.deepcopy(market)
    for key, value in special.items():
        set_key(data, str(key), value)
    return data


def check_special_case(special: dict, market: dict) -> None:
    """Each key of ``calibration.special_case`` names a value of the market's
    behaviour, and the market stays valid with all of them set."""
    from experiments.running.config_keys import get_key

    for key in special:
        where = f"calibration.special_case.{key}"
        top = _parts(str(key))[0]
        if top in NOT_BEHAVIOUR:
            raise ConfigError(f"{where} = {special[key]!r}: is not the market's behaviour ({NOT_BEHAVIOUR[top]})")
        try:
            get_key(market, str(key))
        except KeyError as e:
            raise ConfigError(f"{where} = {special[key]!r}: {e.args[0]}") from None
    try:
        market_config(special_case_market(market, special))
    except ConfigError as e:
        raise ConfigError(
            f"calibration.special_case = {special!r}: the market is invalid with these values "
            f"({' '.join(str(e).split())})"
        ) from None


def _check_kind(cal: dict) -> None:
    """The kind of data must have its own data: a survival calibration a
    table, and a transaction calibration a log of its own when its config
    names a survival table (else switching the kind of a survival preset
    would silently fit the schema's default log, the CDNOW sample)."""
    kind = cal.get("kind", "transactions")
    survival = dict(cal.get("survival") or {})
    has_table = bool(survival.get("path")) or bool(survival.get("active"))
    if kind == "survival" and not has_table:
        raise ConfigError(
            "calibration.kind = 'survival': no survival table is given; set "
            "calibration.survival.path (a CSV or Parquet file) or calibration.survival.active "
            "(the counts), or kind=transactions for a purchase log"
        )
    log = dict(cal.get("transactions") or {}).get("path", TransactionData.path)
    if kind == "transactions" and has_table and log == TransactionData.path:
        which = "calibration.survival.path" if survival.get("path") else "calibration.survival.active"
        raise ConfigError(
            f"calibration.kind = 'transactions': the calibration names a survival table ({which}) "
            f"and no transaction log (calibration.transactions.path is the default {log}); must be "
            "survival, or name the log with calibration.transactions.path"
        )


def parameter_range(p: Any) -> ParameterRange:
    """A fitted parameter's entry (a mapping, as typed in a config, or a
    ParameterRange) with the schema's defaults filled in (``log``: false)."""
    if isinstance(p, ParameterRange):
        return p
    return ParameterRange(**{**dataclasses.asdict(ParameterRange()), **dict(p)})


def check_parameters(params: Any, market: dict) -> None:
    """Check the fitted parameters against ``market`` (a market config dict):
    each entry gives key, lo and hi; each key is a numeric key of the market's
    behaviour that exists in this market (a firm's or segment's index within
    its list), named once; each range lies inside the key's allowed range
    (for a whole-number key, holds at least two whole numbers); and the
    market stays valid with each parameter at either end of its range, and
    with every parameter at its lo, and at its hi."""
    if not isinstance(params, list) or not params:
        raise ConfigError(f"calibration.parameters = {params!r}: must be a non-empty list of {{key, lo, hi, log}}")
    seen: dict[str, int] = {}
    ranges: list[ParameterRange] = []
    for i, p in enumerate(params):
        where = f"calibration.parameters[{i}]"
        if not isinstance(p, dict):
            raise ConfigError(f"{where} = {p!r}: must be a mapping {{key, lo, hi, log}}")
        validate(p, ParameterRange, f"{where}.")
        for name in REQUIRED:
            if name not in p:
                raise ConfigError(
                    f"{where}.{name} = (not given): every fitted parameter must give key, lo and hi "
                    "(log is optional, default false)"
                )
        r = parameter_range(p)
        check_range(dataclasses.asdict(r), where)
        _check_exists(r.key, market, where)
        canonical = ".".join(_parts(r.key))
        if canonical in seen:
            raise ConfigError(
                f"{where}.key = {r.key!r}: already fitted by calibration.parameters[{seen[canonical]}]; "
                "each key may be fitted once"
            )
        seen[canonical] = i
        ranges.append(r)
    _check_ends(ranges, market)


def _parts(key: str) -> list[str]:
    from experiments.running.config_keys import parts_of

    return parts_of(key)


def _check_exists(key: str, market: dict, where: str) -> None:
    """The key names a value of this market (``firms.7.price`` needs 8 firms)."""
    from experiments.running.config_keys import get_key

    try:
        get_key(market, key)
    except KeyError as e:
        raise ConfigError(f"{where}.key = {key!r}: {e.args[0]}") from None


def whole_ends(r: ParameterRange) -> tuple[int, int]:
    """The lowest and highest whole numbers of a whole-number key's range."""
    return math.ceil(r.lo), math.floor(r.hi)


def _ends(r: ParameterRange) -> tuple[float, float]:
    """The values a trial can take at either end of the range (whole numbers for a whole-number key)."""
    return whole_ends(r) if market_field(r.key)[0] is int else (r.lo, r.hi)


def _check_ends(ranges: list[ParameterRange], market: dict) -> None:
    """The market is valid with each parameter at either end of its range
    (the others at the market's values), and with the parameters moved to
    their lo (hi) one after another; the first that makes it invalid is named."""
    from experiments.running.config_keys import set_key

    for side in (0, 1):
        together = copy.deepcopy(market)
        for i, r in enumerate(ranges):
            value = _ends(r)[side]
            end = ("lo", "hi")[side]
            alone = copy.deepcopy(market)
            set_key(alone, r.key, value)
            set_key(together, r.key, value)
            for data, how in ((alone, ""), (together, f" and every parameter before it at its {end}")):
                try:
                    market_config(data)
                except ConfigError as e:
                    raise ConfigError(
                        f"calibration.parameters[{i}].{end} = {getattr(r, end)!r}: the market is "
                        f"invalid with {r.key} = {value!r}{how} ({' '.join(str(e).split())}); "
                        "must keep the market valid over the whole range"
                    ) from None


def market_field(key: str) -> tuple[type, dict]:
    """The type and metadata of a dotted market key (``customers.exit_per_year_mean``,
    ``firms.0.price``); raises ConfigError for a key the market does not have."""
    from sim.config import list_item_type

    cls: Any = MarketConfig
    parts = _parts(key)
    i = 0
    while i < len(parts):
        fields = {f.name: f for f in dataclasses.fields(cls)}
        name = parts[i]
        if name not in fields:
            raise ConfigError(f"{key}: unknown market key {name!r}; allowed here: {', '.join(fields)}")
        f = fields[name]
        kind = _resolve_type(cls, f)
        item = list_item_type(cls, f)
        if dataclasses.is_dataclass(item):
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
    """A fitted parameter is a numeric key of the market's behaviour whose
    range lies inside its allowed range; a whole-number key's range holds at
    least two whole numbers (the fit tries whole numbers only)."""
    key, lo, hi = p.get("key", ""), float(p.get("lo", 0.0)), float(p.get("hi", 1.0))
    try:
        kind, meta = market_field(str(key))
    except ConfigError as e:
        raise ConfigError(f"{where}.key = {key!r}: {str(e).split(': ', 1)[1]}") from None
    top = _parts(str(key))[0]
    if top in NOT_BEHAVIOUR:
        raise ConfigError(
            f"{where}.key = {key!r}: is not the market's behaviour ({NOT_BEHAVIOUR[top]}); must be "
            "a key of the customers, their choice, loyalty, churn, staff or firms"
        )
    if kind not in (int, float):
        raise ConfigError(f"{where}.key = {key!r}: must be a numeric market parameter")
    if lo >= hi:
        raise ConfigError(f"{where}.lo = {lo!r}: must be below hi ({hi!r})")
    if kind is int and math.floor(hi) - math.ceil(lo) < 1:
        raise ConfigError(
            f"{where}.lo = {lo!r}: {key} is a whole number and the range [{lo!r}, {hi!r}] holds "
            f"{max(0, math.floor(hi) - math.ceil(lo) + 1)} whole number(s); must hold at least two "
            "(e.g. lo = 2, hi = 5)"
        )
    if p.get("log") and lo <= 0:
        raise ConfigError(f"{where}.lo = {lo!r}: must be above 0 on a log scale")
    allowed_lo, allowed_hi, lo_open = meta.get("lo"), meta.get("hi"), meta.get("lo_open", False)
    for end, value in (("lo", lo), ("hi", hi)):
        below = allowed_lo is not None and (value <= allowed_lo if lo_open else value < allowed_lo)
        above = allowed_hi is not None and value > allowed_hi
        if below or above:
            left = "(" if lo_open else "["
            raise ConfigError(f"{where}.{end} = {value!r}: {key} must be in {left}{allowed_lo}, {allowed_hi}]")
