"""The trainer's classroom: a lesson's scenario next to its baseline twin.

A trainer demonstrates a lesson of the model (one named experiment of
``conf/experiment/``) live: the market of the lesson runs one
scenario - say a price war - and, on the same seed, the same market without
the scenario's strategies, so that every chart can show the strategy's effect
against a faint baseline (common random numbers). This module is
everything the browser page (:mod:`experiments.classroom.dashboard`) shows, computed
without a browser:

- :func:`lesson_presets`: the named experiments, composed through Hydra, each
  with its story (the experiment's ``description``) and its scenarios; a
  lesson file that fails the command line's validation is skipped, with the
  reason, in :func:`skipped_lessons` (:func:`read_lessons`);
- :class:`ClassroomSettings`: what the page's sliders set (lesson, scenario,
  market size, segment mix, the focal firm's strategy and its parameters,
  rival response, seed), validated against the config ranges;
- :class:`Classroom`: a ``mesa.Model`` holding the two twin
  :class:`~sim.model.LoyaltyModel` instances, advanced in lockstep by
  :meth:`Classroom.step`, and :meth:`Classroom.snapshot`: the step tables of
  both twins, this step's disconfirmation counts, the KPI cards and the
  loyalty states of a fixed sample of the social network.

Before the lesson: the twins keep the step-table rows of the burn-in's last
:data:`HISTORY_YEARS` of a year (steps ``-25`` to ``0`` of a weekly market,
:class:`LessonMarket`), so that the page shows the market as the lesson
starts, with charts and numbers, before its first Step. Cumulative profit
and NPV count from step 1 (0 before). The KPI card's retention is the annual
rate the reports give (:func:`sim.metrics.summarise`: 1 - customers lost /
mean customers / years), over the last year of steps shown
(:func:`annual_retention`), history included while the lesson is younger.

Dashboard burn-in: a Reset must feel immediate in front of a class, so the
twins are burnt in for at most :data:`MAX_BURN_IN` steps (the lesson's own
``burn_in`` if shorter) instead of the experiment's full burn-in (156 weeks in
the retail market). The market is then close to, not at, its steady state;
the baseline twin shows that drift too, so the *difference* the trainer
points at is still the strategy's. Results of ``loyalty-sim`` (reports) use
the full burn-in.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import mesa
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order

from experiments.running.config_keys import rescaled_shares
from experiments.running.scenarios import Scenario, attach_strategies, build_scenarios, with_engine_threads
from sim.config import ConfigError, MarketConfig, RunConfig, SegmentConfig, validate
from sim.disconfirmation import DELIGHTED, DISAPPOINTED, SATISFIED
from sim.metrics import annual_churn, step_metrics
from sim.model import LoyaltyModel
from sim.phases import Phase
from sim.phases.step_table import record_step
from sim.records import StepRecord
from sim.units import StepLength
from agents.states import STATE_NAMES, LoyaltyState as S
from strategies.price_war import RETALIATION, PriceWarConfig
from strategies.registry import available

# --------------------------------------------------------------------------- constants
#: the lesson a fresh page opens on: the four headline strategies
DEFAULT_LESSON = "default"
#: customers in a dashboard market: small enough that a step is instant (about 3 ms)
DEFAULT_N_CUSTOMERS = 2000
#: the market sizes the page offers (within MarketConfig.n_customers' range)
N_CUSTOMERS_RANGE = (500, 5000)
#: longest burn-in of a dashboard market, in steps, so that Reset is immediate
#: (about 0.25 s at 2,000 customers); see the module docstring
MAX_BURN_IN = 60
#: the page's market runs the engine on one thread: several browser sessions
#: share the machine, and results do not depend on threads (EngineConfig)
DASHBOARD_THREADS = 1
#: the segment whose share the segment-mix slider sets (002's low end)
PRICE_SEGMENT = "price"
#: the focal firm's strategy as the lesson's scenario sets it / no strategy at all
AS_IN_LESSON, NO_STRATEGY = "lesson", "none"
#: a numeric setting of 0 (depth, start) means "as the lesson's scenario sets it";
#: both are out of their config ranges at 0 (depth in (0, 0.9], start >= 1)
KEEP = 0
#: the strategy whose depth and rival response the page sets
PRICE_WAR = "price_war"
#: customers the network view shows (about 200: legible, and word of mouth visible)
NETWORK_SAMPLE_SIZE = 200
#: seed of the network view's layout, so that the picture is the same in every session
LAYOUT_SEED = 7
#: spring-layout iterations: enough for a stable picture of 200 nodes, computed once
LAYOUT_ITERATIONS = 60
#: the burn-in's last steps the page shows before step 1, as a share of a year
#: (26 weeks, 6 months; fewer if the burn-in is shorter): the retention
#: chart's window is full from half-way through them
HISTORY_YEARS = 0.5
#: the retention chart's rolling window, as a share of a year (13 weeks, 3 months)
RETENTION_WINDOW_YEARS = 0.25

#: the loyalty states grouped for the page's colours (few colours, legible from
#: the back of a room): group name -> states (agents/states.py)
STATE_GROUPS: dict[str, tuple[S, ...]] = {
    "not a customer": (S.PROSPECT, S.AWARE),
    "new": (S.FIRST_TIME, S.WON_BACK),
    "repeat": (S.REPEAT,),
    "loyal & advocate": (S.LOYAL, S.ADVOCATE),
    "captive": (S.CAPTIVE,),
    "at risk": (S.AT_RISK,),
    "churned": (S.CHURNED,),
}
#: the groups that are the firm's customers (the stacked-area chart)
CUSTOMER_GROUPS = ("new", "repeat", "loyal & advocate", "captive", "at risk")
#: state code -> index of its group in STATE_GROUPS
GROUP_OF_STATE = np.zeros(len(STATE_NAMES), dtype=np.int8)
for _g, _states in enumerate(STATE_GROUPS.values()):
    GROUP_OF_STATE[list(_states)] = _g

#: the disconfirmation outcomes of a purchase (sim/disconfirmation.py), in chart order
OUTCOMES = {"delighted": DELIGHTED, "satisfied": SATISFIED, "disappointed": DISAPPOINTED}
#: the step-table columns a KPI card shows per firm
KPI_COLUMNS = (
    "customers",
    "market_share",
    "retention_rate",
    "churn_rate",
    "cumulative_profit",
    "npv",
    "promoter_score",
)
#: the KPI cards' column of the annual retention (:func:`annual_retention`)
ANNUAL_RETENTION = "annual_retention"


# --------------------------------------------------------------------------- lesson presets
@dataclass(frozen=True)
class LessonPreset:
    """One named experiment as a lesson: its market, story and scenarios."""

    name: str
    story: str  # the experiment's description (one paragraph)
    market: MarketConfig
    scenarios: tuple[Scenario, ...]
    baseline: str  # the scenario every other is compared with
    focal_firm: str

    @property
    def teaching_scenarios(self) -> tuple[Scenario, ...]:
        """The scenarios a trainer can show: every one but the baseline."""
        return tuple(s for s in self.scenarios if s.name != self.baseline)

    @property
    def baseline_scenario(self) -> Scenario:
        return next(s for s in self.scenarios if s.name == self.baseline)

    def scenario(self, number: int) -> Scenario:
        """The ``number``-th teaching scenario (1-based), clamped to the ones
        the lesson has, so that no slider position can break the page."""
        shown = self.teaching_scenarios
        return shown[min(max(int(number), 1), len(shown)) - 1]


#: environment variable naming a further config folder, laid out like ``conf/``
#: (lesson files in its ``experiment/`` subfolder), whose lessons the page offers
#: after those of ``conf/experiment/``: a trainer's own lessons kept outside the
#: project, or a test's bad lesson files (never written into the shared ``conf/``).
#: Unset (the default), the page offers ``conf/experiment/``'s lessons only.
EXTRA_LESSONS_ENV = "LOYALTY_SIM_EXTRA_LESSONS"
#: the config group whose files are the lessons (``conf/experiment/``)
LESSON_GROUP = "experiment"

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SkippedLesson:
    """A lesson file the page does not offer, and why: the one-line error the
    command line prints for it (``key = value: what is allowed``); or a lesson
    folder that is not there."""

    path: Path  # the lesson file (or folder)
    reason: str  # one line

    @property
    def notice(self) -> str:
        """The page's one-line notice: the file and the reason it is skipped."""
        return f"{shown_path(self.path)}: {self.reason}"


