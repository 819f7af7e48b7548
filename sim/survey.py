"""The survey view: the latents as a customer survey would report them.

Firms measure satisfaction and loyalty with surveys, not latents: a
five-point satisfaction question ("very dissatisfied" 1 to "very satisfied"
5), a five-point repurchase-intention question ("definitely not" 1 to
"definitely will" 5), a 0-10 satisfaction question and the 0-10
likelihood-to-recommend question of the promoter score (Reichheld 2003,
'The one number you need to grow'). This module reads each firm's customers'
latents through those scales, so that a user can hold the simulator against
their own surveys:

* cumulative satisfaction (zone units: 0 the customer's adequate service
  level, 1 their desired level) to a five-point answer by the cut points of
  ``market.survey`` (:class:`sim.config.SurveyConfig`), and to a 0-10 answer
  by a straight line through two anchors, rounded and clipped;
* the intention to return (0-1) to a five-point answer by its cut points;
* the likelihood to recommend, already a whole number 0-10.

A firm surveys its own current customers (:func:`agents.states.is_customer`),
all of them, and each answers exactly what the scales make of their latents
(no sampling, non-response or answer noise). The answers are counted in one
compiled pass over the relationships (:func:`survey_tallies`), block by
block of rows; counts add exactly, so the result does not depend on the
blocks. The step table reports top-box shares and mean answers per firm and
step (:data:`SURVEY_METRICS`; the top box matters because only the
completely satisfied are reliably loyal: Jones & Sasser 1995, 'Why satisfied
customers defect').
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from agents.compiled import compiled, inlined
from agents.states import N_STATES, LoyaltyState

FIRST_TIME, CHURNED = int(LoyaltyState.FIRST_TIME), int(LoyaltyState.CHURNED)

if TYPE_CHECKING:  # pragma: no cover
    from sim.config import LoyaltyConfig, SurveyConfig

#: the scales counted, in the order of the first axis of :func:`survey_tallies`' counts
SCALES = ("csat_5", "intent_5", "csat_10", "recommend_10")
CSAT_5, INTENT_5, CSAT_10, RECOMMEND_10 = range(len(SCALES))
#: the answers of each scale: a five-point scale answers 1-5, a 0-10 scale 0-10
#: (definitions of the survey scales, not parameters)
ANSWERS = {"csat_5": range(1, 6), "intent_5": range(1, 6), "csat_10": range(0, 11), "recommend_10": range(0, 11)}
#: the top of the 0-10 scales, and the top of the five-point scales
TOP_10, TOP_5 = 10, 5
#: the wording of the five-point answers, for reports
CSAT_WORDS = ("very dissatisfied", "dissatisfied", "neither", "satisfied", "very satisfied")
INTENT_WORDS = ("definitely not", "probably not", "might or might not", "probably will", "definitely will")

#: the step-table columns of the survey view, per firm and step
SURVEY_METRICS = (
    "csat_top_box",
    "csat_top2_box",
    "csat_bottom2_box",
    "mean_csat_5",
    "mean_csat_10",
    "intent_top_box",
    "intent_top2_box",
    "mean_intent_5",
)


def scales(cfg: "SurveyConfig") -> tuple[np.ndarray, np.ndarray, float, float]:
    """The survey's scales as compiled code reads them: the four
    satisfaction cut points, the four intention cut points (each rounded
    to float32, as the float32 latents are compared with them, NEP 50), and
    the 0-10 satisfaction answers at the adequate and the desired level."""
    return _scales(
        (cfg.csat_dissatisfied_from, cfg.csat_neutral_from, cfg.csat_satisfied_from, cfg.csat_very_satisfied_from),
        (cfg.intent_probably_not_from, cfg.intent_might_from, cfg.intent_probably_from, cfg.intent_definitely_from),
        float(cfg.csat10_at_adequate),
        float(cfg.csat10_at_desired),
    )


@functools.lru_cache(maxsize=64)
def _scales(
    csat: tuple[float, ...], intent: tuple[float, ...], at_adequate: float, at_desired: float
) -> tuple[np.ndarray, np.ndarray, float, float]:
    def as_cuts(cuts: tuple[float, ...]) -> np.ndarray:
        return np.array(cuts, dtype=np.float32).astype(np.float64)

    csat_cuts, intent_cuts = as_cuts(csat), as_cuts(intent)
    csat_cuts.flags.writeable = intent_cuts.flags.writeable = False  # shared between calls
    return csat_cuts, intent_cuts, at_adequate, at_desired


# ---------------------------------------------------------------------- one answer
@inlined
def five_point(value: float, cuts: np.ndarray) -> int:
    """The five-point answer (1-5) of a latent: 1 plus the cut points at or
    below it (NaN answers 1)."""
    answer = 1
    for k in range(len(cuts)):
        answer += value >= cuts[k]
    return answer


@inlined
def eleven_point(x: float) -> int:
    """A 0-10 answer: ``x`` rounded to the nearest whole number (halves up)
    and clipped to 0-10 (NaN answers 0)."""
    r = np.floor(x + 0.5)
    return TOP_10 if r >= TOP_10 else (int(r) if r > 0 else 0)


@inlined
def csat_ten(satisfaction: float, at_adequate: float, at_desired: float) -> int:
    """The 0-10 satisfaction answer: the straight line through
    ``at_adequate`` (at satisfaction 0) and ``at_desired`` (at 1)."""
    return eleven_point(at_adequate + (at_desired - at_adequate) * np.float64(satisfaction))


@compiled
def survey_tallies(
    state: np.ndarray,
    satisfaction: np.ndarray,
    intention: np.ndarray,
    recommend: np.ndarray,
    csat_cuts: np.ndarray,
    intent_cuts: np.ndarray,
    at_adequate: float,
    at_desired: float,
    start: int,
    stop: int,
    counts: np.ndarray,
) -> None:
    """Count the answers of each firm's customers among the rows
    ``start:stop`` into ``counts`` (``[len(SCALES), firms, 11]``, int64,
    added to): ``counts[s, f, a]`` is the customers of firm ``f`` who give
    answer ``a`` on scale ``SCALES[s]`` (a five-point scale uses 1-5)."""
    F = state.shape[1]
    for i in range(start, stop):
        for f in range(F):
            s = state[i, f]
            if s < 0 or s >= N_STATES:
                raise ValueError("a loyalty state out of range")
            if s >= FIRST_TIME and s != CHURNED:
                counts[CSAT_5, f, five_point(satisfaction[i, f], csat_cuts)] += 1
                counts[INTENT_5, f, five_point(intention[i, f], intent_cuts)] += 1
                counts[CSAT_10, f, csat_ten(satisfaction[i, f], at_adequate, at_desired)] += 1
                counts[RECOMMEND_10, f, eleven_point(np.float64(recommend[i, f]))] += 1


def new_counts(n_firms: int) -> np.ndarray:
    """Zeroed counts for :func:`survey_tallies`."""
    return np.zeros((len(SCALES), n_firms, TOP_10 + 1), dtype=np.int64)


def survey_answers(
    state: np.ndarray, satisfaction: np.ndarray, intention: np.ndarray, recommend: np.ndarray, cfg: "SurveyConfig"
) -> np.ndarray:
    """The answer counts of every firm's customers (``[n, firms]`` arrays;
    :func:`survey_tallies`' counts): the survey of a market at one moment."""
    counts = new_counts(state.shape[1])
    survey_tallies(state, satisfaction, intention, recommend, *scales(cfg), 0, state.shape[0], counts)
    return counts


