"""Observed data in the simulator's time unit.

A transaction log becomes one row per customer and period with a purchase
(``customer_id``, ``period``, ``amount`` summed over the period), as the
simulated cohorts are (a weekly step holds at most one purchase a customer;
a long step's visit rounds are summed over the step): both the simulator and
the standard models then see the same data. Periods count from
1; a customer's first purchase period is their entry into the cohort, and
purchases in later periods are repeat purchases (the convention of the
BG/NBD literature on CDNOW, Fader, Hardie & Lee 2005).

A blank line in a log is skipped: each purchase carries its own date, so a
skipped line shifts nothing. Purchase dates must fall between
:data:`FIRST_DATE` and one year after today: a date outside (``0001-01-01``,
``9999-12-31``) is a placeholder or a typo, and would stretch the periods so
far that the calibration window holds almost nothing.

A survival table is a list of counts, whole numbers of customers: the cohort
at the start, then the customers still active after each period (Fader &
Hardie 2007). Unlike a log, it may not hold a blank line, which would shift
every later period.

A column the data are read from must be named once in a file's header line
(a second ``amount`` column would otherwise be silently ignored).

Every problem with the data is a :class:`sim.config.ConfigError` naming the
key that points at it and, for a file, the line (or Parquet row) where it
is: the command checks the data before it writes anything.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from experiments.analysis.calibration.config import SEPARATORS, SurvivalData, TransactionData
from sim.config import ConfigError

PACKAGE_PREFIX = "package://"

#: the earliest purchase date accepted (the latest is one year after today)
FIRST_DATE = _dt.date(1900, 1, 1)


@dataclass(frozen=True)
class CohortLog:
    """Purchases of a cohort of new customers, one row per customer and period."""

    purchases: pd.DataFrame  # customer_id, period, amount

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


def resolve_path(path: str, key: str = "calibration.transactions.path") -> Path:
    """A file path, or ``package://<package>/<file>`` inside an installed package
    (``key`` names the config key in the error for a package that is not installed)."""
    if path.startswith(PACKAGE_PREFIX):
        package, _, inner = path[len(PACKAGE_PREFIX) :].partition("/")
        try:
            root = resources.files(package)
        except (ModuleNotFoundError, TypeError, ValueError):
            raise ConfigError(
                f"{key} = {path!r}: package {package!r} is not installed; must be a file path or "
                "package://<installed package>/<file>"
            ) from None
        return Path(str(root / inner))
    return Path(path)


def _first_line(error: BaseException) -> str:
    """The first line of an error message from pandas or pyarrow (their
    messages run on for lines of advice meant for programmers)."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    text = lines[0] if lines else type(error).__name__
    return text.removeprefix("Error tokenizing data. C error: ")


def _existing(path_text: str, key: str, what: str) -> Path:
    if not path_text:
        raise ConfigError(f"{key} = '': must name {what}")
    path = resolve_path(path_text, key)
    if path.is_dir():
        raise ConfigError(f"{key} = {path_text!r}: is a folder; must be {what}")
    if not path.is_file():
        raise ConfigError(f"{key} = {path_text!r}: no such file; must be {what}")
    return path


def _is_parquet(path: Path) -> bool:
    return path.suffix.lower() in (".parquet", ".pq")


def _read_table(path: Path, path_text: str, key: str, what: str, **csv) -> pd.DataFrame:
    """A Parquet file, or a text table with every value as text (only an empty
    field is missing: 'NA' or 'nan' stay text) and its blank lines kept as
    empty rows (so that row ``i`` is on a known line)."""
    try:
        if _is_parquet(path):
            return pd.read_parquet(path).reset_index(drop=True)
        return pd.read_csv(
            path,
            dtype=str,
            skip_blank_lines=False,
            index_col=False,
            encoding="utf-8-sig",
            keep_default_na=False,
            na_values=[""],
            **csv,
        )
    except pd.errors.EmptyDataError:
        raise ConfigError(f"{key} = {path_text!r}: the file is empty; must be {what}") from None
    except UnicodeDecodeError as e:
        raise ConfigError(f"{key} = {path_text!r}: is not UTF-8 text (byte {e.start}); must be {what}") from None
    except (OSError, ValueError) as e:  # pandas' ParserError and pyarrow's errors are among these
        raise ConfigError(f"{key} = {path_text!r}: cannot be read ({_first_line(e)}); must be {what}") from None


