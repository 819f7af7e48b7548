"""A per-agent reference implementation of the engine's rules (the slow baseline).

``ReferenceLoyaltyModel`` is a plain Mesa model of the same market as
:class:`sim.model.LoyaltyModel`: one :class:`CustomerAgent` (a ``mesa.Agent``)
per customer, holding its traits and its relationship with each firm as
Python scalars and lists, and a step that loops over the agents. It is kept
apart from the engine on purpose: it is the oracle the vectorised engine is
tested against (``tests/agents/test_reference_oracle.py``) and the baseline
of the speed benchmark (``experiments/benchmark.py``).

The rules are *not* re-written here: each phase calls the pure rule
functions of ``sim/choice.py``, ``sim/experience.py``,
``sim/disconfirmation.py``, ``sim/loyalty.py`` and ``sim/staffing.py`` for
one customer at a time (on scalars or on length-``n_firms`` arrays), in the
order of :meth:`LoyaltyModel._advance`. Staff are few, so they reuse the
engine's :class:`StaffPopulation` and :func:`update_staff`; the books reuse
:class:`Ledger`.

Randomness comes from the model's named :class:`RandomStreams`. Each step a
stream yields one draw per customer (as in the engine, DESIGN.md §4) and
agent ``i`` reads its own entry, so runs are reproducible; agreement with the
engine is statistical, not bit for bit (the arithmetic here is float64 on
scalars, the engine's is float32 on columns).

Strategies are not supported (the reference covers the rules of the market
itself); a firm with strategies raises ``NotImplementedError``.
"""

from __future__ import annotations

import math
from typing import Any

import mesa
import numpy as np
import pandas as pd

from agents.customers import TRAITS, draw_traits
from agents.network import small_world
from agents.staff import StaffPopulation
from sim import choice, disconfirmation as dc, experience as ex, loyalty
from sim.config import MarketConfig, RunConfig, market_config, validate
from sim.ledger import Ledger
from sim.staffing import engagement_target, update_staff
from sim.states import LoyaltyState as S, N_STATES, STATE_NAMES

PROSPECT, AWARE, CHURNED = int(S.PROSPECT), int(S.AWARE), int(S.CHURNED)
_CUSTOMER = tuple(s not in (S.PROSPECT, S.AWARE, S.CHURNED) for s in S)  # indexed by state


def _is_customer(state: int) -> bool:
    return _CUSTOMER[state]


class CustomerAgent(mesa.Agent):
    """One customer: traits as scalars, one list entry per firm for each
    relationship attribute, and the indices of its friends."""

    RELATIONSHIP = ("state", "expectation", "affect", "habit", "satisfaction", "behaviour",
                    "purchases", "rival_run", "revenue", "club")

    def __init__(self, model: "ReferenceLoyaltyModel", index: int, traits: dict[str, Any],
                 friends: list[int]) -> None:
        super().__init__(model)
        self.index = index
        self.friends = friends
        F = model.n_firms
        self.segment = int(traits["segment"])
        self.weights = np.asarray(traits["weights"], dtype=np.float64)  # 4 floats: price, quality, service, belonging
        for name in ("purchase_rate", "spend", "deal_proneness", "voice", "sociability", "tolerance",
                     "variety", "exit_rate", "price_sensitivity"):
            setattr(self, name, float(traits[name]))
        self.reference_price = 1.0
        self.bond = -1
        self.state = [PROSPECT] * F
        self.expectation = [0.0] * F
        self.affect = [0.0] * F
        self.habit = [0.0] * F
        self.satisfaction = [0.0] * F
        self.behaviour = [0.0] * F
        self.purchases = [0] * F
        self.rival_run = [0] * F
        self.revenue = [0.0] * F
        self.club = [0.0] * F
        # this step's purchase, if any
        self.chosen = -1
        self.intention = [0.0] * F
        self.recommend = [0.0] * F
        self.cognitive = [0.0] * F

    def is_customer_of(self, f: int) -> bool:
        return _CUSTOMER[self.state[f]]

    def switching(self, contract: list[float]) -> list[float]:
        """Switching costs: habit plus contracts that bind current customers."""
        return [self.habit[f] + contract[f] * _CUSTOMER[self.state[f]] for f in range(len(contract))]


