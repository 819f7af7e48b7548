"""A per-agent reference implementation of the engine's rules (the slow baseline).

``ReferenceLoyaltyModel`` is a plain Mesa model of the same market as
:class:`sim.model.LoyaltyModel`: one :class:`CustomerAgent` (a ``mesa.Agent``)
per customer, holding its traits and its relationship with each firm as
Python scalars and lists, and a step that loops over the agents. It is kept
apart from the engine on purpose: it is the oracle the vectorised engine is
tested against (``tests/benchmarks/test_reference_oracle.py``) and the baseline
of the speed benchmark (``benchmarks/engine.py``).

The rules are *not* re-written here: each phase calls the pure rule
functions of ``sim/choice.py``, ``sim/experience.py``,
``sim/disconfirmation.py``, ``sim/loyalty.py``, ``sim/recovery.py`` and ``sim/staffing.py`` for
one customer at a time (on scalars or on length-``n_firms`` arrays), in the
order of :meth:`LoyaltyModel._advance`. Config is in real units and only
:class:`sim.units.StepLength` converts it to the step: customers' per-step
chances (``purchase_chance``, ``visits_per_purchase``, ``exit_chance``) come
from :func:`draw_traits`, decays from half-lives (``StepLength.kept``),
advertising awareness from a rate per year (``StepLength.probability``). A
purchase is an episode of ``visits_per_purchase`` visits: the basket, the
visits the firm serves, the service metrics and the repeat-purchase rate
(visits a week) count visits. Staff are few, so they reuse the engine's
:class:`StaffPopulation` (counted in full-time equivalents), the
:class:`Roster` that picks who serves a visit in proportion to hours,
:func:`utilisation` and :func:`update_staff`; the books reuse
:func:`driver_costs` and :class:`Ledger`, with the engine's categories
(``serving`` included), and the step table has the engine's columns
(:data:`sim.metrics.METRICS`).

Randomness comes from the model's named :class:`RandomStreams`. Each step a
stream yields one draw per customer (as in the engine) and
agent ``i`` reads its own entry, so runs are reproducible; agreement with the
engine is statistical, not bit for bit (the arithmetic here is float64 on
scalars, the engine's is float32 on columns).

Strategies are not supported (the reference covers the rules of the market
itself); a firm with strategies raises ``NotImplementedError``.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import mesa
import numpy as np
import pandas as pd

from agents.customers import COUNT_CAP, TRAITS, Segments, draw_traits, first_purchase_chance
from agents.newcomers import DRAWN, Newcomers
from agents.network import small_world
from agents.staff import StaffPopulation
from sim import choice, disconfirmation as dc, experience as ex, hazard, loyalty, recovery
from sim.config import MarketConfig, RunConfig, market_config, validate
from sim.costs import driver_costs
from sim.ledger import Ledger
from sim.metrics import METRICS, top_share
from sim.loyalty_economics import BASKET, PRICE_SENSITIVITY, SERVING_LOAD, TOLERANCE_WIDENING, state_factors
from sim.phases.experience import discount_off_list, remembered_price
from sim.phases.loyalty_latents import deal_acquired_gain
from sim.phases.purchase_choice import contract_term_steps
from sim.staffing import capacity, engagement_target, turnover_by_firm, update_staff, utilisation
from sim.audience import audience_key, audience_size, fill_audience, log_unmoved_by_story
from agents.states import CHANNEL_NAMES, Channel, LoyaltyState as S, N_STATES, STATE_NAMES
from sim.units import StepLength, compounded, first_step

PROSPECT, AWARE, CHURNED, ADVOCATE = int(S.PROSPECT), int(S.AWARE), int(S.CHURNED), int(S.ADVOCATE)
PRIOR, ADVERTISING, REFERRAL = int(Channel.PRIOR), int(Channel.ADVERTISING), int(Channel.REFERRAL)
_CUSTOMER = tuple(s not in (S.PROSPECT, S.AWARE, S.CHURNED) for s in S)  # indexed by state


def _each_visit(share: float, visits: float) -> float:
    """A per-visit share over a purchase of ``visits`` visits (the engine's
    :func:`sim.units.compounded`, one customer at a time)."""
    return float(compounded(share, np.array([visits], dtype=np.float32))[0])


def _is_customer(state: int) -> bool:
    return _CUSTOMER[state]


class CustomerAgent(mesa.Agent):
    """One customer: traits as scalars, one list entry per firm for each
    relationship attribute, and the indices of its friends."""

    RELATIONSHIP = (
        "state",
        "expectation",
        "affect",
        "inertia",
        "satisfaction",
        "behaviour",
        "purchases",
        "rival_run",
        "revenue",
        "club",
        "incident",
        "reconsidered",
        "since",
        "acquisition_discount",
        "taste",
        "channel",
    )

    def __init__(self, model: "ReferenceLoyaltyModel", index: int, traits: dict[str, Any], friends: list[int]) -> None:
        super().__init__(model)
        self.index = index
        self.friends = friends
        F = model.n_firms
        self.segment = int(traits["segment"])
        self.weights = np.asarray(traits["weights"], dtype=np.float64)  # 4 floats: price, quality, service, belonging
        # visit_rate and exit_rate per year; purchase_chance, visits_per_purchase and
        # exit_chance per step (draw_traits converts them with the model's StepLength)
        for name in TRAITS:
            if name not in ("segment", "weights", "taste"):
                setattr(self, name, float(traits[name]))
        self.taste = [float(x) for x in traits["taste"]]
        self.reference_price = 1.0
        self.bond = -1
        self.state = [PROSPECT] * F
        self.expectation = [0.0] * F
        self.affect = [0.0] * F
        self.inertia = [0.0] * F
        self.satisfaction = [0.0] * F
        self.behaviour = [0.0] * F
        self.purchases = [0] * F
        self.rival_run = [0] * F
        self.revenue = [0.0] * F
        self.club = [0.0] * F
        self.incident = [0.0] * F
        self.reconsidered = [False] * F
        self.dropped_out = [False] * F
        self.since = [-1] * F
        self.acquisition_discount = [0.0] * F
        self.channel = [PRIOR] * F  # how the customer came to know each firm (Channel)
        # this step's purchase, if any
        self.chosen = -1
        self.intention = [0.0] * F
        self.recommend = [0.0] * F
        self.cognitive = [0.0] * F
        self.switching_now = [0.0] * F  # the round's switching costs, derived before its state changes

    def is_customer_of(self, f: int) -> bool:
        return _CUSTOMER[self.state[f]]

    def switching(self, contract: list[float]) -> list[float]:
        """Switching costs: contracts that bind current customers."""
        return [contract[f] * _CUSTOMER[self.state[f]] for f in range(len(contract))]

    def knows(self, f: int) -> bool:
        """Whether the customer can still buy from firm ``f`` (:func:`sim.choice.known`)."""
        return self.state[f] != PROSPECT and not self.dropped_out[f]

    def considers(self, f: int) -> bool:
        """Whether firm ``f`` is in the customer's consideration set (:func:`sim.choice.considered`)."""
        held_out = self.state[f] == CHURNED or (
            self.model.config.choice.limited_consideration and self.state[f] == AWARE
        )
        return self.knows(f) and (not held_out or self.reconsidered[f])