# ---------------------------------------------------------------------- per firm
def survey_columns(counts: np.ndarray) -> dict[str, list[float]]:
    """The step table's survey view (:data:`SURVEY_METRICS`) of each firm
    from its answer counts: the share of its customers in the top box (5),
    the top two (4-5) and the bottom two (1-2) of the five-point
    satisfaction question, the mean five-point and 0-10 satisfaction
    answers, the shares in the top box and the top two and the mean answer
    of the five-point intention question. A firm without customers shows 0
    (as the step table's other means do)."""
    counts = np.asarray(counts, dtype=np.float64)
    csat, intent, ten = counts[CSAT_5], counts[INTENT_5], counts[CSAT_10]
    surveyed = np.maximum(csat.sum(axis=1), 1.0)
    points = np.arange(TOP_10 + 1, dtype=np.float64)
    columns = {
        "csat_top_box": csat[:, TOP_5] / surveyed,
        "csat_top2_box": (csat[:, TOP_5 - 1] + csat[:, TOP_5]) / surveyed,
        "csat_bottom2_box": (csat[:, 1] + csat[:, 2]) / surveyed,
        "mean_csat_5": csat @ points / surveyed,
        "mean_csat_10": ten @ points / surveyed,
        "intent_top_box": intent[:, TOP_5] / surveyed,
        "intent_top2_box": (intent[:, TOP_5 - 1] + intent[:, TOP_5]) / surveyed,
        "mean_intent_5": intent @ points / surveyed,
    }
    return {name: columns[name].tolist() for name in SURVEY_METRICS}


def survey_distribution(counts: np.ndarray, firms: list[str]) -> pd.DataFrame:
    """The answer counts as a long table: one row per firm, scale and answer
    with the customers who gave it and their share of the firm's surveyed
    customers (0 for a firm without customers)."""
    rows = []
    for s, scale in enumerate(SCALES):
        for f, firm in enumerate(firms):
            surveyed = int(counts[s, f].sum())
            for answer in ANSWERS[scale]:
                n = int(counts[s, f, answer])
                rows.append(
                    {
                        "firm": firm,
                        "scale": scale,
                        "answer": answer,
                        "customers": n,
                        "share": n / surveyed if surveyed else 0.0,
                    }
                )
    return pd.DataFrame(rows)


def scale_definition(cfg: "SurveyConfig", loyalty: "LoyaltyConfig") -> str:
    """The scales in words, with their cut points and the promoter score's
    thresholds (``loyalty``), for reports."""
    c, top = cfg, TOP_10
    return (
        f"Every current customer of a firm answers its survey; answers are the latents read through "
        f"the scales (no sampling, no answer noise). Satisfaction is in zone units (0: the customer's "
        f"adequate service level, 1: their desired level). Five-point satisfaction: 1 very dissatisfied "
        f"below {c.csat_dissatisfied_from:g}, 2 dissatisfied from {c.csat_dissatisfied_from:g}, 3 neither "
        f"from {c.csat_neutral_from:g}, 4 satisfied from {c.csat_satisfied_from:g}, 5 very satisfied (the top "
        f"box) from {c.csat_very_satisfied_from:g}; the top two boxes are 4-5, the bottom two 1-2. "
        f"0-10 satisfaction: {c.csat10_at_adequate:g} at the adequate level, {c.csat10_at_desired:g} at the "
        f"desired level, on a straight line, rounded and clipped to 0-10. Intention to buy again (0-1) on "
        f"five points: 1 definitely not, 2 probably not from {c.intent_probably_not_from:g}, 3 might or might "
        f"not from {c.intent_might_from:g}, 4 probably will from {c.intent_probably_from:g}, 5 definitely "
        f"will from {c.intent_definitely_from:g}. Promoter score: % answering {loyalty.promoter_recommend}-{top} "
        f"less % answering 0-{loyalty.detractor_recommend} on the 0-10 likelihood to recommend (Reichheld 2003)."
    )