class ReferenceLoyaltyModel(mesa.Model):
    """The market of :class:`sim.model.LoyaltyModel`, one ``mesa.Agent`` per customer.

    Same keyword-only constructor and config; :attr:`steps` counts reported
    steps (``burn_in`` steps are simulated in the constructor).
    """

    def __init__(self, *, market: MarketConfig | dict | str | None = None, seed: int = 0,
                 n_customers: int | None = None, burn_in: int | None = None, **overrides: Any) -> None:
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
        self.n_firms = F = len(cfg.firms)
        self.firm_names = [f.name for f in cfg.firms]
        fa = lambda name: [float(getattr(f, name)) for f in cfg.firms]  # noqa: E731
        self.quality, self.promise, self.belonging = fa("quality"), fa("promise"), fa("belonging")
        self.unit_cost, self.contract = fa("unit_cost"), fa("switching_cost")
        self.reach, self.empowerment = fa("advertising_reach"), fa("empowerment")
        self.voice_ease = [float(getattr(f, "voice_ease", 1.0)) for f in cfg.firms]
        self._firm_arrays = {k: np.array(fa(k)) for k in ("wage", "training", "empowerment", "recognition")}
        self.ledger = Ledger(F, cfg.discount_rate, cfg.steps_per_year)
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
        soc = rng.beta(max(c.sociability_mean * c.sociability_concentration, 1e-6),
                       max((1 - c.sociability_mean) * c.sociability_concentration, 1e-6), n)
        adj, order = small_world(soc, cfg.network.mean_degree, cfg.network.rewire_prob,
                                 self.streams["network"], cfg.network.reorder)
        friends = [adj.indices[adj.indptr[i]:adj.indptr[i + 1]].tolist() for i in range(n)]
        traits = draw_traits(c, rng, n, sociability=soc[order])
        self.customers: list[CustomerAgent] = [
            CustomerAgent(self, i, {k: traits[k][i] for k in TRAITS}, friends[i]) for i in range(n)]
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
                    a.expectation[f] = min(max(self.promise[f] + float(noise[i, f]), 0.0), 1.0)
        workload = np.ones(F)
        target = self._engagement_target(workload)
        self.staff.engagement[:] = np.clip(target[self.staff.firm] + self.staff.trait, 0, 1)
        self._workload = workload

    def _engagement_target(self, workload: np.ndarray) -> np.ndarray:
        a = self._firm_arrays
        return engagement_target(a["wage"], a["training"], a["empowerment"], a["recognition"],
                                 workload, self.config.staff)

    def _present(self) -> list[bool]:
        after = self._t - self.config.burn_in + 1
        return [f.entry_step <= 0 or after >= f.entry_step for f in self.config.firms]

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
        ev = {k: [0.0] * F for k in ("acquisitions", "win_backs", "lost", "exits", "complaints",
                                     "recoveries", "delighted", "disappointed", "visits", "failures",
                                     "service_sum", "leavers", "headcount")}
        ev["customers_at_start"] = self._customer_counts()
        self._adjust_offers()
        self._staff_phase(ev)
        buyers = self._purchase_occasions_and_choice()
        trips = self._experience(buyers, ev)
        self._disconfirmation(trips)
        self._complaints_and_recovery(trips, ev)
        self._loyalty_latents(trips)
        self._states(trips, ev)
        self._word_of_mouth_and_awareness(trips)
        self._lapse_and_churn(trips, ev)
        self._close_books(ev, reported)
        self._t += 1

    # ------------------------------------------------------------------ phases
    def _adjust_offers(self) -> None:
        cfg = self.config
        self.present = self._present()
        self.price = [float(f.price) * (1.0 - 0.0) for f in cfg.firms]   # no strategies: no discount
        self.discount = [0.0] * self.n_firms
        self.basket_multiplier = [1.0] * self.n_firms
        self._price_arr = np.array(self.price, dtype=np.float32)
        self._discount_arr = np.array(self.discount, dtype=np.float32)
        self._present_arr = np.array(self.present, dtype=bool)

    def _staff_phase(self, ev: dict) -> None:
        cfg, staff, F = self.config.staff, self.staff, self.n_firms
        heads = np.maximum(staff.headcount(F), 1)
        self._workload = np.asarray(self._visits) / (heads * cfg.capacity_per_staff)
        u_leave = self.streams.uniform("staff", staff.m)
        leavers = update_staff(staff, self._engagement_target(self._workload), self._workload, u_leave, cfg)
        ev["leavers"] = np.bincount(staff.firm[leavers], minlength=F).astype(float).tolist()
        ev["headcount"] = staff.headcount(F).astype(float).tolist()
        if len(leavers):
            left = set(leavers.tolist())
            staff_firm = staff.firm.tolist()
            for a in self.customers:
                if a.bond >= 0 and a.bond in left:
                    f = staff_firm[a.bond]
                    a.affect[f] = max(a.affect[f] - cfg.bond_break_affect, 0.0)
                    a.bond = -1
        pos, start, count = staff.roster()
        self._roster = (pos.tolist(), start.tolist(), count.tolist())

    def _purchase_occasions_and_choice(self) -> list[tuple[CustomerAgent, int]]:
        cfg, F = self.config, self.n_firms
        n = self.n
        u_buy = self.streams.uniform("purchase", n).tolist()
        u_choice = self.streams.uniform("choice", (2, n))
        u0, u1 = u_choice[0].tolist(), u_choice[1].tolist()
        present = self.present
        buyers = []
        for a in self.customers:
            a.chosen = -1
            i = a.index
            available = [a.state[f] != PROSPECT and present[f] for f in range(F)]
            if not (u_buy[i] < a.purchase_rate and any(available)):
                continue
            util = choice.utility(np.array([a.expectation]), np.array([a.affect]),
                                  np.array([a.switching(self.contract)]), self._price_arr,
                                  np.array([a.reference_price]), np.array([a.price_sensitivity]),
                                  self._discount_arr, np.array([a.deal_proneness]), cfg.choice)
            c = int(choice.choose(util, np.array([available]), np.array([a.variety], np.float32),
                                  np.array([u0[i]]), np.array([u1[i]]), cfg.choice.logit_scale)[0])
            if c >= 0:
                a.chosen = c
                buyers.append((a, c))
        return buyers

    def _experience(self, buyers: list, ev: dict) -> list[dict]:
        cfg, staff, F, n = self.config, self.staff, self.n_firms, self.n
        u_serve = self.streams.uniform("service", (3, n))
        us0, us1, us2 = u_serve[0].tolist(), u_serve[1].tolist(), u_serve[2].tolist()
        z_serve = self.streams.normal("service_noise", n).tolist()
        u_fail = self.streams.uniform("experience", n).tolist()
        z_quality = self.streams.normal("experience_noise", n).tolist()
        pos, start, count = self._roster
        staff_firm, employed = staff.firm.tolist(), staff.employed.tolist()
        level_of, spread_of = staff.service_level.tolist(), staff.service_spread.tolist()
        p_fail = ex.failure_probability(np.array(self.quality, dtype=np.float32), cfg.experience).tolist()
        trips = []
        visits = [0.0] * F
        for a, c in buyers:
            i = a.index
            if count[c] > 0 and pos:
                pick = min(int(us0[i] * count[c]), max(count[c] - 1, 0))
                served = pos[min(start[c] + pick, len(pos) - 1)]
            else:
                served = -1
            own = (a.bond >= 0 and us1[i] < cfg.staff.bond_service_prob
                   and staff_firm[a.bond] == c and employed[a.bond])
            if own:
                served = a.bond
            level = level_of[served] if served >= 0 else 0.0
            spread = spread_of[served] if served >= 0 else 0.0
            service = min(max(level + spread * z_serve[i], 0.0), 1.0)
            failed = u_fail[i] < p_fail[c]
            x_q = float(ex.quality_score(self.quality[c], failed, z_quality[i], cfg.experience))
            price = self.price[c]
            x_p = float(ex.price_fairness(price, a.reference_price, cfg.experience))
            x_b = min(max(self.belonging[c] + cfg.experience.bond_belonging * own + a.club[c], 0.0), 1.0)
            x_s = float(ex.service_score(service, failed, cfg.experience))
            experience = float(ex.overall(a.weights, x_p, x_q, x_s, x_b))
            basket = a.spend * self.basket_multiplier[c]
            spent = basket * price
            self.ledger.revenue[c] += spent
            self.ledger.book(c, "cost_of_goods", basket * self.unit_cost[c])
            a.reference_price += cfg.customers.reference_price_adaptation * (price - a.reference_price)
            visits[c] += 1
            ev["failures"][c] += failed
            ev["service_sum"][c] += service
            trips.append({"agent": a, "c": c, "experience": experience, "served": served, "own": own,
                          "failed": failed, "service": service, "belonging": x_b, "spent": spent,
                          "u_bond": us2[i]})
        self._visits = visits
        ev["visits"] = list(visits)
        return trips

    def _disconfirmation(self, trips: list[dict]) -> None:
        dcfg = self.config.disconfirmation
        for t in trips:
            a, c = t["agent"], t["c"]
            gap = t["experience"] - a.expectation[c]
            outcome = int(dc.zone_of_tolerance(gap, a.tolerance))
            t["outcome"] = outcome
            t["felt"] = float(dc.felt_value(gap, outcome, dcfg))

    def _complaints_and_recovery(self, trips: list[dict], ev: dict) -> None:
        cfg = self.config.complaints
        u = self.streams.uniform("complaint", (3, self.n))
        u0, u1, u2 = u[0].tolist(), u[1].tolist(), u[2].tolist()
        for t in trips:
            a, c, outcome, felt = t["agent"], t["c"], t["outcome"], t["felt"]
            i = a.index
            complain = outcome < 0 and u0[i] < a.voice * self.voice_ease[c]
            p_resolve = min(cfg.recovery_rate + cfg.empowerment_recovery * self.empowerment[c], 1.0)
            resolved = complain and u1[i] < p_resolve
            quick = resolved and u2[i] < cfg.quick_share
            if quick:
                felt = felt * (1 - cfg.quick_offset)
            elif resolved:
                felt = felt * (1 - cfg.slow_offset)
            elif complain:
                felt = felt - cfg.unresolved_penalty
            t["felt"], t["complained"], t["resolved"] = felt, complain, resolved
            ev["complaints"][c] += complain
            ev["recoveries"][c] += resolved
            ev["delighted"][c] += outcome > 0
            ev["disappointed"][c] += outcome < 0
        for f in range(self.n_firms):
            self.ledger.book(f, "complaint_costs", ev["complaints"][f] * cfg.cost_per_complaint)

    def _loyalty_latents(self, trips: list[dict]) -> None:
        cfg = self.config
        lc, ex_cfg, F = cfg.loyalty, cfg.expectation, self.n_firms
        k_aff, k_hab, k_beh = 1 - lc.affect_decay, 1 - lc.habit_decay, 1 - lc.behaviour_memory
        k_rev = 1 - 1 / cfg.steps_per_year
        for a in self.customers:
            for f in range(F):
                a.affect[f] *= k_aff
                a.habit[f] *= k_hab
                a.behaviour[f] *= k_beh
                a.revenue[f] *= k_rev
        for t in trips:
            a, c, felt = t["agent"], t["c"], t["felt"]
            aff = a.affect[c] + lc.affect_gain * felt + lc.belonging_affect * t["belonging"]
            a.affect[c] = min(max(aff, 0.0), 1.0)
            a.habit[c] += lc.habit_gain * (1 - a.habit[c])
            a.behaviour[c] += lc.behaviour_memory
            a.revenue[c] += t["spent"]
            a.satisfaction[c] += lc.satisfaction_memory * (felt - a.satisfaction[c])
            a.purchases[c] = min(a.purchases[c] + 1, 255)
            for f in range(F):
                a.rival_run[f] = min(a.rival_run[f] + 1, 255)
            a.rival_run[c] = 0
            a.expectation[c] += ex_cfg.adaptation * (t["experience"] - a.expectation[c])
        pull = ex_cfg.promise_pull
        for a in self.customers:
            for f in range(F):
                a.expectation[f] = a.expectation[f] * (1 - pull) + pull * self.promise[f]
        for t in trips:
            if t["outcome"] > 0 and t["served"] >= 0 and t["u_bond"] < cfg.staff.bond_prob:
                t["agent"].bond = t["served"]

    def _agent_latents(self, a: CustomerAgent) -> tuple[np.ndarray, np.ndarray]:
        """Switching costs, cognitive loyalty, intention and recommendation of
        one customer toward each firm (the rules of :meth:`LoyaltyModel.latents`)."""
        lc, F = self.config.loyalty, self.n_firms
        switching = np.array(a.switching(self.contract))
        value = np.array([[a.expectation[f] - a.price_sensitivity * (self.price[f] / a.reference_price - 1.0) * 0.1
                           for f in range(F)]])
        available = np.array([[a.state[f] != PROSPECT and self.present[f] for f in range(F)]])
        cog = loyalty.cognitive(value, available, lc.cognitive_scale)[0]
        affect = np.array(a.affect)
        intent = loyalty.intention(affect, switching, cog, lc)
        rec = loyalty.recommend_score(np.array(a.satisfaction), affect, lc)
        a.cognitive, a.intention, a.recommend = cog.tolist(), intent.tolist(), rec.tolist()
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
            new = loyalty.next_state(old_arr, old_arr != PROSPECT, bought,
                                     np.array(a.purchases), np.array(a.rival_run), np.array(a.affect),
                                     switching, np.array(a.satisfaction), intent, rec, lc).tolist()
            for f in range(F):
                was, now = _CUSTOMER[old[f]], _CUSTOMER[new[f]]
                if not was and now and old[f] != CHURNED:
                    ev["acquisitions"][f] += 1
                if now and old[f] == CHURNED:
                    ev["win_backs"][f] += 1
                if was and new[f] == CHURNED:
                    ev["lost"][f] += 1
                    a.purchases[f] = 0
            a.state = new

    def _word_of_mouth_and_awareness(self, trips: list[dict]) -> None:
        w, F, n = self.config.word_of_mouth, self.n_firms, self.n
        u_talk = self.streams.uniform("wom", n).tolist()
        u_aware = self.streams.uniform("awareness", (n, F))
        # stories travel from each talker to each friend
        heard: dict[int, list[float]] = {}
        for t in trips:
            a, c, outcome = t["agent"], t["c"], t["outcome"]
            negative = outcome < 0 and not t["resolved"]
            p_talk = w.talk_delighted if outcome > 0 else (w.talk_disappointed if negative else w.talk_satisfied)
            if u_talk[a.index] < p_talk * a.sociability:
                slot = F + c if negative else c
                for j in a.friends:
                    h = heard.get(j)
                    if h is None:
                        h = heard[j] = [0.0] * (2 * F)
                    h[slot] += 1.0
        log_miss = math.log1p(-min(w.awareness_per_story, 1 - 1e-7))
        zeros = [0.0] * (2 * F)
        for a in self.customers:
            h = heard.get(a.index, zeros)
            ua = None
            for f in range(F):
                pos, neg = h[f], h[F + f]
                if a.state[f] == PROSPECT:
                    if not self.present[f]:
                        continue
                    if ua is None:
                        ua = u_aware[a.index].tolist()
                    p_aware = 1 - (1 - self.reach[f]) * math.exp(pos * log_miss)
                    if ua[f] < p_aware:
                        a.state[f] = AWARE
                        a.expectation[f] = min(max(self.promise[f] + w.referral_boost * pos, 0.0), 1.0)
                else:
                    shift = w.expectation_shift * (w.positive_strength * pos - w.negative_strength * neg)
                    a.expectation[f] = min(max(a.expectation[f] + shift, 0.0), 1.0)
                    a.affect[f] = max(a.affect[f] - w.affect_shift * w.negative_strength * neg, 0.0)

    def _lapse_and_churn(self, trips: list[dict], ev: dict) -> None:
        cfg, F, n = self.config, self.n_firms, self.n
        ch = cfg.churn
        u_churn = self.streams.uniform("churn", n).tolist()
        u_exit = self.streams.uniform("exit", n).tolist()
        floor = max(ch.defect_intention_floor, 1e-9)
        for t in trips:
            a, c = t["agent"], t["c"]
            p_defect = ch.disappointed_defect_prob * min(max(1 - a.intention[c] / floor, 0.0), 1.0)
            if t["felt"] < 0 and _CUSTOMER[a.state[c]] and u_churn[a.index] < p_defect:
                a.state[c] = CHURNED
                a.expectation[c] = max(a.expectation[c] - ch.defect_expectation_drop, 0.0)
                a.purchases[c] = 0
                ev["lost"][c] += 1
        leavers = [a for a in self.customers if u_exit[a.index] < a.exit_rate]
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
        rng = self.streams["newcomers"]
        k = len(leavers)
        traits = draw_traits(cfg.customers, rng, k,
                             sociability=np.array([a.sociability for a in leavers], dtype=np.float32))
        u_aware = rng.random((k, F), dtype=np.float32)
        for r, old in enumerate(leavers):
            new = CustomerAgent(self, old.index, {name: traits[name][r] for name in TRAITS}, old.friends)
            new.sociability = old.sociability
            for f in range(F):
                if u_aware[r, f] < cfg.customers.newcomer_awareness and self.present[f]:
                    new.state[f] = AWARE
                    new.expectation[f] = self.promise[f]
            self.customers[old.index] = new
            old.remove()

    def _close_books(self, ev: dict, reported: bool) -> None:
        led, staff, cfg, F = self.ledger, self.staff, self.config, self.n_firms
        wages = [0.0] * F
        for p in range(staff.m):
            if staff.employed[p]:
                wages[staff.firm[p]] += float(staff.wage[p])
        for f, fc in enumerate(cfg.firms):
            led.book(f, "wages", wages[f])
            led.book(f, "hiring", ev["leavers"][f] * cfg.staff.hiring_cost)
            led.book(f, "advertising", float(self.present[f]) * fc.advertising_cost)
            led.book(f, "fixed", float(self.present[f]) * fc.fixed_cost)
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
        F = self.n_firms
        counts = self.state_counts()
        n_cust = [0] * F
        sums = {k: [0.0] * F for k in ("satisfaction", "affect", "expectation", "cognitive", "intention",
                                       "behaviour")}
        promoters, detractors = [0] * F, [0] * F
        for a in self.customers:
            for f in range(F):
                if _CUSTOMER[a.state[f]]:
                    n_cust[f] += 1
                    for k in sums:
                        sums[k][f] += getattr(a, k)[f]
                    promoters[f] += a.recommend[f] >= 9
                    detractors[f] += a.recommend[f] <= 6
        revenue = accounts["revenue"]
        total_rev = float(revenue.sum())
        rows = []
        for f in range(F):
            safe = max(n_cust[f], 1)
            start = max(ev["customers_at_start"][f], 1)
            churn_rate = ev["lost"][f] / start
            prev = self._churn_ema[f]
            self._churn_ema[f] = churn_rate if math.isnan(prev) else 0.9 * prev + 0.1 * churn_rate
            row = {"step": self.steps, "firm": self.firm_names[f], "firm_index": f}
            row.update({k: float(v[f]) for k, v in accounts.items()})
            row.update({
                "customers": n_cust[f],
                "market_share": float(revenue[f] / total_rev) if total_rev > 0 else 0.0,
                "customer_share": n_cust[f] / max(sum(n_cust), 1),
                "retention_rate": 1 - churn_rate, "churn_rate": churn_rate,
                "lost": int(ev["lost"][f]), "exits": int(ev["exits"][f]),
                "acquisitions": int(ev["acquisitions"][f]), "win_backs": int(ev["win_backs"][f]),
                "mean_satisfaction": sums["satisfaction"][f] / safe,
                "promoter_score": 100.0 * (promoters[f] - detractors[f]) / safe,
                "mean_expectation": sums["expectation"][f] / safe, "mean_affect": sums["affect"][f] / safe,
                "mean_cognitive": sums["cognitive"][f] / safe, "mean_intention": sums["intention"][f] / safe,
                "repeat_rate": sums["behaviour"][f] / safe,
                "visits": int(ev["visits"][f]), "failures": int(ev["failures"][f]),
                "delighted": int(ev["delighted"][f]), "disappointed": int(ev["disappointed"][f]),
                "complaints": int(ev["complaints"][f]), "recoveries": int(ev["recoveries"][f]),
                "headcount": int(ev["headcount"][f]),
                "workload": float(self._workload[f]),
            })
            row.update({f"n_{name}": int(counts[f, s]) for s, name in enumerate(STATE_NAMES)})
            rows.append(row)
        return rows

    def step_table(self) -> pd.DataFrame:
        """One row per reported step and firm (the engine's column names)."""
        return pd.DataFrame.from_records(self._records)
