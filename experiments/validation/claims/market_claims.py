"""The claims about the market itself, with no programme running
(customers, satisfaction, loyalty and staff): churn, the 80/20 rule, voice, expectation and
experience, word of mouth, loyalty and staff; and, reported last, what
retention is worth and the books (docs/model.md, 7.13 and 7.15)."""

from __future__ import annotations

from experiments.validation.claims.claim import Claim
from experiments.validation.claims.criteria import above, below, every, within
from experiments.validation.claims.conservation import books_error, state_count_error
from experiments.validation.claims.measures import (
    captive_wave,
    kpi_difference,
    kpi_value,
    profit_per_retention,
    share_difference,
    step_difference,
)
from experiments.validation.claims.staff_measures import (
    HIGH_FIFTH,
    LOW_FIFTH,
    TURNOVER_SWEEP,
    fifths_gap,
    fifths_gap_not_hiring,
    fifths_ratio,
)
from experiments.validation.claims.probe_measures import (
    convexity,
    loss_aversion,
    probe_difference,
    probe_ratio,
    probe_value,
)

#: the staff turnover of the sweep's lowest and highest fifths, in words
_FIFTHS = (
    " a year, against ".join(" and ".join(f"{TURNOVER_SWEEP[k]:g}" for k in fifth) for fifth in (LOW_FIFTH, HIGH_FIFTH))
    + " a year"
)