def shown_path(path: Path) -> str:
    """A file as a user finds it: relative to the project, else absolute."""
    from sim.config_loading import CONF_DIR

    project = CONF_DIR.parent
    return str(path.relative_to(project)) if path.is_relative_to(project) else str(path)


@dataclass(frozen=True)
class Lessons:
    """What the lesson files give: the lessons by name (the default first) and
    the files skipped because they fail the command line's validation."""

    presets: dict[str, LessonPreset]
    skipped: tuple[SkippedLesson, ...]


_lessons_lock = threading.Lock()
_lessons: dict[tuple[Path, ...], Lessons] = {}


def lesson_folders() -> tuple[Path, ...]:
    """The config folders whose ``experiment/`` files are lessons: ``conf/``,
    then the folder named by :data:`EXTRA_LESSONS_ENV` if it is set."""
    from sim.config_loading import CONF_DIR

    extra = os.environ.get(EXTRA_LESSONS_ENV, "").strip()
    return (CONF_DIR,) + ((Path(extra).resolve(),) if extra else ())


def lessons() -> Lessons:
    """Every lesson of :func:`lesson_folders`, read once per process and set
    of folders (:func:`read_lessons`). The presets are read-only configs,
    shared by all browser sessions."""
    folders = lesson_folders()
    with _lessons_lock:  # Hydra's global state: one composition at a time
        if folders not in _lessons:
            _lessons[folders] = read_lessons(folders)
            for skipped in _lessons[folders].skipped:
                _log.warning("lesson file skipped: %s", skipped.notice)
        return _lessons[folders]


