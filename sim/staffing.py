"""Staff dynamics: engagement, turnover, skill and the service they deliver.

001: "only loyal employees create loyal customers"; employee ability outweighs
price, brand and convenience. 002: "customer loyalty = employee sincerity +
customer satisfaction". Engagement follows pay against the market, training,
empowerment, recognition, morale (a lay-off's survivors) and strain; low
engagement raises turnover; a leaver is replaced by a novice; service rises
with skill and engagement, falls smoothly with utilisation, and its spread
narrows with engagement.
Staff are counted in full-time equivalents (:mod:`agents.staff`).
"""

from __future__ import annotations

import numpy as np

from agents.staff import StaffPopulation
from agents.compiled import compiled, inlined
from sim.config import StaffConfig
from sim.units import StepLength


def strain(utilisation: np.ndarray, cfg: StaffConfig) -> np.ndarray:
    """Work pressure at a utilisation (visits served over visits the staff
    can serve): a smoothed hockey stick, near 0 well below the knee and
    rising by one per unit of utilisation well above it.

    Under load, service workers speed up and cut corners, and the quality
    of what they deliver suffers (KC & Terwiesch 2009, in hospital
    operations: faster service under load, lower quality under sustained
    overwork); outcomes hold up to a high occupancy and then deteriorate
    (Kuntz, Mennicken & Scholtes 2015: a tipping point near full load).
    The knee stands for that point, and the curve bends smoothly through it
    rather than at a kink. This is the immediate, reversible response to
    the step's load only: the permanent erosion of service standards that
    Oliva & Sterman (2001) found, as quality aspirations adapt to the
    service delivered, is not modelled. Nor is it a queue: an M/M/c
    queue's waiting time (Kleinrock 1975; Erlang C) grows far more steeply
    toward utilisation 1 and has no steady state above it, and every visit
    is served here; strain grows one for one above the knee.
    ``softness * log(1 + exp((u - knee) / softness))`` is that curve without
    a kink: at the default 80% utilisation strain is 0.013, at 100% 0.069,
    at 120% 0.21, so extra staff time helps a little and extra work hurts
    more and more.
    """
    w = cfg.utilisation_softness
    return w * np.logaddexp(0.0, (np.asarray(utilisation, dtype=np.float64) - cfg.utilisation_knee) / w)


def engagement_target(
    wage: np.ndarray,
    training: np.ndarray,
    empowerment: np.ndarray,
    recognition: np.ndarray,
    utilisation: np.ndarray,
    cfg: StaffConfig,
    morale: np.ndarray | None = None,
) -> np.ndarray:
    """Engagement each firm's conditions lead to (one value per firm); wages
    are per full-time employee and year, as the market wage (float64).
    ``morale`` (default 0) is added as it is: what events at the firm do to
    its staff's engagement beyond pay, levers and strain (a lay-off's
    survivors: :mod:`strategies.layoffs`). The strain is numpy's, the sum
    compiled (:func:`_engagement_target`)."""
    if morale is None:
        morale = np.zeros(np.shape(wage))
    terms = [np.asarray(x, dtype=np.float64) for x in (wage, training, empowerment, recognition, morale)]
    terms.append(strain(utilisation, cfg))
    shape = terms[-1].shape
    if len(shape) != 1 or any(x.shape != shape for x in terms):  # not one value per firm each
        terms = [np.ascontiguousarray(x).reshape(-1) for x in np.broadcast_arrays(*terms)]
        shape = np.broadcast_shapes(
            *(np.shape(x) for x in (wage, training, empowerment, recognition, morale, utilisation))
        )
    out = np.empty(shape)
    wage_at, training_at, empowerment_at, recognition_at, morale_at, load_at = terms
    _engagement_target(
        wage_at,
        training_at,
        empowerment_at,
        recognition_at,
        morale_at,
        load_at,
        float(cfg.base_engagement),
        float(cfg.pay_engagement),
        float(cfg.market_wage_per_year),
        float(cfg.training_engagement),
        float(cfg.empowerment_engagement),
        float(cfg.recognition_engagement),
        float(cfg.workload_engagement),
        out.reshape(-1),
    )
    return out


