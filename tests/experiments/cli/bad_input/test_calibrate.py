"""Bad input to ``loyalty-sim-calibrate``: the config, and the data it reads.

Every case stops with one line ``error: <key> = <value>: <what is allowed>``
naming the key the user typed (for a problem inside a file, the key of the
file or of the column), exit status 2, and nothing written: the data are read
and checked before Hydra makes the run folder.
"""

from __future__ import annotations

import pytest

from tests.experiments.cli.bad_input.table import Case, check_case

APP = "loyalty-sim-calibrate"

#: a small market and few trials, so that a case wrongly let through ends in seconds, not minutes
TINY = (
    "calibration.trials=1",
    "calibration.n_customers=300",
    "calibration.burn_in=0",
    "calibration.replications=1",
    "calibration.forecast_replications=1",
    "calibration.figures=false",
    "hydra.run.dir={tmp}/run",
)

#: a valid own log: 3 customers, first purchase 2024-01-01, last in period 9 (weekly periods)
LOG = (
    "customer,date,amount\n"
    "a,2024-01-01,10\n"
    "b,2024-01-03,12.5\n"
    "a,2024-01-20,8\n"
    "c,2024-01-09,30\n"
    "b,2024-02-14,12\n"
    "c,2024-02-26,7\n"
)
OWN = (
    "calibration=own_log",
    "calibration.transactions.path=log.csv",
    "calibration.calibration_periods=4",
    "calibration.holdout_periods=4",
)
SURVIVAL = (
    "calibration=fader_hardie_regular",
    "calibration.survival.path=survival.csv",
    "calibration.calibration_periods=2",
    "calibration.holdout_periods=1",
)


def _log(*rows: str, header: str = "customer,date,amount") -> dict:
    return {"log.csv": "\n".join([header, *rows]) + "\n"}


def _case(id: str, *args: str, key: str, value: str = "", allowed: str = "", files: dict | None = None) -> Case:
    return Case(id, APP, (*TINY, *args), key, value, allowed, files or {})


T = "calibration.transactions"
S = "calibration.survival"
P = "calibration.parameters"


def _fit(*entries: str) -> str:
    """The override fitting ``entries`` (each ``key: ..., lo: ..., hi: ...``) instead of the preset's parameters."""
    return f"{P}=[" + ",".join("{" + e + "}" for e in entries) + "]"