MARKET_CLAIMS: tuple[Claim, ...] = (
    # ------------------------------------------------------------------ the market
    Claim(
        "market.churn",
        "Firms lose 20-40% of their customers a year.",
        "seed 002",
        "default_market",
        "annual churn of the focal firm, baseline (runs: churn_rate; 20-40%: the seed's own range)",
        kpi_value("baseline", "churn_rate"),
        within(0.20, 0.40),
        "pct",
        kind="figure",
        calibrated=("customers.churn_proneness_a", "customers.churn_proneness_b"),
    ),
    Claim(
        "market.top20",
        "The top 20% of customers bring about 60-75% of revenue (80/20).",
        "seeds 002, 003; Kim, Singh & Winer 2017",
        "default_market",
        "revenue share of the focal firm's top 20% of customers at the end, baseline (runs: top20_revenue_share; "
        "60-75%: the range of the sources' figures, the 80/20 rule's 80% read as its upper end in retail)",
        kpi_value("baseline", "top20_revenue_share"),
        within(0.60, 0.75),
        "pct",
        kind="figure",
    ),
    Claim(
        "market.lost_vs_new",
        "A lost customer is about twice as likely to buy as a new one (Griffin & "
        "Lowenstein 2001, 'Customer winback': a 20-40% chance of selling to a lapsed customer against 5-20% "
        "to a new prospect).",
        "seed 002; Griffin & Lowenstein 2001",
        "win_back_rates",
        "on the retail market with limited consideration (conf/market/retail_consideration.yaml, not yet the "
        "default), the focal firm running the win-back programme of conf/experiment/win_back.yaml: share of "
        "the relationships lapsing in the first year that are customer relationships again within a year of lapsing, "
        "over the "
        "share of the relationships that become aware of a firm in the same year (new prospects, of any of "
        "the three firms: the focal firm's own are too few to measure a ratio) acquired "
        "within a year (G&L's figures, as seed 002 gives them, are chances within a year under a win-back "
        "offer, so the lapsed are read under the programme; was per step without a programme, win-backs per "
        "churned relationship over acquisitions per aware prospect: 0.56, a reading of the stocks, most of "
        "whose churned relationships left long ago; the two shares are calibration targets, each within its "
        "own range, so the ratio is checked, not predicted)",
        probe_value("lost_vs_new"),
        within(1.5, 2.5),
        "ratio",
        kind="figure",
        calibrated=(
            "customers.consideration_per_year",
            "churn.reconsideration_per_year",
            "strategy.win_back.reach_per_week",
        ),
    ),
    # ------------------------------------------------------------------ expectation and experience
    Claim(
        "experience.delight",
        "Delight raises repurchase more than mere satisfaction.",
        "seeds 004, 001",
        "disconfirmation",
        "share of the treated buyers whose next purchase is at the same firm: delighted minus satisfied",
        probe_difference("repurchase_delighted", "repurchase_satisfied"),
        above(0),
        "pp",
        kind="direction",
    ),
    Claim(
        "experience.disappointment",
        "A disappointment lowers repurchase below a satisfied purchase.",
        "seed 004",
        "disconfirmation",
        "the same share: satisfied minus disappointed",
        probe_difference("repurchase_satisfied", "repurchase_disappointed"),
        above(0),
        "pp",
        kind="direction",
    ),
    Claim(
        "experience.loss_aversion",
        "A disappointment weighs more than an equal delight (loss aversion).",
        "seed 004",
        "disconfirmation",
        "repurchase lost by a disappointment minus repurchase gained by an equal delight",
        loss_aversion,
        above(0),
        "pp",
        kind="direction",
        level=probe_value("repurchase_satisfied"),
    ),
    Claim(
        "experience.quality_failure",
        "A quality failure disappoints even at the best-served firm: good service does not offset it.",
        "seed 000",
        "purchases",
        "share of purchases with a quality failure at the firm with the highest service level that "
        "disappoint (at least 0.8: the reading of 'disappoints even at the best-served firm' as most failures, "
        "as tests/sim/test_behaviour.py; seed 000 gives no figure)",
        probe_value("failures_disappointed"),
        within(0.8, None),
        "pct",
        kind="direction",
    ),
    Claim(
        "experience.over_promise",
        "Over-promising breeds disappointment.",
        "seed 001",
        "default_market",
        "disappointed purchases per purchase at the focal firm, promise 0.71 minus 0.56",
        share_difference("over_promise", "disappointed", "purchases"),
        above(0),
        "pp",
        kind="direction",
    ),
    # ------------------------------------------------------------------ satisfaction and loyalty, as surveyed
    Claim(
        "satisfaction.convex",
        "Loyalty is convex in satisfaction on a five-point scale: completely "
        "satisfied customers (5) are far more loyal than merely satisfied ones (4), who leave almost as the "
        "neutral (3) do.",
        "Jones & Sasser 1995, 'Why satisfied customers defect'",
        "survey_follow_up",
        "focal firm's customers surveyed once after the burn-in: one-year retention gained from answer 4 to "
        "5 minus that gained from 3 to 4",
        convexity("defected_52w"),
        above(0),
        "pp",
        kind="direction",
    ),
    Claim(
        "satisfaction.zone_of_defection",
        "Dissatisfied customers defect more than satisfied ones: the "
        "very dissatisfied (1) leave more often than the satisfied (4).",
        "Jones & Sasser 1995 (the zone of defection)",
        "survey_follow_up",
        "focal firm, surveyed once: share of answer-1 relationships that defected within 52 weeks (ended while "
        "the customer stayed in the category) minus that of answer-4 ones",
        probe_difference("defected_52w_1", "defected_52w_4"),
        above(0),
        "pp",
        kind="direction",
    ),
    Claim(
        "satisfaction.top_box",
        "Merely satisfied customers are about six times as likely to defect within 18 "
        "months as completely satisfied ones (Xerox: the totally satisfied were six times as likely to "
        "repurchase, read as a ratio of defection, the only reading possible when most customers stay).",
        "Jones & Sasser 1995",
        "survey_follow_up",
        "focal firm, surveyed once: share of answer-4 relationships that defected within 78 weeks over the share "
        "of answer-5 ones (3-12: a factor of 2 either side of Xerox's 6, a single B2B firm's figure)",
        probe_ratio("defected_78w_4", "defected_78w_5"),
        within(3.0, 12.0),
        "ratio",
        kind="figure",
    ),
    Claim(
        "satisfaction.defectors_satisfied",
        "65-85% of customers who defect said they were satisfied or very satisfied.",
        "Reichheld 1993, 'Loyalty-based management' (HBR)",
        "survey_follow_up",
        "focal firm, surveyed once: share of the relationships that defected within a year (not counting "
        "customers who left the category) that had answered 4 or 5 (65-85%: Reichheld's own range over the "
        "industries he reports)",
        probe_value("satisfied_among_defectors_52w"),
        within(0.65, 0.85),
        "pct",
        kind="figure",
    ),
    Claim(
        "service.sd_retention",
        "Better service keeps more customers: one standard deviation more visit "
        "service raises annual retention, one less lowers it.",
        "Heskett et al. 1994, 'Putting the service-profit chain to work'; Zeithaml, Berry & Parasuraman 1996",
        "service_shift",
        "focal firm's annual true retention, service shifted +1 SD minus -1 SD (paired, same seeds)",
        probe_difference("retention_plus1", "retention_minus1"),
        above(0),
        "pp",
        kind="direction",
        level=probe_value("retention_base"),
    ),
    Claim(
        "service.sd_profit",
        "Better service pays: one standard deviation more visit service raises the focal firm's NPV against one less.",
        "Heskett et al. 1994; Rust, Zahorik & Keiningham 1995, 'Return on quality'",
        "service_shift",
        "NPV of the focal firm over 104 weeks, service shifted +1 SD minus -1 SD (paired, same seeds)",
        probe_difference("npv_plus1", "npv_minus1"),
        above(0),
        "money",
        kind="direction",
        level=probe_value("npv_base"),
    ),
    Claim(
        "market.retention_rises_with_tenure",
        "Retention rises with tenure: of the customers won in one "
        "quarter, a larger share is kept in their third year than in their second, mostly because those "
        "likeliest to leave go first (Fader & Hardie 2007, 'How to project customer retention': 74.2% then "
        "81.6% of regular subscribers, 85.5% then 87.9% of high-end ones, +7.4 and +2.4 points).",
        "Fader & Hardie 2007",
        "cohort_retention",
        "the relationships every firm acquired in the first quarter, in their first spell (one that ends is "
        "lost, even if won back, as a cancelled contract): retention in the third year minus retention in "
        "the second (within +1 to +15 points: about a factor of two either side of Fader & Hardie's two "
        "segments, a judgement)",
        probe_difference("retention_year3", "retention_year2"),
        within(0.01, 0.15),
        "pp",
        kind="figure",
        # the churn proneness is Fader & Hardie's shifted-beta-geometric mixing distribution, its shape near
        # their estimates: most of the rise comes from that heterogeneity
        calibrated=("customers.churn_proneness_a", "customers.churn_proneness_b"),
    ),
    # ------------------------------------------------------------------ word of mouth
    Claim(
        "wom.awareness",
        "Word of mouth spreads the firm: positive stories make prospects aware, so "
        "without it more of the market never hears of the firm.",
        "seeds 001, 002",
        "word_of_mouth",
        "prospects unaware of the focal firm, mean over the year, nobody talking minus default",
        step_difference("silent", "n_prospect"),
        above(0),
        "count",
        kind="direction",
    ),
    Claim(
        "wom.dissatisfied_tell",
        "A dissatisfied customer tells 9-10 people.",
        "TARP",
        "purchases",
        "people told per disappointed purchase (the talker's ties first, then people outside them; 0 if silent; "
        "9-10: TARP's own range)",
        probe_value("told_disappointed"),
        within(9, 10),
        "count",
        kind="figure",
        calibrated=("word_of_mouth.audience_disappointed",),
    ),
    Claim(
        "wom.tell_many",
        "About 13% of the dissatisfied tell more than 20 people.",
        "TARP",
        "purchases",
        "share of disappointed purchases told to more than 20 people (10-16%: TARP's 13%, give or take 3 points, "
        "the rounding of a survey share)",
        probe_value("told_many_disappointed"),
        within(0.10, 0.16),
        "pct",
        kind="figure",
        calibrated=("word_of_mouth.audience_dispersion",),
    ),
    Claim(
        "wom.positive_to_negative",
        "Positive word of mouth is about three times as common as negative "
        "(East, Hammond & Wright 2007, 'The relative incidence of positive and negative word of mouth: a "
        "multi-category study': more common in each of 15 categories, 3 to 1 on average; a figure no "
        "parameter was set from: the talk and audience parameters were fitted to TARP's dissatisfied and "
        "set by hand to Anderson's U-shape).",
        "East, Hammond & Wright 2007",
        "purchases",
        "people told a positive story over people told a negative one (a disappointed purchase not put right), "
        "every firm's purchases (1.5-6: a factor of two either side of the average over 15 categories, a "
        "judgement)",
        probe_value("positive_to_negative"),
        within(1.5, 6.0),
        "ratio",
        kind="figure",
    ),
    Claim(
        "wom.positive_follows_share",
        "Positive word of mouth about a brand follows its market share: "
        "the volumes are closely related to share, small brands getting somewhat more than their size "
        "warrants and large ones slightly less (Uncles, East & Lomax 2010, 'Market share is correlated with "
        "word-of-mouth volume'; East, Hammond & Wright 2007: most positive word of mouth is about the "
        "teller's main brand).",
        "Uncles, East & Lomax 2010; East, Hammond & Wright 2007",
        "purchases",
        "the largest gap, over the three firms, between a firm's share of the people told a positive story "
        "and its share of the purchases (within 8 points, a judgement: Uncles et al. report a correlation, "
        "not a gap)",
        probe_value("positive_share_gap"),
        within(hi=0.08),
        "pct",
        kind="direction",
    ),
    Claim(
        "wom.referral_value",
        "Customers acquired by referral are worth more than those acquired by "
        "advertising: 16-25% more (Schmitt, Skiera & Van den Bulte 2011, 'Referral programs and customer value'), "
        "and word-of-mouth acquisitions add nearly twice the long-term value of marketing-induced ones "
        "(Villanueva, Yoo & Hanssens 2008, 'The impact of marketing-induced versus word-of-mouth customer "
        "acquisition on customer equity growth').",
        "Schmitt et al. 2011; Villanueva et al. 2008",
        "acquisition_value",
        "all firms, baseline: mean spending over the two years after acquisition of the relationships acquired "
        "through a positive story over that of those acquired through advertising (1.15-2.5: from Schmitt et "
        "al.'s 16% lower bound, a bank's referred customers' value, to beyond Villanueva et al.'s nearly 2, "
        "whose long-term value also counts the acquisitions the customers' own word of mouth brings, which "
        "this ratio does not)",
        probe_value("value_ratio"),
        within(1.15, 2.5),
        "ratio",
        kind="figure",
    ),
    # ------------------------------------------------------------------ loyalty
    Claim(
        "loyalty.long_tenure_barely_profitable",
        "Loyalty is not profit: about half of long-tenure "
        "customers are barely profitable (Reinartz & Kumar 2002, 'The mismanagement of customer loyalty': "
        "half of a firm's loyal customers barely generated a profit).",
        "Reinartz & Kumar 2002",
        "tenure_value",
        "share of the focal firm's current relationships of three years or more, at the end, whose annual "
        "gross margin is below a fifth of the firm's mean (within 35-65%: 'about half', a judgement)",
        probe_value("long_barely_profitable"),
        within(0.35, 0.65),
        "pct",
        kind="figure",
        # Reinartz & Kumar give no threshold: what counts as barely profitable is a definition of the report,
        # set with their figure in view
        calibrated=("loyalty.barely_profitable_share",),
    ),
    Claim(
        "loyalty.captive_wave",
        "Captive customers leave in a wave when a better rival appears: at least 30% within six months.",
        "seed 001",
        "captive_rival_entry",
        "extra fall of the focal firm's captives from the 4 months before the entry to the sixth month after "
        "it, against the baseline (0.3: a 30% fall, the reading of 'a wave' of tests/sim/test_behaviour.py; "
        "seed 001 gives no figure)",
        captive_wave("rival_enters", before=4, after=(5, 6)),
        within(0.30, None),
        "pct",
        kind="direction",
    ),
    # ------------------------------------------------------------------ staff
    Claim(
        "staff.turnover_service",
        "Higher staff turnover lowers the service level.",
        "seeds 001, 002",
        "staff_turnover",
        "mean service level of the focal firm, 10x base turnover minus default",
        step_difference("high_turnover", "service_level"),
        below(0),
        "float",
        kind="direction",
    ),
    Claim(
        "staff.turnover_retention",
        "Higher staff turnover lowers customer retention.",
        "seeds 001, 002",
        "staff_turnover",
        "annual retention of the focal firm, 10x base turnover minus default",
        kpi_difference("high_turnover", "retention_rate"),
        below(0),
        "pp",
        kind="direction",
    ),
    Claim(
        "staff.turnover_profit",
        "Stores with lower staff turnover make more profit.",
        "Heskett et al. 1994",
        "staff_turnover",
        "NPV of the focal firm over the year, 10x base turnover minus default",
        kpi_difference("high_turnover", "npv"),
        below(0),
        "money",
        kind="direction",
    ),
    Claim(
        "staff.turnover_fifths_profit",
        "Across stores whose own staff turnover differs, the fifth with the "
        "lowest turnover makes more profit than the fifth with the highest.",
        "Heskett et al. 1994, 'Putting the service-profit chain to work' (55% higher "
        "profit, across stores that differ in more than turnover)",
        "turnover_sweep",
        f"focal profit over two years, the two markets where its staff turnover is lowest ({_FIFTHS}) minus "
        "the two where it is highest, each burnt in at its own turnover; rivals at the market's rate",
        fifths_gap("profit"),
        above(0),
        "money",
        kind="direction",
    ),
    Claim(
        "staff.turnover_fifths_sales",
        "Across stores whose own staff turnover differs, the fifth with the "
        "lowest turnover sells clearly more than the fifth with the highest (at least a tenth more, a "
        "judgement), and no more than the double Heskett et al. found between stores that differed in more "
        "than turnover.",
        "Heskett et al. 1994, 'Putting the service-profit chain to work' (Taco Bell: double the sales)",
        "turnover_sweep",
        f"focal revenue over two years, the two markets where its staff "
        f"turnover is lowest ({_FIFTHS}) over the two where it is highest, less one",
        fifths_ratio("revenue"),
        within(0.1, 1.0),
        "pct",
        kind="figure",
    ),
    Claim(
        "staff.turnover_fifths_profit_ratio",
        "Across stores whose own staff turnover differs, the fifth with "
        "the lowest turnover makes more profit than the fifth with the highest, by no more than the 55% Heskett "
        "et al. found between stores that differed in more than turnover.",
        "Heskett et al. 1994, 'Putting the service-profit chain to work' (Taco Bell: 55% higher profit)",
        "turnover_sweep",
        f"focal profit over two years, the two markets where its staff "
        f"turnover is lowest ({_FIFTHS}) over the two where it is highest, less one",
        fifths_ratio("profit"),
        within(0.0, 0.55),
        "pct",
        kind="figure",
    ),
    Claim(
        "staff.turnover_fifths_not_hiring",
        "Most of the profit gap between the fifths of lowest and highest "
        "staff turnover is not the cost of hiring replacements but the margin on the sales that better-served "
        "customers bring.",
        "Heskett et al. 1994, 'Putting the service-profit chain to work'; Tracey & Hinkin "
        "2006, 'The costs of employee turnover: when the devil is in the details' (the lost productivity of "
        "inexperienced replacements was the largest part of turnover cost, up to 70% in some hotels; lost "
        "customers were not measured)",
        "turnover_sweep",
        "share of the focal profit gap of staff.turnover_fifths_profit that is not the hiring cost the "
        "lowest-turnover fifth saves",
        fifths_gap_not_hiring,
        above(0.5),
        "pct",
        kind="direction",
    ),
    Claim(
        "chain.sears_attitude_impression",
        "Employee attitude drives customer impression at the size Sears "
        "found: 5 points more attitude, about 1.3 points more customer impression (within 0.4, Sears's indices "
        "read as points of 0-100).",
        "Rucci, Kirn & Quinn 1998, 'The employee-customer-profit chain at Sears'",
        "employee_customer_chain",
        "points of the customers' mean five-point satisfaction answer (1-5 onto 0-100) per 5 points of the "
        "focal staff's mean engagement (0-100), second year of a morale lift against the market unchanged",
        probe_value("impression_per_5"),
        within(0.9, 1.7),
        "float",
        kind="figure",
    ),
    Claim(
        "chain.sears_impression_revenue",
        "Customer impression drives revenue at the size Sears found: 1.3 "
        "points more impression, 0.5% more revenue (within a factor of two, Sears's indices read as points of "
        "0-100).",
        "Rucci, Kirn & Quinn 1998, 'The employee-customer-profit chain at Sears'",
        "employee_customer_chain",
        "% more focal revenue in the second year of the morale lift per 1.3 points of customer impression (as "
        "chain.sears_attitude_impression)",
        probe_value("revenue_per_1_3"),
        within(0.25, 1.0),
        "float",
        kind="figure",
    ),
)