def lesson_presets() -> dict[str, LessonPreset]:
    """The lessons the page offers, by name (:func:`lessons`)."""
    return lessons().presets


def skipped_lessons() -> tuple[SkippedLesson, ...]:
    """The lesson files the page does not offer, with the reasons (:func:`lessons`)."""
    return lessons().skipped


def lesson_names() -> list[str]:
    """The names of the lessons the page offers: :data:`DEFAULT_LESSON` first,
    then ``conf/experiment/``'s, then the extra folder's, each alphabetically."""
    return list(lesson_presets())


def first_lesson() -> str:
    """The lesson a fresh page opens on: :data:`DEFAULT_LESSON`, or, if its
    file is skipped, the first lesson offered. Raises ConfigError if no
    lesson file passes validation."""
    names = lesson_names()
    if not names:
        raise ConfigError(f"{LESSON_GROUP} = none: no lesson file passes validation ({len(skipped_lessons())} skipped)")
    return DEFAULT_LESSON if DEFAULT_LESSON in names else names[0]


def read_lessons(conf_dirs: Sequence[Path]) -> Lessons:
    """Compose and validate every ``<folder>/experiment/*.yaml`` of ``conf_dirs``
    (:func:`compose_lesson`), the default lesson first, then each folder's
    alphabetically. A file that fails validation - malformed or empty YAML,
    unknown keys, bad values, duplicate scenario names - is skipped with the
    one-line error the command line prints for it, so that one bad file never
    takes the other lessons, or the page, down."""
    from experiments.cli.errors import one_line

    presets: dict[str, LessonPreset] = {}
    skipped: list[SkippedLesson] = []
    for conf_dir in map(Path, conf_dirs):
        if not (conf_dir / LESSON_GROUP).is_dir():  # e.g. a mistyped extra folder: say so
            skipped.append(
                SkippedLesson(
                    conf_dir / LESSON_GROUP,
                    f"lesson folder = {str(conf_dir)!r}: has no "
                    f"{LESSON_GROUP}/ folder; must be laid out like conf/ (lesson files "
                    f"in {LESSON_GROUP}/*.yaml)",
                )
            )
            continue
        for path in sorted((conf_dir / LESSON_GROUP).glob("*.yaml"), key=lambda p: (p.stem != DEFAULT_LESSON, p.stem)):
            name = path.stem
            try:
                presets[name] = compose_lesson(name, conf_dir)
            except ConfigError as e:
                reason = one_line(str(e))
                # the command line's message names the file as conf/experiment/<name>.yaml
                reason = reason.replace(f"conf/{LESSON_GROUP}/{name}.yaml", shown_path(path))
                skipped.append(SkippedLesson(path, reason))
            except Exception as e:  # noqa: BLE001 - a user's file must not take the page down
                _log.exception("lesson file %s could not be read", path)
                skipped.append(SkippedLesson(path, one_line(f"{LESSON_GROUP} = {name!r}: {type(e).__name__}: {e}")))
    return Lessons(presets, tuple(skipped))


def compose_lesson(name: str, conf_dir: Path) -> LessonPreset:
    """The lesson ``<conf_dir>/experiment/<name>.yaml``, composed through Hydra
    as ``loyalty-sim experiment=<name>`` composes it (a folder other than
    ``conf/`` joins Hydra's search path after ``conf/``) and validated as the
    command line validates it (:func:`experiments.running.app.check_overrides`).
    Raises ConfigError with the command line's one-line message."""
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    from sim.config_loading import CONF_DIR
    from experiments.running.app import compose_app
    from experiments.running.config import AppConfig, validate_experiment
    from experiments.running.runner import experiment_config
    from experiments.cli.errors import translate_hydra_error
    from sim.config_loading import read_group_files

    conf_dir = Path(conf_dir).resolve()
    selection = {LESSON_GROUP: name}
    values = {**read_group_files(selection, [conf_dir]), **selection}  # malformed or empty: ConfigError
    overrides = [f"{LESSON_GROUP}={name}"]
    if conf_dir != CONF_DIR.resolve():
        if (CONF_DIR / LESSON_GROUP / f"{name}.yaml").exists():
            raise ConfigError(
                f"{LESSON_GROUP} = {name!r}: conf/{LESSON_GROUP}/ has a file of this name, and "
                "Hydra composes that one; rename this file"
            )
        overrides.append(f"hydra.searchpath=['file://{conf_dir}']")
    try:
        container = compose_app(overrides)
    except (HydraException, OmegaConfBaseException) as e:
        raise ConfigError(translate_hydra_error(e, values, root=AppConfig)) from None
    validate_experiment(container)
    market, exp = experiment_config(container)
    return LessonPreset(
        name=name,
        story=" ".join(exp.description.split()),
        market=market,
        scenarios=tuple(build_scenarios(market, exp.scenarios)),
        baseline=exp.baseline,
        focal_firm=exp.focal_firm,
    )


