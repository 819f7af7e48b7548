"""The market engine: ``LoyaltyModel(mesa.Model)``.

Customers and staff are columnar populations; each phase of a step is a
vectorised operation over all of them, in its own module of
:mod:`sim.phases`, and the phases are listed once, in
:data:`sim.phases.PHASES`. A step writes typed records
(:mod:`sim.records`); the last step's are :attr:`LoyaltyModel.last_step`.
Every random event draws from its own named stream for all agents every
step (common random numbers). Strategies act through :class:`sim.context.StepContext`
and the per-relationship modifiers (:mod:`sim.modifiers`).
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Hashable

import mesa
import numpy as np
import pandas as pd

from agents.customers import CustomerPopulation, Segments, draw_traits
from agents.newcomers import Newcomers
from agents.firm import Firm
from agents.network import small_world
from agents.staff import StaffPopulation
from sim import loyalty
from sim.blocks import RowBlocks
from agents.compiled import interrupted
from sim.cohorts import Cohorts
from sim.retention import RetentionRecorder
from sim.columns import take_rows
from sim.config import MarketConfig, RunConfig, market_config, to_dataclass, validate
from sim.context import StepContext
from sim.ledger import Ledger
from sim.modifiers import Modifiers
from sim.phases import PHASES, Phase, visit_round
from sim.records import (
    LATENTS,
    FirmStepEvents,
    Latents,
    Purchases,
    SmoothedChurn,
    StaffWork,
    StepDraws,
    StepRecord,
    required,
)
from sim.staffing import engagement_target
from agents.states import LoyaltyState as S, N_STATES, customers_per_firm
from sim.streams import RandomStreams
from sim.tenure_value import value_by_tenure
from sim.units import StepLength, first_step
from sim.strategy_provider import resolve_strategies

#: the switching bonus while no programme gives one (:func:`sim.loyalty.switching_costs`)
_NO_BONUS = np.zeros((0, 0), dtype=np.float32)


class LoyaltyModel(mesa.Model):  # type: ignore[misc]  # mesa ships no type information
    """A market of customers and firms (docs/model.md).

    Build it with keyword arguments (Mesa's tools inspect the constructor) or
    from a Hydra config with :meth:`from_config`. The constructor simulates
    ``burn_in`` steps so that the reported horizon starts from a steady state;
    :attr:`steps` then counts reported steps.

    Args:
        market: a :class:`MarketConfig`, a dict of its keys, or the name of a
            preset in ``conf/market/`` ("retail", "home_furnishing", "subscription").
        seed: seed of all random streams.
        n_customers, burn_in: shortcuts overriding the market's values.
        **overrides: any other top-level market key (e.g. ``steps=52``).
    """

    def __init__(
        self,
        *,
        market: MarketConfig | dict[str, Any] | str | None = None,
        seed: int = 0,
        n_customers: int | None = None,
        burn_in: int | None = None,
        **overrides: Any,
    ) -> None:
        super().__init__(rng=int(seed))
        if isinstance(market, str):
            market = load_market_preset(market)
        if n_customers is not None:
            overrides["n_customers"] = n_customers
        if burn_in is not None:
            overrides["burn_in"] = burn_in
        validate({"seed": seed}, RunConfig)
        self.config: MarketConfig = market_config(market, **overrides)
        self.seed = int(seed)
        self.streams = RandomStreams(self.seed)
        cfg = self.config
        #: the step length and the conversions to it (the only code that knows it)
        self.step_length = StepLength.of(cfg.steps_per_year, cfg.visit_round_weeks)
        self.n_firms = len(cfg.firms)
        #: :meth:`by_firm`'s and :meth:`firm_rule`'s columns, cleared whenever a firm's attribute is set
        self.firm_columns: dict[tuple[Hashable, ...], np.ndarray] = {}
        self.firms: list[Firm] = [Firm(self, i, fc) for i, fc in enumerate(cfg.firms)]
        self.t = 0  # steps simulated, burn-in included
        self._build_population()
        self.modifiers = Modifiers(self.customers.n, self.n_firms)
        self.blocks = RowBlocks(cfg.engine.block_rows, cfg.engine.threads)
        self.ledger = Ledger(self.n_firms, self.step_length.step_discount(cfg.discount_rate))
        #: the traits of the prospects who will take leavers' places
        self.newcomers = Newcomers(self.streams["newcomers"], self.n_firms)
        #: the step, phase by phase (:mod:`sim.phases`); a probe may substitute one
        self.phases: list[Phase] = list(PHASES)
        self.records: list[dict[str, Any]] = []  # the step table's rows
        self.cohorts = Cohorts(self.n_firms, cfg.steps)
        self.retention = RetentionRecorder()
        for firm in self.firms:
            self.set_strategies(firm, firm.config.strategies)
        for _ in range(cfg.burn_in):
            self._advance(reported=False)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_config(cls, cfg: Any) -> "LoyaltyModel":
        """Build from a Hydra/OmegaConf config (or dict) with ``seed`` and ``market``."""
        validate(cfg, RunConfig)
        run = to_dataclass(cfg, RunConfig)
        return cls(market=run.market, seed=run.seed)

    def _build_population(self) -> None:
        cfg, n, F = self.config, self.config.n_customers, len(self.config.firms)
        rng = self.streams["traits"]
        c = cfg.customers
        soc = rng.beta(
            max(c.sociability_mean * c.sociability_concentration, 1e-6),
            max((1 - c.sociability_mean) * c.sociability_concentration, 1e-6),
            n,
        )
        self.network, order = small_world(
            soc, cfg.network.mean_degree, cfg.network.rewire_prob, self.streams["network"], cfg.network.reorder
        )
        traits = draw_traits(
            c, rng, n, self.step_length, self.n_firms, sociability=soc[order], segments=self.segments()
        )
        self.customers = CustomerPopulation(traits, F, [f.name for f in cfg.firms], [s.name for s in c.segments])
        self.staff = StaffPopulation(cfg.firms, n, cfg.staff, self.streams["staff_init"])
        init = self.streams["init"]
        present = self._present()
        aware = (init.random((n, F), dtype=np.float32) < c.initial_awareness) & present[None, :]
        promise = np.array([f.promise for f in cfg.firms], dtype=np.float32)
        noise = init.standard_normal((n, F), dtype=np.float32) * cfg.expectation.initial_spread
        cust = self.customers
        cust.state[aware] = S.AWARE
        cust.reconsidered[aware] = True  # the firms a customer knows from the start are in their consideration set
        cust.expectation[:] = np.where(aware, np.clip(promise[None, :] + noise, 0, 1), 0)
        workload = np.zeros(F)  # utilisation: no visits served yet
        target = self.engagement_target(workload)
        self.staff.engagement[:] = np.clip(target[self.staff.firm] + self.staff.trait, 0, 1)
        #: the records of the last step (of the step in progress while it runs)
        self.last_step = StepRecord(
            self.t,
            False,
            FirmStepEvents.zeros(F),
            np.zeros(F),
            staff=StaffWork(workload, self.staff.roster()),
            churn=SmoothedChurn(np.full(F, np.nan), np.full(F, np.nan)),
        )

    # ------------------------------------------------------------------ the step
    def step(self) -> None:
        """Advance one reported step (Mesa increments :attr:`steps`); at the
        end of each reported year, a snapshot of retention by cohort."""
        self._advance(reported=True)
        if self.steps_reported % max(1, round(self.config.steps_per_year)) == 0:
            self.retention.check(self)

    def retention_by_cohort(self) -> pd.DataFrame:
        """True and observed retention per firm and acquisition cohort (a
        reported year), at the end of each reported year and now
        (:mod:`sim.retention`)."""
        self.retention.check(self)
        return self.retention.table()

    def value_by_tenure(self) -> pd.DataFrame:
        """Each firm's current relationships by tenure band now: their
        annual revenue and gross margin and the share barely profitable
        (Reinartz & Kumar 2002; :mod:`sim.tenure_value`)."""
        return value_by_tenure(self)

    def run(self, steps: int | None = None) -> pd.DataFrame:
        """Run the reported horizon (or ``steps`` more steps); return the step table."""
        for _ in range(self.config.steps if steps is None else steps):
            self.step()
        return self.step_table()

    def _advance(self, reported: bool) -> None:
        """One step: draw for all agents, then run the phases in order (the
        phases of a visit round once a round: :meth:`_visit_rounds`)."""
        step = self._begin(reported)
        try:
            phases = self.phases
            if self.step_length.rounds == 1:
                for phase in phases:
                    phase(self, step)
            else:
                # a probe's phase put among a visit round's runs in the rounds too
                marked = [k for k, phase in enumerate(phases) if visit_round(phase)]
                first, last = (marked[0], marked[-1] + 1) if marked else (len(phases), len(phases))
                for phase in phases[:first]:
                    phase(self, step)
                if marked:
                    self._visit_rounds(step, phases[first:last])
                for phase in phases[last:]:
                    phase(self, step)
        except SystemError as e:
            if interrupted(e):  # Ctrl-C inside a compiled rule: stop as Ctrl-C does
                raise KeyboardInterrupt from None
            raise
        step.draws = None  # the draws are not kept between steps
        self.t += 1

    def _visit_rounds(self, step: StepRecord, phases: list[Phase]) -> None:
        """The phases of a visit round, once a round of the step, in order:
        each round is a step of its own length (:attr:`step_length` while it
        runs) with fresh draws of the customers' streams (the first round
        takes the step's); the rounds' purchases are joined, in round order,
        and their visits summed, for the phases after them."""
        whole = self.step_length
        rounds: list[Purchases] = []
        visits = np.zeros(self.n_firms)
        self.step_length = whole.visit_round
        try:
            for r in range(whole.rounds):
                if r:
                    step.draws = self._round_draws(required(step.draws, "step.draws"))
                for phase in phases:
                    phase(self, step)
                rounds.append(required(step.purchases, "step.purchases"))
                visits += step.visits
        finally:
            self.step_length = whole
        step.purchases = Purchases.joined(rounds)
        step.visits = visits

    def _round_draws(self, draws: StepDraws) -> StepDraws:
        """The draws of a visit round after the first: the step's staff and
        exit draws (drawn once a step), fresh draws of every other stream."""
        plan = StepDraws.round_plan(self.customers.n, self.n_firms, self.staff.m)
        fresh = self.streams.draw_all(plan, self.blocks.each_for(self.customers.n))
        return StepDraws(**{**vars(draws), **fresh})

    def _begin(self, reported: bool) -> StepRecord:
        """The record of a new step, with the step's draws and what it carries
        over from the last step (visits served, the smoothed churn); it is
        :attr:`last_step` from now on."""
        last = self.last_step
        events = FirmStepEvents.zeros(self.n_firms)
        events.customers_at_start = customers_per_firm(self.customers.state)
        plan = StepDraws.plan(self.customers.n, self.n_firms, self.staff.m)
        draws = StepDraws(**self.streams.draw_all(plan, self.blocks.each_for(self.customers.n)))
        self.last_step = StepRecord(self.t, reported, events, last.visits, draws, churn=last.churn)
        return self.last_step

    # ------------------------------------------------------------------ what phases and strategies use
    @property
    def steps_reported(self) -> int:
        """Reported steps completed: ``t - burn_in`` (0 during burn-in)."""
        return max(self.t - self.config.burn_in, 0)

    @property
    def reported_step(self) -> int:
        """The reported step being simulated: ``t - burn_in + 1`` (<= 0 during burn-in)."""
        return self.t - self.config.burn_in + 1

    def by_firm(self, name: str, dtype: type = np.float32) -> np.ndarray:
        """A firm attribute (positioning or lever) as one value per firm,
        read-only: kept until an attribute of a firm is set (a step reads a
        dozen of them, several twice)."""
        key = (name, dtype)
        out = self.firm_columns.get(key)
        if out is None:
            out = np.array([getattr(f, name) for f in self.firms], dtype=dtype)
            out.flags.writeable = False
            self.firm_columns[key] = out
        return out

    def firm_rule(self, rule: Callable[..., np.ndarray], name: str, dtype: type, *args: Hashable) -> np.ndarray:
        """``rule(self.by_firm(name, dtype), *args)``: per-firm values a step
        works out from a firm attribute and constants (``args``, which they
        are kept under), read-only and kept as :meth:`by_firm`'s columns are."""
        key = (rule, name, dtype, args)
        out = self.firm_columns.get(key)
        if out is None:
            out = np.array(rule(self.by_firm(name, dtype), *args))
            out.flags.writeable = False
            self.firm_columns[key] = out
        return out

    def segments(self) -> Segments:
        """The customer segments' trait distributions, as :func:`draw_traits`
        uses them (worked out again if the market's customer config is replaced)."""
        c = self.config.customers
        if getattr(self, "_segments", (None, None))[0] is not c:
            self._segments = (c, Segments.of(c))
        return self._segments[1]

    def _present(self) -> np.ndarray:
        """Firms in the market this step (a firm may enter later: captive waves)."""
        after = self.reported_step
        weeks = self.step_length.weeks
        return np.array([f.entry_week <= 0 or after >= first_step(f.entry_week, weeks) for f in self.config.firms])

    def where_present(self, mask: np.ndarray) -> np.ndarray:
        """``mask`` (``[customers, firms]``, modified in place) where the firm is
        present this step; usually all firms are, and the mask is left as it is."""
        if not self.present.all():
            mask &= self.present
        return mask

    def fix_prices(self) -> None:
        """The firms present and their prices and discounts for this step,
        once strategies have set the offers."""
        self.present = self._present()
        self.price = self.by_firm("effective_price")
        self.discount = self.by_firm("discount")

    def engagement_target(self, utilisation: np.ndarray) -> np.ndarray:
        """The engagement each firm's staff tend to, given their utilisation."""

        def fa(name: str) -> np.ndarray:
            return self.by_firm(name, np.float64)

        return engagement_target(
            fa("wage_per_year"),
            fa("training"),
            fa("empowerment"),
            fa("recognition"),
            utilisation,
            self.config.staff,
            fa("morale"),
        )

    def break_bonds(self, positions: np.ndarray) -> None:
        """Customers bonded to the employees who held these positions lose
        the bond and some affect (Gremler & Gwinner 2000)."""
        cust, staff = self.customers, self.staff
        if not len(positions):
            return
        left = np.zeros(staff.m, dtype=bool)
        left[positions] = True
        bonded = np.flatnonzero(cust.bond >= 0)
        broken = bonded[left[cust.bond[bonded]]]
        firm_of = staff.firm[cust.bond[broken]]
        cust.affect[broken, firm_of] = np.maximum(cust.affect[broken, firm_of] - self.config.staff.bond_break_affect, 0)
        cust.bond[broken] = -1

    def add_staff_time(self, firm: int, visits: float) -> None:
        """Staff time a programme used this step beyond serving purchases, in
        visit equivalents: it counts toward the next step's workload."""
        self.last_step.visits[firm] += visits

    def dismiss(self, positions: np.ndarray) -> None:
        """Lay off the employees in these positions: the positions stay empty
        and their customers' bonds break (001: the loyalty dilemma)."""
        self.staff.employed[positions] = False
        self.break_bonds(positions)
        if self.last_step.staff is not None:
            self.last_step.staff.roster = self.staff.roster()

    def switching(self, rows: Any = slice(None)) -> np.ndarray:
        """Switching costs: contracts that bind current customers (001) and
        the programmes' switching bonus (points, social bonds). The choice
        computes the same per chooser, with the personal offers, in
        :func:`sim.choice.logit_exponents`."""
        state = take_rows(self.customers.state, rows)
        out = np.empty(state.shape, np.float32)
        loyalty.switching_costs(state, self.by_firm("switching_cost"), self._switching_bonus(rows), out)
        return out

    def _switching_bonus(self, rows: Any) -> np.ndarray:
        """The programmes' switching bonus of ``rows``, empty while none gives one."""
        bonus = self.modifiers.switching_bonus
        return bonus.stored(rows) if bonus.in_use else _NO_BONUS

    def context(self, firm: Firm, purchases: Purchases | None = None) -> StepContext:
        """What the strategies of ``firm`` see of the current step."""
        return StepContext(
            t=self.t,
            step=self.reported_step,
            steps_per_year=self.config.steps_per_year,
            firms=self.firms,
            firm=firm,
            customers=self.customers,
            staff=self.staff,
            modifiers=self.modifiers,
            units=self.step_length,
            purchases=purchases,
            _market=self,
        )

    def set_strategies(self, firm: Firm, specs: Any) -> None:
        """Let ``firm`` run the strategies ``specs`` (names, dicts, instances or
        functions of a :class:`StepContext`) from now on; each is set up."""
        firm.strategies = resolve_strategies(specs)
        ctx = self.context(firm)
        for strategy in firm.strategies:
            strategy.setup(ctx)

    def latents(self, rows: Any = slice(None)) -> dict[str, np.ndarray]:
        """Derived loyalty latents for the given customers: switching costs,
        cognitive loyalty, intention to return and likelihood to recommend.

        Cognitive loyalty compares each firm's value: the expected experience
        less the price against the customer's reference price, weighed as in
        firm choice (``price_sensitivity``) times ``cognitive_price_weight``."""
        cust = self.customers
        shape = (len(take_rows(cust.reference_price, rows)), self.n_firms)
        out = Latents(*(np.empty(shape, np.float32) for _ in LATENTS))
        self.switching_and_beliefs(rows, out)
        loyalty.derive_latents(
            take_rows(cust.affect, rows),
            out.switching,
            take_rows(cust.satisfaction, rows),
            loyalty.rules(self.config.loyalty),
            out.cognitive,
            out.intention,
            out.recommend,
        )
        return out.as_dict()

    def switching_and_beliefs(self, rows: Any, out: Latents) -> None:
        """What the latents of ``rows`` (:meth:`latents`) need of the market
        and of the customers' other relationships: their switching costs,
        into ``out.switching``, and into ``out.cognitive`` the term
        ``exp(x)`` of cognitive loyalty's logistic ``1 / (1 + exp(x))``
        (:func:`sim.loyalty.switching_and_exponents`)."""
        cust, lc = self.customers, self.config.loyalty

        def take(x: np.ndarray) -> np.ndarray:
            return take_rows(x, rows)

        belief = _belief(lc.cognitive_price_weight, lc.cognitive_scale, lc.cognitive_certain_lead)
        loyalty.switching_and_exponents(
            take(cust.state),
            self.by_firm("switching_cost"),
            self._switching_bonus(rows),
            take(cust.expectation),
            self.price,
            take(cust.reference_price),
            take(cust.price_sensitivity),
            self.present,
            belief,
            out.switching,
            out.cognitive,
        )
        np.exp(out.cognitive, out=out.cognitive)

    # ------------------------------------------------------------------ results
    def state_counts(self) -> np.ndarray:
        """Customers in each loyalty state, ``[n_firms, N_STATES]``; each row sums to n."""
        st, F = self.customers.state, self.n_firms
        offset = np.arange(F) * N_STATES  # firm f's states counted in bins f * N_STATES + state

        def rule(rows: slice) -> np.ndarray:
            return np.bincount((st[rows] + offset).ravel(), minlength=F * N_STATES).reshape(F, N_STATES)

        blocks = self.blocks.map(rule, len(st))
        return blocks[0] if len(blocks) == 1 else np.sum(blocks, axis=0)

    def step_table(self) -> pd.DataFrame:
        """One row per reported step and firm. A cost category
        first booked mid-run (a strategy starting later) reads 0 before."""
        table = pd.DataFrame.from_records(self.records)
        late = [c for c in self.ledger.categories if c in table.columns and table[c].isna().any()]
        if late:
            table[late] = table[late].fillna(0.0)
        return table

    def summary(self) -> pd.DataFrame:
        """Per-firm summary over the reported horizon."""
        from sim.metrics import summarise

        return summarise(self.step_table(), self.config.steps_per_year)

    def cohort_survival(self) -> pd.DataFrame:
        """For each firm and acquisition cohort (reported step): customers
        acquired and the share still customers now."""
        rows = []
        acquired, lost = self.cohorts.acquired, self.cohorts.lost
        for f, firm in enumerate(self.firms):
            for t in np.flatnonzero(acquired[f]):
                acq = int(acquired[f, t])
                alive = acq - int(lost[f, t])
                rows.append(
                    {"firm": firm.name, "cohort": int(t), "acquired": acq, "surviving": alive, "survival": alive / acq}
                )
        return pd.DataFrame(rows, columns=["firm", "cohort", "acquired", "surviving", "survival"])


@functools.lru_cache(maxsize=64)
def _belief(price_weight: float, scale: float, certain_lead: float) -> np.ndarray:
    """What :func:`sim.loyalty.switching_and_exponents` reads of the
    cognitive belief (float32, read-only: kept for each set of values)."""
    out = np.array([price_weight, scale, scale * certain_lead], dtype=np.float32)
    out.flags.writeable = False
    return out


def load_market_preset(name: str) -> dict[str, Any]:
    """The market preset ``conf/market/<name>.yaml`` as a plain dict."""
    from sim.config_loading import load_market_yaml

    return load_market_yaml(name)
