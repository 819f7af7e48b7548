"""The experiments the claims are measured in.

An experiment (:class:`ExperimentSpec`) is a named experiment of
``conf/experiment/`` on the default market, a list of scenarios defined here,
market variants (the same market with one setting changed, run on the same
seeds: common random numbers), or a *probe* (:mod:`experiments.validation.claims.probes`).
Several claims share one experiment, so each experiment runs once
(:mod:`experiments.validation.report`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from experiments.validation.claims.probes import (
    acquisition_value_probe,
    disconfirmation_probe,
    goal_gradient_probe,
    purchase_probe,
)
from experiments.validation.claims.satisfaction_probes import service_shift_probe, survey_then_follow_probe
from experiments.validation.claims.staff_measures import employee_customer_chain_probe, turnover_sweep_probe
from experiments.validation.claims.tenure_probes import cohort_retention_probe, long_tenure_profit_probe
from experiments.validation.claims.win_back_probe import win_back_probe
from sim.config import MarketConfig

#: a probe: (market, seed) -> named numbers of one replication
Probe = Callable[[MarketConfig, int], dict]


@dataclass(frozen=True)
class ExperimentSpec:
    """How to gather the evidence of some claims on the default market.

    ``overrides`` are Hydra overrides of the app config (``conf/app.yaml``),
    e.g. ``experiment=price_war`` for a named experiment; ``scenarios``, if
    given, replace the composed experiment's scenarios; each of ``variants``
    (name, overrides) runs the experiment's single scenario on the market
    changed by those overrides, on the same seeds, as a scenario named after
    the variant; ``keep``, if given, keeps only these of the composed
    scenarios (the others measure no claim); ``min_replications`` are the
    replications its claims need for clear verdicts (the margin rule of
    :mod:`experiments.validation.report`: the number a verdict turns on at least
    one half-width of the 95% interval from the threshold); ``probe``, if
    given, is run once per replication instead.

    ``min_replications`` was chosen on 30 replications of every experiment
    (seeds 0-29; 90 for price_war.no_lasting_bump; seeds 1000-1029 too for
    staff_turnover and service_profit_chain, whose claims about staff
    turnover have heavy tails): enough that every run of that many
    consecutive seeds gave every claim of the experiment a margin of at
    least 1.2 half-widths, so that other seeds, or another machine, give
    the same verdicts. The claim that needs the most is named at each
    experiment below: its effect is small against the noise between
    replications (on the default market the focal firm employs about eight
    people, so staff turnover and lay-offs come in ones and twos).
    """

    name: str
    description: str
    overrides: tuple[str, ...] = ()
    scenarios: tuple[dict, ...] | None = None
    variants: tuple[tuple[str, tuple[str, ...]], ...] = ()
    keep: tuple[str, ...] = ()
    min_replications: int = 0
    transactions: bool = False
    probe: Probe | None = None
    #: why the experiment runs in weekly steps only (a probe that counts its windows in steps, or
    #: reads events at the end of a step), or "": it converts to other step lengths (the horizon and
    #: burn-in scaled to the step, the strategies' schedules in weeks)
    weekly_only: str = ""


#: the scenarios of the programmes that have no named experiment, on the default market
_PROGRAMMES = (
    {"name": "baseline", "description": "the focal firm runs no programme"},
    {
        "name": "loyalty_points",
        "description": "points / VIP card (001, 003)",
        "strategies": {"Focal": ["loyalty_points"]},
    },
    {
        "name": "pruning_off",
        "description": "the cost-to-serve accounting of customer pruning, refusing no one",
        "strategies": {"Focal": [{"name": "customer_pruning", "prune_below": 0.0}]},
    },
    {
        "name": "customer_pruning",
        "description": "customers who cost more than they bring are refused (001, 003)",
        "strategies": {"Focal": ["customer_pruning"]},
    },
    {
        "name": "over_promise",
        "description": "the focal firm promises 0.71 instead of 0.56 (001: keep your word)",
        "firms": {"Focal": {"promise": 0.71}},
    },
    {
        "name": "contract",
        "description": "the focal firm binds its customers with a contract (switching cost 0.5)",
        "firms": {"Focal": {"switching_cost": 0.5}},
    },
)

#: the price war of the named experiment, started in week 9 (Lewis 2006)
_WAR_IN_WEEK_9 = (
    {"name": "baseline", "description": "no price war"},
    {
        "name": "war",
        "description": "30% off for 12 weeks from week 9",
        "strategies": {"Focal": [{"name": "price_war", "depth": 0.3, "duration": 12, "start": 9}]},
    },
)

_SILENT = (
    "market.word_of_mouth.talk_delighted=0",
    "market.word_of_mouth.talk_satisfied=0",
    "market.word_of_mouth.talk_disappointed=0",
)

EXPERIMENTS: dict[str, ExperimentSpec] = {
    e.name: e
    for e in (
        ExperimentSpec(
            "default_market",
            "the default market with no programme (baseline), and points, customer "
            "pruning (with and without refusals), over-promising and a contract, each against it; "
            "one year (shortened from 104 weeks: every claim here shows within a year)",
            ("experiment=default", "market.steps=52"),
            scenarios=_PROGRAMMES,
            min_replications=8,
        ),  # points.repeat
        ExperimentSpec(
            "retention_value",
            "the default market with no programme (baseline) and with the focal firm "
            "binding its customers by a contract (switching cost 0.5); one year (shortened from 104 weeks)",
            ("experiment=default", "market.steps=52"),
            scenarios=_PROGRAMMES,
            keep=("baseline", "contract"),
            min_replications=32,
        ),  # retention.profit: a ratio of two noisy differences
        ExperimentSpec(
            "price_war",
            "conf/experiment/price_war.yaml: 30% off for 12 weeks, rivals not reacting "
            "or matching (its half-matching scenario is left out)",
            ("experiment=price_war",),
            keep=("baseline", "war_no_retaliation", "war_rivals_match"),
            # price_war.no_lasting_bump, the least clear claim: the lasting loss of revenue
            # is about 1% against the band's 2% with a spread of 1.7% between replications;
            # margin 2.3 on seeds 0-47, but 0.9 on seeds 2000-2047 (the loss there is 1.5%)
            min_replications=48,
        ),
        ExperimentSpec(
            "price_war_cohorts",
            "the price war of price_war.yaml started in week 9, every purchase recorded, two years after it",
            ("experiment=price_war", "market.steps=124"),
            scenarios=_WAR_IN_WEEK_9,
            transactions=True,
            min_replications=16,
        ),  # price_war.deal_acquired_value
        ExperimentSpec(
            "club_payoff",
            "conf/experiment/club_payoff.yaml: members' club, discount only, events only "
            "(its scenarios targeting by risk and by uplift are left out)",
            ("experiment=club_payoff",),
            keep=("baseline", "club", "club_discount_only", "club_events_only"),
            min_replications=14,
        ),  # club.loyalty_builds
        ExperimentSpec(
            "quality_vs_service",
            "conf/experiment/quality_vs_service.yaml (its combined scenario is left out)",
            ("experiment=quality_vs_service",),
            keep=("baseline", "quality_investment", "differentiated_service"),
            min_replications=4,
        ),
        ExperimentSpec(
            "service_profit_chain",
            "conf/experiment/service_profit_chain.yaml",
            ("experiment=service_profit_chain",),
            min_replications=18,
        ),  # staff_loyalty.turnover
        ExperimentSpec(
            "service_driven_payback",
            "conf/experiment/service_driven_payback.yaml: the retail market "
            "with half the customers in the service segment (conf/market/retail_service_driven.yaml), "
            "staff loyalty and the club targeted by expected uplift over three years (its club targeted "
            "by value is left out)",
            ("experiment=service_driven_payback",),
            keep=("baseline", "staff_loyalty", "club_by_uplift"),
            min_replications=4,
        ),  # staff_loyalty.pays_back
        ExperimentSpec(
            "layoffs_downturn",
            "conf/experiment/layoffs_downturn.yaml: a downturn market, keeping the "
            "staff or laying off 30% (the combination with staff loyalty is left out)",
            ("experiment=layoffs_downturn",),
            keep=("keep_staff", "layoffs"),
            # chosen for layoffs.retention when lay-offs lowered retention by only 0.13-0.2 points;
            # now by 0.57 points (margin 7.8 at 128): at 32 every layoffs margin would be about 3.3 or more
            min_replications=128,
        ),
        ExperimentSpec(
            "captive_rival_entry",
            "conf/experiment/captive_rival_entry.yaml: the subscription market "
            "(monthly steps, contracts), a better rival enters in month 7 or never (the focal firm's "
            "responses are left out)",
            ("experiment=captive_rival_entry",),
            keep=("baseline", "rival_enters"),
            min_replications=6,
        ),  # loyalty.captive_wave
        ExperimentSpec(
            "complaint_iceberg",
            "conf/experiment/complaint_iceberg.yaml: complaint handling against "
            "ordinary recovery (its other scenarios are left out)",
            ("experiment=complaint_iceberg",),
            keep=("baseline", "complaint_handling"),
            min_replications=8,
        ),  # complaints.lower_churn
        ExperimentSpec(
            "win_back",
            "conf/experiment/win_back.yaml (its targeted scenarios are left out); one year "
            "(shortened from 104 weeks: the win-backs show within weeks)",
            ("experiment=win_back", "market.steps=52"),
            keep=("baseline", "win_back", "win_back_deep"),
            min_replications=16,
        ),  # win_back.deeper: about 8 more a market, sd 6
        ExperimentSpec(
            "win_back_rates",
            "probe: the default market over two years, each run from its first step; "
            "the focal firm runs the win-back programme of conf/experiment/win_back.yaml, and every "
            "relationship that lapses, and every one that becomes aware of a firm, in the first year is "
            "followed for a year; and a campaign of the same programme to every lapsed customer whatever "
            "the time since they left (and a run without it), its lapsed customers followed for a year by "
            "weeks since they left; on the retail market with limited consideration "
            "(conf/market/retail_consideration.yaml), where the lapsed and new prospects are held back as "
            "Griffin & Lowenstein's rates need (not yet the default market: docs/model.md)",
            ("experiment=win_back", "market=retail_consideration", "market.steps=104"),
            probe=win_back_probe,
            min_replications=10,
        ),  # market.lost_vs_new: a ratio of two shares, about 2.0
        # with a spread of 0.35 between replications
        ExperimentSpec(
            "staff_turnover",
            "the default market and the same market with ten times the staff's base "
            "turnover (staff.turnover_per_year 0.313 -> 3.13); one year (shortened from 104 weeks)",
            ("experiment=default", "market.steps=52"),
            scenarios=({"name": "baseline"},),
            variants=(("baseline", ()), ("high_turnover", ("market.staff.turnover_per_year=3.13",))),
            min_replications=48,
        ),  # staff.turnover_profit
        ExperimentSpec(
            "turnover_sweep",
            "probe: the default market with the focal firm's staff leaving at one of "
            "ten levels of base turnover (0.1 to 3 a year, log-spaced; its rivals' at the market's rate), "
            "each burnt in and run for two years at its level; the two lowest and two highest levels are "
            "run, the fifths the claims compare",
            ("experiment=default",),
            probe=turnover_sweep_probe,
            min_replications=8,
        ),  # staff.turnover_fifths_profit_ratio: about 190% with a
        # spread of 90 points between replications
        ExperimentSpec(
            "employee_customer_chain",
            "probe: the default market after burn-in, copied; in one copy the "
            "focal firm's staff gain 0.05 of engagement (its morale lever) for two years, the other is "
            "unchanged; the links read in the second year",
            ("experiment=default",),
            probe=employee_customer_chain_probe,
            min_replications=12,
        ),  # chain.sears_attitude_impression: heavy-tailed (one
        # seed in 30 gives 2.3 against a mean of 1.26)
        ExperimentSpec(
            "word_of_mouth",
            "the default market and the same market where nobody talks "
            "(word_of_mouth.talk_* = 0); one year (shortened from 104 weeks)",
            ("experiment=default", "market.steps=52"),
            scenarios=({"name": "baseline"},),
            variants=(("baseline", ()), ("silent", _SILENT)),
            min_replications=6,
        ),  # wom.awareness
        ExperimentSpec(
            "purchases",
            "probe: a baseline run of the default market with every purchase, story and complaint followed",
            ("experiment=default",),
            probe=purchase_probe,
            min_replications=32,
            weekly_only=(
                "the probe reads who is still in the relationship at the end of the step of a purchase or "
                "complaint (TARP's repurchase read in the week): a month's step holds several purchases"
            ),
        ),  # complaints.silent_levels: about 7 points against 8
        ExperimentSpec(
            "complaints_followed",
            "probe: the purchases probe on the default market with everyone's voice "
            "raised (customers.voice_mean 0.1 -> 0.6) over eight years, so "
            "that enough problems are complained about to follow TARP's six complainant cells: the "
            "decision's rule does not depend on how often a customer complains",
            ("experiment=default", "market.customers.voice_mean=0.6", "market.steps=416"),
            probe=purchase_probe,
            min_replications=10,
            weekly_only=(
                "the probe reads who is still in the relationship at the end of the step of a complaint "
                "(TARP's repurchase read in the week): a month's step holds several purchases"
            ),
        ),  # complaints.tarp_levels, recovery_order
        ExperimentSpec(
            "acquisition_value",
            "probe: a baseline run of the default market over four years; each "
            "relationship acquired in the first two is followed for two years after its acquisition, "
            "by the channel that made the customer aware of the firm (advertising or a positive story)",
            ("experiment=default", "market.steps=208"),
            probe=acquisition_value_probe,
            min_replications=24,
        ),  # wom.referral_value: margin 1.0 at 10, 2.9 at 30
        ExperimentSpec(
            "cohort_retention",
            "probe: a baseline run of the default market over three years and a "
            "quarter; the relationships every firm acquired in the first quarter, pooled, followed in "
            "their first spell to the end of the quarter and of each of the three years after",
            ("experiment=default", "market.steps=169"),
            probe=cohort_retention_probe,
            min_replications=16,
        ),  # market.retention_rises_with_tenure: +5 points, sd 4
        ExperimentSpec(
            "tenure_value",
            "probe: a baseline run of the default market; the focal firm's current "
            "relationships at the end, by tenure band, with their annual gross margin",
            ("experiment=default",),
            probe=long_tenure_profit_probe,
            min_replications=4,
        ),  # loyalty.long_tenure_barely_profitable: about 50%, sd 3
        ExperimentSpec(
            "goal_gradient",
            "probe: the default market after burn-in, the focal firm running points "
            "(defaults) for one year; each member's gaps between purchases at the firm, by their progress "
            "to the next reward when the gap began",
            ("experiment=default", "market.steps=52"),
            probe=goal_gradient_probe,
            min_replications=8,
            weekly_only=(
                "the probe measures gaps between a member's purchases in whole steps: in monthly steps most"
                " gaps are one step"
            ),
        ),  # points.goal_gradient
        ExperimentSpec(
            "disconfirmation",
            "probe: the default market after burn-in, copied three times; at the "
            "first reported step every buyer is delighted, satisfied or disappointed (experience = "
            "expectation +0.25, 0, -0.25); their next purchases over 20 steps; 4 such episodes 25 steps "
            "apart",
            ("experiment=default",),
            probe=disconfirmation_probe,
            min_replications=8,
            weekly_only=(
                "the probe treats buyers at one step and follows their next purchases over 20 steps, 4 "
                "episodes 25 steps apart: windows counted in weekly steps"
            ),
        ),  # experience.delight
        ExperimentSpec(
            "survey_follow_up",
            "probe: the default market after burn-in; the focal firm's customers "
            "answer the five-point satisfaction question once, and each relationship is followed for "
            "52 and 78 weeks (lost: ended, or the customer left the category)",
            ("experiment=default",),
            probe=survey_then_follow_probe,
            min_replications=48,
        ),  # satisfaction.zone_of_defection: about 2 points
        ExperimentSpec(
            "service_shift",
            "probe: the default market after burn-in, copied three times; in two "
            "copies the focal firm's employees deliver one standard deviation of visit service more or "
            "less for the whole run (104 weeks), against the unshifted copy",
            ("experiment=default",),
            probe=service_shift_probe,
            min_replications=8,
        ),  # service.sd_retention
    )
}