class ReferenceLoyaltyModel(mesa.Model):
    """The market of :class:`sim.model.LoyaltyModel`, one ``mesa.Agent`` per customer.

    Same keyword-only constructor and config; :attr:`steps` counts reported
    steps (``burn_in`` steps are simulated in the constructor).
    """

    def __init__(
        self,
        *,
        market: MarketConfig | dict | str | None = None,
        seed: int = 0,
        n_customers: int | None = None,
        burn_in: int | None = None,
        **overrides: Any,
    ) -> None:
        super().__init__(rng=int(seed))
        if isinstance(market, str):
            from sim.model import load_market_preset

            market = load_market_preset(market)
        if n_customers is not None:
            overrides["n_customers"] = n_customers
        if burn_in is not None:
            overrides["burn_in"] = burn_in
        validate({"seed": seed}, RunConfig)
        self.config: MarketConfig = market_config(market, **overrides)
        cfg = self.config
        if any(f.strategies for f in cfg.firms):
            raise NotImplementedError("the reference model covers markets without strategies")
        from sim.streams import RandomStreams

        self.seed = int(seed)
        self.streams = RandomStreams(self.seed)
        #: the traits of the prospects who will take leavers' places (as the engine's)
        self.newcomers = Newcomers(self.streams["newcomers"], len(self.config.firms))
        self.step_length = step = StepLength.of(cfg.steps_per_year, cfg.visit_round_weeks)
        self.n_firms = F = len(cfg.firms)
        #: what loyalty changes, by a relationship's state (sim.loyalty_economics)
        self._state_factors = state_factors(cfg.loyalty).astype(np.float64)
        self.firm_names = [f.name for f in cfg.firms]
        fa = lambda name: [float(getattr(f, name)) for f in cfg.firms]  # noqa: E731
        self.quality, self.promise, self.belonging = fa("quality"), fa("promise"), fa("belonging")
        self.unit_cost, self.contract = fa("unit_cost"), fa("switching_cost")
        self.empowerment = fa("empowerment")
        # chance per visit round that advertising makes a prospect aware (float32, as the engine's)
        self.advertising_per_year = fa("advertising_awareness_per_year")
        self.reach = step.visit_round.probability(np.array(self.advertising_per_year)).astype(np.float32).tolist()
        self.cost_per_visit = fa("cost_per_visit")
        self.voice_ease = [float(getattr(f, "voice_ease", 1.0)) for f in cfg.firms]
        self._firm_arrays = {
            k: np.array(fa(k))
            for k in ("wage_per_year", "training", "empowerment", "recognition", "staff_turnover_factor")
        }
        self.ledger = Ledger(F, step.step_discount(cfg.discount_rate))
        self._t = 0
        self._records: list[dict] = []
        self._visits = [0.0] * F
        self._churn_ema = [math.nan] * F
        self._build_population()
        for _ in range(cfg.burn_in):
            self._advance(reported=False)

    # ------------------------------------------------------------------ construction
    def _build_population(self) -> None:
        cfg, F = self.config, self.n_firms
        n = cfg.n_customers
        c = cfg.customers
        rng = self.streams["traits"]
        soc = rng.beta(
            max(c.sociability_mean * c.sociability_concentration, 1e-6),
            max((1 - c.sociability_mean) * c.sociability_concentration, 1e-6),
            n,
        )
        adj, order = small_world(
            soc, cfg.network.mean_degree, cfg.network.rewire_prob, self.streams["network"], cfg.network.reorder
        )
        friends = [adj.indices[adj.indptr[i] : adj.indptr[i + 1]].tolist() for i in range(n)]
        traits = draw_traits(c, rng, n, self.step_length, F, sociability=soc[order])
        self.customers: list[CustomerAgent] = [
            CustomerAgent(self, i, {k: traits[k][i] for k in TRAITS}, friends[i]) for i in range(n)
        ]
        self.n = n
        self.staff = StaffPopulation(cfg.firms, n, cfg.staff, self.streams["staff_init"])
        init = self.streams["init"]
        present = self._present()
        u_aware = init.random((n, F), dtype=np.float32)
        noise = init.standard_normal((n, F), dtype=np.float32) * cfg.expectation.initial_spread
        for a in self.customers:
            i = a.index
            for f in range(F):
                if u_aware[i, f] < c.initial_awareness and present[f]:
                    a.state[f] = AWARE
                    a.reconsidered[f] = True
                    a.expectation[f] = min(max(self.promise[f] + float(noise[i, f]), 0.0), 1.0)
        workload = np.zeros(F)  # utilisation: no visits served yet
        target = self._engagement_target(workload)
        self.staff.engagement[:] = np.clip(target[self.staff.firm] + self.staff.trait, 0, 1)
        self._workload = workload

    def _engagement_target(self, workload: np.ndarray) -> np.ndarray:
        a = self._firm_arrays
        return engagement_target(
            a["wage_per_year"], a["training"], a["empowerment"], a["recognition"], workload, self.config.staff
        )

    def _present(self) -> list[bool]:
        after = self._t - self.config.burn_in + 1
        weeks = self.step_length.weeks
        return [f.entry_week <= 0 or after >= first_step(f.entry_week, weeks) for f in self.config.firms]

    # ------------------------------------------------------------------ the step
    def step(self) -> None:
        """Advance one reported step (Mesa increments :attr:`steps`)."""
        self._advance(reported=True)

    def run(self, steps: int | None = None) -> pd.DataFrame:
        for _ in range(self.config.steps if steps is None else steps):
            self.step()
        return self.step_table()

    def _advance(self, reported: bool) -> None:
        """One step; the phases of :meth:`LoyaltyModel._advance`, in its order."""
        F = self.n_firms
        ev = {
            k: [0.0] * F
            for k in (
                "acquisitions",
                *(f"acquisitions_{c}" for c in CHANNEL_NAMES),
                "win_backs",
                "lost",
                "exits",
                "complaints",
                "recoveries",
                "delighted",
                "disappointed",
                "visits",
                "purchases",
                "purchase_revenue",
                "list_revenue",
                "unlifted_list_revenue",
                "failures",
                "service_sum",
                "service_sq",
                "leavers",
                "headcount",
            )
        }
        ev["customers_at_start"] = self._customer_counts()
        self._adjust_offers()
        self._staff_phase(ev)
        whole, visits = self.step_length, [0.0] * F
        self.step_length = whole.visit_round  # a visit round is a step of its own (one round: the step)
        try:
            for _ in range(whole.rounds):
                buyers = self._purchase_occasions_and_choice()
                trips = self._experience(buyers, ev)
                self._disconfirmation(trips)
                self._complaints_and_recovery(trips, ev)
                self._loyalty_latents(trips)
                self._states(trips, ev)
                self._word_of_mouth_and_awareness(trips)
                self._defections(trips, ev)
                visits = [v + r for v, r in zip(visits, self._visits)]
        finally:
            self.step_length = whole
        self._visits = visits
        self._leave_category(ev)
        self._close_books(ev, reported)
        self._t += 1

    # ------------------------------------------------------------------ phases
    def _adjust_offers(self) -> None:
        cfg = self.config
        self.present = self._present()
        self.list_price = [float(f.price) for f in cfg.firms]
        self.price = [p * (1.0 - 0.0) for p in self.list_price]  # no strategies: no discount
        self.discount = [0.0] * self.n_firms
        self.basket_multiplier = [1.0] * self.n_firms
        self._price_arr = np.array(self.price, dtype=np.float32)
        self._discount_arr = np.array(self.discount, dtype=np.float32)
        self._present_arr = np.array(self.present, dtype=bool)

    def _staff_phase(self, ev: dict) -> None:
        cfg, staff, F = self.config.staff, self.staff, self.n_firms
        step = self.step_length
        self._workload = utilisation(np.asarray(self._visits, dtype=np.float64), capacity(staff, F, cfg), cfg, step)
        staff.wage[:] = self._firm_arrays["wage_per_year"][staff.firm]
        u_leave = self.streams.uniform("staff", staff.m)
        turnover = turnover_by_firm(self._firm_arrays["staff_turnover_factor"], cfg.turnover_per_year)
        leavers = update_staff(
            staff, self._engagement_target(self._workload), self._workload, u_leave, cfg, step, turnover
        )
        # leavers and headcount in full-time equivalents
        ev["leavers"] = np.bincount(staff.firm[leavers], staff.fte[leavers], minlength=F).tolist()
        ev["headcount"] = staff.full_time_equivalents(F).tolist()
        if len(leavers):
            left = set(leavers.tolist())
            staff_firm = staff.firm.tolist()
            for a in self.customers:
                if a.bond >= 0 and a.bond in left:
                    f = staff_firm[a.bond]
                    a.affect[f] = max(a.affect[f] - cfg.bond_break_affect, 0.0)
                    a.bond = -1
        self._roster = staff.roster()

    def _purchase_occasions_and_choice(self) -> list[tuple[CustomerAgent, int]]:
        cfg, F = self.config, self.n_firms
        n = self.n
        u_buy = self.streams.uniform("purchase", n).tolist()
        u_choice = self.streams.uniform("choice", (2, n))
        u0, u1 = u_choice[0].tolist(), u_choice[1].tolist()
        present = self.present
        first = first_purchase_chance(cfg.customers, self.step_length)
        term = contract_term_steps(cfg)
        u_renew = self.streams.uniform("renewal", n).tolist() if term else []
        limited = cfg.choice.limited_consideration
        buyers = []
        for a in self.customers:
            a.chosen = -1
            i = a.index
            bound, renewing = self._contract_lock(a, term, u_renew[i]) if term else (-1, False)
            # the consideration set; a limited set's renewal review weighs every firm known (none considered:
            # they buy outside the modelled firms), an unlimited set is every firm known once they left them all
            available = [(a.knows(f) if limited and renewing else a.considers(f)) and present[f] for f in range(F)]
            if not (limited or any(available)):
                available = [a.knows(f) and present[f] for f in range(F)]
            trying = first >= 0 and all(s < S.FIRST_TIME for s in a.state)  # never bought in the category
            chance = first if trying else a.purchase_chance
            if not (u_buy[i] < chance and any(available)):
                continue
            if bound >= 0 and present[bound]:  # the contract binds: they pay their firm
                a.chosen = bound
                buyers.append((a, bound))
                continue
            switching = [0.0] * F if renewing else a.switching(self.contract)
            util = choice.utility(
                np.array([a.taste]),
                np.array([a.expectation]),
                np.array([a.satisfaction]),
                np.array([a.affect]),
                np.array([a.inertia]),
                np.array([switching]),
                self._price_arr,
                np.array([a.reference_price]),
                np.array([a.price_sensitivity]),
                self._discount_arr,
                np.array([a.deal_proneness]),
                cfg.choice,
                np.array([a.acquisition_discount]),
                self._state_factors[PRICE_SENSITIVITY, a.state][None, :],
            )
            variety = _each_visit(a.variety, a.visits_per_purchase)
            c = int(
                choice.choose(
                    util,
                    np.array([available]),
                    np.array([variety], np.float32),
                    np.array([u0[i]]),
                    np.array([u1[i]]),
                    cfg.choice.logit_scale,
                )[0]
            )
            if c >= 0:
                a.chosen = c
                buyers.append((a, c))
        return buyers

    def _contract_lock(self, a: CustomerAgent, term: int, u_renew: float) -> tuple[int, bool]:
        """The firm whose contract binds a subscriber (-1: none), and whether
        they are at a renewal point and review the market (the contract's
        switching cost waived): the engine's rule,
        :func:`sim.choice.contract_locks`, for one customer."""
        lock = np.empty(1, dtype=np.int64)
        choice.contract_locks.py_func(
            np.zeros(1, dtype=np.int64),
            np.array([a.state], dtype=np.int8),
            np.array([a.since], dtype=np.int32),
            self._t,
            term,
            np.array([u_renew], dtype=np.float32),
            np.array([a.renewal_review], dtype=np.float32),
            lock,
        )
        return max(int(lock[0]), -1), int(lock[0]) == choice.RENEWING

    def _experience(self, buyers: list, ev: dict) -> list[dict]:
        cfg, staff, F, n = self.config, self.staff, self.n_firms, self.n
        u_serve = self.streams.uniform("service", (3, n))
        us0 = u_serve[0]  # float32, read per visit by the roster as in the engine
        us1, us2 = u_serve[1].tolist(), u_serve[2].tolist()
        z_serve = self.streams.normal("service_noise", n).tolist()
        u_fail = self.streams.uniform("experience", n).tolist()
        z_quality = self.streams.normal("experience_noise", n).tolist()
        roster = self._roster
        staff_firm, employed = staff.firm.tolist(), staff.employed.tolist()
        level_of, spread_of = staff.service_level.tolist(), staff.service_spread.tolist()
        p_fail = ex.failure_probability(np.array(self.quality, dtype=np.float32), cfg.experience).tolist()
        trips = []
        visits, load = [0.0] * F, [0.0] * F
        for a, c in buyers:
            i = a.index
            # the position serving this visit, in proportion to hours (-1: no staff)
            served = int(roster.server(np.array([c]), us0[i : i + 1])[0])
            own = a.bond >= 0 and us1[i] < cfg.staff.bond_service_prob and staff_firm[a.bond] == c and employed[a.bond]
            if own:
                served = a.bond
            level = level_of[served] if served >= 0 else 0.0
            spread = spread_of[served] if served >= 0 else 0.0
            n_visits = a.visits_per_purchase  # the episode's visits, all to firm c
            service = float(ex.delivered_service(level, spread, z_serve[i], n_visits))
            failed = u_fail[i] < _each_visit(p_fail[c], n_visits)
            x_q = float(ex.quality_score(self.quality[c], failed, z_quality[i], cfg.experience, n_visits))
            price = self.price[c]
            x_p = float(ex.price_fairness(price, a.reference_price, cfg.experience))
            x_b = min(max(self.belonging[c] + cfg.experience.bond_belonging * own + a.club[c], 0.0), 1.0)
            x_s = float(ex.service_score(service, failed, cfg.experience, n_visits))
            experience = float(ex.overall(a.weights, x_p, x_q, x_s, x_b))
            factor = self._state_factors[:, a.state[c]].tolist()  # by the relationship's state
            basket = a.spend * n_visits * self.basket_multiplier[c] * factor[BASKET]
            spent = basket * price
            self.ledger.revenue[c] += spent
            ev["purchase_revenue"][c] += spent
            ev["list_revenue"][c] += basket * self.list_price[c]
            ev["unlifted_list_revenue"][c] += basket * self.list_price[c]  # no programmes: no lift
            self.ledger.book(c, "cost_of_goods", basket * self.unit_cost[c])
            remembered = remembered_price.py_func(price, self.list_price[c], cfg.customers.reference_regular_weight)
            adapt = _each_visit(cfg.customers.reference_price_adaptation, n_visits)
            a.reference_price += adapt * (remembered - a.reference_price)
            visits[c] += n_visits
            load[c] += n_visits * factor[SERVING_LOAD]
            ev["purchases"][c] += 1
            ev["failures"][c] += failed
            ev["service_sum"][c] += service * n_visits  # service metrics per visit
            ev["service_sq"][c] += service**2 * n_visits + spread**2 * (n_visits - 1)  # visits around their mean
            trips.append(
                {
                    "agent": a,
                    "c": c,
                    "experience": experience,
                    "served": served,
                    "own": own,
                    "failed": failed,
                    "service": service,
                    "belonging": x_b,
                    "spent": spent,
                    "discount": discount_off_list.py_func(price, self.list_price[c]),
                    "drop": float(ex.failure_drop(a.weights, service, cfg.experience)),
                    "visits": n_visits,
                    "u_bond": us2[i],
                }
            )
        for f in range(F):
            self.ledger.book(f, "serving", load[f] * self.cost_per_visit[f])
        self._visits = load  # the staff's visits, the round's
        ev["visits"] = [v + r for v, r in zip(ev["visits"], visits)]
        return trips

    def _disconfirmation(self, trips: list[dict]) -> None:
        dcfg, F = self.config.disconfirmation, self.n_firms
        for t in trips:
            a, c = t["agent"], t["c"]
            known = [a.expectation[g] for g in range(F) if g != c and a.state[g] != PROSPECT]
            best = max(known) if known else -math.inf
            adequate = float(
                dc.adequate_level(
                    a.desired,
                    a.tolerance,
                    best,
                    dcfg.alternative_weight,
                    self._state_factors[TOLERANCE_WIDENING, a.state[c]],
                )
            )
            x, e = t["experience"], a.expectation[c]
            t["outcome"] = int(dc.zone_of_tolerance(x, adequate, a.desired))
            if t["failed"] and t["visits"] > 1:
                t["felt"] = float(
                    dc.satisfaction_with_failed_visit(x, t["drop"], t["visits"], e, adequate, a.desired, dcfg)
                )
            else:
                t["felt"] = float(dc.transaction_satisfaction(x, e, adequate, a.desired, dcfg))

    def _complaints_and_recovery(self, trips: list[dict], ev: dict) -> None:
        cfg = self.config.complaints
        u = self.streams.uniform("complaint", (3, self.n))
        u0, u1, u2 = u[0].tolist(), u[1].tolist(), u[2].tolist()
        u_leave = self.streams.uniform("incident_decision", self.n).tolist()
        decision = recovery.decision_coefficients(cfg)
        complaints = [0.0] * self.n_firms  # the round's
        for t in trips:
            a, c, outcome, felt = t["agent"], t["c"], t["outcome"], t["felt"]
            i = a.index
            complain = outcome < 0 and u0[i] < _each_visit(
                min(a.voice * self.voice_ease[c], 1.0), a.visits_per_purchase
            )
            p_resolve = min(cfg.recovery_rate + cfg.empowerment_recovery * self.empowerment[c], 1.0)
            resolved = complain and u1[i] < p_resolve
            quick = resolved and u2[i] < cfg.quick_share
            # a problem's stay-or-leave decision, complained about or not, by the engine's rules
            # (sim.recovery), on the value felt before the handling
            problem = bool(recovery.is_problem(felt, cfg.problem_disappointment))
            major = problem and bool(recovery.major_problem(bool(t["failed"]), felt, cfg.major_disappointment))
            leaves = problem and u_leave[i] < recovery.leaving_chance(major, complain, resolved, quick, decision)
            if quick:
                felt = felt * (1 - cfg.quick_offset)
            elif resolved:
                felt = felt * (1 - cfg.slow_offset)
            elif complain:
                felt = felt - cfg.unresolved_penalty
            t["felt"], t["complained"], t["resolved"], t["quick"] = felt, complain, resolved, quick
            t["problem"], t["major"], t["leaves"] = problem, major, leaves
            complaints[c] += complain
            ev["complaints"][c] += complain
            ev["recoveries"][c] += resolved
            ev["delighted"][c] += outcome > 0
            ev["disappointed"][c] += outcome < 0
        for f in range(self.n_firms):
            self.ledger.book(f, "complaint_costs", complaints[f] * cfg.cost_per_complaint)

    def _loyalty_latents(self, trips: list[dict]) -> None:
        cfg = self.config
        lc, ex_cfg, F = cfg.loyalty, cfg.expectation, self.n_firms
        step = self.step_length
        k_aff, k_inc = step.kept(lc.affect_half_life_weeks), step.kept(cfg.churn.incident_half_life_weeks)
        k_beh = step.kept(lc.repeat_rate_half_life_weeks)
        k_rev = 1 - step.dt  # an annual sum of spend
        per_visit = (1 - k_beh) / step.weeks  # the repeat-purchase rate is in visits a week
        for a in self.customers:
            for f in range(F):
                a.affect[f] *= k_aff
                a.incident[f] *= k_inc
                a.behaviour[f] *= k_beh
                a.revenue[f] *= k_rev
        for t in trips:
            a, c, felt = t["agent"], t["c"], t["felt"]
            k = a.visits_per_purchase
            if a.purchases[c] == 0:
                a.acquisition_discount[c] = t["discount"]
            gain = lc.affect_gain * (felt - lc.affect_neutral) * k + lc.belonging_affect * t["belonging"] * k
            aff = a.affect[c] + deal_acquired_gain.py_func(gain, a.acquisition_discount[c], lc.deal_acquired_affect)
            a.affect[c] = min(max(aff, 0.0), 1.0)
            smoothing = _each_visit(lc.inertia_smoothing, k)
            for f in range(F):
                a.inertia[f] -= smoothing * a.inertia[f]
            a.inertia[c] += smoothing
            a.behaviour[c] += per_visit * a.visits_per_purchase
            a.revenue[c] += t["spent"]
            weight = max(lc.satisfaction_memory, 1.0 / (1.0 + a.purchases[c]))
            a.satisfaction[c] += (1.0 - (1.0 - weight) ** k) * (felt - a.satisfaction[c])
            if t["failed"]:
                mark = 0.0 if t["quick"] else (cfg.complaints.slow_incident if t["resolved"] else 1.0)
                a.incident[c] = max(a.incident[c], mark)
            a.purchases[c] = min(a.purchases[c] + round(k), COUNT_CAP)
            for f in range(F):
                a.rival_run[f] = min(a.rival_run[f] + round(k), COUNT_CAP)
            a.rival_run[c] = 0
            a.expectation[c] += _each_visit(ex_cfg.adaptation, k) * (t["experience"] - a.expectation[c])
        pull = 1 - step.kept(ex_cfg.promise_half_life_weeks)
        for a in self.customers:
            for f in range(F):
                a.expectation[f] = a.expectation[f] * (1 - pull) + pull * self.promise[f]
        for t in trips:
            chance = _each_visit(cfg.staff.bond_prob, t["agent"].visits_per_purchase)
            if t["outcome"] > 0 and t["served"] >= 0 and t["u_bond"] < chance:
                t["agent"].bond = t["served"]

    def _agent_latents(self, a: CustomerAgent) -> tuple[np.ndarray, np.ndarray]:
        """Switching costs, cognitive loyalty, intention and recommendation of
        one customer toward each firm (the rules of :meth:`LoyaltyModel.latents`)."""
        lc, F = self.config.loyalty, self.n_firms
        switching = np.array(a.switching(self.contract))
        w = lc.cognitive_price_weight
        value = np.array(
            [[a.expectation[f] - a.price_sensitivity * (self.price[f] / a.reference_price - 1.0) * w for f in range(F)]]
        )
        available = np.array([[a.state[f] != PROSPECT and self.present[f] for f in range(F)]])
        cog = loyalty.cognitive(value, available, lc.cognitive_scale, lc.cognitive_certain_lead)[0]
        affect = np.array(a.affect)
        intent = loyalty.intention(affect, switching, cog, lc)
        rec = loyalty.recommend_score(np.array(a.satisfaction), affect, lc)
        a.cognitive, a.intention, a.recommend = cog.tolist(), intent.tolist(), rec.tolist()
        a.switching_now = switching.tolist()
        return switching, intent, rec

    def _states(self, trips: list[dict], ev: dict) -> None:
        lc, F = self.config.loyalty, self.n_firms
        for a in self.customers:
            old = a.state
            if a.chosen < 0 and not any(_CUSTOMER[s] for s in old):
                # next_state leaves every relationship of a non-customer who did not buy
                # unchanged, and latents are only read for customers and buyers
                continue
            switching, intent, rec = self._agent_latents(a)
            bought = np.zeros(F, dtype=bool)
            if a.chosen >= 0:
                bought[a.chosen] = True
            old_arr = np.array(old, dtype=np.int8)
            new = loyalty.next_state(
                old_arr,
                old_arr != PROSPECT,
                bought,
                np.array(a.purchases),
                np.array(a.rival_run),
                np.array(a.affect),
                switching,
                np.array(a.satisfaction),
                intent,
                rec,
                lc,
            ).tolist()
            for f in range(F):
                was, now = _CUSTOMER[old[f]], _CUSTOMER[new[f]]
                if not was and now and old[f] != CHURNED:
                    ev["acquisitions"][f] += 1
                    ev[f"acquisitions_{CHANNEL_NAMES[a.channel[f]]}"][f] += 1
                    a.since[f] = self._t
                if now and old[f] == CHURNED:
                    ev["win_backs"][f] += 1
                    a.since[f] = self._t
                if was and new[f] == CHURNED:
                    ev["lost"][f] += 1
                    a.purchases[f] = 0
            a.state = new

    def _word_of_mouth_and_awareness(self, trips: list[dict]) -> None:
        w, F, n = self.config.word_of_mouth, self.n_firms, self.n
        u_talk = self.streams.uniform("wom", n).tolist()
        u_aware = self.streams.uniform("awareness", (n, F))
        u_audience = self.streams.uniform("audience", n).tolist()
        u_strangers = self.streams.uniform("strangers", (2, n))
        # stories travel from each talker to their audience: ties first, then strangers (sim.audience)
        heard: dict[int, list[float]] = {}
        for t in trips:
            a, c, outcome = t["agent"], t["c"], t["outcome"]
            negative = outcome < 0 and not t["resolved"]
            p_talk = w.talk_delighted if outcome > 0 else (w.talk_disappointed if negative else w.talk_satisfied)
            stories = float(np.float64(p_talk) * np.float32(a.sociability) * np.float32(a.visits_per_purchase))
            if a.state[c] == ADVOCATE and not negative:
                stories *= w.advocate_talk_ratio
            if u_talk[a.index] < min(stories, 1.0):
                slot = F + c if negative else c
                told = max(stories, 1.0)
                people = (
                    w.audience_delighted
                    if outcome > 0
                    else (w.audience_disappointed if negative else w.audience_satisfied)
                )
                audience = np.empty(
                    audience_size(u_audience[a.index], people * a.sociability, w.audience_dispersion, n - 1), np.int64
                )
                fill_audience(
                    a.index,
                    audience_key(u_strangers[0, a.index], u_strangers[1, a.index]),
                    np.array(a.friends, dtype=np.int64),
                    n,
                    audience,
                )
                for d, j in enumerate(audience.tolist()):
                    h = heard.get(j)
                    if h is None:
                        h = heard[j] = [0.0] * (2 * F)
                    h[slot] += told if d < len(a.friends) else told * w.stranger_weight
        log_left_out = math.log1p(-min(w.reconsideration_per_story, 1 - 1e-7))
        zeros = [0.0] * (2 * F)
        ch = self.config.churn
        limited = self.config.choice.limited_consideration
        back = (
            self.step_length.visit_round.probability(
                ch.advertising_reconsideration * np.array(self.advertising_per_year) + ch.reconsideration_per_year
            )
            .astype(np.float32)
            .tolist()
        )
        consider = (
            self.step_length.visit_round.probability(
                ch.advertising_reconsideration * np.array(self.advertising_per_year)
                + self.config.customers.consideration_per_year
            )
            .astype(np.float32)
            .tolist()
            if limited
            else None
        )
        for a in self.customers:
            h = heard.get(a.index, zeros)
            ua = None
            for f in range(F):
                pos, neg = h[f], h[F + f]
                if (a.state[f] == CHURNED or (limited and a.state[f] == AWARE)) and not a.reconsidered[f]:
                    if ua is None:
                        ua = u_aware[a.index].tolist()
                    base = back[f] if a.state[f] == CHURNED else consider[f]
                    if ua[f] < 1.0 - (1.0 - base) * math.exp(float(np.float32(pos)) * log_left_out):
                        a.reconsidered[f] = True
                if a.state[f] == PROSPECT:
                    if not self.present[f]:
                        continue
                    if ua is None:
                        ua = u_aware[a.index].tolist()
                    # a positive story makes a prospect aware with a chance that rises with their taste
                    unmoved = (
                        math.exp(pos * float(log_unmoved_by_story(w.awareness_per_story, w.referral_fit, a.taste[f])))
                        if pos
                        else 1.0
                    )
                    p_aware = 1 - (1 - self.reach[f]) * unmoved
                    if ua[f] < p_aware:
                        a.state[f] = AWARE
                        a.channel[f] = ADVERTISING if ua[f] < self.reach[f] else REFERRAL
                        a.expectation[f] = min(max(self.promise[f] + w.referral_boost * pos, 0.0), 1.0)
                else:
                    shift = w.expectation_shift * (w.positive_strength * pos - w.negative_strength * neg)
                    a.expectation[f] = min(max(a.expectation[f] + shift, 0.0), 1.0)
                    a.affect[f] = max(a.affect[f] - w.affect_shift * w.negative_strength * neg, 0.0)

    def _defections(self, trips: list[dict], ev: dict) -> None:
        """Relationships end by the hazard (:func:`sim.hazard.annual_hazard`)
        and by quiet dropout after a purchase; one draw per customer decides
        which, if any (:func:`sim.phases.lapse_churn._end_relationships`); a
        complainant who decided to leave (:mod:`sim.recovery`) ends the
        relationship bought from, and no other."""
        ch, cust, F = self.config.churn, self.config.customers, self.n_firms
        leaving = {t["agent"].index for t in trips if t["leaves"]}
        u_churn = self.streams.uniform("churn", self.n).tolist()
        dt, years_per_step = self.step_length.dt, 1.0 / self.config.steps_per_year
        staff_firm = self.staff.firm.tolist()
        for a in self.customers:
            current = [f for f in range(F) if _CUSTOMER[a.state[f]]]
            if not current:
                continue
            bonded = staff_firm[a.bond] if a.bond >= 0 else -1
            # the round's latents, derived before its state changes, as the engine reads them
            # (step.latents): a relationship begun this round is not yet bound by its contract
            switching = a.switching_now
            reach, ended, quietly = 0.0, -1, False
            u = u_churn[a.index]
            for f in current:
                tenure = (self._t - a.since[f]) * years_per_step if a.since[f] >= 0 else 0.0
                rate = hazard.annual_hazard(
                    a.churn_proneness,
                    a.satisfaction[f],
                    switching[f],
                    a.cognitive[f],
                    a.incident[f],
                    bonded == f,
                    tenure,
                    a.state[f],
                    ch,
                    a.acquisition_discount[f],
                )
                chance = by_hazard = float(hazard.ending_chance(rate, dt))
                repeat = a.purchases[f] > round(a.visits_per_purchase)  # visits before this purchase's
                if f == a.chosen and (cust.dropout_after_first_purchase or repeat):
                    quiet = 1.0 - (1.0 - a.dropout) ** a.visits_per_purchase
                    chance = 1.0 - (1.0 - chance) * (1.0 - quiet)
                if ended < 0 and u < reach + chance:
                    ended, quietly = f, u >= reach + by_hazard
                reach += chance
            if a.index in leaving and _CUSTOMER[a.state[a.chosen]]:
                ended, quietly = a.chosen, False  # the complainant's decision, on top of the hazard
            if ended >= 0 and quietly and cust.dropout_final:
                a.dropped_out[ended] = True
            for f in current:
                switched = ch.exclusive_relationships and a.chosen >= 0 and f != a.chosen
                if f == ended or switched:
                    a.state[f] = CHURNED
                    a.reconsidered[f] = False
                    a.expectation[f] = max(a.expectation[f] - ch.defect_expectation_drop, 0.0)
                    a.purchases[f] = 0
                    ev["lost"][f] += 1

    def _leave_category(self, ev: dict) -> None:
        F = self.n_firms
        u_exit = self.streams.uniform("exit", self.n).tolist()
        leavers = [a for a in self.customers if u_exit[a.index] < a.exit_chance]
        for a in leavers:
            for f in range(F):
                if _CUSTOMER[a.state[f]]:
                    ev["lost"][f] += 1
                    ev["exits"][f] += 1
        if leavers:
            self._replace(leavers)

    def _replace(self, leavers: list[CustomerAgent]) -> None:
        """New prospects (new agents) take the leavers' places in the network."""
        cfg, F = self.config, self.n_firms
        traits, u_aware = self.newcomers.take(len(leavers), cfg.customers, self.step_length, Segments.of(cfg.customers))
        for r, old in enumerate(leavers):
            new = CustomerAgent(
                self,
                old.index,
                {**{name: traits[name][r] for name in DRAWN}, "sociability": old.sociability},
                old.friends,
            )
            for f in range(F):
                if u_aware[r, f] < cfg.customers.newcomer_awareness and self.present[f]:
                    new.state[f] = AWARE
                    new.reconsidered[f] = True
                    new.expectation[f] = self.promise[f]
            self.customers[old.index] = new
            old.remove()

    def _close_books(self, ev: dict, reported: bool) -> None:
        led, cfg = self.ledger, self.config
        by_firm = lambda name: np.array([getattr(f, name) for f in cfg.firms], dtype=np.float64)  # noqa: E731
        costs = driver_costs(self.staff, np.asarray(ev["leavers"]), self._present_arr, by_firm, cfg, self.step_length)
        for category, amounts in costs.items():
            led.book(slice(None), category, amounts)
        accounts = led.close(reported)
        if reported:
            self._records.extend(self._step_records(ev, accounts))

    # ------------------------------------------------------------------ results
    def _customer_counts(self) -> list[float]:
        counts = [0.0] * self.n_firms
        for a in self.customers:
            for f, s in enumerate(a.state):
                if _CUSTOMER[s]:
                    counts[f] += 1
        return counts

    def state_counts(self) -> np.ndarray:
        """Customers in each loyalty state, ``[n_firms, N_STATES]``; each row sums to n."""
        out = np.zeros((self.n_firms, N_STATES), dtype=np.int64)
        for a in self.customers:
            for f, s in enumerate(a.state):
                out[f, s] += 1
        return out

    def _step_records(self, ev: dict, accounts: dict) -> list[dict]:
        """One record per firm: the ledger's accounts and the metrics of
        :func:`sim.metrics.step_metrics`, column for column."""
        F, staff, cfg = self.n_firms, self.staff, self.config
        counts = self.state_counts()
        n_cust = [0] * F
        sums = {k: [0.0] * F for k in ("satisfaction", "affect", "expectation", "cognitive", "intention", "behaviour")}
        promoters, detractors, deal = [0] * F, [0] * F, [0] * F
        spend: list[list[float]] = [[] for _ in range(F)]  # customers' annual spend, for the 80/20
        seeker_from = cfg.customers.deal_seeker_threshold
        promoter, detractor = cfg.loyalty.promoter_recommend, cfg.loyalty.detractor_recommend
        # the survey view (sim/survey.py), customer by customer: the latents as float32, as the engine holds them
        from sim.survey import SURVEY_METRICS, TOP_5, TOP_10

        sv, f32 = cfg.survey, np.float32
        csat_cuts = [
            f32(c)
            for c in (
                sv.csat_dissatisfied_from,
                sv.csat_neutral_from,
                sv.csat_satisfied_from,
                sv.csat_very_satisfied_from,
            )
        ]
        intent_cuts = [
            f32(c)
            for c in (
                sv.intent_probably_not_from,
                sv.intent_might_from,
                sv.intent_probably_from,
                sv.intent_definitely_from,
            )
        ]
        survey = {k: [0.0] * F for k in SURVEY_METRICS}  # sums of answers and counts of boxes

        def five_point(latent: float, cuts: list) -> int:
            return 1 + sum(bool(f32(latent) >= c) for c in cuts)

        for a in self.customers:
            seeker = a.deal_proneness >= seeker_from
            for f in range(F):
                if _CUSTOMER[a.state[f]]:
                    n_cust[f] += 1
                    for k in sums:
                        sums[k][f] += getattr(a, k)[f]
                    promoters[f] += a.recommend[f] >= promoter
                    detractors[f] += a.recommend[f] <= detractor
                    deal[f] += seeker
                    spend[f].append(a.revenue[f])
                    csat, intent = five_point(a.satisfaction[f], csat_cuts), five_point(a.intention[f], intent_cuts)
                    line = sv.csat10_at_adequate + (sv.csat10_at_desired - sv.csat10_at_adequate) * float(
                        f32(a.satisfaction[f])
                    )
                    survey["csat_top_box"][f] += csat == TOP_5
                    survey["csat_top2_box"][f] += csat >= TOP_5 - 1
                    survey["csat_bottom2_box"][f] += csat <= 2
                    survey["mean_csat_5"][f] += csat
                    survey["mean_csat_10"][f] += min(max(math.floor(line + 0.5), 0), TOP_10)
                    survey["intent_top_box"][f] += intent == TOP_5
                    survey["intent_top2_box"][f] += intent >= TOP_5 - 1
                    survey["mean_intent_5"][f] += intent
        # staff engagement per person employed, turnover per full-time equivalent
        people, engagement = [0] * F, [0.0] * F
        for p in range(staff.m):
            if staff.employed[p]:
                people[staff.firm[p]] += 1
                engagement[staff.firm[p]] += float(staff.engagement[p])
        revenue = accounts["revenue"]
        total_rev = float(revenue.sum())
        d = self.ledger.step_discount**-1 - 1
        kept = self.step_length.kept(cfg.loyalty.clv_churn_half_life_weeks)  # the churn outlook of CLV
        rows = []
        for f in range(F):
            safe = max(n_cust[f], 1)
            start = max(ev["customers_at_start"][f], 1)
            churn_rate = ev["lost"][f] / start
            prev = self._churn_ema[f]
            self._churn_ema[f] = ema = churn_rate if math.isnan(prev) else kept * prev + (1 - kept) * churn_rate
            r = 1 - ema
            margin = (float(revenue[f]) - float(accounts["cost_of_goods"][f])) / safe
            clv = margin * r / (1 + d - r) if r < 1 + d else math.nan
            visits = max(ev["visits"][f], 1)
            svc_mean = ev["service_sum"][f] / visits
            svc_spread = math.sqrt(max(ev["service_sq"][f] / visits - svc_mean**2, 0.0))
            values = {
                "customers": n_cust[f],
                "market_share": float(revenue[f] / total_rev) if total_rev > 0 else 0.0,
                "customer_share": n_cust[f] / max(sum(n_cust), 1),
                "retention_rate": 1 - churn_rate,
                "churn_rate": churn_rate,
                "lost": int(ev["lost"][f]),
                "exits": int(ev["exits"][f]),
                "acquisitions": int(ev["acquisitions"][f]),
                **{f"acquisitions_{c}": int(ev[f"acquisitions_{c}"][f]) for c in CHANNEL_NAMES},
                "win_backs": int(ev["win_backs"][f]),
                "deal_seeker_share": deal[f] / safe,
                "mean_satisfaction": sums["satisfaction"][f] / safe,
                "promoter_score": 100.0 * (promoters[f] - detractors[f]) / safe,
                "mean_expectation": sums["expectation"][f] / safe,
                "mean_affect": sums["affect"][f] / safe,
                "mean_cognitive": sums["cognitive"][f] / safe,
                "mean_intention": sums["intention"][f] / safe,
                "repeat_rate": sums["behaviour"][f] / safe,
                "visits": float(ev["visits"][f]),
                "purchases": int(ev["purchases"][f]),
                "purchase_revenue": float(ev["purchase_revenue"][f]),
                "list_revenue": float(ev["list_revenue"][f]),
                "unlifted_list_revenue": float(ev["unlifted_list_revenue"][f]),
                "failures": int(ev["failures"][f]),
                "delighted": int(ev["delighted"][f]),
                "disappointed": int(ev["disappointed"][f]),
                "complaints": int(ev["complaints"][f]),
                "recoveries": int(ev["recoveries"][f]),
                "clv": clv,
                "top20_revenue_share": top_share(np.array(spend[f])),
                "headcount": float(ev["headcount"][f]),
                "staff_engagement": engagement[f] / max(people[f], 1),
                "staff_turnover": ev["leavers"][f] / max(ev["headcount"][f], 1e-9),
                "service_level": svc_mean,
                "service_spread": svc_spread,
                "workload": float(self._workload[f]),
                **{k: v[f] / safe for k, v in survey.items()},
                **{f"n_{name}": int(counts[f, s]) for s, name in enumerate(STATE_NAMES)},
            }
            if tuple(values) != METRICS:  # pragma: no cover - a metric listed in one place only
                raise RuntimeError(f"the reference's metrics differ from METRICS: {sorted(set(values) ^ set(METRICS))}")
            rows.append(
                {
                    "step": self.steps,
                    "firm": self.firm_names[f],
                    "firm_index": f,
                    **{k: float(v[f]) for k, v in accounts.items()},
                    **values,
                }
            )
        return rows

    def step_table(self) -> pd.DataFrame:
        """One row per reported step and firm (the engine's column names)."""
        return pd.DataFrame.from_records(self._records)


def main(argv: list[str] | None = None) -> int:
    """Run the reference for one step on a tiny market, so that the engine's
    rules it shares are compiled for its kinds of argument before a test or
    a benchmark needs them (``make setup`` runs it after
    :mod:`experiments.running.precompile`)."""
    if argv if argv is not None else sys.argv[1:]:
        print("usage: python -m benchmarks.reference", file=sys.stderr)
        return 2
    ReferenceLoyaltyModel(seed=0, n_customers=60, burn_in=1, steps=1).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