#: reported after the strategies' claims
PROFIT_AND_BOOKS_CLAIMS: tuple[Claim, ...] = (
    # ------------------------------------------------------------------ retention and profit
    Claim(
        "retention.profit",
        "5 points fewer defections raise profit by 25-85%.",
        "Reichheld & Sasser 1990",
        "retention_value",
        "relative profit change of the focal firm per 5 points less annual churn, with a contract "
        "(switching cost 0.5) against none (25-85%: Reichheld & Sasser's own range over the industries they "
        "report)",
        profit_per_retention("contract", points=5.0),
        within(0.25, 0.85),
        "pct",
        kind="figure",
    ),
    # ------------------------------------------------------------------ conservation
    Claim(
        "books.customers",
        "Customers are conserved: every customer is in exactly one state per firm, every step.",
        "an invariant of the engine (agents/states.py)",
        "default_market",
        "largest gap, over all scenarios, steps and firms, between customers counted in the states and "
        "the market's customers",
        state_count_error,
        every(0, 0),
        "count",
        kind="invariant",
    ),
    Claim(
        "books.money",
        "Money is conserved: profit = revenue - costs, to the cent, every step.",
        "an invariant of the engine's books (sim/ledger.py)",
        "default_market",
        "largest error, over all scenarios, steps and firms, of profit = revenue - costs and costs = "
        "sum of the cost categories",
        books_error,
        every(0, 0.005),
        "float",
        kind="invariant",
    ),
)