@compiled
def _engagement_target(
    wage: np.ndarray,
    training: np.ndarray,
    empowerment: np.ndarray,
    recognition: np.ndarray,
    morale: np.ndarray,
    load: np.ndarray,
    base: float,
    pay: float,
    market_wage: float,
    trained: float,
    empowered: float,
    recognised: float,
    strained: float,
    out: np.ndarray,
) -> None:
    """:func:`engagement_target`'s sum for each firm, term by term in its order."""
    for f in range(len(out)):
        out[f] = (
            base
            + pay * (wage[f] / market_wage - 1.0)
            + trained * training[f]
            + empowered * empowerment[f]
            + recognised * recognition[f]
            + morale[f]
            - strained * load[f]
        )


@compiled
def _settle_engagement(
    firm: np.ndarray,
    trait: np.ndarray,
    target: np.ndarray,
    closing: float,
    engagement: np.ndarray,
    tenure: np.ndarray,
    weeks: np.float32,
    person_target: np.ndarray,
    minus_turnover_engagement: float,
    learning_weeks: np.float32,
    quit_exponent: np.ndarray,
    learning_exponent: np.ndarray,
) -> None:
    """Each employee's own target (the firm's plus the personal offset,
    within 0-1, float64); engagement closes ``closing`` of the gap to it
    (float32, as numpy's ``+=`` of a float64 step); tenure grows by the
    step's weeks (float32). Then the arguments of numpy's ``exp`` in the
    chance to leave (``-turnover_engagement * (engagement - 0.5)``, float64:
    :func:`_skill_and_quit_exponent`) and in :func:`agents.staff.skill_at`
    (``-tenure / learning_weeks``, float32), as numpy rounds them."""
    for p in range(len(firm)):
        t = target[firm[p]] + np.float64(trait[p])
        if t < 0.0:
            t = 0.0
        elif t > 1.0:
            t = 1.0
        person_target[p] = t
        e = np.float64(engagement[p])
        engagement[p] = np.float32(e + closing * (t - e))
        tenure[p] = tenure[p] + weeks
        quit_exponent[p] = minus_turnover_engagement * (np.float64(engagement[p]) - 0.5)
        learning_exponent[p] = -tenure[p] / learning_weeks


@compiled
def _skill_and_quit_exponent(
    quit_rate: np.ndarray,
    firm: np.ndarray,
    turnover: np.ndarray,
    dt: float,
    learned: np.ndarray,
    max_skill: np.float32,
    skill_span: np.float32,
    skill: np.ndarray,
) -> None:
    """From numpy's ``exp`` of :func:`_settle_engagement`'s exponents: the
    argument of ``expm1`` in the chance to leave (``-(turnover[firm] *
    exp) * dt``, :meth:`sim.units.StepLength.probability`), in place of
    ``quit_rate``, and the skill (:func:`agents.staff.skill_at`, float32).

    The chance to leave falls with engagement: ``turnover`` is each firm's
    rate a year at engagement 0.5, the middle of the 0-1 scale; the 0.5
    defines what ``staff.turnover_per_year`` means (any other reference
    engagement is the same model with another rate), it is not a parameter."""
    for p in range(len(quit_rate)):
        quit_rate[p] = -(turnover[firm[p]] * quit_rate[p]) * dt
        skill[p] = max_skill - skill_span * learned[p]


@compiled
def _leaving(employed: np.ndarray, u_leave: np.ndarray, minus_chance: np.ndarray, leavers: np.ndarray) -> int:
    """Employed positions whose draw is below their chance to leave
    (``-minus_chance``), into ``leavers`` in position order; returns how many."""
    k = 0
    for p in range(len(employed)):
        if employed[p] and u_leave[p] < -minus_chance[p]:
            leavers[k] = p
            k += 1
    return k