def _check_named_once(path: Path, table: pd.DataFrame, used: dict[str, str], **csv) -> None:
    """Each column in ``used`` (config key -> column name) is named once in
    the file: pandas renames a repeated header name (``amount.1``) and reads
    only the first, which would silently drop the other."""
    if _is_parquet(path):
        names = [str(c) for c in table.columns]
    elif csv.get("header", 0) is None:
        return  # named by the config's own list, checked for repeats
    else:
        try:
            names = [
                str(c)
                for c in pd.read_csv(
                    path,
                    header=None,
                    nrows=1,
                    dtype=str,
                    index_col=False,
                    encoding="utf-8-sig",
                    keep_default_na=False,
                    **{k: v for k, v in csv.items() if k == "sep"},
                ).iloc[0]
            ]
        except (OSError, ValueError, IndexError):
            return  # the table itself was read: nothing more to learn here
    for key, column in used.items():
        count = names.count(str(column))
        if count > 1:
            raise ConfigError(
                f"{key} = {column!r}: {path.name} names {count} columns {column!r}; the column read "
                "must be named once (rename or drop the others)"
            )


def _row_label(path: Path, header: bool) -> Callable[[int], str]:
    """Where row ``i`` of a table read by :func:`_read_table` is: its line in a text file, its row in Parquet."""
    if _is_parquet(path):
        return lambda i: f"row {i + 1}"
    return lambda i: f"line {i + 1 + int(header)}"


def _first(mask: pd.Series) -> int:
    """The index label of the first True of ``mask``."""
    return int(mask.index[np.flatnonzero(mask.to_numpy())[0]])


def read_transactions(cfg: TransactionData) -> CohortLog:
    """The transaction log of ``cfg`` as purchases per customer and period."""
    where = "calibration.transactions"
    what = "a CSV, Parquet or text transaction log, one row per purchase (customer, date, amount)"
    path = _existing(cfg.path, f"{where}.path", what)
    parquet = _is_parquet(path)
    if not parquet and not cfg.header:
        names = [str(c) for c in cfg.columns]
        if not names or len(set(names)) != len(names):
            raise ConfigError(
                f"{where}.columns = {list(cfg.columns)!r}: must name each column of {path.name} once "
                f"(with {where}.header = false they name the columns)"
            )
    csv = (
        {}
        if parquet
        else {
            "sep": SEPARATORS[cfg.separator],
            "header": 0 if cfg.header else None,
            "names": None if cfg.header else [str(c) for c in cfg.columns],
        }
    )
    raw = _read_table(path, cfg.path, f"{where}.path", what, **csv)
    raw = raw[raw.notna().any(axis=1)]  # blank lines hold no purchase
    if raw.empty:
        raise ConfigError(f"{where}.path = {cfg.path!r}: holds no purchases; must be {what}")
    label = _row_label(path, bool(cfg.header))
    _check_named_once(path, raw, {f"{where}.{k}": getattr(cfg, k) for k in ("customer", "date", "amount")}, **csv)
    for key in ("customer", "date", "amount"):
        column = getattr(cfg, key)
        if column not in raw.columns:
            hint = ""
            if not parquet and not cfg.header:
                hint = f"; named by {where}.columns (set {where}.header=true if the first line names them)"
            elif not parquet and len(raw.columns) == 1:
                hint = f"; one column only: is {where}.separator = {cfg.separator!r} the file's separator?"
            raise ConfigError(
                f"{where}.{key} = {column!r}: must be a column of {path.name} "
                f"({', '.join(map(str, raw.columns))}){hint}"
            )
    customers = _customer_ids(raw[cfg.customer], f"{where}.customer = {cfg.customer!r}", label)
    dates = _dates(raw[cfg.date], cfg, path.name, label)
    amounts = _amounts(raw[cfg.amount], f"{where}.amount = {cfg.amount!r}", label)
    first = dates.min()
    if cfg.start:
        try:
            start = pd.Timestamp(_dt.date.fromisoformat(cfg.start))
        except ValueError:
            raise ConfigError(
                f"{where}.start = {cfg.start!r}: must be a date (YYYY-MM-DD), or '' for the day of the first purchase"
            ) from None
        if start > first:
            raise ConfigError(
                f"{where}.start = {cfg.start!r}: {int((dates < start).sum()):,} purchases fall before "
                f"it, the first on {first:%Y-%m-%d}; must be on or before the first purchase, or '' "
                "for the day of the first purchase"
            )
    else:
        start = first
    period = (dates - start).dt.days // cfg.days_per_period + 1
    log = pd.DataFrame({"customer_id": customers, "period": period.astype("int64"), "amount": amounts})
    return CohortLog(log.groupby(["customer_id", "period"], as_index=False, sort=True)["amount"].sum())