def max_teaching_scenarios() -> int:
    """The most teaching scenarios any lesson has (the scenario slider's top)."""
    return max(len(p.teaching_scenarios) for p in lesson_presets().values())


# --------------------------------------------------------------------------- settings
@dataclass(frozen=True)
class ClassroomSettings:
    """What the page's controls set. Every value is checked by :meth:`validate`
    against the config ranges; numeric 0 (:data:`KEEP`) and the choice
    ``"lesson"`` keep what the lesson's scenario says."""

    lesson: str = DEFAULT_LESSON
    scenario_number: int = 1  # which teaching scenario (1-based, clamped)
    n_customers: int = DEFAULT_N_CUSTOMERS
    price_share: float | None = None  # share of the price segment; None: the lesson's mix
    strategy: str = AS_IN_LESSON  # the focal firm's: "lesson", "none" or a registered name
    depth: float = KEEP  # price-war discount (0: the lesson's)
    start: int = KEEP  # week the strategy starts (= reported step, weekly; 0: the lesson's)
    retaliation: str = AS_IN_LESSON  # rivals' price-war response (none | match | partial)
    seed: int = 0

    def validate(self) -> None:
        """Raise one ConfigError naming the setting, its value and what is allowed."""
        lessons = lesson_names()
        if self.lesson not in lessons:
            raise ConfigError(f"lesson = {self.lesson!r}: must be one of {', '.join(lessons)}")
        _check_int("scenario_number", self.scenario_number, 1, max_teaching_scenarios())
        _check_int("n_customers", self.n_customers, *N_CUSTOMERS_RANGE)
        if self.price_share is not None:
            validate({"share": self.price_share}, SegmentConfig, f"{PRICE_SEGMENT}_segment.")
        strategies = [AS_IN_LESSON, NO_STRATEGY, *available()]
        if self.strategy not in strategies:
            raise ConfigError(f"strategy = {self.strategy!r}: must be one of {', '.join(strategies)}")
        if self.depth != KEEP:
            validate({"depth": self.depth}, PriceWarConfig)
        if self.start != KEEP:
            try:
                validate({"start": self.start}, PriceWarConfig)
            except ConfigError as e:
                raise ConfigError(f"{e} (or {KEEP}: the lesson's)") from None
        if self.retaliation not in (AS_IN_LESSON, *RETALIATION):
            raise ConfigError(
                f"retaliation = {self.retaliation!r}: must be one of {', '.join((AS_IN_LESSON, *RETALIATION))}"
            )
        validate({"seed": self.seed}, RunConfig)