@compiled
def _deliver_by_firm(
    firm: np.ndarray,
    skill: np.ndarray,
    engagement: np.ndarray,
    firm_load: np.ndarray,
    base: np.float32,
    engaged: np.float32,
    strained: float,
    spread_base: np.float32,
    spread_engaged: np.float32,
    level: np.ndarray,
    spread: np.ndarray,
) -> None:
    """Mean and spread of the service each employee delivers: ``skill *
    (base + engagement term) - strain term`` and ``spread * (1 - engagement
    term)``, the level's product in float32 (the Python numbers taken as
    float32), less the strain term in float64 (each employee's firm's
    strain, ``firm_load``), rounded to float32; the spread in float32."""
    for p in range(len(level)):
        e = engagement[p]
        x = skill[p] * (base + engaged * e)
        level[p] = np.float32(x - strained * firm_load[firm[p]])
        spread[p] = spread_base * (np.float32(1.0) - spread_engaged * e)


def turnover_by_firm(factor: np.ndarray, turnover_per_year: float) -> np.ndarray:
    """Each firm's rate a year at which an employee at engagement 0.5
    leaves: the market's base turnover (``staff.turnover_per_year``) times
    the firm's ``staff_turnover_factor`` (float64, one value per firm)."""
    return float(turnover_per_year) * np.asarray(factor, dtype=np.float64)


def update_staff(
    staff: StaffPopulation,
    target: np.ndarray,
    utilisation: np.ndarray,
    u_leave: np.ndarray,
    cfg: StaffConfig,
    step: StepLength,
    turnover: np.ndarray,
) -> np.ndarray:
    """One step of staff life; returns the positions whose holder left and
    was replaced by a novice. ``turnover`` is each firm's base rate of
    leaving (:func:`turnover_by_firm`).

    Engagement closes on each employee's target and tenure grows
    (:func:`_settle_engagement`); the chance to leave and the skill follow
    (:func:`_skill_and_quit_exponent`), their ``exp`` and ``expm1`` numpy's
    and the rest compiled; leavers' positions go to novices; then the
    service each delivers (:func:`_deliver_by_firm`, with the strain of
    each firm's ``utilisation`` worked out once per firm)."""
    m, f32 = staff.m, np.float32
    person_target, quit_rate, learned = np.empty(m), np.empty(m), np.empty(m, dtype=np.float32)
    closing = 1.0 - step.kept(cfg.engagement_half_life_weeks)
    _settle_engagement(
        staff.firm,
        staff.trait,
        np.asarray(target, dtype=np.float64),
        closing,
        staff.engagement,
        staff.tenure,
        f32(step.weeks),
        person_target,
        -float(cfg.turnover_engagement),
        f32(cfg.learning_weeks),
        quit_rate,
        learned,
    )
    return _leave_learn_and_serve(
        staff, person_target, quit_rate, learned, u_leave, strain(utilisation, cfg), turnover, cfg, step
    )