CASES = [
    # ------------------------------------------------------------------ the fit's settings
    _case(
        "fitted-range-lo-above-hi",
        "calibration.parameters.0.lo=60",
        key="calibration.parameters[0].lo",
        value="60",
        allowed="must be below hi (50.0)",
    ),
    _case(
        "fitted-range-outside-the-keys-range",
        "calibration.parameters.4.hi=1.5",
        key="calibration.parameters[4].hi",
        value="1.5",
        allowed="customers.dropout_mean must be in [0.0, 1.0]",
    ),
    _case(
        "fitted-key-unknown",
        "calibration.parameters.0.key=customers.nope",
        key="calibration.parameters[0].key",
        value="customers.nope",
        allowed="unknown market key 'nope'",
    ),
    _case(
        "fitted-range-without-hi",
        _fit("key: customers.exit_per_year_mean, lo: 0.01"),
        key=f"{P}[0].hi",
        value="not given",
        allowed="every fitted parameter must give key, lo and hi",
    ),
    _case(
        "fitted-range-without-lo",
        _fit("key: customers.exit_per_year_mean, hi: 0.1, log: true"),
        key=f"{P}[0].lo",
        value="not given",
        allowed="must give key, lo and hi",
    ),
    _case(
        "fitted-key-past-the-markets-firms",
        _fit("key: firms.7.price, lo: 0.5, hi: 2, log: false"),
        key=f"{P}[0].key",
        value="firms.7.price",
        allowed="firms is a list of 3 entries; use an index 0..2",
    ),
    _case(
        "fitted-range-leaves-shares-not-adding-up-at-lo",
        _fit("key: customers.segments.0.share, lo: 0.1, hi: 0.9, log: false"),
        key=f"{P}[0].lo",
        value="0.1",
        allowed="the market is invalid with customers.segments.0.share = 0.1 (market.customers.segments[*].share",
    ),
    _case(
        "fitted-range-invalid-at-hi",
        _fit("key: staff.novice_skill, lo: 0.1, hi: 0.99"),
        key=f"{P}[0].hi",
        value="0.99",
        allowed="market.staff.novice_skill = 0.99: must not exceed market.staff.max_skill",
    ),
    _case(
        "fitted-ranges-invalid-only-together-at-lo",
        _fit("key: staff.novice_skill, lo: 0.5, hi: 0.6", "key: staff.max_skill, lo: 0.45, hi: 0.99"),
        key=f"{P}[1].lo",
        value="0.45",
        allowed="and every parameter before it at its lo",
    ),
    _case(
        "fitted-key-the-market-size",
        _fit("key: n_customers, lo: 100, hi: 1000"),
        key=f"{P}[0].key",
        value="n_customers",
        allowed="is not the market's behaviour (the simulated market's size is calibration.n_customers)",
    ),
    _case(
        "fitted-key-an-engine-setting",
        _fit("key: engine.threads, lo: 1, hi: 4"),
        key=f"{P}[0].key",
        value="engine.threads",
        allowed="change its speed, never its results",
    ),
    _case(
        "fitted-key-twice",
        _fit(
            "key: customers.exit_per_year_mean, lo: 0.01, hi: 0.1",
            "key: customers.exit_per_year_mean, lo: 0.02, hi: 0.2",
        ),
        key=f"{P}[1].key",
        value="customers.exit_per_year_mean",
        allowed="already fitted by calibration.parameters[0]",
    ),
    _case(
        "fitted-whole-number-key-range-without-whole-numbers",
        _fit("key: loyalty.repeat_purchases, lo: 2.5, hi: 2.7"),
        key=f"{P}[0].lo",
        value="2.5",
        allowed="loyalty.repeat_purchases is a whole number and the range [2.5, 2.7] holds 0 whole number(s)",
    ),
    _case(
        "kind-transactions-on-a-survival-preset",
        "calibration=fader_hardie_regular",
        "calibration.kind=transactions",
        key="calibration.kind",
        value="transactions",
        allowed="the calibration names a survival table (calibration.survival.active) and no transaction log",
    ),
    _case(
        "kind-survival-without-a-table",
        "calibration.kind=survival",
        key="calibration.kind",
        value="survival",
        allowed="no survival table is given",
    ),
    _case(
        "name-climbing-out-of-the-outputs",
        "calibration.name=../../../escaped",
        key="calibration.name",
        value="../../../escaped",
        allowed="must be a plain name of letters, digits",
    ),
    _case("name-empty", "calibration.name=", key="calibration.name", value="''", allowed="must be a plain name"),
    _case(
        "name-nesting-folders",
        "calibration.name=a/b",
        key="calibration.name",
        value="a/b",
        allowed="must be a plain name",
    ),
    _case(
        "name-hidden", "calibration.name=.mine", key="calibration.name", value=".mine", allowed="not starting with '.'"
    ),
    _case(
        "kind-unknown",
        "calibration.kind=panel",
        key="calibration.kind",
        value="panel",
        allowed="must be one of 'transactions', 'survival'",
    ),
    _case(
        "firm-not-in-the-market",
        "calibration.firm=Nobody",
        key="calibration.firm",
        value="Nobody",
        allowed="must be one of the market's firms",
    ),
    _case(
        "named-calibration-unknown",
        "calibration=nope",
        key="calibration",
        value="nope",
        allowed="cdnow, fader_hardie_regular, own_log",
    ),
    _case("calibration-key-unknown", "calibration.nope=1", key="calibration.nope", value="1"),
    _case(
        "survival-cohort-unknown",
        "calibration=fader_hardie_regular",
        f"{S}.cohort=everyone",
        key=f"{S}.cohort",
        value="everyone",
        allowed="must be one of 'opening', 'new_customers'",
    ),
    _case(
        "survival-measure-unknown",
        "calibration=fader_hardie_regular",
        f"{S}.measure=absolute",
        key=f"{S}.measure",
        value="absolute",
        allowed="must be one of 'squared', 'likelihood'",
    ),
    _case("trials-zero", "calibration.trials=0", key="calibration.trials", value="0", allowed="must be in [1"),
    _case(
        "simulated-market-too-small",
        "calibration.n_customers=10",
        key="calibration.n_customers",
        value="10",
        allowed="must be in [100",
    ),
    _case(
        "holdout-negative",
        "calibration.holdout_periods=-1",
        key="calibration.holdout_periods",
        value="-1",
        allowed="must be in [0",
    ),
    _case(
        "forecast-periods-negative",
        "calibration.forecast_periods=-1",
        key="calibration.forecast_periods",
        value="-1",
        allowed="must be in [0",
    ),
    _case(
        "nothing-to-forecast",
        "calibration.holdout_periods=0",
        key="calibration.holdout_periods",
        value="0",
        allowed="nothing to forecast",
    ),
    _case(
        "days-per-period-zero",
        *OWN,
        f"{T}.days_per_period=0",
        key=f"{T}.days_per_period",
        value="0",
        allowed="must be in [1",
        files=_log("a,2024-01-01,10"),
    ),
    # ------------------------------------------------------------------ the split against the data
    _case(
        "holdout-longer-than-the-cdnow-data",
        "calibration.holdout_periods=60",
        key="calibration.holdout_periods",
        value="60",
        allowed="the data cover 78 periods",
    ),
    _case(
        "calibration-longer-than-the-data",
        *OWN,
        "calibration.calibration_periods=20",
        key="calibration.calibration_periods",
        value="20",
        allowed="the data cover 9 periods of 7 days",
        files={"log.csv": LOG},
    ),
    _case(
        "holdout-past-the-data",
        *OWN,
        "calibration.holdout_periods=6",
        key="calibration.holdout_periods",
        value="6",
        allowed="calibration.forecast_periods",
        files={"log.csv": LOG},
    ),
    _case(
        "one-customer-one-purchase",
        "calibration=own_log",
        f"{T}.path=log.csv",
        key="calibration.calibration_periods",
        value="39",
        allowed="the data cover 1 period of 7 days",
        files=_log("a,2024-01-01,10"),
    ),
    # ------------------------------------------------------------------ the log's file
    _case(
        "log-missing", f"{T}.path=/nonexistent.csv", key=f"{T}.path", value="/nonexistent.csv", allowed="no such file"
    ),
    _case("log-path-is-a-folder", *OWN[:1], f"{T}.path={{tmp}}", key=f"{T}.path", allowed="is a folder"),
    _case(
        "log-path-not-given",
        "calibration=own_log",
        key=f"{T}.path",
        value="''",
        allowed="must name a CSV, Parquet or text transaction log",
    ),
    _case(
        "log-in-a-package-not-installed",
        f"{T}.path=package://no_such_package/log.csv",
        key=f"{T}.path",
        value="no_such_package",
        allowed="is not installed",
    ),
    _case("log-empty", *OWN, key=f"{T}.path", value="log.csv", allowed="the file is empty", files={"log.csv": ""}),
    _case(
        "log-header-only",
        *OWN,
        key=f"{T}.path",
        value="log.csv",
        allowed="holds no purchases",
        files={"log.csv": "customer,date,amount\n"},
    ),
    _case(
        "log-blank-lines-only",
        *OWN,
        key=f"{T}.path",
        value="log.csv",
        allowed="holds no purchases",
        files={"log.csv": "customer,date,amount\n\n\n"},
    ),
    _case(
        "log-line-with-too-many-fields",
        *OWN,
        key=f"{T}.path",
        value="log.csv",
        allowed="Expected 3 fields in line 3, saw 4",
        files=_log("a,2024-01-01,10", "b,2024-01-02,5,9"),
    ),
    _case(
        "log-not-utf8-text",
        *OWN,
        key=f"{T}.path",
        value="log.csv",
        allowed="is not UTF-8 text",
        files={"log.csv": b"customer,date,amount\n\xff\xfe,2024-01-01,10\n"},
    ),
    _case(
        "log-parquet-corrupt",
        *OWN[:1],
        f"{T}.path=log.parquet",
        key=f"{T}.path",
        value="log.parquet",
        allowed="cannot be read",
        files={"log.parquet": b"PAR1 not really parquet"},
    ),
    _case(
        "separator-unknown",
        *OWN,
        f"{T}.separator=pipe",
        key=f"{T}.separator",
        value="pipe",
        allowed="must be one of 'comma', 'semicolon', 'tab', 'whitespace'",
        files={"log.csv": LOG},
    ),
    _case(
        "separator-a-bare-comma",
        *OWN,
        f"{T}.separator=,",
        key=f"{T}.separator",
        value="','",
        allowed=f"must be named (comma, semicolon, tab, whitespace: {T}.separator=comma) or quoted",
        files={"log.csv": LOG},
    ),
    _case(
        "separator-a-bare-semicolon",
        *OWN,
        f"{T}.separator=;",
        key=f"{T}.separator",
        value="';'",
        allowed=f"{T}.separator=semicolon",
        files={"log.csv": LOG},
    ),
    _case(
        "separator-not-the-files",
        *OWN,
        key=f"{T}.customer",
        value="customer",
        allowed="one column only: is calibration.transactions.separator = 'comma' the file's separator?",
        files=_log("a;2024-01-01;10", header="customer;date;amount"),
    ),
    _case(
        "columns-named-twice",
        *OWN,
        f"{T}.header=false",
        f"{T}.columns=[a,a,b]",
        key=f"{T}.columns",
        allowed="must name each column",
        files={"log.csv": LOG},
    ),
    # ------------------------------------------------------------------ the log's columns and values
    _case(
        "customer-column-named-otherwise",
        *OWN,
        key=f"{T}.customer",
        value="customer",
        allowed="must be a column of log.csv (client, day, spend)",
        files=_log("x,2024-01-01,10", header="client,day,spend"),
    ),
    _case(
        "header-line-read-as-data",
        *OWN,
        f"{T}.header=false",
        key=f"{T}.customer",
        value="customer",
        allowed="set calibration.transactions.header=true",
        files={"log.csv": LOG},
    ),
    _case(
        "customer-id-missing",
        *OWN,
        key=f"{T}.customer",
        value="customer",
        allowed="line 3 has no customer id",
        files=_log("a,2024-01-01,10", ",2024-01-02,5"),
    ),
    _case(
        "date-missing",
        *OWN,
        key=f"{T}.date",
        value="date",
        allowed="line 3 has no date",
        files=_log("a,2024-01-01,10", "b,,5"),
    ),
    _case(
        "date-format-does-not-read-the-dates",
        *OWN,
        f"{T}.date_format=%d/%m/%Y",
        key=f"{T}.date_format",
        value="%d/%m/%Y",
        allowed="(line 2 holds '2024-01-01'); must be a strptime format such as %Y-%m-%d or "
        "%d/%m/%Y, or '' for ISO 8601 dates",
        files={"log.csv": LOG},
    ),
    _case(
        "date-format-bad-directive",
        *OWN,
        f"{T}.date_format=%Q",
        key=f"{T}.date_format",
        value="%Q",
        allowed="'Q' is a bad directive",
        files={"log.csv": LOG},
    ),
    _case(
        "date-not-iso",
        *OWN,
        key=f"{T}.date_format",
        value="''",
        allowed="(line 3 holds '31/01/2024'); must be a strptime format such as %Y-%m-%d",
        files=_log("a,2024-01-01,10", "b,31/01/2024,5"),
    ),
    _case(
        "amount-not-a-number",
        *OWN,
        key=f"{T}.amount",
        value="amount",
        allowed="line 3 holds 'ten'",
        files=_log("a,2024-01-01,10", "b,2024-01-02,ten"),
    ),
    _case(
        "amount-with-a-decimal-comma",
        *OWN,
        f"{T}.separator=semicolon",
        key=f"{T}.amount",
        value="amount",
        allowed="line 2 holds '12,5'; must hold numbers",
        files=_log("a;2024-01-01;12,5", header="customer;date;amount"),
    ),
    _case(
        "amount-negative",
        *OWN,
        key=f"{T}.amount",
        value="amount",
        allowed="line 3 holds '-5'; amounts must be >= 0",
        files=_log("a,2024-01-01,10", "b,2024-01-02,-5"),
    ),
    _case(
        "amount-column-named-twice",
        *OWN,
        key=f"{T}.amount",
        value="amount",
        allowed="log.csv names 2 columns 'amount'; the column read must be named once",
        files=_log("a,1,2024-01-01,2", "b,3,2024-01-09,4", header="customer,amount,date,amount"),
    ),
    _case(
        "date-in-year-1",
        *OWN,
        key=f"{T}.date",
        value="date",
        allowed="line 2 holds 0001-01-01; purchase dates must fall between 1900-01-01 and",
        files=_log("a,0001-01-01,10", "b,2024-01-03,5"),
    ),
    _case(
        "date-in-year-9999",
        *OWN,
        key=f"{T}.date",
        value="date",
        allowed="line 3 holds 9999-12-31",
        files=_log("a,2024-01-01,10", "b,9999-12-31,5"),
    ),
    _case(
        "amount-missing",
        *OWN,
        key=f"{T}.amount",
        value="amount",
        allowed="line 2 has no amount",
        files=_log("a,2024-01-01,"),
    ),
    # ------------------------------------------------------------------ where period 1 starts
    _case(
        "start-years-before-the-data",
        *OWN,
        f"{T}.start=1997-01-01",
        key=f"{T}.start",
        value="1997-01-01",
        allowed="after the calibration periods (1-4)",
        files={"log.csv": LOG},
    ),
    _case(
        "start-after-the-first-purchase",
        *OWN,
        f"{T}.start=2024-01-05",
        key=f"{T}.start",
        value="2024-01-05",
        allowed="2 purchases fall before it, the first on 2024-01-01",
        files={"log.csv": LOG},
    ),
    _case(
        "start-not-a-date",
        *OWN,
        f"{T}.start=yesterday",
        key=f"{T}.start",
        value="yesterday",
        allowed="must be a date (YYYY-MM-DD)",
        files={"log.csv": LOG},
    ),
    # ------------------------------------------------------------------ survival tables: the file
    _case("survival-file-missing", *SURVIVAL, key=f"{S}.path", value="survival.csv", allowed="no such file"),
    _case(
        "survival-file-empty",
        *SURVIVAL,
        key=f"{S}.path",
        value="survival.csv",
        allowed="the file is empty",
        files={"survival.csv": ""},
    ),
    _case(
        "survival-header-only",
        *SURVIVAL,
        key=f"{S}.path",
        value="survival.csv",
        allowed="holds no counts",
        files={"survival.csv": "active\n"},
    ),
    _case(
        "survival-column-missing",
        *SURVIVAL,
        key=f"{S}.column",
        value="active",
        allowed="must be a column of survival.csv (year, subscribers)",
        files={"survival.csv": "year,subscribers\n0,1000\n1,631\n"},
    ),
    _case(
        "survival-blank-line",
        *SURVIVAL,
        key=f"{S}.path",
        value="survival.csv",
        allowed="line 4 (period 2) is blank",
        files={"survival.csv": "active\n1000\n631\n\n468\n382\n"},
    ),
    _case(
        "survival-count-missing-in-its-column",
        *SURVIVAL,
        f"{S}.column=active",
        key=f"{S}.path",
        allowed="line 3 (period 1) has no count in column 'active'",
        files={"survival.csv": "year,active\n0,1000\n1,\n2,468\n"},
    ),
    _case(
        "survival-count-not-a-number",
        *SURVIVAL,
        key=f"{S}.path",
        value="survival.csv",
        allowed="line 3 (period 1) holds 'abc'",
        files={"survival.csv": "active\n1000\nabc\n468\n"},
    ),
    _case(
        "survival-count-nan",
        *SURVIVAL,
        key=f"{S}.path",
        value="survival.csv",
        allowed="line 3 (period 1) holds 'nan'",
        files={"survival.csv": "active\n1000\nnan\n468\n"},
    ),
    _case(
        "survival-counts-rising-in-the-file",
        *SURVIVAL,
        key=f"{S}.path",
        value="survival.csv",
        allowed="line 4 (period 2) holds 700, more than period 1 (631)",
        files={"survival.csv": "active\n1000\n631\n700\n"},
    ),
    _case(
        "survival-column-named-twice",
        *SURVIVAL,
        key=f"{S}.column",
        value="active",
        allowed="survival.csv names 2 columns 'active'",
        files={"survival.csv": "active,active\n1000,9\n631,8\n"},
    ),
    _case(
        "survival-count-fractional-in-the-file",
        *SURVIVAL,
        key=f"{S}.path",
        value="survival.csv",
        allowed="line 2 (period 0) holds 1000.5; counts must be whole numbers of customers",
        files={"survival.csv": "active\n1000.5\n631\n468\n"},
    ),
    # ------------------------------------------------------------------ survival tables: the inline list
    _case(
        "survival-first-count-zero",
        "calibration=fader_hardie_regular",
        f"{S}.active=[0,0,0]",
        key=f"{S}.active",
        allowed="the cohort's size (period 0) must be above 0",
    ),
    _case(
        "survival-one-count",
        "calibration=fader_hardie_regular",
        f"{S}.active=[1000]",
        key=f"{S}.active",
        value="[1000]",
        allowed="needs at least 2 counts",
    ),
    _case(
        "survival-count-a-string",
        "calibration=fader_hardie_regular",
        f"{S}.active=[1000,abc,500]",
        key=f"{S}.active",
        allowed="period 1 holds 'abc'",
    ),
    _case(
        "survival-count-negative",
        "calibration=fader_hardie_regular",
        f"{S}.active=[1000,500,-1]",
        key=f"{S}.active",
        allowed="period 2 holds -1",
    ),
    _case(
        "survival-count-nan-inline",
        "calibration=fader_hardie_regular",
        f"{S}.active=[1000,nan,500]",
        key=f"{S}.active",
        allowed="period 1 holds nan",
    ),
    _case(
        "survival-count-fractional",
        "calibration=fader_hardie_regular",
        f"{S}.active=[1000,630.5,468]",
        key=f"{S}.active",
        allowed="period 1 holds 630.5; counts must be whole numbers",
    ),
    _case(
        "survival-counts-rising",
        "calibration=fader_hardie_regular",
        f"{S}.active=[1000,600,700]",
        key=f"{S}.active",
        allowed="period 2 holds 700, more than period 1 (600)",
    ),
    _case(
        "survival-holdout-past-the-table",
        "calibration=fader_hardie_regular",
        "calibration.holdout_periods=6",
        key="calibration.holdout_periods",
        value="6",
        allowed="the data cover 12 periods after period 0",
    ),
    _case(
        "survival-steps-per-period-zero",
        "calibration=fader_hardie_regular",
        f"{S}.steps_per_period=0",
        key=f"{S}.steps_per_period",
        value="0",
        allowed="must be in [1",
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_calibrate_rejects(case: Case, tmp_path) -> None:
    check_case(case, tmp_path)


def test_the_cases_are_distinct() -> None:
    assert len({c.id for c in CASES}) == len(CASES)
    assert len({(c.args, tuple(sorted((k, str(v)) for k, v in c.files.items()))) for c in CASES}) == len(CASES)
