"""The market engine: ``LoyaltyModel(mesa.Model)`` (MODEL.md §1-5, §7).

Customers and staff are columnar populations; each phase of a step is a
vectorised operation over all of them, and the phases are listed once, in
:meth:`LoyaltyModel._advance` (DESIGN.md §3). Every random event draws from
its own named stream for all agents every step (DESIGN.md §4).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd

from agents.customers import CustomerPopulation, draw_traits
from agents.firm import Firm
from agents.network import small_world
from agents.staff import StaffPopulation
from sim import choice, disconfirmation as dc, experience as ex, loyalty
from sim.blocks import RowBlocks
from sim.columns import any_column, colwise, column_count, flat, nonzero_cells, take_rows
from sim.config import MarketConfig, RunConfig, market_config, to_dataclass, validate
from sim.ledger import Ledger
from sim.metrics import FirmStepEvents, step_metrics
from sim.costs import driver_costs
from sim.staffing import engagement_target, update_staff, utilisation
from sim.states import I8, LoyaltyState as S, N_STATES, is_customer
from sim.streams import RandomStreams
from sim.units import StepLength
from strategies.registry import resolve_strategies

#: the derived latents of :meth:`LoyaltyModel.latents`
LATENTS = ("switching", "cognitive", "intention", "recommend")

CONF_DIR = Path(__file__).resolve().parents[1] / "conf"


class LoyaltyModel(mesa.Model):
    """A market of customers and firms (MODEL.md).

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

    def __init__(self, *, market: MarketConfig | dict | str | None = None, seed: int = 0,
                 n_customers: int | None = None, burn_in: int | None = None, **overrides: Any) -> None:
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
        self.step_length = StepLength(cfg.steps_per_year)
        self.n_firms = len(cfg.firms)
        self.firms: list[Firm] = [Firm(self, i, fc) for i, fc in enumerate(cfg.firms)]
        self._build_population()
        self.blocks = RowBlocks(cfg.engine.block_rows, cfg.engine.threads)
        self.ledger = Ledger(self.n_firms, self.step_length.step_discount(cfg.discount_rate))
        self._t = 0                       # steps simulated, burn-in included
        self._records: list[dict] = []
        self._visits = np.zeros(self.n_firms)
        self._churn_ema = np.full(self.n_firms, np.nan)
        self.cohort_acquired = np.zeros((self.n_firms, cfg.steps + 1), dtype=np.int64)
        self.cohort_lost = np.zeros((self.n_firms, cfg.steps + 1), dtype=np.int64)
        for firm in self.firms:
            firm.strategies = resolve_strategies(firm.config.strategies)
            for strategy in firm.strategies:
                strategy.setup(self, firm)
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
        soc = rng.beta(max(c.sociability_mean * c.sociability_concentration, 1e-6),
                       max((1 - c.sociability_mean) * c.sociability_concentration, 1e-6), n)
        self.network, order = small_world(soc, cfg.network.mean_degree, cfg.network.rewire_prob,
                                          self.streams["network"], cfg.network.reorder)
        traits = draw_traits(c, rng, n, self.step_length, sociability=soc[order])
        self.customers = CustomerPopulation(traits, F, [f.name for f in cfg.firms],
                                            [s.name for s in c.segments])
        self.staff = StaffPopulation(cfg.firms, n, cfg.staff, self.streams["staff_init"])
        init = self.streams["init"]
        present = self._present()
        aware = (init.random((n, F), dtype=np.float32) < c.initial_awareness) & present[None, :]
        promise = np.array([f.promise for f in cfg.firms], dtype=np.float32)
        noise = init.standard_normal((n, F), dtype=np.float32) * cfg.expectation.initial_spread
        cust = self.customers
        cust.state[aware] = S.AWARE
        cust.expectation[:] = np.where(aware, np.clip(promise[None, :] + noise, 0, 1), 0)
        utilisation = np.zeros(F)      # no visits served yet
        target = self._engagement_target(utilisation)
        self.staff.engagement[:] = np.clip(target[self.staff.firm] + self.staff.trait, 0, 1)
        self._workload = utilisation

    # ------------------------------------------------------------------ the step
    def step(self) -> None:
        """Advance one reported step (Mesa increments :attr:`steps`)."""
        self._advance(reported=True)

    def run(self, steps: int | None = None) -> pd.DataFrame:
        """Run the reported horizon (or ``steps`` more steps); return the step table."""
        for _ in range(self.config.steps if steps is None else steps):
            self.step()
        return self.step_table()

    def _advance(self, reported: bool) -> None:
        """One step, phases in the order of DESIGN.md §3."""
        ev = FirmStepEvents(self.n_firms)
        ev.customers_at_start = self._customer_counts()
        self._draws = self.streams.draw_all(self._step_draws(), self.blocks.each)
        self._adjust_offers()
        self._staff_phase(ev)
        buyers, chosen = self._purchase_occasions_and_choice()
        trip = self._experience(buyers, chosen, ev)
        self._disconfirmation(trip)
        self._complaints_and_recovery(trip, ev)
        self._loyalty_latents(trip)
        self._states(trip, ev, reported)
        self.trip = trip
        self._word_of_mouth_and_awareness(trip)
        self._lapse_and_churn(trip, ev, reported)
        self._close_books(ev, reported)
        self._t += 1

    # ------------------------------------------------------------------ phases
    def _step_draws(self) -> dict[str, tuple[str, int | tuple[int, int]]]:
        """The draws of one step, one per stream, for all agents whether
        used or not (common random numbers, DESIGN.md §4)."""
        n, F, m = self.customers.n, self.n_firms, self.staff.m
        return {"staff": ("uniform", m), "purchase": ("uniform", n), "choice": ("uniform", (2, n)),
                "service": ("uniform", (3, n)), "service_noise": ("normal", n),
                "experience": ("uniform", n), "experience_noise": ("normal", n),
                "complaint": ("uniform", (3, n)), "wom": ("uniform", n),
                "awareness": ("uniform", (n, F)), "churn": ("uniform", n), "exit": ("uniform", n)}

    def _by_firm(self, name: str, dtype: type = np.float32) -> np.ndarray:
        """A firm attribute (positioning or lever) as one value per firm."""
        return np.array([getattr(f, name) for f in self.firms], dtype=dtype)

    def _present(self) -> np.ndarray:
        """Firms in the market this step (a firm may enter later: captive waves)."""
        after = self._t_reported_next()
        return np.array([f.entry_step <= 0 or after >= f.entry_step for f in self.config.firms])

    def _if_present(self, mask: np.ndarray) -> np.ndarray:
        """``mask`` (``[customers, firms]``, modified in place) where the firm is
        present this step; usually all firms are, and the mask is left as it is."""
        if not self.present.all():
            mask &= self.present
        return mask

    def _t_reported_next(self) -> int:
        return getattr(self, "_t", 0) - self.config.burn_in + 1

    def _adjust_offers(self) -> None:
        """Strategies set the step's offer; all firms are reset first, so a
        strategy may also move a rival's offer (retaliation)."""
        for firm in self.firms:
            firm.discount = 0.0
            firm.basket_multiplier = 1.0
        for firm in self.firms:
            for strategy in firm.strategies:
                strategy.adjust_offer(self, firm)
        self.present = self._present()
        self.price = self._by_firm("effective_price")
        self.discount = self._by_firm("discount")

    def _engagement_target(self, workload: np.ndarray) -> np.ndarray:
        fa = lambda name: self._by_firm(name, np.float64)  # noqa: E731
        return engagement_target(fa("wage_per_year"), fa("training"), fa("empowerment"), fa("recognition"),
                                 workload, self.config.staff)

    def _staff_phase(self, ev: FirmStepEvents) -> None:
        """Engagement, turnover and novices; bonds to leavers break (MODEL.md §5)."""
        cfg, staff = self.config.staff, self.staff
        self._workload = utilisation(self._visits, staff.full_time_equivalents(self.n_firms), cfg,
                                     self.step_length)
        staff.wage[:] = self._by_firm("wage_per_year", np.float64)[staff.firm]
        u_leave = self._draws.pop("staff")
        leavers = update_staff(staff, self._engagement_target(self._workload), self._workload,
                               u_leave, cfg, self.step_length)
        ev.leavers = np.bincount(staff.firm[leavers], staff.fte[leavers], minlength=self.n_firms)
        ev.headcount = staff.full_time_equivalents(self.n_firms)
        self._break_bonds(leavers)
        self._roster = staff.roster()

    def _break_bonds(self, positions: np.ndarray) -> None:
        """Customers bonded to the employees who held these positions lose
        the bond and some affect (MODEL.md §5)."""
        cust, staff = self.customers, self.staff
        if not len(positions):
            return
        left = np.zeros(staff.m, dtype=bool)
        left[positions] = True
        bonded = np.flatnonzero(cust.bond >= 0)
        broken = bonded[left[cust.bond[bonded]]]
        firm_of = staff.firm[cust.bond[broken]]
        cust.affect[broken, firm_of] = np.maximum(cust.affect[broken, firm_of]
                                                  - self.config.staff.bond_break_affect, 0)
        cust.bond[broken] = -1

    def add_staff_time(self, firm: int, visits: float) -> None:
        """Staff time a programme used this step beyond serving purchases, in
        visit equivalents: it counts toward the next step's workload (MODEL.md §5)."""
        self._visits[firm] += visits

    def dismiss(self, positions: np.ndarray) -> None:
        """Lay off the employees in these positions: the positions stay empty
        and their customers' bonds break (001: the loyalty dilemma)."""
        self.staff.employed[positions] = False
        self._break_bonds(positions)
        self._roster = self.staff.roster()

    def _switching(self, rows: Any = slice(None)) -> np.ndarray:
        """Switching costs: habit plus contracts that bind current customers (001)."""
        cust = self.customers
        contract = self._by_firm("switching_cost")
        bound = is_customer(take_rows(cust.state, rows)).astype(np.float32)
        switching = take_rows(cust.habit, rows) + colwise(np.multiply, contract, bound)
        if "points" in cust.levers:
            switching += take_rows(cust.levers["points"], rows)
        return switching

    def _offer(self, rows: Any) -> tuple[np.ndarray, np.ndarray]:
        """Price and discount each customer of ``rows`` is offered by each firm:
        the firm's, or ``[rows, firms]`` where personal offers (win-back) apply."""
        if "offer" not in self.customers.levers:
            return self.price, self.discount
        offer = take_rows(self.customers.levers["offer"], rows)
        return self.price * (1 - offer), self.discount + offer

    def _purchase_occasions_and_choice(self) -> tuple[np.ndarray, np.ndarray]:
        cust, cfg = self.customers, self.config
        u_buy = self._draws.pop("purchase")
        u_choice = self._draws.pop("choice")
        available = self._if_present(cust.state != I8[S.PROSPECT])
        if "refused" in cust.levers:
            available &= ~cust.levers["refused"]
        occasion = (u_buy < cust.purchase_chance) & any_column(available)
        b = np.flatnonzero(occasion)
        c = np.empty(len(b), dtype=np.int64)

        def rule(k: slice) -> None:
            i = b[k]
            price, discount = self._offer(i)
            util = choice.utility(take_rows(cust.expectation, i), take_rows(cust.affect, i), self._switching(i),
                                  price, cust.reference_price[i], cust.price_sensitivity[i], discount,
                                  cust.deal_proneness[i], cfg.choice)
            c[k] = choice.choose(util, take_rows(available, i), cust.variety[i], u_choice[0, i], u_choice[1, i],
                                 cfg.choice.logit_scale)

        self.blocks.map(rule, len(b))
        keep = c >= 0
        return b[keep], c[keep]

    def _experience(self, b: np.ndarray, c: np.ndarray, ev: FirmStepEvents) -> dict:
        """What each buyer experiences at the chosen firm (MODEL.md §3)."""
        cust, cfg, staff = self.customers, self.config, self.staff
        F = self.n_firms
        u_serve = self._draws.pop("service")
        z_serve = self._draws.pop("service_noise")
        u_fail = self._draws.pop("experience")
        z_quality = self._draws.pop("experience_noise")
        served = self._roster.server(c, u_serve[0, b])
        bond = cust.bond[b]
        own = (bond >= 0) & (u_serve[1, b] < cfg.staff.bond_service_prob)
        own &= staff.firm[np.maximum(bond, 0)] == c
        own &= staff.employed[np.maximum(bond, 0)]
        served = np.where(own, bond, served)
        level = np.where(served >= 0, staff.service_level[np.maximum(served, 0)], 0.0)
        spread = np.where(served >= 0, staff.service_spread[np.maximum(served, 0)], 0.0)
        if "service_lift" in cust.levers:
            level = level + cust.levers["service_lift"][b, c]
        service = np.clip(level + spread * z_serve[b], 0.0, 1.0)
        quality = self._by_firm("quality")
        failed = u_fail[b] < ex.failure_probability(quality, cfg.experience)[c]
        x_q = ex.quality_score(quality[c], failed, z_quality[b], cfg.experience)
        price = self.price[c]
        if "offer" in cust.levers:
            price = price * (1 - cust.levers["offer"][b, c])
        x_p = ex.price_fairness(price, cust.reference_price[b], cfg.experience)
        belonging = self._by_firm("belonging")
        cell = b * F + c          # each purchase's relationship in flat [n, firms] arrays
        x_b = np.clip(belonging[c] + cfg.experience.bond_belonging * own + flat(cust.club)[cell], 0.0, 1.0)
        x_s = ex.service_score(service, failed, cfg.experience)
        experience = ex.overall(take_rows(cust.weights, b), x_p, x_q, x_s, x_b).astype(np.float32)
        visits = cust.visits_per_purchase[b]
        basket = cust.spend[b] * visits * self._by_firm("basket_multiplier")[c]
        if "basket_lift" in cust.levers:
            basket = basket * (1 + cust.levers["basket_lift"][b, c])
        spent = basket.astype(np.float64) * price
        unit_cost = self._by_firm("unit_cost", np.float64)
        self.ledger.add_revenue(np.bincount(c, spent, minlength=F))
        self.ledger.book(slice(None), "cost_of_goods",
                         np.bincount(c, basket * unit_cost[c], minlength=F))
        cust.reference_price[b] += cfg.customers.reference_price_adaptation * (price - cust.reference_price[b])
        self._visits = np.bincount(c, visits, minlength=F)
        self.ledger.book(slice(None), "serving", self._visits * self._by_firm("cost_per_visit", np.float64))
        ev.visits = self._visits.copy()
        ev.failures = np.bincount(c, failed, minlength=F)
        ev.service_sum = np.bincount(c, service * visits, minlength=F)      # per visit
        ev.service_sq = np.bincount(c, service.astype(np.float64) ** 2 * visits, minlength=F)
        return {"b": b, "c": c, "cell": cell, "experience": experience, "served": served, "own": own,
                "failed": failed, "service": service, "belonging": x_b, "spent": spent, "u_bond": u_serve[2, b]}

    def _disconfirmation(self, trip: dict) -> None:
        """Experience minus expectation against the zone of tolerance (004)."""
        cust, b, c = self.customers, trip["b"], trip["c"]
        gap = trip["experience"] - flat(cust.expectation)[trip["cell"]]
        trip["outcome"] = dc.zone_of_tolerance(gap, cust.tolerance[b])
        trip["felt"] = dc.felt_value(gap, trip["outcome"], self.config.disconfirmation)

    def _complaints_and_recovery(self, trip: dict, ev: FirmStepEvents) -> None:
        """About 10% of the disappointed complain (002); recovery softens the
        disappointment, more when quick (TARP)."""
        cfg, cust = self.config.complaints, self.customers
        b, c, outcome, felt = trip["b"], trip["c"], trip["outcome"], trip["felt"]
        u = self._draws.pop("complaint")
        empower = self._by_firm("empowerment")
        complain = (outcome < 0) & (u[0, b] < cust.voice[b] * self._by_firm("voice_ease")[c])
        p_resolve = np.minimum(cfg.recovery_rate + cfg.empowerment_recovery * empower
                               + self._by_firm("recovery_bonus"), 1.0)
        resolved = complain & (u[1, b] < p_resolve[c])
        quick_share = np.minimum(cfg.quick_share + self._by_firm("quick_bonus"), 1.0)
        quick = resolved & (u[2, b] < quick_share[c])
        trip["felt"] = np.where(quick, felt * (1 - cfg.quick_offset),
                                np.where(resolved, felt * (1 - cfg.slow_offset),
                                         np.where(complain, felt - cfg.unresolved_penalty, felt))
                                ).astype(np.float32)
        trip["complained"], trip["resolved"], trip["quick"] = complain, resolved, quick
        F = self.n_firms
        ev.complaints = np.bincount(c, complain, minlength=F)
        ev.recoveries = np.bincount(c, resolved, minlength=F)
        ev.delighted = np.bincount(c, outcome > 0, minlength=F)
        ev.disappointed = np.bincount(c, outcome < 0, minlength=F)
        self.ledger.book(slice(None), "complaint_costs", ev.complaints * cfg.cost_per_complaint)

    def _loyalty_latents(self, trip: dict) -> None:
        """Affect, habit, satisfaction, behaviour and expectations (MODEL.md §3-4)."""
        cust, cfg = self.customers, self.config
        lc = cfg.loyalty
        b, c, felt = trip["b"], trip["c"], trip["felt"]

        step = self.step_length
        keep_affect, keep_habit = np.float32(step.kept(lc.affect_half_life_weeks)), np.float32(step.kept(lc.habit_half_life_weeks))
        keep_behaviour = step.kept(lc.repeat_rate_half_life_weeks)
        keep_revenue = np.float32(1 - step.dt)      # an annual sum: spend per step / dt in steady state

        def decay(rows: slice) -> None:
            cust.affect[rows] *= keep_affect
            cust.habit[rows] *= keep_habit
            cust.behaviour[rows] *= np.float32(keep_behaviour)
            cust.revenue[rows] *= keep_revenue

        self.blocks.map(decay, cust.n)
        # the bought-from relationships, through flat views (see sim.columns.flat)
        cell = trip["cell"]
        affect, habit, behaviour, revenue, satisfaction, purchases, rival_run, expectation = (
            flat(a) for a in (cust.affect, cust.habit, cust.behaviour, cust.revenue, cust.satisfaction,
                              cust.purchases, cust.rival_run, cust.expectation))
        aff = affect[cell] + lc.affect_gain * felt + lc.belonging_affect * trip["belonging"]
        affect[cell] = np.clip(aff, 0, 1)
        habit[cell] += lc.habit_gain * (1 - habit[cell])
        behaviour[cell] += ((1 - keep_behaviour) / step.weeks) * cust.visits_per_purchase[b]     # visits a week
        revenue[cell] += trip["spent"]
        satisfaction[cell] += lc.satisfaction_memory * (felt - satisfaction[cell])
        purchases[cell] = np.minimum(purchases[cell], 254) + 1          # counts saturate at 255
        cust.rival_run[b] = np.minimum(take_rows(cust.rival_run, b), 254) + 1
        rival_run[cell] = 0
        ex_cfg = cfg.expectation
        expectation[cell] += ex_cfg.adaptation * (trip["experience"] - expectation[cell])
        promise = self._by_firm("promise")
        # prospects' expectations are reset when they become aware, so pulling all is harmless
        pull = np.float32(1 - step.kept(ex_cfg.promise_half_life_weeks))

        def toward_promise(rows: slice) -> None:
            cust.expectation[rows] *= 1 - pull
            colwise(np.add, cust.expectation[rows], pull * promise, out=cust.expectation[rows])

        self.blocks.map(toward_promise, cust.n)
        bond_now = (trip["outcome"] > 0) & (trip["served"] >= 0) & (trip["u_bond"] < cfg.staff.bond_prob)
        cust.bond[b[bond_now]] = trip["served"][bond_now]

    def latents(self, rows: Any = slice(None)) -> dict[str, np.ndarray]:
        """Derived loyalty latents for the given customers: switching costs,
        cognitive loyalty, intention to return and likelihood to recommend."""
        cust, lc = self.customers, self.config.loyalty
        switching = self._switching(rows)
        rel = colwise(np.divide, self.price, cust.reference_price[rows][:, None]) - 1.0
        value = cust.expectation[rows] - colwise(np.multiply, cust.price_sensitivity[rows][:, None], rel) * 0.1
        available = self._if_present(cust.state[rows] != I8[S.PROSPECT])
        cog = loyalty.cognitive(value, available, lc.cognitive_scale)
        intent = loyalty.intention(cust.affect[rows], switching, cog, lc)
        rec = loyalty.recommend_score(cust.satisfaction[rows], cust.affect[rows], lc)
        return dict(zip(LATENTS, (switching, cog, intent, rec)))

    def _states(self, trip: dict, ev: FirmStepEvents, reported: bool) -> None:
        """Each relationship's place on the ladder (MODEL.md §4), block by
        block of customers (:mod:`sim.blocks`)."""
        cust, lc = self.customers, self.config.loyalty
        b, c = trip["b"], trip["c"]
        bought = np.zeros(cust.state.shape, dtype=bool)
        flat(bought)[trip["cell"]] = True
        old = cust.state
        new = np.empty_like(old)
        lat = self._latents = {k: np.empty(old.shape, np.float32) for k in LATENTS}
        if reported:
            self._cohort_capacity(self.steps + 1)

        def rule(rows: slice) -> tuple:
            for key, value in self.latents(rows).items():
                lat[key][rows] = value
            was = old[rows]
            new[rows] = loyalty.next_state(was, was != I8[S.PROSPECT], bought[rows], np.zeros_like(bought[rows]),
                                           cust.purchases[rows], cust.rival_run[rows], cust.affect[rows],
                                           lat["switching"][rows], cust.satisfaction[rows],
                                           lat["intention"][rows], lat["recommend"][rows], lc)
            return self._count_transitions(rows, was, new[rows], reported)

        for counts, acquired, cohort_delta in self.blocks.map(rule, cust.n):
            ev.acquisitions += counts[0]
            ev.win_backs += counts[1]
            ev.lost += counts[2]
            if reported:
                self.cohort_acquired[:, self.steps] += acquired
            self.cohort_lost += cohort_delta
        cust.state = new

    def _count_transitions(self, rows: slice, old: np.ndarray, new: np.ndarray,
                           reported: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Acquisitions, win-backs and losses of a block of customers: their
        counts per firm, first acquisitions in this step's cohort, and the
        change of each cohort's losses. Writes only the block's own rows."""
        cust, F = self.customers, self.n_firms
        was, now = is_customer(old), is_customer(new)
        # the relationships acquired, won back and lost, as cells of the block's flat [rows, firms] arrays
        acquired = np.flatnonzero(~was & now & (old != I8[S.CHURNED]))
        won = np.flatnonzero(now & (old == I8[S.CHURNED]))
        lost = np.flatnonzero(was & (new == I8[S.CHURNED]))
        counts = np.stack([np.bincount(cells % F, minlength=F) for cells in (acquired, won, lost)])
        first_acquired = np.zeros(F, dtype=np.int64)
        cohort = cust.cohort[rows]
        if reported:
            first = acquired[flat(cohort)[acquired] < 0]
            flat(cohort)[first] = self.steps
            first_acquired = np.bincount(first % F, minlength=F)
        delta = self._cohort_delta(cohort, *np.divmod(lost, F)) - self._cohort_delta(cohort, *np.divmod(won, F))
        flat(cust.purchases[rows])[lost] = 0
        return counts, first_acquired, delta

    def _cohort_capacity(self, steps: int) -> None:
        """Room for cohorts up to reported step ``steps`` (``run`` may go past the horizon)."""
        have = self.cohort_acquired.shape[1]
        if steps > have:
            grow = np.zeros((self.n_firms, max(steps, 2 * have) - have), dtype=np.int64)
            self.cohort_acquired = np.hstack([self.cohort_acquired, grow])
            self.cohort_lost = np.hstack([self.cohort_lost, grow])

    def _cohort_delta(self, cohort: np.ndarray, rows: np.ndarray, firms: np.ndarray) -> np.ndarray:
        """Losses of the relationships ``(rows, firms)`` counted against each
        firm's acquisition cohort (``[n_firms, cohorts]``); relationships
        acquired before the reported horizon have no cohort."""
        c = cohort[rows, firms]
        known = c >= 0
        shape = self.cohort_lost.shape
        counts = np.bincount(firms[known] * shape[1] + c[known], minlength=shape[0] * shape[1])
        return counts.reshape(shape)

    def _word_of_mouth_and_awareness(self, trip: dict) -> None:
        """Stories travel over the network as sparse products; the
        dissatisfied talk more (TARP; Anderson 1998). Positive stories and
        advertising make prospects aware; stories move expectations.

        Each talker tells one story (positive or negative, about the firm
        bought from); the products of the talkers' rows of the symmetric
        network, transposed, with their positive and with their negative
        stories give what each customer heard (``[n, firms]`` each), so the
        work grows with the talkers' ties, not with the whole network.
        Listening is a row-wise rule, applied block by block.
        """
        cust, cfg = self.customers, self.config
        w, n, F = cfg.word_of_mouth, cust.n, self.n_firms
        b, c, outcome = trip["b"], trip["c"], trip["outcome"]
        u_talk = self._draws.pop("wom")
        u_aware = self._draws.pop("awareness")
        soc = cust.sociability[b]
        negative = (outcome < 0) & ~trip["resolved"]
        p_talk = np.where(outcome > 0, w.talk_delighted, np.where(negative, w.talk_disappointed, w.talk_satisfied))
        talks = u_talk[b] < p_talk * soc
        talkers = np.flatnonzero(talks)
        told = np.zeros((2, len(talkers), F), dtype=np.float32)     # positive, negative stories
        told[negative[talkers].astype(np.intp), np.arange(len(talkers)), c[talkers]] = 1.0
        ties = self.network[b[talkers]].T
        heard_pos, heard_neg = ties @ told[0], ties @ told[1]
        reach = self.step_length.probability(self._by_firm("advertising_awareness_per_year", np.float64)).astype(np.float32)
        promise = self._by_firm("promise")
        per_story = np.float32(np.log1p(-min(w.awareness_per_story, 1 - 1e-7)))

        def listen(rows: slice) -> None:
            pos, neg = heard_pos[rows], heard_neg[rows]
            state, expectation, affect = cust.state[rows], cust.expectation[rows], cust.affect[rows]
            # stories move the expectations and affect of those who know the firm
            knows = state != I8[S.PROSPECT]
            shift = w.expectation_shift * (w.positive_strength * pos - w.negative_strength * neg)
            np.clip(expectation + shift, 0, 1, out=expectation, where=knows)
            np.subtract(affect, w.affect_shift * w.negative_strength * neg, out=affect, where=knows)
            np.maximum(affect, 0, out=affect)
            # advertising and positive stories make prospects aware (cells of flat views)
            cell = np.flatnonzero(~knows)
            f = cell % F
            heard = flat(pos)[cell]
            p_aware = 1 - (1 - reach[f]) * np.exp(heard * per_story)
            becomes = (flat(u_aware[rows])[cell] < p_aware) & self.present[f]
            cell, f, heard = cell[becomes], f[becomes], heard[becomes]
            flat(expectation)[cell] = np.clip(promise[f] + w.referral_boost * heard, 0, 1)
            flat(state)[cell] = S.AWARE

        self.blocks.map(listen, n)

    def _lapse_and_churn(self, trip: dict, ev: FirmStepEvents, reported: bool) -> None:
        """Disappointed, uncommitted customers defect; some customers leave the
        category and are replaced by new prospects (002: 20-40% a year)."""
        cust, cfg = self.customers, self.config
        ch = cfg.churn
        F = self.n_firms
        b, c, felt = trip["b"], trip["c"], trip["felt"]
        u_churn = self._draws.pop("churn")
        u_exit = self._draws.pop("exit")
        intent = flat(self._latents["intention"])[trip["cell"]]
        p_defect = ch.disappointed_defect_prob * np.clip(1 - intent / max(ch.defect_intention_floor, 1e-9), 0, 1)
        defect = (felt < 0) & is_customer(flat(cust.state)[trip["cell"]]) & (u_churn[b] < p_defect)
        db, dcf = b[defect], c[defect]
        cust.state[db, dcf] = S.CHURNED
        cust.expectation[db, dcf] = np.maximum(cust.expectation[db, dcf] - ch.defect_expectation_drop, 0)
        cust.purchases[db, dcf] = 0
        ev.lost += np.bincount(dcf, minlength=F)
        self.cohort_lost += self._cohort_delta(cust.cohort, db, dcf)
        leavers = np.flatnonzero(u_exit < cust.exit_chance)
        if len(leavers):
            was = is_customer(cust.state[leavers])
            ev.lost += column_count(was)
            ev.exits += column_count(was)
            rows, firms = nonzero_cells(was)
            self.cohort_lost += self._cohort_delta(cust.cohort, leavers[rows], firms)
            self._replace(leavers)

    def _replace(self, rows: np.ndarray) -> None:
        """New prospects move in where customers left the category."""
        cust, cfg = self.customers, self.config
        rng = self.streams["newcomers"]
        k, F = len(rows), self.n_firms
        traits = draw_traits(cfg.customers, rng, k, self.step_length, sociability=cust.sociability[rows])
        cust.replace(rows, traits)
        aware = (rng.random((k, F), dtype=np.float32) < cfg.customers.newcomer_awareness) & self.present[None, :]
        promise = self._by_firm("promise")
        cust.state[rows] = np.where(aware, S.AWARE, S.PROSPECT).astype(np.int8)
        cust.expectation[rows] = np.where(aware, promise[None, :], 0)

    def _close_books(self, ev: FirmStepEvents, reported: bool) -> None:
        """Wages, hiring, advertising and fixed costs; strategies book theirs;
        profit = revenue - costs (MODEL.md §7)."""
        led, staff, cfg = self.ledger, self.staff, self.config
        fa = lambda name: self._by_firm(name, np.float64)  # noqa: E731
        costs = driver_costs(staff, ev.leavers, self.present, fa, cfg, self.step_length)
        for category, amounts in costs.items():
            led.book(slice(None), category, amounts)
        for firm in self.firms:
            for strategy in firm.strategies:
                strategy.after_step(self, firm)
        accounts = led.close(reported)
        if reported:
            self._records.extend(step_metrics(self, ev, accounts))

    # ------------------------------------------------------------------ results
    def _customer_counts(self) -> np.ndarray:
        return column_count(is_customer(self.customers.state))

    def state_counts(self) -> np.ndarray:
        """Customers in each loyalty state, ``[n_firms, N_STATES]``; each row sums to n."""
        st, F = self.customers.state, self.n_firms

        def rule(rows: slice) -> np.ndarray:
            return np.array([np.bincount(st[rows, f], minlength=N_STATES) for f in range(F)])

        return np.sum(self.blocks.map(rule, len(st)), axis=0)

    def step_table(self) -> pd.DataFrame:
        """One row per reported step and firm (DESIGN.md §8). A cost category
        first booked mid-run (a strategy starting later) reads 0 before."""
        table = pd.DataFrame.from_records(self._records)
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
        for f, firm in enumerate(self.firms):
            for t in np.flatnonzero(self.cohort_acquired[f]):
                acq = int(self.cohort_acquired[f, t])
                alive = acq - int(self.cohort_lost[f, t])
                rows.append({"firm": firm.name, "cohort": int(t), "acquired": acq,
                             "surviving": alive, "survival": alive / acq})
        return pd.DataFrame(rows, columns=["firm", "cohort", "acquired", "surviving", "survival"])


def load_market_preset(name: str) -> dict:
    """The market preset ``conf/market/<name>.yaml`` as a plain dict."""
    from sim.config_loading import load_market_yaml
    return load_market_yaml(name)