def _customer_ids(column: pd.Series, key: str, label: Callable[[int], str]) -> pd.Series:
    """Customer ids as text (whole-number ids of a Parquet float column without their '.0')."""
    if pd.api.types.is_float_dtype(column) and column.notna().all() and (column % 1 == 0).all():
        column = column.astype("int64")
    ids = column.astype(str).str.strip()
    missing = column.isna() | (ids == "")
    if missing.any():
        raise ConfigError(f"{key}: {label(_first(missing))} has no customer id; every purchase must name its customer")
    return ids


def _dates(column: pd.Series, cfg: TransactionData, name: str, label: Callable[[int], str]) -> pd.Series:
    """Purchase days: a column that already holds dates as it is, text read with ``date_format``."""
    where = "calibration.transactions"
    missing = column.isna()
    if missing.any():
        raise ConfigError(
            f"{where}.date = {cfg.date!r}: {label(_first(missing))} has no date; every purchase must have a date"
        )
    allowed = "must be a strptime format such as %Y-%m-%d or %d/%m/%Y, or '' for ISO 8601 dates"
    if pd.api.types.is_datetime64_any_dtype(column):
        dates = column
    elif column.dtype == object and column.map(lambda v: isinstance(v, _dt.date)).all():  # Parquet date32
        dates = pd.to_datetime(column)
    else:
        text = column.astype(str).str.strip()
        try:
            dates = pd.to_datetime(text, format=cfg.date_format or "ISO8601", errors="coerce")
        except (ValueError, TypeError) as e:
            raise ConfigError(
                f"{where}.date_format = {cfg.date_format!r}: does not read the dates of {name} "
                f"({_first_line(e)}); {allowed}"
            ) from None
        unread = dates.isna()
        if unread.any():
            i = _first(unread)
            raise ConfigError(
                f"{where}.date_format = {cfg.date_format!r}: does not read the dates of {name} "
                f"({label(i)} holds {text.loc[i]!r}); {allowed}"
            )
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)  # the local day of each purchase
    dates = dates.dt.normalize()
    today = _dt.date.today()
    last = today.replace(year=today.year + 1, day=28 if (today.month, today.day) == (2, 29) else today.day)
    outside = (dates < pd.Timestamp(FIRST_DATE)) | (dates > pd.Timestamp(last))
    if outside.any():
        i = _first(outside)
        raise ConfigError(
            f"{where}.date = {cfg.date!r}: {label(i)} holds {dates.loc[i].date().isoformat()}; "
            f"purchase dates must fall between {FIRST_DATE.isoformat()} and {last.isoformat()} (one "
            "year after today)"
        )
    return dates