def staff_step(
    staff: StaffPopulation,
    visits: np.ndarray,
    wage: np.ndarray,
    training: np.ndarray,
    empowerment: np.ndarray,
    recognition: np.ndarray,
    u_leave: np.ndarray,
    cfg: StaffConfig,
    step: StepLength,
    morale: np.ndarray,
    turnover: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The engine's step of staff life, as :func:`utilisation`,
    :func:`engagement_target` and :func:`update_staff` make it, given each
    firm's visits of the last step and its conditions (one float64 value
    per firm each; ``morale`` as :func:`engagement_target` takes it,
    ``turnover`` as :func:`update_staff`):
    returns each firm's employed full-time equivalents,
    its utilisation, and the positions whose holder left. The same
    operations in fewer calls: compiled passes around numpy's
    ``logaddexp`` (the strain), ``exp`` and ``expm1``."""
    F, m, f32 = len(visits), staff.m, np.float32
    fte, workload, strained = np.zeros(F), np.zeros(F), np.empty(F)
    _utilisation_of(
        staff.firm,
        staff.fte,
        staff.employed,
        staff.skill,
        float(cfg.max_skill),
        float(cfg.max_skill - cfg.novice_skill),
        float(cfg.skill_productivity),
        np.asarray(visits, dtype=np.float64),
        float(step.per_step(cfg.visits_per_fte_per_year)),
        float(cfg.utilisation_knee),
        float(cfg.utilisation_softness),
        fte,
        workload,
        strained,
    )
    np.logaddexp(0.0, strained, out=strained)
    person_target, quit_rate, learned = np.empty(m), np.empty(m), np.empty(m, dtype=np.float32)
    _settle_toward_target(
        wage,
        training,
        empowerment,
        recognition,
        morale,
        strained,
        float(cfg.utilisation_softness),
        float(cfg.base_engagement),
        float(cfg.pay_engagement),
        float(cfg.market_wage_per_year),
        float(cfg.training_engagement),
        float(cfg.empowerment_engagement),
        float(cfg.recognition_engagement),
        float(cfg.workload_engagement),
        np.empty(F),
        staff.firm,
        staff.trait,
        1.0 - step.kept(cfg.engagement_half_life_weeks),
        staff.engagement,
        staff.tenure,
        f32(step.weeks),
        person_target,
        -float(cfg.turnover_engagement),
        f32(cfg.learning_weeks),
        quit_rate,
        learned,
    )
    leavers = _leave_learn_and_serve(staff, person_target, quit_rate, learned, u_leave, strained, turnover, cfg, step)
    return fte, workload, leavers


def _leave_learn_and_serve(
    staff: StaffPopulation,
    person_target: np.ndarray,
    quit_rate: np.ndarray,
    learned: np.ndarray,
    u_leave: np.ndarray,
    strained: np.ndarray,
    turnover: np.ndarray,
    cfg: StaffConfig,
    step: StepLength,
) -> np.ndarray:
    """The rest of a step of staff life once engagement has settled (its
    targets, the exponents of the chance to leave and of learning given):
    skill and the chance to leave (numpy's ``exp`` and ``expm1``), who
    leaves and the novices who take their positions, then the service each
    delivers under each firm's ``strained`` workload; returns the leavers'
    positions."""
    m, f32 = staff.m, np.float32
    np.exp(quit_rate, out=quit_rate)
    np.exp(learned, out=learned)
    _skill_and_quit_exponent(
        quit_rate,
        staff.firm,
        np.asarray(turnover, dtype=np.float64),
        float(step.dt),
        learned,
        f32(cfg.max_skill),
        f32(cfg.max_skill - cfg.novice_skill),
        staff.skill,
    )
    np.expm1(quit_rate, out=quit_rate)
    leavers = np.empty(m, dtype=np.int64)
    leavers = leavers[: _leaving(staff.employed, u_leave, quit_rate, leavers)]
    if len(leavers):
        staff.hire(leavers, cfg, person_target[leavers] - cfg.novice_engagement_gap)
    _deliver_by_firm(
        staff.firm,
        staff.skill,
        staff.engagement,
        strained,
        f32(cfg.service_base),
        f32(cfg.service_engagement),
        float(cfg.workload_service),
        f32(cfg.service_spread),
        f32(cfg.spread_engagement),
        staff.service_level,
        staff.service_spread,
    )
    return leavers


@inlined
def productivity(skill: float | np.ndarray, max_skill: float, skill_range: float, share: float) -> float | np.ndarray:
    """The share of a full-skill employee's visits an employee of ``skill``
    serves: ``1 - share * (max_skill - skill) / skill_range`` (a novice
    ``1 - share``; 1 when novices start at full skill, ``skill_range`` 0).
    One employee's in compiled code; over an array of skills (its ``py_func``), each one's."""
    if skill_range <= 0:
        return 1.0
    return 1.0 - share * (max_skill - skill) / skill_range


@compiled
def _utilisation_of(
    firm: np.ndarray,
    hours: np.ndarray,
    employed: np.ndarray,
    skill: np.ndarray,
    max_skill: float,
    skill_range: float,
    skill_share: float,
    visits: np.ndarray,
    per_fte: float,
    knee: float,
    softness: float,
    fte: np.ndarray,
    workload: np.ndarray,
    exponent: np.ndarray,
) -> None:
    """Each firm's employed full-time equivalents (``fte``, zeroed, summed
    in position order, as :meth:`agents.staff.StaffPopulation.full_time_equivalents`),
    its utilisation (``workload``, zeroed: :func:`_utilisation` of the
    visits against the hours weighed by each employee's :func:`productivity`,
    summed in position order) and the argument of the strain's
    ``logaddexp`` (:func:`strain`)."""
    capacity = np.zeros(len(fte))
    for p in range(len(firm)):
        if employed[p]:
            fte[firm[p]] += hours[p]
            capacity[firm[p]] += hours[p] * productivity(np.float64(skill[p]), max_skill, skill_range, skill_share)
    _utilisation(visits, capacity, per_fte, workload)
    for f in range(len(fte)):
        exponent[f] = (workload[f] - knee) / softness


@compiled
def _settle_toward_target(
    wage: np.ndarray,
    training: np.ndarray,
    empowerment: np.ndarray,
    recognition: np.ndarray,
    morale: np.ndarray,
    strained: np.ndarray,
    softness: float,
    base: float,
    pay: float,
    market_wage: float,
    trained: float,
    empowered: float,
    recognised: float,
    strain_weight: float,
    target: np.ndarray,
    firm: np.ndarray,
    trait: np.ndarray,
    closing: float,
    engagement: np.ndarray,
    tenure: np.ndarray,
    weeks: np.float32,
    person_target: np.ndarray,
    minus_turnover_engagement: float,
    learning_weeks: np.float32,
    quit_exponent: np.ndarray,
    learning_exponent: np.ndarray,
) -> None:
    """The strain (``softness`` times numpy's ``logaddexp``, in place of
    ``strained``), each firm's engagement target (:func:`_engagement_target`,
    into ``target``) and the settling of :func:`_settle_engagement`."""
    for f in range(len(strained)):
        strained[f] = softness * strained[f]
    _engagement_target(
        wage,
        training,
        empowerment,
        recognition,
        morale,
        strained,
        base,
        pay,
        market_wage,
        trained,
        empowered,
        recognised,
        strain_weight,
        target,
    )
    _settle_engagement(
        firm,
        trait,
        target,
        closing,
        engagement,
        tenure,
        weeks,
        person_target,
        minus_turnover_engagement,
        learning_weeks,
        quit_exponent,
        learning_exponent,
    )


def capacity(staff: StaffPopulation, n_firms: int, cfg: StaffConfig) -> np.ndarray:
    """Each firm's employed hours weighed by each employee's
    :func:`productivity` (full-skill full-time equivalents), summed in
    position order as the engine's step sums them."""
    per_employee = productivity.py_func(
        staff.skill.astype(np.float64),
        float(cfg.max_skill),
        float(cfg.max_skill - cfg.novice_skill),
        float(cfg.skill_productivity),
    )
    weight = np.broadcast_to(per_employee, staff.skill.shape)  # 1 (a scalar) when novices start at full skill
    at = staff.employed
    return np.bincount(staff.firm[at], staff.fte[at] * weight[at], minlength=n_firms).astype(np.float64)


def utilisation(visits: np.ndarray, fte: np.ndarray, cfg: StaffConfig, step: StepLength) -> np.ndarray:
    """Each firm's utilisation: the visits of the last step against what its
    full-time equivalents at full skill can serve in a step (``fte``: the
    hours weighed by :func:`productivity`, :func:`capacity`;
    0 for a firm without staff: nobody is strained, and nobody serves)."""
    out = np.zeros(len(fte))
    _utilisation(
        np.asarray(visits, dtype=np.float64),
        np.asarray(fte, dtype=np.float64),
        float(step.per_step(cfg.visits_per_fte_per_year)),
        out,
    )
    return out


@compiled
def _utilisation(visits: np.ndarray, fte: np.ndarray, per_fte: float, out: np.ndarray) -> None:
    """``visits / (fte * per_fte)`` where that capacity is positive (``out`` holds 0 elsewhere)."""
    for f in range(len(out)):
        capacity = fte[f] * per_fte
        if capacity > 0:
            out[f] = visits[f] / capacity
