"""Typed configuration of a simulated market.

Every number of the model lives here as a dataclass field with a documented
default and an allowed range (``metadata``). ``sim/schema.py`` registers the
dataclasses in Hydra's ConfigStore (``config_schema``, ``market/market_schema``)
and the YAML presets in ``conf/market/`` extend them. :func:`validate` walks a config and raises one
:class:`ConfigError` naming the key, the value and what is allowed.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import sys
import typing
from dataclasses import dataclass, field
from typing import Any

from agents.attributes import ATTRIBUTES
from sim.units import StepLength


class ConfigError(ValueError):
    """A config value is out of range, of the wrong kind, or unknown."""


def param(
    default: Any,
    lo: float | None = None,
    hi: float | None = None,
    doc: str = "",
    *,
    lo_open: bool = False,
    choices: tuple[Any, ...] | None = None,
    nonblank: bool = False,
    unit: str = "",
    source: str = "",
) -> Any:
    """A config field with its allowed range and its meaning (``nonblank``: a
    name that must not be empty or only spaces), its ``unit`` (e.g. "weeks",
    "share (0–1)", "label") and the ``source`` of its default (a publication
    by author and year, a seed article, "calibrated to ...", or "assumption
    (no empirical source)"): the single source of truth of
    ``docs/parameters.md`` (``python -m experiments.reports.parameter_table``)."""
    meta = {
        "lo": lo,
        "hi": hi,
        "lo_open": lo_open,
        "doc": doc,
        "choices": choices,
        "nonblank": nonblank,
        "unit": unit,
        "source": source,
    }
    if isinstance(default, (list, dict)):

        def fresh(d: list[Any] | dict[Any, Any] = default) -> Any:
            return type(d)(d)  # a copy of the default for each instance

        return field(default_factory=fresh, metadata=meta)
    return field(default=default, metadata=meta)  # dataclasses.MISSING: a key that must be given


# --------------------------------------------------------------------------- customers
@dataclass
class SegmentConfig:
    """One customer segment (002: high-end wants service and respect, mid wants
    brand and quality, low-end wants price)."""

    @staticmethod
    def check_fields(data: dict[str, Any], prefix: str) -> None:
        """One weight per attribute, not all 0."""
        if "weights" in data:
            weights = list(data["weights"])
            if len(weights) != len(ATTRIBUTES):
                raise ConfigError(
                    f"{prefix}weights = {weights!r}: must list {len(ATTRIBUTES)} weights ({', '.join(ATTRIBUTES)})"
                )
            if sum(float(w) for w in weights) <= 0:
                raise ConfigError(f"{prefix}weights = {weights!r}: weights must not all be 0")

    name: str = param(
        "value", doc="segment name", nonblank=True, unit="label", source="seed 002 (On consumer loyalty: your views)"
    )
    share: float = param(
        0.4,
        0.0,
        1.0,
        "share of customers in this segment",
        unit="share (0–1)",
        source="assumption (no empirical source)",
    )
    weights: list[float] = param(
        [0.25, 0.4, 0.2, 0.15],
        0.0,
        1.0,
        "centre of the importance weights on price, quality, service, belonging",
        unit="weights (0–1), normalised to sum to 1",
        source="assumption (no empirical source)",
    )
    deal_proneness_mean: float = param(
        0.3,
        0.0,
        1.0,
        "mean deal proneness (000, 001)",
        lo_open=True,
        unit="score (0–1)",
        source="assumption (no empirical source)",
    )
    price_sensitivity: float = param(
        0.5,
        0.0,
        50.0,
        "utility lost per 100% price above reference",
        unit="utility per 100% price above reference",
        source="assumption (no empirical source)",
    )
    desired_level: float = param(
        0.63,
        0.0,
        1.0,
        "mean desired level of the segment: the experience (0-1 score scale, weighed by the "
        "customer's own weights) its customers want, stable (004; Zeithaml, Berry & Parasuraman "
        "1993: desired service; 002: the low end wants price, the high end service and respect, "
        "so standards differ). Defaults put each segment's desired level a little above what the "
        "store made for it typically gives (discounter about 0.50, focal 0.57, premium 0.69)",
        unit="score (0–1) of experience",
        source="assumption (no empirical source)",
    )


def _default_segments() -> list[SegmentConfig]:
    return [
        SegmentConfig("price", 0.4, [0.5, 0.25, 0.15, 0.10], 0.55, 1.0, 0.56),
        SegmentConfig("value", 0.4, [0.25, 0.4, 0.2, 0.15], 0.3, 0.5, 0.63),
        SegmentConfig("service", 0.2, [0.1, 0.3, 0.4, 0.2], 0.15, 0.2, 0.70),
    ]


@dataclass
class CustomerConfig:
    """Heterogeneous customer traits."""

    @staticmethod
    def check_fields(data: dict[str, Any], prefix: str) -> None:
        """The segments' shares add up to 1."""
        if "segments" in data:
            shares = [float(_as_mapping(s).get("share", 0.0)) for s in data["segments"]]
            if abs(sum(shares) - 1.0) > 1e-6:
                raise ConfigError(f"{prefix}segments[*].share = {shares}: shares must add up to 1")

    segments: list[SegmentConfig] = field(
        default_factory=_default_segments, metadata={"empty": "needs at least one entry"}
    )
    weight_concentration: float = param(
        30.0,
        0.1,
        1e4,
        "Dirichlet concentration around the segment centre",
        lo_open=True,
        unit="dimensionless (Dirichlet concentration)",
        source="assumption (no empirical source)",
    )
    visits_per_year_mean: float = param(
        23.4,
        0.0,
        10_000.0,
        "mean visits a customer makes to the category a year (23.4: 0.45 a week, the first "
        "version's weekly purchase chance, annualised)",
        lo_open=True,
        unit="visits per year",
        source="assumption (no empirical source)",
    )
    visits_per_year_shape: float = param(
        2.0,
        0.05,
        1e3,
        "gamma shape of the heterogeneity of visit rates "
        "(lower = more spread; the gamma mixing of Ehrenberg's NBD of repeat buying, "
        "though a visit round holds at most one purchase, so counts are not Poisson "
        "within a customer)",
        unit="dimensionless (gamma shape)",
        source="assumption (no empirical source)",
    )
    spend_median: float = param(
        38.3,
        0.0,
        1e9,
        "median basket value of one visit at reference price (38.3 keeps the weekly retail "
        "market's revenue per customer of the model's first version, whose buyers made at most "
        "one visit a week at 40)",
        lo_open=True,
        unit="currency per visit",
        source="assumption (no empirical source)",
    )
    spend_sigma: float = param(
        1.0,
        0.0,
        5.0,
        "lognormal sigma of basket value",
        unit="dimensionless (lognormal sigma)",
        source=(
            "seed 002 (On consumer loyalty: your views); seed 003 (Customer retention cases): 20% of "
            "customers bring 80% of revenue"
        ),
    )
    deal_concentration: float = param(
        6.0,
        0.1,
        1e4,
        "beta concentration of deal proneness",
        lo_open=True,
        unit="dimensionless (beta concentration)",
        source="assumption (no empirical source)",
    )
    deal_seeker_threshold: float = param(
        0.6,
        0.0,
        1.0,
        "deal proneness from which a customer counts as a deal-seeker",
        unit="score (0–1)",
        source="definition (no empirical source)",
    )
    voice_mean: float = param(
        0.10,
        0.0,
        1.0,
        "mean chance that a disappointed customer complains",
        unit="probability per disappointment",
        source="seed 002 (On consumer loyalty: your views): about one dissatisfied customer in ten complains",
    )
    voice_concentration: float = param(
        8.0,
        0.1,
        1e4,
        "beta concentration of voice propensity",
        lo_open=True,
        unit="dimensionless (beta concentration)",
        source="assumption (no empirical source)",
    )
    sociability_mean: float = param(
        0.5,
        0.0,
        1.0,
        "mean sociability: share of ties and talkativeness",
        lo_open=True,
        unit="score (0–1)",
        source="assumption (no empirical source)",
    )
    sociability_concentration: float = param(
        4.0,
        0.1,
        1e4,
        "beta concentration of sociability",
        lo_open=True,
        unit="dimensionless (beta concentration)",
        source="assumption (no empirical source)",
    )
    desired_sd: float = param(
        0.05,
        0.0,
        1.0,
        "spread (standard deviation) of the desired level across the customers of a segment (clipped to the 0-1 scale)",
        unit="score (0–1), standard deviation",
        source="assumption (no empirical source)",
    )
    tolerance_mean: float = param(
        0.08,
        0.0,
        1.0,
        "mean half-width of the zone of tolerance (004): the adequate "
        "level lies two half-widths below the desired level, before alternatives "
        "raise it",
        unit="score (0–1) of experience",
        source="assumption (no empirical source)",
    )
    tolerance_sigma: float = param(
        0.4,
        0.0,
        3.0,
        "lognormal sigma of the zone of tolerance",
        unit="dimensionless (lognormal sigma)",
        source="assumption (no empirical source)",
    )
    churn_proneness_a: float = param(
        0.8,
        0.01,
        1e4,
        "beta a of the churn proneness: each customer's chance a year "
        "of ending a relationship at neutral satisfaction, drawn once and kept "
        "(the mixing distribution of the shifted-beta-geometric model; Fader & Hardie "
        "2007, 'How to project customer retention'; heterogeneity makes cohort "
        "retention rise with tenure). With b = 6: mean 11.8% a year, before the effects "
        "of "
        "satisfaction, incidents and rivals; the defaults give an annual loss of "
        "22-35% at the retail market's three stores (Reichheld & Sasser 1990; seed "
        "002: 20-40%)",
        lo_open=True,
        unit="dimensionless (beta shape)",
        source=(
            "calibrated to an annual customer loss of 20-40% (Reichheld & Sasser 1990; seed 002 (On "
            "consumer loyalty: your views))"
        ),
    )
    churn_proneness_b: float = param(
        6.0,
        0.01,
        1e4,
        "beta b of the churn proneness",
        lo_open=True,
        unit="dimensionless (beta shape)",
        source=(
            "calibrated to an annual customer loss of 20-40% (Reichheld & Sasser 1990; seed 002 (On "
            "consumer loyalty: your views))"
        ),
    )
    dropout_mean: float = param(
        0.004,
        0.0,
        1.0,
        "mean chance that a relationship goes quietly inactive after a "
        "visit (the BG/NBD story: Fader, Hardie & Lee 2005, 'Counting your customers "
        "the easy way'); heterogeneous, beta. 0 for a contractual market",
        unit="probability per visit",
        source="assumption (no empirical source)",
    )
    dropout_concentration: float = param(
        20.0,
        0.01,
        1e6,
        "beta concentration (a + b) of the dropout chance",
        lo_open=True,
        unit="dimensionless (beta concentration)",
        source="assumption (no empirical source)",
    )
    dropout_final: bool = param(
        False,
        doc="a relationship that goes quietly inactive is lost for good: the firm "
        "never returns to the customer's consideration set (BG/NBD's dropout is "
        "permanent: Fader, Hardie & Lee 2005). false = a lapsed customer may come back "
        "as one who churned does (reconsideration, stories, offers)",
        unit="flag (true/false)",
        source="assumption (no empirical source)",
    )
    dropout_after_first_purchase: bool = param(
        True,
        doc="quiet dropout may follow a relationship's first purchase "
        "(the MBG/NBD story: Batislam, Denizel & Filiztekin 2007, "
        "'Empirical validation and comparison of models for customer "
        "base analysis'); false = only repeat purchases, as in BG/NBD",
        unit="flag (true/false)",
        source="Batislam, Denizel & Filiztekin 2007 (MBG/NBD)",
    )
    first_purchase_per_year: float = param(
        0.0,
        0.0,
        1e4,
        "rate a year at which a customer who has never bought "
        "in the category makes a first purchase, whatever their own purchase "
        "rate: trial that does not select on the repeat rate (the BG/NBD and "
        "Pareto/NBD cohorts' rates do not depend on when they first bought; "
        "Schmittlein, Morrison & Colombo 1987). 0 = at their own purchase rate",
        unit="rate per year",
        source="assumption (no empirical source)",
    )
    renewal_review_mean: float = param(
        1.0,
        0.0,
        1.0,
        "mean chance that a subscriber reviews the market at a "
        "contract's renewal point (churn.contract_term_weeks) and chooses again; "
        "otherwise the contract renews by default. Heterogeneous, beta, drawn once "
        "and kept, so the attentive switch early and a cohort's survivors are the "
        "inert (Samuelson & Zeckhauser 1988, 'Status quo bias in decision "
        "making'; inertia in contract choice: Handel 2013, 'Adverse selection "
        "and inertia in health insurance markets'; prompting subscribers to "
        "review their plans raises churn: Ascarza, Iyengar & Schleicher 2016, "
        "'The perils of proactive churn prevention using plan recommendations'). "
        "1 = every subscriber reviews",
        unit="probability per renewal point",
        source="assumption (no empirical source)",
    )
    renewal_review_concentration: float = param(
        2.0,
        0.01,
        1e6,
        "beta concentration (a + b) of the chance of "
        "reviewing at renewal (small: most subscribers nearly always or "
        "nearly never review)",
        lo_open=True,
        unit="dimensionless (beta concentration)",
        source="assumption (no empirical source)",
    )
    variety_a: float = param(
        1.0,
        0.01,
        1e3,
        "beta a of variety seeking (most low, a few high)",
        lo_open=True,
        unit="dimensionless (beta shape)",
        source="assumption (no empirical source)",
    )
    variety_b: float = param(
        70.0,
        0.01,
        1e4,
        "beta b of variety seeking",
        lo_open=True,
        unit="dimensionless (beta shape)",
        source="assumption (no empirical source)",
    )
    exit_per_year_mean: float = param(
        0.078,
        0.0,
        1e3,
        "mean rate a year at which a customer leaves the category "
        "(moves away, stops buying it; replaced by a new prospect): 0.078 = 7.5% a year",
        unit="rate per year",
        source="assumption (no empirical source)",
    )
    exit_per_year_shape: float = param(
        1.5,
        0.05,
        1e3,
        "gamma shape of the heterogeneity of exit rates",
        unit="dimensionless (gamma shape)",
        source="assumption (no empirical source)",
    )
    reference_price_adaptation: float = param(
        0.1,
        0.0,
        1.0,
        "step of the reference price toward the price paid, per purchase",
        unit="share per purchase",
        source="assumption (no empirical source)",
    )
    reference_regular_weight: float = param(
        0.3,
        0.0,
        1.0,
        "weight of the firm's regular (list) price beside the price paid in what the reference "
        "price moves toward: a discount lowers the reference price, but not all the way, since "
        "buyers remember the regular price (Kalwani, Yim, Rinne & Sugita 1990, 'A price "
        "expectations model of customer brand choice'; Mazumdar, Raj & Sinha 2005, 'Reference "
        "price research: review and propositions'). 0 = the price paid only; 0.3 keeps 70% of a "
        "discount's pull",
        unit="share (0–1)",
        source="assumption (no empirical source)",
    )
    initial_awareness: float = param(
        0.9,
        0.0,
        1.0,
        "chance that a customer knows each firm at the start",
        unit="probability per firm",
        source="assumption (no empirical source)",
    )
    newcomer_awareness: float = param(
        0.5,
        0.0,
        1.0,
        "chance that a new prospect already knows each firm (the "
        "firms a customer knows on arriving are in their consideration set)",
        unit="probability per firm",
        source="assumption (no empirical source)",
    )
    consideration_per_year: float = param(
        0.05,
        0.0,
        1e3,
        "with choice.limited_consideration, the rate a year at "
        "which a firm the customer came to know "
        "after arriving (by its advertising) enters their consideration set by "
        "itself, before they first buy from it: awareness is not "
        "consideration, since evaluating a new firm costs effort (Hauser & "
        "Wernerfelt 1990, 'An evaluation cost model of consideration sets'; "
        "Roberts & Lattin 1991, 'Development and testing of a model of "
        "consideration set composition'). Its advertising "
        "(churn.advertising_reconsideration of its awareness rate) and a "
        "friend's positive stories (word_of_mouth.reconsideration_per_story "
        "each) bring it in too. A judgement calibrated to Griffin & Lowenstein "
        "2001, 'Customer winback': 5-20% of new prospects won within a year",
        unit="rate per year",
        source="calibrated to Griffin & Lowenstein 2001 (5-20% of new prospects won within a year)",
    )
    newcomer_batch: int = param(
        256,
        1,
        10_000_000,
        "newcomers whose traits are drawn at once, ahead of their "
        "arrival (a layout of the random draws, not behaviour: the k-th newcomer of a "
        "market gets the same traits whatever step they arrive in; 256 lasts a "
        "5,000-customer weekly market about half a year)",
        unit="people",
        source="setting (not a behavioural assumption)",
    )


# --------------------------------------------------------------------------- network
@dataclass
class NetworkConfig:
    """Small-world social network over which word of mouth travels (001, 002)."""

    mean_degree: float = param(
        8.0,
        0.0,
        200.0,
        "mean number of ties (scaled by sociability)",
        unit="ties per customer",
        source="assumption (no empirical source)",
    )
    rewire_prob: float = param(
        0.1,
        0.0,
        1.0,
        "Watts–Strogatz rewiring probability",
        unit="probability per tie",
        source="assumption (no empirical source)",
    )
    reorder: str = param(
        "rcm",
        doc="numbering of customers: 'ring' keeps friends close as built, "
        "'rcm' renumbers by reverse Cuthill-McKee, 'random' scatters them (slow baseline)",
        choices=("ring", "rcm", "random"),
        unit="label",
        source="setting (not a behavioural assumption)",
    )


# --------------------------------------------------------------------------- behaviour
@dataclass
class ChoiceConfig:
    """Random-utility firm choice among the firms a customer considers
    (McFadden 1974; Guadagni & Little 1983, 'A logit model of brand choice
    calibrated on scanner data'): persistent taste, attitude, inertia,
    switching costs, offers, price and occasion noise (a Gumbel draw, whose
    scale ``logit_scale`` sets)."""

    limited_consideration: bool = param(
        False,
        doc="awareness is not consideration: a firm the customer came to "
        "know after arriving enters their consideration set only slowly "
        "(customers.consideration_per_year, advertising, friends' stories), a "
        "subscriber's renewal review weighs up every firm they know, and a "
        "customer who considers no firm buys outside the modelled firms (Hauser "
        "& Wernerfelt 1990, 'An evaluation cost model of consideration sets'; "
        "Roberts & Lattin 1991). Off: a customer considers every firm they know "
        "except those they left, and one who has left them all considers them "
        "all again. conf/market/retail_consideration.yaml turns it on with the "
        "rates calibrated to Griffin & Lowenstein 2001 (docs/model.md)",
        unit="flag (true/false)",
        source="assumption (no empirical source)",
    )
    logit_scale: float = param(
        5.0,
        0.0,
        1e3,
        "logit points per unit of utility: the inverse scale of the "
        "occasion noise. Calibrated so that about a third of customers are in play "
        "(their main firm's choice probability below 0.9): see docs/model.md",
        lo_open=True,
        unit="multiplier (logit points per unit of utility)",
        source="calibrated to about a third of customers in play (a target of this model, no empirical source)",
    )
    taste_sd: float = param(
        0.2,
        0.0,
        100.0,
        "standard deviation of each customer's persistent taste for each firm (location, liking),"
        " drawn with the customer and kept: why two equally served customers choose differently "
        "(random-coefficients logit)",
        unit="utility, standard deviation",
        source="assumption (no empirical source)",
    )
    beta_expectation: float = param(
        1.0,
        0.0,
        100.0,
        "weight of the expected experience",
        unit="utility per unit of expectation (0–1 score)",
        source="assumption (no empirical source)",
    )
    beta_satisfaction: float = param(
        0.08,
        0.0,
        100.0,
        "weight of cumulative satisfaction of firms bought from before",
        unit="utility per zone unit",
        source="assumption (no empirical source)",
    )
    beta_affect: float = param(
        0.25,
        0.0,
        100.0,
        "weight of affective loyalty",
        unit="utility per unit of affect (0–1)",
        source="assumption (no empirical source)",
    )
    beta_inertia: float = param(
        0.25,
        0.0,
        100.0,
        "weight of inertia: the smoothed share of the customer's own "
        "recent choices that went to the firm, 0-1 (Guadagni & Little 1983's "
        "loyalty variable)",
        unit="utility per unit of inertia (0–1)",
        source="assumption (no empirical source)",
    )
    beta_switching: float = param(
        0.5,
        0.0,
        100.0,
        "weight of switching costs (contracts, programme bonds)",
        unit="utility per switching-cost unit",
        source="assumption (no empirical source)",
    )
    beta_deal: float = param(
        1.5,
        0.0,
        100.0,
        "pull of a discount per unit of deal proneness and depth",
        unit="utility per unit of deal proneness × discount share",
        source="assumption (no empirical source)",
    )
    beta_deal_acquired: float = param(
        1.3,
        0.0,
        100.0,
        "utility lost per unit of the discount off the list "
        "price at which the customer's relationship with the firm began (its first "
        "purchase): a customer won by a deal is less sure they value the firm, and "
        "credits the deal rather than the firm, so they buy there less once it "
        "ends (Lewis 2006, 'Customer acquisition promotions and customer asset "
        "value': acquisition discount depth lowers repeat-buying rates, and 35% "
        "off gives about half the long-term value; Dodson, Tybout & Sternthal "
        "1978, 'Impact of deals and deal retraction on brand switching'). Set with "
        "churn.deal_acquired_hazard and loyalty.deal_acquired_affect to Lewis's "
        "half value at 30% off",
        unit="utility per unit of acquisition discount share",
        source="calibrated to Lewis 2006 (about half the long-term value for customers won at 30-35% off)",
    )


@dataclass
class ExperienceConfig:
    """What a purchase feels like."""

    failure_rate_at_zero_quality: float = param(
        0.30,
        0.0,
        1.0,
        "chance of a quality failure when quality is 0",
        unit="probability per visit",
        source="assumption (no empirical source)",
    )
    failure_quality_exponent: float = param(
        2.0,
        0.0,
        20.0,
        "how steeply failures fall with quality",
        unit="exponent (dimensionless)",
        source="assumption (no empirical source)",
    )
    failure_shock: float = param(
        0.7,
        0.0,
        5.0,
        "drop of the quality score on a failure (000: the failing IC-card phone)",
        unit="score (0–1)",
        source="assumption (no empirical source)",
    )
    service_offset_after_failure: float = param(
        0.25,
        0.0,
        1.0,
        "share of service that still counts after a failure (000: good quality is the hard truth)",
        unit="share (0–1)",
        source="assumption (no empirical source)",
    )
    quality_noise: float = param(
        0.05,
        0.0,
        1.0,
        "spread of the quality score between purchases",
        unit="score (0–1), standard deviation",
        source="assumption (no empirical source)",
    )
    fairness_gain_slope: float = param(
        1.5,
        0.0,
        100.0,
        "fairness gained per 100% price below reference",
        unit="score (0–1) per 100% price below reference",
        source="assumption (no empirical source)",
    )
    fairness_loss_slope: float = param(
        3.0,
        0.0,
        100.0,
        "fairness lost per 100% price above reference (loss aversion)",
        unit="score (0–1) per 100% price above reference",
        source="assumption (no empirical source)",
    )
    bond_belonging: float = param(
        0.35,
        0.0,
        1.0,
        "belonging added when served by the staff member one is attached to",
        unit="score (0–1)",
        source="assumption (no empirical source)",
    )


@dataclass
class DisconfirmationConfig:
    """Each experience judged against the customer's standards: the zone of
    tolerance between the adequate and the desired level (004; Zeithaml,
    Berry & Parasuraman 1993), plus surprise against the predicted level
    (Oliver 1980). Transaction satisfaction is in zone units: 0 at the
    adequate level, 1 at the desired."""

    loss_aversion: float = param(
        2.25,
        1.0,
        20.0,
        "how much more a shortfall below the adequate level weighs than an equal excess (Kahneman"
        " & Tversky 1979's loss aversion)",
        unit="multiplier",
        source="Tversky & Kahneman 1992 (loss aversion 2.25)",
    )
    delight_bonus: float = param(
        0.3,
        0.0,
        10.0,
        "extra transaction satisfaction of an experience above the desired level: delight is more"
        " than the top of the zone (Oliver, Rust & Varki 1997)",
        unit="zone units",
        source="assumption (no empirical source)",
    )
    alternative_weight: float = param(
        0.25,
        0.0,
        1.0,
        "share of the way the adequate level moves up toward the "
        "best alternative the customer knows (its expected experience), capped at "
        "the desired level (Zeithaml, Berry & Parasuraman 1993: perceived service "
        "alternatives raise adequate service)",
        unit="share (0–1)",
        source="assumption (no empirical source)",
    )
    surprise_weight: float = param(
        0.3,
        0.0,
        10.0,
        "transaction satisfaction per zone width of experience above "
        "the predicted level (expectation): surprise adds to the judgement against "
        "standards (Oliver 1980's disconfirmation)",
        unit="zone units per zone width of surprise",
        source="assumption (no empirical source)",
    )


@dataclass
class ExpectationConfig:
    """Adaptive expectations, promises and word of mouth (001: keep your word)."""

    adaptation: float = param(
        0.08,
        0.0,
        1.0,
        "step of the predicted level (expectation) toward each visit's "
        "experience: slow, so that satisfaction is anchored to standards rather than "
        "washed out by adaptation",
        unit="share per visit",
        source="assumption (no empirical source)",
    )
    promise_half_life_weeks: float = param(
        138.3,
        0.01,
        1e6,
        ("half-life of the gap between an expectation and the firm's advertised promise (the promise pulls slowly)"),
        lo_open=True,
        unit="weeks",
        source="assumption (no empirical source)",
    )
    initial_spread: float = param(
        0.05,
        0.0,
        1.0,
        "spread of initial expectations around the promise",
        unit="score (0–1), standard deviation",
        source="assumption (no empirical source)",
    )


@dataclass
class LoyaltyConfig:
    """The four loyalty latents and the state ladder (004, 002)."""

    affect_gain: float = param(
        0.03,
        0.0,
        10.0,
        "affect gained per visit per zone unit of transaction satisfaction above affect_neutral (lost below it)",
        unit="affect (0–1) per visit per zone unit",
        source="assumption (no empirical source)",
    )
    affect_neutral: float = param(
        0.15,
        -10.0,
        10.0,
        "transaction satisfaction that neither builds nor erodes liking: 0.15 of the way into the"
        " zone of tolerance, so a barely adequate experience erodes it and most experiences in "
        "the zone build it. Set so that the retail market's smallest store keeps a tenth of its "
        "customers loyal (double jeopardy: smaller firms' buyers are slightly less loyal; "
        "Ehrenberg, Goodhardt & Barwise 1990)",
        unit="zone units",
        source=(
            "calibrated to a tenth of the smallest store's customers loyal (double jeopardy: "
            "Ehrenberg, Goodhardt & Barwise 1990)"
        ),
    )
    affect_half_life_weeks: float = param(
        69.0,
        0.01,
        1e6,
        "half-life of affect without purchases",
        lo_open=True,
        unit="weeks",
        source="assumption (no empirical source)",
    )
    belonging_affect: float = param(
        0.04,
        0.0,
        1.0,
        "affect gained per purchase per unit of belonging",
        unit="affect (0–1) per purchase per unit of belonging",
        source="assumption (no empirical source)",
    )
    inertia_smoothing: float = param(
        0.125,
        0.0,
        1.0,
        "weight of the latest choice in inertia, per visit (inertia: the exponentially smoothed "
        "share of the customer's choices that went to each firm)",
        unit="share per visit",
        source="Guadagni & Little 1983 (carry-over 0.875)",
    )
    satisfaction_memory: float = param(
        0.1,
        0.0,
        1.0,
        "weight of the latest transaction satisfaction in "
        "cumulative satisfaction once a relationship is established: the first "
        "visits are averaged (weight 1 / visits so far) until the weight falls to "
        "this floor, so customers with longer relationships weigh the history "
        "more (Bolton 1998)",
        unit="share per visit",
        source="assumption (no empirical source)",
    )
    repeat_rate_half_life_weeks: float = param(
        13.5,
        0.01,
        1e6,
        ("half-life of the memory of the repeat-purchase rate (visits a week at each firm, a moving average)"),
        lo_open=True,
        unit="weeks",
        source="assumption (no empirical source)",
    )
    cognitive_scale: float = param(
        0.05,
        1e-6,
        10.0,
        "value gap that makes a customer sure a firm is best (at "
        "least 1e-6: the belief is worked out in float32, where a smaller scale divides "
        "by zero)",
        unit="score (0–1) of value",
        source="assumption (no empirical source)",
    )
    cognitive_price_weight: float = param(
        0.1,
        0.0,
        100.0,
        "weight of price in the value behind cognitive loyalty, relative to its weight in firm "
        "choice: value = expectation - weight x price_sensitivity x (price / reference price - "
        "1), in expectation points per unit of choice utility (0.1: the belief that a firm offers"
        " the best value weighs price a tenth as much as the choice at the shelf does; 0: a "
        "belief about experience only). The value of the model's first version, a candidate for "
        "calibration",
        unit="multiplier (of price's weight in firm choice)",
        source="assumption (no empirical source)",
    )
    cognitive_certain_lead: float = param(
        10.0,
        0.0,
        30.0,
        "lead over the best rival, in units of cognitive_scale, "
        "credited to a firm when the customer knows no other (and minus it to a "
        "firm the customer does not know): the logistic of 10 is 0.99995, so the "
        "only firm known is believed best with near certainty. A stand-in for "
        "certainty rather than a behavioural parameter: any value above about 7 "
        "gives practically 1 and 0",
        unit="multiples of cognitive_scale",
        source="setting (not a behavioural assumption)",
    )
    loyal_basket_lift: float = param(
        0.15,
        0.0,
        10.0,
        "share by which a loyal or advocate relationship's basket exceeds the customer's usual "
        "one: a retained, attached customer buys across more of the range (Reichheld & Sasser "
        "1990, 'Zero defections: quality comes to services': profit per customer grows with "
        "tenure through increased purchases; Verhoef, Franses & Hoekstra 2001, 'The impact of "
        "satisfaction and payment equity on cross-buying'). Small, as Reinartz & Kumar 2000 ('On "
        "the profitability of long-life customers in a noncontractual setting') found spending "
        "rises little with tenure",
        unit="share of the usual basket",
        source="assumption (no empirical source)",
    )
    loyal_cost_saving: float = param(
        0.1,
        0.0,
        1.0,
        "share of the staff time and serving cost of a visit that a loyal or advocate "
        "relationship saves: they know the store and the staff (Reichheld & Sasser 1990: "
        "operating costs fall with tenure); small, after Reinartz & Kumar 2002 ('The "
        "mismanagement of customer loyalty': long-tenure customers are not reliably cheaper to "
        "serve)",
        unit="share (0–1)",
        source="assumption (no empirical source)",
    )
    loyal_price_insensitivity: float = param(
        0.1,
        0.0,
        1.0,
        "share of the customer's price sensitivity in firm choice that a loyal or advocate "
        "relationship drops (Krishnamurthi & Raj 1991, 'An empirical analysis of the relationship"
        " between brand loyalty and consumer price elasticity': loyal buyers are less "
        "price-sensitive in choice); small by default because Reinartz & Kumar 2002 found loyal "
        "customers did not pay higher prices",
        unit="share (0–1)",
        source="assumption (no empirical source)",
    )
    loyal_tolerance: float = param(
        0.25,
        0.0,
        10.0,
        "tolerance half-widths by which a loyal or advocate relationship's adequate level lies "
        "lower: attached customers forgive a shortfall a stranger would not (Hess, Ganesan & "
        "Klein 2003, 'Service failure and recovery: the impact of relationship factors on "
        "customer satisfaction'; Zeithaml, Berry & Parasuraman 1993: the zone of tolerance varies"
        " with the relationship)",
        unit="tolerance half-widths",
        source="assumption (no empirical source)",
    )
    deal_acquired_affect: float = param(
        1.2,
        0.0,
        100.0,
        "share of the affect a relationship gains that it "
        "forgoes, per unit of the discount off the list price at which it began "
        "(its first purchase; 0.35 off keeps 58% at the default): customers won by "
        "a deal credit the deal, not the firm (Dodson, Tybout & Sternthal 1978, "
        "'Impact of deals and deal retraction on brand switching'), and are less "
        "sure they value it (Lewis 2006, 'Customer acquisition promotions and "
        "customer asset value'). Set with churn.deal_acquired_hazard so that "
        "customers acquired at 30% off are worth about half as much (Lewis 2006: "
        "35% off gives about half the long-term value); at most a gain of 0",
        unit="share of affect gained per unit of acquisition discount share",
        source="calibrated to Lewis 2006 (about half the long-term value for customers won at 30-35% off)",
    )
    conative_affect: float = param(
        0.6,
        0.0,
        1.0,
        "weight of affect in the intention to return",
        unit="weight (0–1)",
        source="assumption (no empirical source)",
    )
    conative_switching: float = param(
        0.2,
        0.0,
        1.0,
        "weight of switching costs (contracts, programme bonds) in the intention to return",
        unit="weight (0–1)",
        source="assumption (no empirical source)",
    )
    conative_cognitive: float = param(
        0.2,
        0.0,
        1.0,
        "weight of cognitive loyalty in the intention to return",
        unit="weight (0–1)",
        source="assumption (no empirical source)",
    )
    repeat_purchases: int = param(
        2, 2, 65535, "visits that make a repeat buyer", unit="visits", source="definition (no empirical source)"
    )
    loyal_affect: float = param(
        0.5,
        0.0,
        1.0,
        "affect from which a repeat buyer is loyal",
        unit="score (0–1)",
        source="assumption (no empirical source)",
    )
    loyal_intention: float = param(
        0.4,
        0.0,
        1.0,
        "intention to return from which a repeat buyer is loyal",
        unit="score (0–1)",
        source="assumption (no empirical source)",
    )
    advocate_satisfaction: float = param(
        0.85,
        -10.0,
        10.0,
        ("cumulative satisfaction from which a customer is very satisfied (001): near the desired level"),
        unit="zone units",
        source="assumption (no empirical source)",
    )
    advocate_intention: float = param(
        0.55,
        0.0,
        1.0,
        "intention to return an advocate needs (001)",
        unit="score (0–1)",
        source="assumption (no empirical source)",
    )
    captive_switching: float = param(
        0.25,
        0.0,
        10.0,
        "switching cost (contracts, programme bonds) from which a "
        "low-affect customer is captive (001): a subscription contract (0.35) or a full "
        "points bond (0.25) holds them",
        unit="switching-cost units",
        source="assumption (no empirical source)",
    )
    captive_affect: float = param(
        0.3,
        0.0,
        1.0,
        "affect below which a high-switching-cost customer is captive",
        unit="score (0–1)",
        source="assumption (no empirical source)",
    )
    at_risk_satisfaction: float = param(
        0.0,
        -10.0,
        10.0,
        "cumulative satisfaction below which a customer is at risk: below the adequate level",
        unit="zone units",
        source="definition (no empirical source)",
    )
    at_risk_rival_purchases: int = param(
        8,
        1,
        65535,
        "visits in a row to rivals that make a customer at risk (lapsing)",
        unit="visits",
        source="assumption (no empirical source)",
    )
    recommend_midpoint: float = param(
        7.5,
        0.0,
        10.0,
        "likelihood to recommend of a customer in the middle of their zone of tolerance "
        "(cumulative satisfaction 0.5) with middling affect (0.5)",
        unit="points on the 0–10 scale",
        source="assumption (no empirical source)",
    )
    recommend_satisfaction: float = param(
        3.0,
        0.0,
        1e3,
        "recommend points per zone unit of cumulative satisfaction",
        unit="points on the 0–10 scale per zone unit",
        source="assumption (no empirical source)",
    )
    recommend_affect: float = param(
        4.0,
        0.0,
        100.0,
        "recommend points per unit of affect above 0.5",
        unit="points on the 0–10 scale per unit of affect",
        source="assumption (no empirical source)",
    )
    lapse_gaps: float = param(
        3.0,
        0.1,
        1e3,
        "expected inter-purchase times (one over the customer's visit rate) "
        "of silence after which a relationship counts as lapsed in observed retention, "
        "as a firm reads its transaction data (a definition of the metric; true retention "
        "counts relationships that ended)",
        unit="expected inter-purchase times",
        source="definition (no empirical source)",
    )
    tenure_band_years: float = param(
        1.0,
        0.0,
        1e3,
        "width of the tenure bands of the report of value by tenure (sim.tenure_value): "
        "relationships are grouped by whole multiples of it, the last band open (a definition of "
        "the report)",
        lo_open=True,
        unit="years",
        source="definition (no empirical source)",
    )
    tenure_bands: int = param(
        4,
        1,
        100,
        "tenure bands of the report of value by tenure; the last holds every "
        "longer relationship (a definition of the report)",
        unit="count",
        source="definition (no empirical source)",
    )
    barely_profitable_share: float = param(
        0.2,
        0.0,
        10.0,
        "annual gross margin, as a share of the firm's mean "
        "per current relationship, below which a relationship counts as barely "
        "profitable in the report of value by tenure (Reinartz & Kumar 2002, "
        "'The mismanagement of customer loyalty': about half of long-tenure "
        "customers were barely profitable; a definition of the report)",
        unit="share of the firm's mean margin per relationship",
        source="definition (no empirical source)",
    )
    promoter_recommend: int = param(
        9,
        0,
        10,
        "likelihood to recommend from which a customer is a promoter: counted in the promoter "
        "score and required of an advocate",
        unit="points on the 0–10 scale",
        source="Reichheld 2003, 'The one number you need to grow' (promoters answer 9-10)",
    )
    detractor_recommend: int = param(
        6,
        0,
        10,
        ("likelihood to recommend up to which a customer is a detractor in the promoter score (7-8 are passives)"),
        unit="points on the 0–10 scale",
        source="Reichheld 2003, 'The one number you need to grow' (detractors answer 0-6)",
    )
    clv_churn_half_life_weeks: float = param(
        6.58,
        0.01,
        1e6,
        "half-life of the moving average of each firm's churn rate that customer lifetime value "
        "takes as its retention outlook (CLV = margin x r / (1 + d - r), r = 1 - smoothed churn: "
        "Gupta & Lehmann 2003; Berger & Nasr 1998). A single step's churn is noisy and CLV "
        "divides by it; 6.58 weeks keeps 90% of the average a week (ln 0.5 / ln 0.9), the weight "
        "of the model's first version: a smoothing window",
        lo_open=True,
        unit="weeks",
        source="definition (no empirical source)",
    )


@dataclass
class ComplaintConfig:
    """Voice and service recovery (002: only ~10% complain; TARP repurchase figures)."""

    recovery_rate: float = param(
        0.6,
        0.0,
        1.0,
        "chance a complaint is resolved, before empowerment",
        unit="probability per complaint",
        source="assumption (no empirical source)",
    )
    empowerment_recovery: float = param(
        0.3,
        0.0,
        1.0,
        "extra resolution chance at full staff empowerment",
        unit="probability per complaint",
        source="assumption (no empirical source)",
    )
    quick_share: float = param(
        0.5,
        0.0,
        1.0,
        "share of resolutions that are quick",
        unit="share (0–1)",
        source="assumption (no empirical source)",
    )
    quick_offset: float = param(
        1.1,
        0.0,
        5.0,
        "share of the disappointment undone by a quick resolution",
        unit="share of the disappointment (1 = all of it)",
        source="assumption (no empirical source)",
    )
    slow_offset: float = param(
        0.6,
        0.0,
        5.0,
        "share of the disappointment undone by a slow resolution",
        unit="share of the disappointment (1 = all of it)",
        source="assumption (no empirical source)",
    )
    unresolved_penalty: float = param(
        0.5,
        0.0,
        10.0,
        "transaction satisfaction lost when a complaint is ignored",
        unit="zone units",
        source="assumption (no empirical source)",
    )
    cost_per_complaint: float = param(
        15.0,
        0.0,
        1e9,
        "handling cost of a complaint",
        unit="currency per complaint",
        source="assumption (no empirical source)",
    )
    slow_incident: float = param(
        0.5,
        0.0,
        1.0,
        "share of an unrecovered incident's mark on the relationship "
        "hazard that a slow resolution leaves (a quick one leaves none, none at all "
        "leaves all): TARP 1986 found repurchase after a complaint 95% when resolved "
        "quickly, 70% slowly, 46% not at all (minor problems); 0.5 puts slow between",
        unit="share (0–1)",
        source="TARP 1986 (repurchase 95% after a quick resolution, 70% after a slow one, 46% after none)",
    )
    problem_disappointment: float = param(
        10.0,
        0.0,
        1e9,
        "transaction satisfaction (before any handling) at or below minus this makes a purchase a"
        " problem: an incident that ends in a stay-or-leave decision whether or not the customer "
        "complains (sim.recovery). Far rarer than a disappointment: 10 is ten times the zone's "
        "width below the adequate level before loss aversion, about one purchase in 230, a tenth "
        "of a problem per customer a year, three in four of them with a quality failure (a failed"
        " visit felt less deeply is a disappointment, not a problem). Set so that the decisions "
        "keep the annual loss of customers within Reichheld's 20-40% (market.churn); a complaint "
        "about a disappointment that is not a problem is handled but makes no decision",
        unit="zone units",
        source="calibrated to an annual customer loss of 20-40% (Reichheld & Sasser 1990)",
    )
    major_disappointment: float = param(
        15.0,
        0.0,
        1e9,
        "transaction satisfaction (before any handling) at or below minus this makes a problem "
        "major, as a quality failure on the purchase's visits always does; above it, and without "
        "a failure, the problem is minor (TARP 1986 split problems into minor and major by their "
        "cost to the customer). In the default market about one problem in four is minor. A very "
        "large value leaves only failures major",
        unit="zone units",
        source="assumption (no empirical source)",
    )
    leave_log_odds: float = param(
        0.27,
        -20.0,
        20.0,
        "log odds that a customer with a problem ends the "
        "relationship right after its handling when the problem was minor and their "
        "complaint about it was not resolved (the stay-or-leave decision of a problem: "
        "logit P(leave) = leave_log_odds + major_leave_log_odds x major + "
        "silent_leave_log_odds x silent - resolved_stay_log_odds x resolved - "
        "quick_stay_log_odds x quick). Calibrated to TARP's eight figures (Technical "
        "Assistance Research Programs 1986, 'Consumer complaint handling in America: an "
        "update study'; Hart, Heskett & Sasser 1990, 'The profitable art of service "
        "recovery': repurchase 95% / 82% after a quick resolution of a minor / major "
        "problem, 70% / 54% after a slow one, 46% / 19% without one, 37% / 9% without "
        "a complaint), measured as the customer still in the relationship at the end "
        "of the problem's week (the intention TARP asked about, before later "
        "losses by other causes)",
        unit="log odds",
        source="calibrated to TARP 1986 (eight repurchase figures after minor and major problems)",
    )
    silent_leave_log_odds: float = param(
        0.46,
        0.0,
        20.0,
        "log odds ratio of leaving after a problem the customer "
        "did not complain about against one complained about and not resolved "
        "(silence is the worst handling: TARP 1986, repurchase 37% / 9% after a "
        "minor / major problem without a complaint, 46% / 19% after an "
        "unresolved complaint; calibrated to TARP's eight figures, as "
        "leave_log_odds)",
        unit="log odds ratio",
        source="calibrated to TARP 1986 (eight repurchase figures after minor and major problems)",
    )
    major_leave_log_odds: float = param(
        0.96,
        0.0,
        20.0,
        "log odds ratio of leaving after a complaint about a "
        "major problem against a minor one, however it was handled (calibrated "
        "to TARP's eight figures, as leave_log_odds)",
        unit="log odds ratio",
        source="calibrated to TARP 1986 (eight repurchase figures after minor and major problems)",
    )
    resolved_stay_log_odds: float = param(
        1.32,
        0.0,
        20.0,
        "log odds ratio of staying after a complaint that was "
        "resolved (slowly or quickly) against one that was not (calibrated to "
        "TARP's eight figures, as leave_log_odds)",
        unit="log odds ratio",
        source="calibrated to TARP 1986 (eight repurchase figures after minor and major problems)",
    )
    quick_stay_log_odds: float = param(
        1.58,
        0.0,
        20.0,
        "further log odds ratio of staying when the resolution "
        "was quick rather than slow (calibrated to TARP's eight figures, as "
        "leave_log_odds)",
        unit="log odds ratio",
        source="calibrated to TARP 1986 (eight repurchase figures after minor and major problems)",
    )


@dataclass
class WordOfMouthConfig:
    """Positive and negative word of mouth (TARP: the dissatisfied tell 9-10; Anderson 1998: U-shaped)."""

    talk_delighted: float = param(
        0.5,
        0.0,
        1.0,
        "chance a delighted buyer talks, at full sociability",
        unit="probability per purchase",
        source="assumption (no empirical source)",
    )
    talk_satisfied: float = param(
        0.05,
        0.0,
        1.0,
        "chance a satisfied buyer talks, at full sociability",
        unit="probability per purchase",
        source="assumption (no empirical source)",
    )
    talk_disappointed: float = param(
        0.9,
        0.0,
        1.0,
        "chance a disappointed buyer talks, at full sociability",
        unit="probability per purchase",
        source="assumption (no empirical source)",
    )
    positive_strength: float = param(
        1.0,
        0.0,
        100.0,
        "weight of one positive story",
        unit="story weight per story",
        source="assumption (no empirical source)",
    )
    negative_strength: float = param(
        1.5,
        0.0,
        100.0,
        "weight of one negative story",
        unit="story weight per story",
        source="assumption (no empirical source)",
    )
    expectation_shift: float = param(
        0.01,
        0.0,
        1.0,
        "expectation moved per unit of story weight heard",
        unit="score (0–1) per unit of story weight",
        source="assumption (no empirical source)",
    )
    affect_shift: float = param(
        0.005,
        0.0,
        1.0,
        "affect moved per unit of negative story heard",
        unit="affect (0–1) per unit of negative story weight",
        source="assumption (no empirical source)",
    )
    awareness_per_story: float = param(
        0.3,
        0.0,
        1.0,
        "chance that a positive story makes a prospect aware",
        unit="probability per story",
        source="assumption (no empirical source)",
    )
    referral_boost: float = param(
        0.05,
        0.0,
        1.0,
        "expectation a referred prospect gains per positive story",
        unit="score (0–1) per unit of positive story weight",
        source="assumption (no empirical source)",
    )
    advocate_talk_ratio: float = param(
        1.5,
        1.0,
        100.0,
        "how many times as many stories an advocate of the firm tells as another buyer with the "
        "same experience (Reichheld 2003, 'The one number you need to grow': promoters make most "
        "referrals; an advocate recommends by definition); it scales positive and neutral stories"
        " only. 1.5 keeps a delighted advocate's chance to talk, 0.75, below a disappointed "
        "customer's, 0.9: Anderson 1998's U-shape is steeper on the dissatisfied side",
        unit="multiplier",
        source="assumption (no empirical source)",
    )
    reconsideration_per_story: float = param(
        0.1,
        0.0,
        1.0,
        "chance that one positive story about a firm the customer left (or, with "
        "choice.limited_consideration, knows but has not yet considered) brings it into their "
        "consideration set (a friend's good word reopens a closed door; independent per story). "
        "From 0 to 0.1 it raises the retail market's win-backs by about a fifth; 0.03 in "
        "conf/market/retail_consideration.yaml, calibrated there to Griffin & Lowenstein 2001",
        unit="probability per story",
        source="assumption (no empirical source)",
    )
    audience_disappointed: float = param(
        37.0,
        1.0,
        1e6,
        "mean people a disappointed buyer (not put right by a "
        "resolved complaint) tells when they talk, at full sociability (the mean "
        "scales with it): their ties first, then people outside them. Calibrated "
        "to TARP 1986, 'Consumer complaint handling in America': a dissatisfied "
        "customer tells 9-10 people (talkers and the silent together)",
        unit="people",
        source="calibrated to TARP 1986 (a dissatisfied customer tells 9-10 people)",
    )
    audience_delighted: float = param(
        16.0,
        1.0,
        1e6,
        "mean people a delighted buyer tells when they talk, at full sociability: about their "
        "ties (2 x network.mean_degree at full sociability), as before audiences were drawn. "
        "Below audience_disappointed, as Anderson 1998, 'Customer satisfaction and word of "
        "mouth', found word of mouth steeper on the dissatisfied side",
        unit="people",
        source="assumption (no empirical source)",
    )
    audience_satisfied: float = param(
        8.0,
        1.0,
        1e6,
        "mean people a merely satisfied buyer tells when they talk, at full sociability: half the"
        " delighted's, as they have less to tell (Anderson 1998's U-shape: the satisfied tell "
        "fewest)",
        unit="people",
        source="assumption (no empirical source)",
    )
    audience_dispersion: float = param(
        0.4,
        0.01,
        1e6,
        "shape of the negative binomial (gamma-Poisson) number of "
        "people told beyond the first: the smaller, the heavier the tail (a few "
        "talkers tell very many). Calibrated to TARP 1986: about 13% of the "
        "dissatisfied tell more than 20 people",
        lo_open=True,
        unit="dimensionless (negative binomial shape)",
        source="calibrated to TARP 1986 (about 13% of the dissatisfied tell more than 20 people)",
    )
    stranger_weight: float = param(
        0.25,
        0.0,
        1.0,
        "weight of a story heard from someone outside the listener's ties (a weak tie, an online "
        "review) against one from a tie, in what it does to expectations, liking, awareness and "
        "reconsideration: strong ties are the more influential, weak ties the wider (Brown & "
        "Reingen 1987, 'Social ties and word-of-mouth referral behavior'; Granovetter 1973, 'The "
        "strength of weak ties'). It keeps a story's total influence near what the talker's ties "
        "alone gave before audiences reached strangers, so the share of customers in play holds",
        unit="multiplier (against a tie's story)",
        source="assumption (no empirical source)",
    )
    referral_fit: float = param(
        1.0,
        0.0,
        10.0,
        "how much a positive story's chance of making a prospect aware rises with the prospect's "
        "taste for the firm: the chance is awareness_per_story x exp(fit x taste - fit^2 / 2), "
        "taste standard normal, the same on average; friends tell those the firm suits, so "
        "referred customers fit better (Schmitt, Skiera & Van den Bulte 2011, 'Referral programs "
        "and customer value': referred customers are more loyal and 16-25% more valuable, partly "
        "by a better match). The size was set before the value of referred customers was measured"
        " and not fitted to it",
        unit="dimensionless (per standard deviation of taste)",
        source="assumption (no empirical source)",
    )


@dataclass
class ChurnConfig:
    """The relationship hazard (Fader & Hardie 2007; Bolton 1998; Jones &
    Sasser 1995) and the way back into the consideration set. Each current
    relationship ends with a rate a year: the customer's churn proneness
    (``customers.churn_proneness_a/b``) times the effects below; it ends at
    once and the firm leaves the customer's consideration set."""

    satisfaction_hazard: float = param(
        2.5,
        0.0,
        100.0,
        "log hazard ratio per zone unit of cumulative satisfaction "
        "above satisfaction_reference: completely satisfied customers are far safer "
        "than merely satisfied ones, who all leave alike (Jones & Sasser 1995, 'Why "
        "satisfied customers defect': loyalty is flat through 'satisfied' and jumps at "
        "'completely satisfied', so retention is convex in satisfaction); e^-0.75 = "
        "0.47 at 0.3 above the reference",
        unit="log hazard ratio per zone unit",
        source="assumption (no empirical source)",
    )
    satisfaction_reference: float = param(
        0.9,
        -10.0,
        10.0,
        ("cumulative satisfaction from which a customer counts as completely satisfied: near the desired level (1)"),
        unit="zone units",
        source="assumption (no empirical source)",
    )
    dissatisfied_hazard_ratio: float = param(
        2.0,
        1.0,
        1e3,
        "hazard ratio of a relationship whose cumulative "
        "satisfaction is below the adequate level (0): Jones & Sasser's zone of "
        "defection",
        unit="hazard ratio",
        source="assumption (no empirical source)",
    )
    incident_hazard: float = param(
        6.0,
        0.0,
        1e3,
        "extra hazard, as a multiple of the base, right after an "
        "unrecovered incident (a failed visit not put right by a resolved "
        "complaint; a slow resolution leaves complaints.slow_incident of it); it fades with "
        "incident_half_life_weeks (TARP 1986: unresolved "
        "problems drive defection)",
        unit="multiple of the base hazard",
        source="assumption (no empirical source)",
    )
    incident_half_life_weeks: float = param(
        8.0,
        0.01,
        1e6,
        "half-life of an unrecovered incident's effect on the hazard",
        lo_open=True,
        unit="weeks",
        source="assumption (no empirical source)",
    )
    switching_hazard: float = param(
        2.0,
        0.0,
        100.0,
        "log hazard ratio per unit of switching costs (contracts, programme bonds): switching costs hold customers",
        unit="log hazard ratio per switching-cost unit",
        source="assumption (no empirical source)",
    )
    bond_hazard_ratio: float = param(
        0.6,
        0.0,
        1.0,
        "hazard ratio of a customer attached to one of the firm's "
        "employees (Gremler & Gwinner 2000: rapport keeps customers)",
        unit="hazard ratio",
        source="assumption (no empirical source)",
    )
    rival_hazard: float = param(
        1.0,
        0.0,
        100.0,
        "log hazard ratio per unit of belief that a rival offers the "
        "better value (0.5 minus cognitive loyalty): the best known rival's attraction",
        unit="log hazard ratio per unit of belief (0–1)",
        source="assumption (no empirical source)",
    )
    tenure_hazard: float = param(
        0.0,
        0.0,
        10.0,
        "duration dependence: the hazard falls as (1 + tenure in years) "
        "to the minus this power. 0 by default: cohort retention rises with tenure "
        "through the heterogeneity of churn proneness (Fader & Hardie 2007)",
        unit="exponent (dimensionless)",
        source="Fader & Hardie 2007 (retention rises with tenure through heterogeneity, not duration dependence)",
    )
    deal_acquired_hazard: float = param(
        3.0,
        0.0,
        100.0,
        "log hazard ratio per unit of the discount off the "
        "list price at which the relationship began (its first purchase): "
        "relationships begun under a deep discount end sooner (Lewis 2006, "
        "'Customer acquisition promotions and customer asset value': acquisition "
        "discount depth lowers repeat-buying rates; 35% off gives about half the "
        "long-term value). e^(3 x 0.3) = 2.5 at 30% off; set with "
        "loyalty.deal_acquired_affect to Lewis's half value",
        unit="log hazard ratio per unit of acquisition discount share",
        source="calibrated to Lewis 2006 (about half the long-term value for customers won at 30-35% off)",
    )
    at_risk_hazard_ratio: float = param(
        1.0,
        1.0,
        1e3,
        "hazard ratio of an at-risk relationship beyond what its "
        "satisfaction already brings (1: the state is a label; its dissatisfaction "
        "counts through dissatisfied_hazard_ratio, not twice)",
        unit="hazard ratio",
        source="assumption (no empirical source)",
    )
    won_back_hazard_ratio: float = param(
        1.5,
        1.0,
        1e3,
        "hazard ratio of a won-back relationship until it is established again: won-back customers are fragile",
        unit="hazard ratio",
        source="assumption (no empirical source)",
    )
    reconsideration_per_year: float = param(
        0.3,
        0.0,
        1e3,
        "rate a year at which a firm the customer left comes back into their consideration set by"
        " itself (advertising, friends' stories and a personal offer bring it back too); 0.1 in "
        "conf/market/retail_consideration.yaml, calibrated there to Griffin & Lowenstein 2001, "
        "'Customer winback' (lapsed customers won back at 20-40% a year under an offer)",
        unit="rate per year",
        source="assumption (no empirical source)",
    )
    advertising_reconsideration: float = param(
        0.1,
        0.0,
        1.0,
        "share of a firm's advertising awareness rate that also brings it back to customers who "
        "left it (with choice.limited_consideration, also into the set of those who know it "
        "without considering it; they have tuned its messages out)",
        unit="share (0–1)",
        source="assumption (no empirical source)",
    )
    defect_expectation_drop: float = param(
        0.1,
        0.0,
        1.0,
        "expectation lost by a customer who ends a relationship",
        unit="score (0–1)",
        source="assumption (no empirical source)",
    )
    exclusive_relationships: bool = param(
        False,
        doc="a contractual market: a customer holds one relationship at a "
        "time, so buying from another firm ends the current one (001's telecom: "
        "a subscriber who switches cancels)",
        unit="flag (true/false)",
        source="setting (not a behavioural assumption)",
    )
    contract_term_weeks: float = param(
        0.0,
        0.0,
        1e6,
        "with exclusive relationships, the contract's term: a subscriber pays their firm without "
        "choosing until a renewal point, where the contract's switching cost is waived and they "
        "choose again (001's telecom: under 10% switch while locked in, a wave at renewal when a "
        "real alternative appears); the hazard still ends a contract early. 0: no term, every "
        "occasion a free choice",
        unit="weeks",
        source="setting (not a behavioural assumption)",
    )


@dataclass
class StaffConfig:
    """Front-line staff (001: only loyal employees create loyal customers)."""

    @staticmethod
    def check_fields(data: dict[str, Any], prefix: str) -> None:
        """A novice is not more skilled than the most skilled."""
        if {"novice_skill", "max_skill"} <= data.keys() and data["novice_skill"] > data["max_skill"]:
            raise ConfigError(
                f"{prefix}novice_skill = {data['novice_skill']!r}: must not exceed "
                f"{prefix}max_skill ({data['max_skill']!r})"
            )

    visits_per_fte_per_year: float = param(
        5700.0,
        0.0,
        1e9,
        "visits one full-time employee at full skill (max_skill) "
        "can serve a year (about "
        "106 a week, 2-3 an hour: a service-heavy store, not a supermarket till); "
        "set so that the default retail staffing runs near 80% utilisation",
        lo_open=True,
        unit="visits per FTE per year",
        source=(
            "calibrated to about 80% staff utilisation in the retail preset (a target of this model, "
            "no empirical source)"
        ),
    )
    skill_productivity: float = param(
        0.3,
        0.0,
        1.0,
        "share of an employee's capacity that a novice lacks: an employee serves "
        "visits_per_fte_per_year x (1 - this x (max_skill - skill) / (max_skill - novice_skill)) "
        "visits a year, so a new hire serves 70% of an experienced one's and staff turnover costs"
        " capacity as well as service (Heskett et al. 1994, 'Putting the service-profit chain to "
        "work': employee retention drives productivity; learning curves: Argote & Epple 1990, "
        "'Learning curves in manufacturing')",
        unit="share (0–1)",
        source="assumption (no empirical source)",
    )
    utilisation_knee: float = param(
        1.0,
        0.0,
        10.0,
        "utilisation around which strain bends upward (service "
        "holds up to a high load, then erodes: a tipping point near full load, Kuntz, "
        "Mennicken & Scholtes 2015)",
        lo_open=True,
        unit="utilisation (share of capacity)",
        source="Kuntz, Mennicken & Scholtes 2015 (a tipping point near full load)",
    )
    utilisation_softness: float = param(
        0.1,
        0.0,
        10.0,
        "width of the bend of strain around the knee (smaller = "
        "sharper; staff speed up and cut corners as load rises: KC & Terwiesch 2009)",
        lo_open=True,
        unit="utilisation (share of capacity)",
        source="assumption (no empirical source)",
    )
    novice_skill: float = param(
        0.4, 0.0, 1.0, "skill of a new hire", unit="score (0–1)", source="assumption (no empirical source)"
    )
    max_skill: float = param(
        0.95,
        0.0,
        1.0,
        "skill an employee tends to with tenure",
        unit="score (0–1)",
        source="assumption (no empirical source)",
    )
    learning_weeks: float = param(
        26.0,
        0.0,
        1e5,
        "tenure to close 63% of the skill gap",
        lo_open=True,
        unit="weeks",
        source="assumption (no empirical source)",
    )
    base_engagement: float = param(
        0.55,
        0.0,
        1.0,
        "engagement at market pay and normal workload",
        unit="score (0–1)",
        source="assumption (no empirical source)",
    )
    pay_engagement: float = param(
        0.8,
        0.0,
        10.0,
        "engagement per 100% pay above the market wage",
        unit="engagement (0–1) per 100% pay above the market wage",
        source="assumption (no empirical source)",
    )
    training_engagement: float = param(
        0.15,
        0.0,
        1.0,
        "engagement at full training",
        unit="engagement (0–1)",
        source="assumption (no empirical source)",
    )
    empowerment_engagement: float = param(
        0.1,
        0.0,
        1.0,
        "engagement at full empowerment",
        unit="engagement (0–1)",
        source="assumption (no empirical source)",
    )
    recognition_engagement: float = param(
        0.1,
        0.0,
        1.0,
        "engagement at full recognition",
        unit="engagement (0–1)",
        source="assumption (no empirical source)",
    )
    workload_engagement: float = param(
        0.4,
        0.0,
        10.0,
        "engagement lost per unit of strain (strain: utilisation above the knee, smoothed; 0.1 at the knee)",
        unit="engagement (0–1) per unit of strain",
        source="assumption (no empirical source)",
    )
    engagement_spread: float = param(
        0.1,
        0.0,
        1.0,
        "spread (standard deviation) of employees' personal offsets from their firm's engagement target",
        unit="engagement (0–1), standard deviation",
        source="assumption (no empirical source)",
    )
    novice_engagement_gap: float = param(
        0.05,
        0.0,
        1.0,
        "engagement a new hire starts below their target (not yet settled in)",
        unit="engagement (0–1)",
        source="assumption (no empirical source)",
    )
    engagement_half_life_weeks: float = param(
        6.58,
        0.01,
        1e6,
        "half-life of the gap between engagement and its target",
        lo_open=True,
        unit="weeks",
        source="assumption (no empirical source)",
    )
    turnover_per_year: float = param(
        0.313,
        0.0,
        1e3,
        "rate a year at which an employee at engagement 0.5 leaves (0.313: 27% a year)",
        unit="rate per year",
        source="assumption (no empirical source)",
    )
    turnover_engagement: float = param(
        4.0,
        0.0,
        100.0,
        "how strongly engagement cuts turnover",
        unit="log rate ratio per unit of engagement (0–1)",
        source="assumption (no empirical source)",
    )
    market_wage_per_year: float = param(
        31200.0,
        0.0,
        1e12,
        "market wage of a full-time employee a year",
        lo_open=True,
        unit="currency per FTE per year",
        source="assumption (no empirical source)",
    )
    hiring_cost_per_fte: float = param(
        1500.0,
        0.0,
        1e9,
        "cost of hiring and training a full-time replacement (pro rata for part-time positions)",
        unit="currency per FTE hired",
        source="assumption (no empirical source)",
    )
    service_base: float = param(
        0.3,
        0.0,
        1.0,
        "service level of a disengaged employee, per unit of skill",
        unit="service (0–1) per unit of skill",
        source="assumption (no empirical source)",
    )
    service_engagement: float = param(
        0.6,
        0.0,
        2.0,
        "service level added at full engagement, per unit of skill",
        unit="service (0–1) per unit of skill",
        source="assumption (no empirical source)",
    )
    workload_service: float = param(
        0.4,
        0.0,
        10.0,
        "service lost per unit of strain",
        unit="service (0–1) per unit of strain",
        source="assumption (no empirical source)",
    )
    service_spread: float = param(
        0.2,
        0.0,
        2.0,
        "spread of delivered service at engagement 0",
        unit="service (0–1), standard deviation",
        source="assumption (no empirical source)",
    )
    spread_engagement: float = param(
        0.8,
        0.0,
        1.0,
        "share of the spread removed at full engagement",
        unit="share (0–1)",
        source="assumption (no empirical source)",
    )
    bond_prob: float = param(
        0.05,
        0.0,
        1.0,
        "chance a delighted customer attaches to the employee who served them",
        unit="probability per delighted purchase",
        source="assumption (no empirical source)",
    )
    bond_service_prob: float = param(
        0.8,
        0.0,
        1.0,
        "chance an attached customer is served by their employee",
        unit="probability per visit",
        source="assumption (no empirical source)",
    )
    bond_break_affect: float = param(
        0.1,
        0.0,
        1.0,
        "affect lost when one's employee leaves",
        unit="affect (0–1)",
        source="assumption (no empirical source)",
    )


@dataclass
class FirmConfig:
    """One firm's positioning."""

    name: str = param(
        "Focal", doc="firm name", nonblank=True, unit="label", source="setting (not a behavioural assumption)"
    )
    price: float = param(
        1.0,
        1e-6,
        100.0,
        "price index (1 = market reference; at least 1e-6: prices are worked "
        "out in float32, where a smaller positive price is 0 and the firm's revenue vanishes)",
        unit="price index (1 = market reference)",
        source="definition (no empirical source)",
    )
    quality: float = param(
        0.7, 0.0, 1.0, "product quality", unit="score (0–1)", source="assumption (no empirical source)"
    )
    unit_cost: float = param(
        0.6,
        0.0,
        100.0,
        "cost of goods per unit of basket at reference price",
        unit="share of the basket's value at reference price",
        source="assumption (no empirical source)",
    )
    fixed_cost_per_store_per_year: float = param(
        208000.0,
        0.0,
        1e12,
        ("fixed cost of one store a year (rent, utilities, management): the first version's 4,000 a week, annualised"),
        unit="currency per store per year",
        source="assumption (no empirical source)",
    )
    customers_per_store: float = param(
        5000.0,
        1.0,
        1e12,
        "people of the market one store serves: the firm runs "
        "n_customers / customers_per_store stores (fractional: a share of a store); "
        "5,000: the first version's market had one store per firm",
        unit="people per store",
        source="assumption (no empirical source)",
    )
    cost_per_visit: float = param(
        0.0,
        0.0,
        1e9,
        "cost of serving one visit beyond the goods (till, packing); 0: included in unit_cost",
        unit="currency per visit",
        source="assumption (no empirical source)",
    )
    promise: float = param(
        0.56,
        0.0,
        1.0,
        "advertised experience level",
        unit="score (0–1) of experience",
        source="assumption (no empirical source)",
    )
    belonging: float = param(
        0.3,
        0.0,
        1.0,
        "belonging the store offers everyone",
        unit="score (0–1)",
        source="assumption (no empirical source)",
    )
    advertising_awareness_per_year: float = param(
        1.05,
        0.0,
        1e3,
        "rate a year at which advertising makes an unaware customer learn of the firm (1.05: 65% within a year)",
        unit="rate per year",
        source="assumption (no empirical source)",
    )
    advertising_cost_per_1k_per_year: float = param(
        8320.0,
        0.0,
        1e12,
        "cost of keeping 1,000 people of the market reached by advertising for a year: the first "
        "version's 800 a week over 5,000 people, annualised",
        unit="currency per 1,000 people per year",
        source="assumption (no empirical source)",
    )
    switching_cost: float = param(
        0.0,
        0.0,
        10.0,
        "contractual switching cost for its current customers (001: telecom)",
        unit="switching-cost units",
        source="assumption (no empirical source)",
    )
    staff_per_1k_customers: float = param(
        1.6,
        0.0,
        1e4,
        "front-line staff (full-time equivalents) per 1,000 people in the market; a fraction is a part-time position",
        lo_open=True,
        unit="FTE per 1,000 people",
        source="assumption (no empirical source)",
    )
    wage_per_year: float = param(
        31200.0,
        0.0,
        1e12,
        "wage of a full-time employee a year (pro rata for part-time positions): the first "
        "version's 600 a week, annualised",
        unit="currency per FTE per year",
        source="assumption (no empirical source)",
    )
    staff_turnover_factor: float = param(
        1.0,
        0.0,
        1e3,
        "the firm's staff leave at this multiple of the market's "
        "base turnover (staff.turnover_per_year), at every engagement: what the "
        "store's own management and hiring practice make of it, which its rivals "
        "do not share (stores of one chain differ several-fold in staff turnover: "
        "Heskett et al. 1994, 'Putting the service-profit chain to work'); 1: the "
        "market's rate",
        unit="multiplier",
        source="assumption (no empirical source)",
    )
    training: float = param(
        0.3, 0.0, 1.0, "training intensity", unit="score (0–1)", source="assumption (no empirical source)"
    )
    empowerment: float = param(
        0.3, 0.0, 1.0, "staff empowerment", unit="score (0–1)", source="assumption (no empirical source)"
    )
    recognition: float = param(
        0.3, 0.0, 1.0, "staff recognition", unit="score (0–1)", source="assumption (no empirical source)"
    )
    initial_skill: float = param(
        0.7,
        0.0,
        1.0,
        "mean skill of the staff at the start",
        unit="score (0–1)",
        source="assumption (no empirical source)",
    )
    entry_week: int = param(
        0,
        0,
        1_000_000,
        "week of the reported horizon in which the firm enters (it is there "
        "from the step holding that week); 0 = present from the start",
        unit="week of the horizon",
        source="setting (not a behavioural assumption)",
    )
    strategies: list[Any] = param(
        [], doc="strategies the firm runs", unit="list of strategies", source="setting (not a behavioural assumption)"
    )


def _default_firms() -> list[FirmConfig]:
    return [
        FirmConfig(name="Focal"),
        FirmConfig(
            name="Discounter",
            price=0.85,
            quality=0.55,
            unit_cost=0.55,
            promise=0.47,
            belonging=0.2,
            staff_per_1k_customers=2.6,
            wage_per_year=27040.0,
            training=0.1,
            empowerment=0.1,
            recognition=0.1,
            initial_skill=0.6,
        ),
        FirmConfig(
            name="Premium",
            price=1.2,
            quality=0.85,
            unit_cost=0.7,
            promise=0.65,
            belonging=0.4,
            staff_per_1k_customers=1.8,
            wage_per_year=36400.0,
            training=0.5,
            empowerment=0.5,
            recognition=0.4,
            initial_skill=0.8,
        ),
    ]


# --------------------------------------------------------------------------- survey
@dataclass
class SurveyConfig:
    """How a customer survey reads the latents (the survey view of the step
    table, :mod:`sim.survey`): every current customer of a firm answers its
    survey (a census: no sampling, no non-response) and answers exactly what
    the scales make of their latents, without answer noise. Satisfaction is
    in zone units: 0 is the customer's adequate service level, 1 their
    desired level (the zone of tolerance: Zeithaml, Berry & Parasuraman
    1993, 'The nature and determinants of customer expectations of
    service'). Each "from" is where an answer begins: a latent at or above
    it gets that answer or a higher one. The cut points of a scale must rise."""

    @staticmethod
    def check_fields(data: dict[str, Any], prefix: str) -> None:
        """Each scale's cut points rise."""
        _check_survey_scales(data, prefix)

    csat_dissatisfied_from: float = param(
        -0.5,
        -10.0,
        10.0,
        "cumulative satisfaction from which a customer answers 2 'dissatisfied' rather than 1 "
        "'very dissatisfied' on the five-point satisfaction question: half a zone below the "
        "adequate level. A reading of the scale; a candidate for calibration to a firm's own "
        "survey",
        unit="zone units",
        source="assumption (no empirical source)",
    )
    csat_neutral_from: float = param(
        0.0,
        -10.0,
        10.0,
        "cumulative satisfaction from which a customer answers 3 'neither satisfied nor "
        "dissatisfied': the adequate level (below it the customer is disappointed, and says so). "
        "A reading of the scale",
        unit="zone units",
        source="assumption (no empirical source)",
    )
    csat_satisfied_from: float = param(
        0.4,
        -10.0,
        10.0,
        "cumulative satisfaction from which a customer answers 4 'satisfied': 40% of the way from"
        " the adequate to the desired level. A reading of the scale",
        unit="zone units",
        source="assumption (no empirical source)",
    )
    csat_very_satisfied_from: float = param(
        0.9,
        -10.0,
        10.0,
        "cumulative satisfaction from which a customer answers 5 'very satisfied', the top box: "
        "close to the desired level. Only the top box is reliably loyal (Jones & Sasser 1995, "
        "'Why satisfied customers defect', HBR), so the top-box share is reported beside the top "
        "two. A reading of the scale",
        unit="zone units",
        source="assumption (no empirical source)",
    )
    intent_probably_not_from: float = param(
        0.2,
        0.0,
        1.0,
        "intention to return from which a customer answers 2 'probably not' rather than 1 "
        "'definitely not' to 'how likely are you to buy from us again?' (five points). The "
        "defaults cut the 0-1 intention into equal fifths, reading the answers as purchase "
        "probabilities as intention scales are read (Juster 1966, 'Consumer buying intentions and"
        " purchase probability'; Morwitz, Steckel & Gupta 2007, 'When do purchase intentions "
        "predict sales?'); no empirical source for the cuts themselves",
        unit="intention to return (0–1)",
        source="assumption (no empirical source)",
    )
    intent_might_from: float = param(
        0.4,
        0.0,
        1.0,
        "intention to return from which a customer answers 3 'might or might not' (equal fifths; "
        "see intent_probably_not_from)",
        unit="intention to return (0–1)",
        source="assumption (no empirical source)",
    )
    intent_probably_from: float = param(
        0.6,
        0.0,
        1.0,
        "intention to return from which a customer answers 4 'probably will' (equal fifths; see "
        "intent_probably_not_from)",
        unit="intention to return (0–1)",
        source="assumption (no empirical source)",
    )
    intent_definitely_from: float = param(
        0.8,
        0.0,
        1.0,
        "intention to return from which a customer answers 5 'definitely will', the top box "
        "(equal fifths; see intent_probably_not_from)",
        unit="intention to return (0–1)",
        source="assumption (no empirical source)",
    )
    csat10_at_adequate: float = param(
        6.0,
        -100.0,
        100.0,
        "answer on the 0-10 satisfaction question (0 not at all, 10 completely satisfied) of a "
        "customer at their adequate level (satisfaction 0): the answer is this plus "
        "(csat10_at_desired - this) x the latent, rounded to the nearest whole number (halves up)"
        " and clipped to 0-10 (so an anchor may lie off the scale, for a steeper line). 6: "
        "adequate is a pass and no more. A reading of the scale",
        unit="points on the 0–10 scale",
        source="assumption (no empirical source)",
    )
    csat10_at_desired: float = param(
        9.0,
        -100.0,
        100.0,
        "answer on the 0-10 satisfaction question of a customer at their desired level "
        "(satisfaction 1); must be above csat10_at_adequate. 9: the five-point top box (from 0.9)"
        " answers 9 or 10 here, as a promoter answers 9-10 on the 0-10 recommendation question "
        "(Reichheld 2003, 'The one number you need to grow', HBR). A reading of the scale",
        unit="points on the 0–10 scale",
        source="assumption (no empirical source)",
    )


#: the keys of :class:`SurveyConfig` that must rise, scale by scale
SURVEY_RISING = (
    ("csat_dissatisfied_from", "csat_neutral_from", "csat_satisfied_from", "csat_very_satisfied_from"),
    ("intent_probably_not_from", "intent_might_from", "intent_probably_from", "intent_definitely_from"),
    ("csat10_at_adequate", "csat10_at_desired"),
)


def _check_survey_scales(data: dict[str, Any], prefix: str) -> None:
    """Each scale's cut points (and the 0-10 anchors) rise: an answer
    category may not be empty or run backwards (keys not given take their
    defaults)."""
    values = {**{f.name: f.default for f in dataclasses.fields(SurveyConfig)}, **data}
    for keys in SURVEY_RISING:
        for lower, higher in zip(keys, keys[1:]):
            if not values[lower] < values[higher]:
                raise ConfigError(
                    f"{prefix}{lower} = {values[lower]!r}: must be below {prefix}{higher} "
                    f"({values[higher]!r}): a scale's cut points must rise"
                )


# --------------------------------------------------------------------------- engine
@dataclass
class EngineConfig:
    """How the engine spreads its work; results do not depend on these."""

    threads: int = param(
        0,
        0,
        1024,
        "threads for row-wise rules (0: all available cores; "
        "use 1 when replications already run in parallel processes)",
        unit="threads",
        source="setting (not a behavioural assumption)",
    )
    block_rows: int = param(
        65536,
        1,
        1_000_000_000,
        "customers per block of a row-wise rule (small enough for the processor's cache)",
        unit="customers",
        source="setting (not a behavioural assumption)",
    )
    bytes_per_customer: float = param(
        900.0,
        1.0,
        1e9,
        "memory per customer of one live simulated market, for the check that a run fits "
        "(sim/memory_budget.py); measured: the engine's own arrays peak at 481-486 B "
        "(tracemalloc, retail preset), and the default experiment on 200,000 customers and 2 "
        "workers held 3.4 KB per customer in 4 live markets (resident memory beyond the "
        "processes' start-up), about 860 B each",
        unit="bytes per customer",
        source="measured in this repository (tracemalloc and resident memory, retail preset)",
    )
    memory_share: float = param(
        0.8,
        0.0,
        1.0,
        "share of the machine's available memory a run may plan to use (1: all of it)",
        lo_open=True,
        unit="share (0–1)",
        source="setting (not a behavioural assumption)",
    )


@dataclass
class MarketConfig:
    """A market: customers, firms and the rules they follow."""

    @staticmethod
    def check_fields(data: dict[str, Any], prefix: str) -> None:
        """Firms have distinct names, and at most 127 of them (firm indices are stored in 8 bits)."""
        if "firms" in data:
            names = [str(_as_mapping(f).get("name", "")) for f in data["firms"]]
            if len(set(names)) != len(names):
                raise ConfigError(f"{prefix}firms[*].name = {names}: firm names must be distinct")
            if len(names) > 127:
                raise ConfigError(f"{prefix}firms = {len(names)} firms: at most 127 are allowed")

    name: str = param("retail", doc="market preset name", unit="label", source="setting (not a behavioural assumption)")
    currency: str = param(
        "EUR",
        doc="the currency that prices, baskets, wages and costs are stated in, named in every report "
        "(a label only: nothing is converted)",
        nonblank=True,
        unit="label",
        source="setting (not a behavioural assumption)",
    )
    n_customers: int = param(
        5000, 1, 100_000_000, "number of customers", unit="people", source="setting (not a behavioural assumption)"
    )
    steps: int = param(
        104, 1, 1_000_000, "reported horizon in steps", unit="steps", source="setting (not a behavioural assumption)"
    )
    burn_in: int = param(
        156,
        0,
        1_000_000,
        "steps simulated before the reported horizon (steady state)",
        unit="steps",
        source="setting (not a behavioural assumption)",
    )
    steps_per_year: float = param(
        52.0,
        1.0,
        10_000.0,
        "steps in a year (52 = weekly)",
        unit="steps per year",
        source="setting (not a behavioural assumption)",
    )
    visit_round_weeks: float = param(
        1.0,
        1.0,
        1e6,
        "longest stretch of a customer's visits that is simulated as one purchase: a longer step "
        "makes its visits in round(step weeks / this) rounds, in order, each a choice of firm, "
        "the experience and its feelings, word of mouth and defections, as weekly steps make them"
        " (a step holds one purchase a customer, of all its visits to one firm); 1: a week, the "
        "default retail market's median time between visits (about 7 days); a market billed per "
        "period sets its period (the subscription market: a month)",
        unit="weeks",
        source="setting (not a behavioural assumption)",
    )
    discount_rate: float = param(
        0.08,
        0.001,
        1.0,
        "annual discount rate of the NPV and of customer lifetime "
        "value (at least 0.1%: a customer who never leaves would otherwise be worth "
        "an infinite amount)",
        unit="rate per year",
        source="assumption (no empirical source)",
    )
    customers: CustomerConfig = field(default_factory=CustomerConfig)
    network: NetworkConfig = field(default_factory=NetworkConfig)
    choice: ChoiceConfig = field(default_factory=ChoiceConfig)
    experience: ExperienceConfig = field(default_factory=ExperienceConfig)
    disconfirmation: DisconfirmationConfig = field(default_factory=DisconfirmationConfig)
    expectation: ExpectationConfig = field(default_factory=ExpectationConfig)
    loyalty: LoyaltyConfig = field(default_factory=LoyaltyConfig)
    complaints: ComplaintConfig = field(default_factory=ComplaintConfig)
    word_of_mouth: WordOfMouthConfig = field(default_factory=WordOfMouthConfig)
    churn: ChurnConfig = field(default_factory=ChurnConfig)
    staff: StaffConfig = field(default_factory=StaffConfig)
    firms: list[FirmConfig] = field(default_factory=_default_firms, metadata={"empty": "needs at least one entry"})
    engine: EngineConfig = field(default_factory=EngineConfig)
    survey: SurveyConfig = field(default_factory=SurveyConfig)


@dataclass
class RunConfig:
    """The top-level config of a market run."""

    seed: int = param(
        0, 0, 2**63 - 1, "seed of all random streams", unit="integer", source="setting (not a behavioural assumption)"
    )
    market: MarketConfig = field(default_factory=MarketConfig)
    output_dir: str = param(
        "outputs",
        doc="folder under which dated run folders are written",
        unit="path",
        source="setting (not a behavioural assumption)",
    )
    record_transactions: bool = param(
        False,
        doc="also write every purchase (transactions.parquet) and the per-customer summary (customer_summary.parquet)",
        unit="flag (true/false)",
        source="setting (not a behavioural assumption)",
    )


# --------------------------------------------------------------------------- validation
def _check_scalar(key: str, value: Any, meta: typing.Mapping[str, Any], kind: type) -> None:
    choices = meta.get("choices")
    if choices is not None:
        if value not in choices:
            raise ConfigError(f"{key} = {value!r}: must be one of {', '.join(map(repr, choices))}")
        return
    if kind is str:
        if not isinstance(value, str):
            raise ConfigError(f"{key} = {value!r}: must be a string")
        if meta.get("nonblank") and not value.strip():
            raise ConfigError(f"{key} = {value!r}: must be a name, not empty")
        return
    if kind is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{key} = {value!r}: must be true or false")
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{key} = {value!r}: must be a number")
    if kind is int and not float(value).is_integer():
        raise ConfigError(f"{key} = {value!r}: must be a whole number")
    if not math.isfinite(value):
        raise ConfigError(f"{key} = {value!r}: must be a finite number")
    lo, hi = meta.get("lo"), meta.get("hi")
    lo_open = meta.get("lo_open", False)
    too_low = lo is not None and (value <= lo if lo_open else value < lo)
    too_high = hi is not None and value > hi
    if too_low or too_high:
        left = "(" if lo_open else "["
        raise ConfigError(f"{key} = {value!r}: must be in {left}{lo}, {hi}]")


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    """The resolved annotations of a config class (names in its own module)."""
    return typing.get_type_hints(cls, vars(sys.modules[cls.__module__]))


def _resolve_type(cls: type, f: dataclasses.Field[Any]) -> Any:
    """The kind of a field: its class, or ``list``/``dict`` for a typed list or mapping."""
    hint = _hints(cls)[f.name]
    return typing.get_origin(hint) or hint


def list_item_type(cls: type, f: dataclasses.Field[Any]) -> Any:
    """The type of a list field's entries (``list[FirmConfig]`` -> FirmConfig), or None."""
    hint = _hints(cls)[f.name]
    if typing.get_origin(hint) is not list:
        return None
    (item,) = typing.get_args(hint) or (Any,)
    return None if item is Any else item


def validate(cfg: Any, cls: type = RunConfig, prefix: str = "") -> None:
    """Check every value of ``cfg`` (a dataclass instance, dict or DictConfig)
    against the schema ``cls``; raise one ConfigError naming key, value and what
    is allowed. Unknown keys are errors too."""
    data = _as_mapping(cfg, prefix.rstrip(".") or cls.__name__, cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for key in data:
        if key not in fields:
            raise ConfigError(f"{prefix}{key} = {data[key]!r}: unknown key; allowed keys: {', '.join(fields)}")
    for name, f in fields.items():
        if name not in data:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ConfigError(f"{prefix}{name} = (missing): must be given")
            continue
        key, value, kind = prefix + name, data[name], _resolve_type(cls, f)
        if isinstance(kind, type) and dataclasses.is_dataclass(kind):
            validate(value, kind, key + ".")
        elif kind is list:
            _validate_list(list_item_type(cls, f), key, value, f.metadata)
        elif kind is dict:
            if not isinstance(value, dict):
                raise ConfigError(f"{key} = {value!r}: must be a mapping")
        else:
            _check_scalar(key, value, f.metadata, kind)
    _validate_whole(cls, data, prefix)


def _validate_list(item_cls: Any, key: str, value: Any, meta: typing.Mapping[str, Any]) -> None:
    items = list(value) if not isinstance(value, (str, bytes)) and hasattr(value, "__iter__") else None
    if items is None:
        raise ConfigError(f"{key} = {value!r}: must be a list")
    if isinstance(item_cls, type) and dataclasses.is_dataclass(item_cls):
        if not items and meta.get("empty"):  # a list that may not be empty says what it needs
            raise ConfigError(f"{key} = []: {meta['empty']}")
        for i, item in enumerate(items):
            validate(item, item_cls, f"{key}[{i}].")
    elif item_cls in (int, float, str, bool):
        for i, item in enumerate(items):
            _check_scalar(f"{key}[{i}]", item, meta, item_cls)


def _validate_whole(cls: type, data: dict[str, Any], prefix: str) -> None:
    """The checks across fields, which the class owning the fields defines
    (``check_fields(data, prefix)``)."""
    check = getattr(cls, "check_fields", None)
    if check is not None:
        check(data, prefix)


def check_entry(key: str, entry_week: int, steps: int, steps_per_year: float = 52.0) -> None:
    """A firm must enter within the horizon: its ``entry_week`` falls in one
    of the horizon's ``steps`` (of a market with ``steps_per_year``)."""
    last_week = StepLength(float(steps_per_year)).last_week(steps)
    if entry_week > last_week:
        raise ConfigError(
            f"{key} = {entry_week}: the firm would enter after the horizon "
            f"(market.steps = {steps}, week {last_week}); must be at most {last_week}"
        )


def _as_mapping(cfg: Any, key: str = "config", cls: type | None = None) -> dict[str, Any]:
    if dataclasses.is_dataclass(cfg) and not isinstance(cfg, type):
        return {f.name: getattr(cfg, f.name) for f in dataclasses.fields(cfg)}
    try:
        from omegaconf import DictConfig, OmegaConf

        if isinstance(cfg, DictConfig):
            return OmegaConf.to_container(cfg, resolve=True)  # type: ignore[return-value]
    except ImportError:  # pragma: no cover
        pass
    if isinstance(cfg, dict):
        return cfg
    what = f"{cls.__name__} keys" if cls is not None else "config keys"
    raise ConfigError(f"{key} = {cfg!r}: must be a mapping of {what}")


def to_dataclass(cfg: Any, cls: type = RunConfig) -> Any:
    """Build the typed dataclass tree from a validated dict or DictConfig."""
    data = _as_mapping(cfg)
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            continue
        kind, value = _resolve_type(cls, f), data[f.name]
        item_cls = list_item_type(cls, f)
        if isinstance(kind, type) and dataclasses.is_dataclass(kind):
            value = to_dataclass(value, kind)
        elif isinstance(item_cls, type) and dataclasses.is_dataclass(item_cls):
            value = [to_dataclass(v, item_cls) for v in value]
        elif kind in (list, dict):
            value = kind(value)
        kwargs[f.name] = value
    return cls(**kwargs)


def market_config(cfg: Any = None, **overrides: Any) -> MarketConfig:
    """A validated MarketConfig from a dataclass, dict, DictConfig or keyword overrides."""
    if cfg is None:
        cfg = MarketConfig()
    data = _as_mapping(cfg)
    data = {**data, **overrides}
    validate(data, MarketConfig, "market.")
    market: MarketConfig = to_dataclass(data, MarketConfig)
    return market


@dataclass(frozen=True)
class ParameterRow:
    """One parameter as :func:`describe` lists it: its dotted ``key``, its
    ``default``, what values are ``allowed`` (an interval or the choices; ""
    when any value of its type is), its ``unit``, its ``meaning`` (the doc
    text) and the ``source`` of the default."""

    key: str
    default: Any
    allowed: str
    unit: str
    meaning: str
    source: str


#: the default :func:`describe` shows for a key that must be given
REQUIRED = "(required)"


def describe(cls: type = MarketConfig, prefix: str = "") -> list[ParameterRow]:
    """A :class:`ParameterRow` for every field of ``cls`` (nested dataclasses
    walked, their keys dotted), for docs and --help: the field metadata that
    :func:`param` stores are the single source of what a parameter means."""
    rows = []
    for f in dataclasses.fields(cls):
        kind = _resolve_type(cls, f)
        key = prefix + f.name
        if isinstance(kind, type) and dataclasses.is_dataclass(kind):
            rows += describe(kind, key + ".")
            continue
        m = f.metadata
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = REQUIRED
        if m.get("choices"):
            allowed = " | ".join(m["choices"])
        elif m.get("lo") is not None or m.get("hi") is not None:
            allowed = f"{'(' if m.get('lo_open') else '['}{m.get('lo')}, {m.get('hi')}]"
        else:
            allowed = ""
        rows.append(ParameterRow(key, default, allowed, m.get("unit", ""), m.get("doc", ""), m.get("source", "")))
    return rows