def _amounts(column: pd.Series, key: str, label: Callable[[int], str]) -> pd.Series:
    """Amounts as numbers >= 0."""
    missing = column.isna()
    if missing.any():
        raise ConfigError(
            f"{key}: {label(_first(missing))} has no amount; every purchase must have an amount (a number >= 0)"
        )
    amounts = pd.to_numeric(column, errors="coerce").astype(float)
    bad = ~np.isfinite(amounts)
    if bad.any():
        i = _first(bad)
        raise ConfigError(
            f"{key}: {label(i)} holds {column.loc[i]!r}; must hold numbers (e.g. 12.5, with a decimal point)"
        )
    negative = amounts < 0
    if negative.any():
        i = _first(negative)
        raise ConfigError(
            f"{key}: {label(i)} holds {column.loc[i]!r}; amounts must be >= 0 (a return is not a "
            "purchase: leave returns out of the log)"
        )
    return amounts


def read_survival(cfg: SurvivalData) -> np.ndarray:
    """The survival table of ``cfg``: the cohort's size, then the active customers after each period."""
    where = "calibration.survival"
    if not cfg.path:
        items = list(cfg.active)
        for i, v in enumerate(items):
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise ConfigError(
                    f"{where}.active = {items!r}: period {i} holds {v!r}; must be numbers of "
                    "customers (the cohort's size first)"
                )
        _check_counts(np.asarray(items, dtype=float), f"{where}.active = {items!r}", lambda i: f"period {i}")
        return np.asarray(items, dtype=float)
    key = f"{where}.path = {cfg.path!r}"
    what = (
        f"a CSV or Parquet file with the counts in column {cfg.column!r} ({where}.column), one row per "
        "period, period 0 first"
    )
    path = _existing(cfg.path, f"{where}.path", what)
    table = _read_table(path, cfg.path, f"{where}.path", what)
    if cfg.column not in table.columns:
        raise ConfigError(
            f"{where}.column = {cfg.column!r}: must be a column of {path.name} ({', '.join(map(str, table.columns))})"
        )
    _check_named_once(path, table, {f"{where}.column": cfg.column})
    filled = np.flatnonzero(table.notna().any(axis=1).to_numpy())
    column = table[cfg.column].iloc[: filled[-1] + 1 if len(filled) else 0]  # blank lines at the end hold no period
    row = _row_label(path, True)

    def label(i: int) -> str:
        return f"{row(i)} (period {i})"

    if column.empty:
        raise ConfigError(f"{key}: holds no counts; must be {what}")
    missing = column.isna()
    if missing.any():
        i = _first(missing)
        blank = "is blank" if table.iloc[i].isna().all() else f"has no count in column {cfg.column!r}"
        raise ConfigError(
            f"{key}: {label(i)} {blank}; every period needs a count, with no blank lines (a "
            "skipped line would shift every later period)"
        )
    counts = pd.to_numeric(column, errors="coerce")
    unread = counts.isna()
    if unread.any():
        i = _first(unread)
        raise ConfigError(f"{key}: {label(i)} holds {column.iloc[i]!r}; counts must be numbers of customers")
    counts = counts.to_numpy(dtype=float)
    _check_counts(counts, key, label)
    return counts


def _check_counts(counts: np.ndarray, key: str, label: Callable[[int], str]) -> None:
    """A survival table: at least two finite whole counts >= 0, the first above 0, never rising."""
    if len(counts) < 2:
        raise ConfigError(
            f"{key}: needs at least 2 counts (the cohort's size at period 0, then the customers "
            "still active after each period)"
        )
    for i, v in enumerate(counts):
        if not np.isfinite(v) or v < 0:
            raise ConfigError(f"{key}: {label(i)} holds {v:g}; counts must be finite numbers >= 0")
        if v % 1:
            raise ConfigError(
                f"{key}: {label(i)} holds {v:g}; counts must be whole numbers of customers (not "
                "shares: 1000, 631, ... rather than 1.0, 0.631, ...)"
            )
    if counts[0] <= 0:
        raise ConfigError(f"{key}: {label(0)} holds {counts[0]:g}; the cohort's size (period 0) must be above 0")
    rising = np.flatnonzero(np.diff(counts) > 0)
    if len(rising):
        i = int(rising[0]) + 1
        raise ConfigError(
            f"{key}: {label(i)} holds {counts[i]:g}, more than period {i - 1} ({counts[i - 1]:g}); "
            "a cohort's active customers never rise"
        )