def _check_int(key: str, value: Any, lo: int, hi: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not lo <= value <= hi:
        raise ConfigError(f"{key} = {value!r}: must be a whole number in [{lo}, {hi}]")


# --------------------------------------------------------------------------- the twin markets
@dataclass(frozen=True)
class TwinMarkets:
    """The market the class watches and the one it is compared with."""

    scenario: Scenario  # the lesson's scenario with the page's settings
    baseline: Scenario  # the same without strategies (see :func:`twin_markets`)
    focal_index: int


def twin_markets(preset: LessonPreset, settings: ClassroomSettings) -> TwinMarkets:
    """The scenario shown and its baseline twin, with the page's settings.

    The baseline twin is what the scenario is compared with: the same market
    with no firm running a strategy; for a scenario that runs none (e.g. a
    rival enters), the lesson's baseline scenario. The market settings
    (size, segment mix, burn-in, seed) apply to both."""
    chosen = preset.scenario(settings.scenario_number)
    focal = [f.name for f in chosen.market.firms].index(preset.focal_firm)
    market = _dashboard_market(chosen.market, settings)
    firms = list(market.firms)
    firms[focal] = dataclasses.replace(firms[focal], strategies=_focal_strategies(firms[focal].strategies, settings))
    shown = Scenario(chosen.name, chosen.description, dataclasses.replace(market, firms=firms))
    if any(f.strategies for f in shown.market.firms):
        base = Scenario(preset.baseline, "the same market without the strategy", shown.without_strategies)
    else:
        plain = preset.baseline_scenario
        plain = Scenario(plain.name, plain.description, _dashboard_market(plain.market, settings))
        base = Scenario(plain.name, plain.description, plain.without_strategies)
    return TwinMarkets(shown, base, focal)


def _dashboard_market(market: MarketConfig, settings: ClassroomSettings) -> MarketConfig:
    """The lesson's market at the page's size, segment mix, capped burn-in and one thread."""
    customers = market.customers
    if settings.price_share is not None:
        customers = dataclasses.replace(customers, segments=segment_mix(customers.segments, settings.price_share))
    market = dataclasses.replace(
        market, n_customers=int(settings.n_customers), customers=customers, burn_in=min(market.burn_in, MAX_BURN_IN)
    )
    return with_engine_threads(market, DASHBOARD_THREADS)


def segment_mix(segments: list[SegmentConfig], price_share: float) -> list[SegmentConfig]:
    """The segments with the price segment at ``price_share`` and the rest of
    the market split among the others in proportion to their shares."""
    names = [s.name for s in segments]
    if PRICE_SEGMENT not in names:
        raise ConfigError(
            f"price_share = {price_share!r}: the market has no {PRICE_SEGMENT!r} segment (segments: {', '.join(names)})"
        )
    shares = rescaled_shares([s.share for s in segments], names.index(PRICE_SEGMENT), float(price_share))
    return [dataclasses.replace(s, share=share) for s, share in zip(segments, shares)]


def _focal_strategies(specs: list, settings: ClassroomSettings) -> list:
    """The focal firm's strategy specs after the page's strategy, start,
    depth and rival-response settings."""
    if settings.strategy == NO_STRATEGY:
        return []
    if settings.strategy != AS_IN_LESSON:
        specs = [{"name": settings.strategy}]
    out = []
    for spec in specs:
        spec = {"name": spec} if isinstance(spec, str) else dict(spec)
        if settings.start != KEEP:
            spec["start"] = int(settings.start)
        if spec["name"] == PRICE_WAR:
            if settings.depth != KEEP:
                spec["depth"] = float(settings.depth)
            if settings.retaliation != AS_IN_LESSON:
                spec["retaliation"] = settings.retaliation
        out.append(spec)
    return out


def build_twins(twins: TwinMarkets, seed: int) -> tuple[LoyaltyModel, LoyaltyModel]:
    """(scenario model, baseline model) on ``seed``. When the scenario's
    strategies are inert before they start and its market without them is
    the baseline's, the market is burnt in once and the scenario continues
    from a copy with its strategies attached (experiments/running/scenarios.py):
    bit-identical to building it from scratch, at half the Reset time."""
    baseline = LessonMarket(market=twins.baseline.market, seed=seed)
    if twins.scenario.shares_burn_in and twins.scenario.without_strategies == twins.baseline.market:
        return attach_strategies(baseline, twins.scenario.market), baseline
    return LessonMarket(market=twins.scenario.market, seed=seed), baseline


def history_steps(market: MarketConfig) -> int:
    """How many of the burn-in's last steps the page shows before step 1:
    :data:`HISTORY_YEARS` of a year, at most the burn-in."""
    return min(int(market.burn_in), max(1, round(HISTORY_YEARS * market.steps_per_year)))


class LessonMarket(LoyaltyModel):
    """A :class:`~sim.model.LoyaltyModel` that keeps the step-table rows of
    its burn-in's last :func:`history_steps` steps in :attr:`history`
    (numbered ``-k+1`` to ``0``, from the same records as a reported step's,
    :func:`sim.metrics.step_metrics`; cumulative profit and NPV are 0 there,
    as the books count from step 1). A probe, as :mod:`sim.phases` allows:
    the step table's phase is substituted by one that also records those
    steps, as the engine sets its phases (before the burn-in). Its own step
    table and its trajectory are the plain model's: it only reads."""

    def __init__(self, *, market: MarketConfig, seed: int) -> None:
        self.history: list[dict[str, Any]] = []
        self._history_steps = history_steps(market)
        super().__init__(market=market, seed=seed)

    @property
    def phases(self) -> list[Phase]:
        """The step's phases (:data:`sim.phases.PHASES`), the step table's own recording the history too."""
        return self._phases

    @phases.setter
    def phases(self, phases: list[Phase]) -> None:
        self._phases = [self._record_step if phase is record_step else phase for phase in phases]

    def _record_step(self, market: LoyaltyModel, step: StepRecord) -> None:
        record_step(market, step)
        number = market.reported_step  # 0 for the burn-in's last step
        if not step.reported and number > -self._history_steps:
            rows = step_metrics(market, step)
            for row in rows:
                row["step"] = number
            self.history.extend(rows)


# --------------------------------------------------------------------------- read-outs
def disconfirmation_counts(model: LoyaltyModel) -> pd.DataFrame:
    """This step's buyers of each firm by disconfirmation outcome (
    004's zone of tolerance): one row per firm, columns :data:`OUTCOMES`; each
    row sums to the firm's purchases this step. All zeros before any step."""
    names = [f.name for f in model.firms]
    bought = model.last_step.purchases
    counts = np.zeros((model.n_firms, len(OUTCOMES)), dtype=np.int64)
    if bought is not None:
        for k, code in enumerate(OUTCOMES.values()):
            counts[:, k] = np.bincount(bought.firm, bought.outcome == code, minlength=model.n_firms)
    return pd.DataFrame(counts, index=pd.Index(names, name="firm"), columns=list(OUTCOMES))


def kpi_cards(table: pd.DataFrame, firms: list[str], steps_per_year: float = 52.0) -> pd.DataFrame:
    """The KPI cards: each firm's :data:`KPI_COLUMNS` at the last step of
    ``table`` (step 0 before the first Step: the burn-in's last; NaN in an
    empty table) and its annual retention over the last year
    (:func:`annual_retention`, column ``annual_retention``)."""
    if table.empty:
        return pd.DataFrame(np.nan, index=pd.Index(firms, name="firm"), columns=[*KPI_COLUMNS, ANNUAL_RETENTION])
    last = table.tail(len(firms))  # the last step's rows, one a firm in the firms' order
    if list(last["firm"]) != list(firms) or last["step"].nunique() != 1:
        last = table[table["step"] == table["step"].max()].set_index("firm").loc[firms].reset_index()
    cards = last[list(KPI_COLUMNS)].set_axis(pd.Index(firms, name="firm"))
    cards[ANNUAL_RETENTION] = annual_retention(table, steps_per_year).reindex(firms).to_numpy()
    return cards


def year_window(table: pd.DataFrame, steps_per_year: float, now: int | None = None) -> pd.DataFrame:
    """The rows of the last year of ``table`` up to step ``now`` (its last
    step by default): steps ``now - steps_per_year + 1`` to ``now``, fewer
    if the table starts later."""
    if table.empty:
        return table
    now = int(table["step"].max()) if now is None else int(now)
    steps = table["step"]
    return table[(steps > now - round(steps_per_year)) & (steps <= now)]


def annual_retention(table: pd.DataFrame, steps_per_year: float, now: int | None = None) -> pd.Series:
    """Each firm's annual retention over the last year of ``table`` up to
    step ``now`` (:func:`year_window`), as the reports give it
    (:func:`sim.metrics.summarise`): 1 - customers lost over the window /
    the mean customers / the window's length in years. By firm, in the
    table's order of firms; empty for an empty table. Where a firm had no
    customers to keep (fewer than one on average, e.g. a rival yet to enter)
    it is NaN, and it is at least 0 (more lost in a year than there were
    customers: none kept)."""
    window = year_window(table, steps_per_year, now)
    if window.empty:
        return pd.Series(dtype=float, name=ANNUAL_RETENTION)
    codes, firms = pd.factorize(window["firm"].to_numpy())  # the firms in the table's order
    steps = np.bincount(codes)
    lost = np.bincount(codes, weights=window["lost"].to_numpy(dtype=float))
    customers = np.bincount(codes, weights=window["customers"].to_numpy(dtype=float)) / steps
    retention = 1 - annual_churn(lost, customers, steps / steps_per_year)
    retention = np.where(customers >= 1, np.maximum(retention, 0.0), np.nan)
    return pd.Series(retention, index=pd.Index(firms, name="firm"), name=ANNUAL_RETENTION)


def rolling_annual_retention(lost: np.ndarray, customers: np.ndarray, window: int, steps_per_year: float) -> np.ndarray:
    """:func:`annual_retention` over a rolling window of ``window`` steps,
    for arrays [steps, firms] of customers lost and customers: 1 - the
    window's lost / its mean customers / its years; NaN until a window is
    full and where a firm had no customers, at least 0 (as :func:`annual_retention`)."""
    lost, customers = np.asarray(lost, dtype=float), np.asarray(customers, dtype=float)
    if lost.size == 0:
        return lost
    window = max(int(window), 1)

    def rolling_sum(a: np.ndarray) -> np.ndarray:
        c = np.cumsum(np.vstack([np.zeros((1, a.shape[1])), a]), axis=0)
        ends = np.arange(1, len(a) + 1)
        return c[ends] - c[np.maximum(ends - window, 0)]

    mean_customers = rolling_sum(customers) / window
    out = np.maximum(1 - annual_churn(rolling_sum(lost), mean_customers, window / steps_per_year), 0.0)
    out[mean_customers < 1] = np.nan
    out[: window - 1] = np.nan
    return out


def state_groups(table: pd.DataFrame) -> pd.DataFrame:
    """Customers per step, firm and state group (:data:`STATE_GROUPS`), for the
    stacked-area chart: columns ``step``, ``firm`` and one per group (no rows
    before the first reported step)."""
    if table.empty:
        return pd.DataFrame(columns=["step", "firm", *STATE_GROUPS])
    out = table[["step", "firm"]].copy()
    for group, states in STATE_GROUPS.items():
        out[group] = table[[f"n_{STATE_NAMES[s]}" for s in states]].sum(axis=1)
    return out


@dataclass(frozen=True)
class NetworkSample:
    """About :data:`NETWORK_SAMPLE_SIZE` customers of the social network, drawn
    once (a breadth-first snowball from a seeded customer, so that their ties
    among themselves are many and a story can be seen travelling), with their
    ties and a fixed 2-D layout. Positions are customer rows: a customer who
    leaves the category is replaced by a newcomer in the same place and with
    the same ties, so the picture stays valid for the whole run."""

    nodes: np.ndarray  # customer rows, shape (k,)
    edges: np.ndarray  # pairs of indices into ``nodes``, shape (e, 2)
    layout: np.ndarray  # x, y per node, shape (k, 2)

    def groups(self, model: LoyaltyModel, firm: int) -> np.ndarray:
        """Each sampled customer's state group (index into :data:`STATE_GROUPS`) with ``firm``."""
        return GROUP_OF_STATE[model.customers.state[self.nodes, firm]]


def sample_network(network: sp.spmatrix, seed: int, size: int = NETWORK_SAMPLE_SIZE) -> NetworkSample:
    """Draw the network view's customers, their ties and layout (see :class:`NetworkSample`)."""
    import networkx as nx

    adj = sp.csr_matrix(network)
    n = adj.shape[0]
    rng = np.random.default_rng(seed)
    picked: list[np.ndarray] = []
    seen = np.zeros(n, dtype=bool)
    while sum(len(p) for p in picked) < min(size, n):  # one component may be small
        start = int(rng.choice(np.flatnonzero(~seen)))
        order = breadth_first_order(adj, start, directed=False, return_predecessors=False)
        order = order[~seen[order]]
        seen[order] = True
        picked.append(order)
    nodes = np.concatenate(picked)[:size]
    sub = sp.triu(adj[nodes][:, nodes], k=1).tocoo()
    edges = np.column_stack([sub.row, sub.col]).astype(np.int64)
    graph = nx.Graph()
    graph.add_nodes_from(range(len(nodes)))
    graph.add_edges_from(edges.tolist())
    pos = nx.spring_layout(graph, seed=LAYOUT_SEED, iterations=LAYOUT_ITERATIONS)
    layout = np.array([pos[i] for i in range(len(nodes))], dtype=np.float64)
    return NetworkSample(nodes=nodes, edges=edges, layout=layout)


@dataclass(frozen=True)
class Snapshot:
    """Everything the page shows at one step, read consistently under the
    classroom's lock (the page's Play runs steps in another thread). The
    step tables hold the steps shown before the lesson (``<= 0``, the end of
    the burn-in) and the lesson's steps, one row per step and firm in the
    firms' order; the methods give a column as an array [steps, firms]."""

    step: int
    horizon: int
    firms: list[str]
    focal_index: int
    scenario_steps: pd.DataFrame  # the scenario twin's step table, the history first
    baseline_steps: pd.DataFrame  # the baseline twin's step table, the history first
    disconfirmation: pd.DataFrame  # this step's buyers by outcome, scenario twin
    baseline_disconfirmation: pd.DataFrame  # the same, baseline twin
    kpis: pd.DataFrame  # KPI cards per firm, scenario twin
    baseline_kpis: pd.DataFrame  # KPI cards per firm, baseline twin
    network_groups: np.ndarray  # sampled customers' state group with the focal firm
    baseline_network_groups: np.ndarray
    steps_per_year: float = 52.0
    first_step: int = 0  # the first step shown (the history's first, <= 0)

    @property
    def steps(self) -> np.ndarray:
        """The steps shown, from :attr:`first_step` to :attr:`step`."""
        table = self.scenario_steps
        return table["step"].to_numpy()[:: len(self.firms)] if len(table) else np.zeros(0, dtype=np.int64)

    @property
    def step_unit(self) -> str:
        """A step in words (:attr:`sim.units.StepLength.name`): ``week``, ``month``, ... or ``step``."""
        return StepLength(self.steps_per_year).name

    @property
    def retention_window(self) -> int:
        """The retention chart's window in steps (:data:`RETENTION_WINDOW_YEARS`)."""
        return max(1, round(RETENTION_WINDOW_YEARS * self.steps_per_year))

    def values(self, column: str, baseline: bool = False) -> np.ndarray:
        """A step-table column as an array [steps, firms] (float)."""
        table = self.baseline_steps if baseline else self.scenario_steps
        if table.empty:
            return np.zeros((0, len(self.firms)))
        return table[column].to_numpy(dtype=float).reshape(-1, len(self.firms))

    def rolling_retention(self, baseline: bool = False) -> np.ndarray:
        """Annual retention per step and firm over :attr:`retention_window`
        steps (:func:`rolling_annual_retention`), a share."""
        return rolling_annual_retention(
            self.values("lost", baseline),
            self.values("customers", baseline),
            self.retention_window,
            self.steps_per_year,
        )

    def group_counts(self, baseline: bool = False) -> np.ndarray:
        """Customers per step, firm and customer group (:data:`CUSTOMER_GROUPS`): [steps, firms, groups]."""
        parts = [
            sum(self.values(f"n_{STATE_NAMES[state]}", baseline) for state in STATE_GROUPS[group])
            for group in CUSTOMER_GROUPS
        ]
        if not parts or not len(self.firms):
            return np.zeros((0, len(self.firms), len(CUSTOMER_GROUPS)))
        return np.stack(parts, axis=2)


class _GrowingTable:
    """A twin's step table, its history first, converted to a DataFrame
    step by step: only the rows added since the last read are converted."""

    def __init__(self, model: LessonMarket) -> None:
        self.model = model
        self.frame = pd.DataFrame.from_records(getattr(model, "history", []))
        self.rows = 0  # the model's records in :attr:`frame`

    def read(self) -> pd.DataFrame:
        records = self.model.records
        if len(records) > self.rows:
            new = pd.DataFrame.from_records(records[self.rows :])
            self.frame = new if self.frame.empty else pd.concat([self.frame, new], ignore_index=True)
            late = [c for c in self.model.ledger.categories if c in self.frame.columns]
            if late and self.frame[late].isna().any().any():  # a cost first booked later reads 0 before
                self.frame[late] = self.frame[late].fillna(0.0)
            self.rows = len(records)
        return self.frame


# --------------------------------------------------------------------------- the classroom
class Classroom(mesa.Model):
    """A lesson on the screen: the scenario's market and its baseline twin on
    the same seed, advanced together.

    A ``mesa.Model`` with a keyword-only constructor, so that Mesa's
    SolaraViz rebuilds it from the page's controls on Reset. The keywords are
    the fields of :class:`ClassroomSettings`. ``running`` turns False at the
    lesson's horizon (``market.steps``), which stops Play.
    """

    def __init__(
        self,
        *,
        lesson: str = DEFAULT_LESSON,
        scenario_number: int = 1,
        n_customers: int = DEFAULT_N_CUSTOMERS,
        price_share: float | None = None,
        strategy: str = AS_IN_LESSON,
        depth: float = KEEP,
        start: int = KEEP,
        retaliation: str = AS_IN_LESSON,
        seed: int = 0,
    ) -> None:
        settings = ClassroomSettings(
            lesson=lesson,
            scenario_number=int(scenario_number),
            n_customers=int(n_customers),
            price_share=price_share,
            strategy=strategy,
            depth=depth,
            start=int(start),
            retaliation=retaliation,
            seed=int(seed),
        )
        settings.validate()
        super().__init__(rng=settings.seed)
        self.settings = settings
        self.preset = lesson_presets()[lesson]
        self.twins = twin_markets(self.preset, settings)
        self.scenario_model, self.baseline_model = build_twins(self.twins, settings.seed)
        self.focal_index = self.twins.focal_index
        self.horizon = self.twins.scenario.market.steps
        self.network_sample = sample_network(self.scenario_model.network, settings.seed)
        self.steps_per_year = float(self.twins.scenario.market.steps_per_year)
        self._tables = (_GrowingTable(self.scenario_model), _GrowingTable(self.baseline_model))
        self._lock = threading.RLock()
        self._snapshot: Snapshot | None = None
        self.running = self.horizon > 0

    @property
    def firm_names(self) -> list[str]:
        return [f.name for f in self.twins.scenario.market.firms]

    @property
    def story(self) -> str:
        """The lesson's one-paragraph story (the experiment's description)."""
        return self.preset.story

    @property
    def reported_steps(self) -> int:
        """Reported steps both twins have simulated."""
        return int(self.scenario_model.steps)

    def step(self) -> None:
        """Advance both twins by one reported step; stop at the lesson's horizon."""
        with self._lock:
            if self.reported_steps >= self.horizon:
                self.running = False
                return
            self.scenario_model.step()
            self.baseline_model.step()
            self._snapshot = None
            self.running = self.reported_steps < self.horizon

    def snapshot(self) -> Snapshot:
        """What the page shows now (computed once per step)."""
        with self._lock:
            if self._snapshot is None:
                self._snapshot = self._read()
            return self._snapshot

    def _read(self) -> Snapshot:
        firms, f = self.firm_names, self.focal_index
        treated, plain = (table.read() for table in self._tables)
        return Snapshot(
            step=self.reported_steps,
            horizon=self.horizon,
            firms=firms,
            focal_index=f,
            scenario_steps=treated,
            baseline_steps=plain,
            disconfirmation=disconfirmation_counts(self.scenario_model),
            baseline_disconfirmation=disconfirmation_counts(self.baseline_model),
            kpis=kpi_cards(treated, firms, self.steps_per_year),
            baseline_kpis=kpi_cards(plain, firms, self.steps_per_year),
            network_groups=self.network_sample.groups(self.scenario_model, f),
            baseline_network_groups=self.network_sample.groups(self.baseline_model, f),
            steps_per_year=self.steps_per_year,
            first_step=int(treated["step"].min()) if len(treated) else 0,
        )
