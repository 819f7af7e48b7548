"""The known gaps: claims that fail in the current model, and why.

A known gap is reported as FAIL like any failing claim (docs/validation.md:
the table, and the section Known gaps with these reasons); the test suite
does not assert that it passes, and checks that it still fails, so that a gap
that closes must leave this list (tests/experiments/validation/). Each reason
says, in plain words and with the numbers measured at the reference size
(5,000 customers, weekly), what the model gives and why.
"""

from __future__ import annotations

#: claim id -> why it fails, with its numbers
KNOWN_GAPS: dict[str, str] = {
    "market.top20": "the focal firm's top fifth brings about 78%: customers in play who buy mostly elsewhere are "
    "the firm's occasional customers, with little revenue there; over the whole market the top fifth brings "
    "about 66%",
    "satisfaction.top_box": "answer-4 relationships defect only about 1.4-1.6 times as often as answer-5 ones: the "
    "proneness floor and quiet dropout do not read satisfaction, and cumulative satisfaction lowers the hazard "
    "only above the top-box cut (0.9 zone units), by e^-2.5 per zone unit; the very dissatisfied (1) defect only "
    "1.2 times as often as the satisfied (4)",
    "satisfaction.defectors_satisfied": "about 44%: it cannot exceed the share of 4-5 answers (about 59%) while "
    "satisfaction lowers defection, and that share is too low: about 29% of the focal firm's customers answer 1 "
    "or 2 (cumulative satisfaction below their adequate level), far more than real surveys show (CSAT top-two box "
    "75-85% for retail): a visit's experience spreads over about twice the zone of tolerance, and loss aversion "
    "pulls the running mean down",
    "wom.positive_to_negative": "about 0.9: negative stories reach as many people as positive ones. About 16% of "
    "purchases disappoint without being put right and each tells 10.4 people (9.5 over every disappointed "
    "purchase, the calibration to TARP's 9-10), while the 43% that delight tell 3.4 and the 41% merely satisfied "
    "0.13 (talk_delighted 0.5, audience_delighted 16, talk_satisfied 0.05, set by hand to a steep U-shape); "
    "counted in talkers rather than people told, positive stories are 2.2 times as many. A 3-to-1 ratio needs "
    "about nine delights per disappointment (now 2.7), or TARP's audience only for real problems, or advice about "
    "one's main brand that does not wait for a purchase (none is modelled)",
    "wom.positive_follows_share": "about 15 points, and the wrong way round: the largest store, Premium, makes "
    "about 44% of the purchases but about 60% of the positive word of mouth, the Focal store about 26% and 14%. "
    "The chance of a delight, and with it of talking, follows each store's service and quality far more steeply "
    "than real word of mouth follows brands (a delighted buyer talks ten times as often as a satisfied one), and "
    "nobody recommends the store they use without a delight",
    "loyalty.captive_wave": "the focal firm's captives fall only about 10% more than without the entry by the sixth "
    "month after it (about 18% in months 6-11): they meet the Challenger at their yearly renewals, spread over the "
    "year, and its launch campaign has made only about half of them aware of it by six months, so they drain "
    "away rather than leave in a wave; quarterly contracts and subscribers aware within about two months give "
    "35% by the sixth month (the sweeps of docs/model.md; inertia and the Challenger's price move it little)",
    "staff.turnover_fifths_profit_ratio": "the lowest fifth makes about 190% more profit: it sells about 40% more "
    "with the same staff, since headcount follows the size of the market rather than the firm's sales, and its "
    "profit is a thin margin over fixed costs that are the same in every market; staffed in proportion to sales, "
    "it would still make about 110% more (docs/model.md)",
    "chain.sears_impression_revenue": "revenue ends about 3% higher per 1.3 points of impression after two years "
    "(3.4% over 32 seeds), six to seven times Sears's: the customers a better-served store keeps and wins by word "
    "of mouth accumulate. Read quarter by quarter, as Sears linked impression to the next quarter's revenue "
    "growth, the store grows 0.45-0.65% faster a quarter while impression climbs to about 1 point, near Sears's "
    "size, but the growth goes on for two years. No one parameter brings the level to Sears's: silencing word of "
    "mouth gives 2.0%, halving the logit scale, quartering the weight of expected experience or removing the "
    "satisfaction hazard moves it by less than a fifth (docs/model.md)",
    "club.pays_back": "over three years the club costs more than it brings back (NPV about -130,000 against the "
    "baseline; about -110,000 targeted by expected uplift, -235,000 by risk): it adds about 950,000 of revenue "
    "but only about 270,000 of gross margin, since the members' discount applies to what they bought anyway, "
    "against about 410,000 of members' services and events, whose costs per attendee are assumptions; it pays "
    "with every event at a quarter of its cost (+107,000) and breaks even as a club for the top 5% only "
    "(sensitivity=lesson_club and the sweeps of docs/model.md)",
    "club.pays_back_service_driven": "with half the customers in the service segment the club targeted by "
    "expected uplift still loses about 130,000 over three years (by value about 150,000): more members value "
    "belonging, but the margin the club adds stays below its discount, services and events, whose costs per "
    "attendee are assumptions; as on the default market it pays with every event at a quarter of its cost "
    "(docs/model.md: the lessons and what would flip them)",
    "layoffs.npv": "the downturn cuts visits by a fifth for the whole run and dismissed positions are never "
    "refilled, so the lay-off fits the staff to a smaller market: it raises the NPV by about 80,000 over two "
    "years, even with the survivors' lost engagement calibrated to Trevor & Nyberg 2008 (it took about 25,000 "
    "off); it loses money where the staff were already busy before the cut (staff.visits_per_fte_per_year 3,500 "
    "instead of 5,700: -33,000) and breaks even without a downturn (sensitivity=lesson_layoffs and the sweeps of "
    "docs/model.md); a cyclical downturn, short of staff in the recovery, needs demand that changes during a run",
}
