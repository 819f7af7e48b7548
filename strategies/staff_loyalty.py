"""Staff loyalty (seeds 001, 002: only loyal employees create loyal customers)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.context import StepContext
from sim.units import WEEKS_PER_YEAR
from strategies.base import Strategy, StrategyConfig, param
from strategies.registry import register

#: the firm's staff levers the programme raises
LEVERS = ("wage_per_year", "training", "empowerment", "recognition")


def _lever_cost(per_week: float, lever: str, what: str) -> Any:
    """The parameter of a lever's cost per full-time employee and year, its
    default the former weekly cost x 52."""
    return param(
        per_week * WEEKS_PER_YEAR,
        0.0,
        1e9,
        f"cost per full-time employee and year for one unit of "
        f"{lever} above the configured level ({what}; default: {per_week:g} a week)",
        unit=f"currency per FTE per year per unit of {lever}",
        source="assumption (no empirical source)",
    )


@dataclass
class StaffLoyaltyConfig(StrategyConfig):
    """Parameters of :class:`StaffLoyalty`."""

    wage_premium: float = param(
        0.15,
        0.0,
        5.0,
        "wage premium: share above the firm's configured wage",
        unit="share of the wage",
        source="assumption (no empirical source)",
    )
    training: float = param(
        0.7,
        0.0,
        1.0,
        "training intensity the firm is raised to (kept if already higher)",
        unit="score (0–1)",
        source="assumption (no empirical source)",
    )
    empowerment: float = param(
        0.7,
        0.0,
        1.0,
        "staff empowerment the firm is raised to (kept if already higher)",
        unit="score (0–1)",
        source="assumption (no empirical source)",
    )
    recognition: float = param(
        0.7,
        0.0,
        1.0,
        "staff recognition the firm is raised to (kept if already higher)",
        unit="score (0–1)",
        source="assumption (no empirical source)",
    )
    training_cost_per_fte_per_year: float = _lever_cost(50.0, "training intensity", "courses, trainers")
    empowerment_cost_per_fte_per_year: float = _lever_cost(10.0, "empowerment", "discretionary budget, coaching")
    recognition_cost_per_fte_per_year: float = _lever_cost(25.0, "recognition", "awards, events")
    cost_per_fte_per_year: float = param(
        650.0,
        0.0,
        1e12,
        "running cost of the programme per full-time "
        "employee and year (HR staff, surveys; default: 100 a week for the "
        "focal firm's 8 FTE in the default market)",
        unit="currency per FTE per year",
        source="assumption (no empirical source)",
    )


@register
class StaffLoyalty(Strategy):
    """Win the staff's loyalty: wage premium, training, empowerment, recognition.

    Models the service-profit chain of seeds 001 ("only loyal employees create
    loyal customers"; employee ability outweighs price, brand and convenience)
    and 002 ("customer loyalty = employee sincerity + customer satisfaction";
    "serve your employees first, then you can serve your customers").
    Heskett et al. (1994): the fifth of stores with the lowest
    staff turnover had double the sales and 55% higher profit than the fifth
    with the highest. While the programme runs, the firm pays ``wage_premium``
    above its configured wage (the engine books it as wages) and its
    training, empowerment and recognition are raised to the programme's levels
    (a firm already above a level keeps its own). Staff engagement follows
    these levers with a lag, so turnover falls, skill accumulates with tenure,
    service rises and steadies, fewer customers lose the employee they were
    attached to, and customer retention rises after a further lag. Empowerment
    also lets staff resolve more complaints. The programme books, under
    ``staff_loyalty``, per employed full-time equivalent (FTE, not heads) and
    year, its step's share of ``cost_per_fte_per_year`` plus
    ``training_cost_per_fte_per_year``, ``empowerment_cost_per_fte_per_year``
    and ``recognition_cost_per_fte_per_year`` times the rise of the lever
    above the configured level. When it ends the configured
    wage and levers return.

    Parameters: ``start``, ``duration`` (weeks), ``wage_premium``, ``training``,
    ``empowerment``, ``recognition``, ``training_cost_per_fte_per_year``,
    ``empowerment_cost_per_fte_per_year``, ``recognition_cost_per_fte_per_year``,
    ``cost_per_fte_per_year`` (:class:`StaffLoyaltyConfig`).

    Expected signature against the baseline on the same seeds: staff
    engagement rises and turnover falls within a few steps; service level
    rises and its spread narrows; retention rises after a lag; wages and
    programme costs rise.
    """

    name = "staff_loyalty"
    description = "wage premium, training, empowerment, recognition: engaged staff, steadier service (001, 002)"
    config_class = StaffLoyaltyConfig
    config: StaffLoyaltyConfig

    def setup(self, ctx: StepContext) -> None:
        self.configured = {k: getattr(ctx.firm.config, k) for k in LEVERS}
        self.running = False

    def levels(self) -> dict[str, float]:
        """The wage and levers while the programme runs."""
        cfg, base = self.config, self.configured
        return {
            "wage_per_year": base["wage_per_year"] * (1.0 + cfg.wage_premium),
            "training": max(base["training"], cfg.training),
            "empowerment": max(base["empowerment"], cfg.empowerment),
            "recognition": max(base["recognition"], cfg.recognition),
        }

    def adjust_offer(self, ctx: StepContext) -> None:
        if self.active(ctx):
            for key, value in self.levels().items():
                setattr(ctx.firm, key, value)
            self.running = True
        elif self.running:  # the programme has ended: the configured values return
            for key, value in self.configured.items():
                setattr(ctx.firm, key, value)
            self.running = False

    def after_step(self, ctx: StepContext) -> None:
        if not self.active(ctx):
            return
        cfg, base, now = self.config, self.configured, self.levels()
        per_fte_per_year = (
            cfg.cost_per_fte_per_year
            + cfg.training_cost_per_fte_per_year * (now["training"] - base["training"])
            + cfg.empowerment_cost_per_fte_per_year * (now["empowerment"] - base["empowerment"])
            + cfg.recognition_cost_per_fte_per_year * (now["recognition"] - base["recognition"])
        )
        self.book(ctx, self.per_fte(ctx, per_fte_per_year))
