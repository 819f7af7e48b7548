"""What a report's numbers are counted in: the currency, the horizon, the
discount rate of the NPV and the step length, said the same way in every
table, figure and sentence of the experiment reports.

The model counts money in one currency (``market.currency``, a label: prices
are indices around 1 and baskets are in this currency at the reference
price), discounts the NPV at ``market.discount_rate`` a year over the
reported horizon of ``market.steps`` steps, and reports retention and churn
as annual rates (docs/model.md, "Units").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from sim.units import StepLength


@dataclass(frozen=True)
class ReportUnits:
    """The units of an experiment's results."""

    currency: str = "EUR"
    horizon_steps: int = 104
    steps_per_year: float = 52.0
    discount_rate: float = 0.08

    @classmethod
    def of_market(cls, market: Any) -> "ReportUnits":
        """The units of a :class:`sim.config.MarketConfig`."""
        return cls(
            currency=str(market.currency),
            horizon_steps=int(market.steps),
            steps_per_year=float(market.steps_per_year),
            discount_rate=float(market.discount_rate),
        )

    @classmethod
    def of_keys(cls, market: Mapping[str, Any] | None) -> "ReportUnits":
        """The units of a market given as its keys (a job's resolved
        ``market`` mapping), the default market's for a key it leaves out."""
        from sim.config import MarketConfig

        given, default = dict(market or {}), cls.of_market(MarketConfig())
        return cls(
            currency=str(given.get("currency", default.currency)),
            horizon_steps=int(given.get("steps", default.horizon_steps)),
            steps_per_year=float(given.get("steps_per_year", default.steps_per_year)),
            discount_rate=float(given.get("discount_rate", default.discount_rate)),
        )

    @classmethod
    def of_meta(cls, meta: Mapping[str, Any] | None) -> "ReportUnits":
        """The units in a report's ``meta["units"]`` (a dict of the fields),
        else the default market's."""
        given = (meta or {}).get("units")
        if isinstance(given, ReportUnits):
            return given
        if given:
            return cls(**given)
        from sim.config import MarketConfig

        return cls.of_market(MarketConfig())

    def as_dict(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "horizon_steps": self.horizon_steps,
            "steps_per_year": self.steps_per_year,
            "discount_rate": self.discount_rate,
        }

    @property
    def years(self) -> float:
        """The reported horizon in years."""
        return self.horizon_steps / self.steps_per_year

    @property
    def step_name(self) -> str:
        """A step in words (:attr:`sim.units.StepLength.name`): ``week``, ``month``, ... or ``step``."""
        return StepLength(self.steps_per_year).name

    def steps(self, n: int) -> str:
        """``n`` steps in the step's own unit: ``156 weeks``, ``24 months``,
        else ``730 steps (2.0 years)``."""
        unit = self.step_name
        years = f" ({n / self.steps_per_year:.1f} years)" if unit == "step" else ""
        return f"{n:,} {unit}{'' if n == 1 else 's'}{years}"

    def horizon(self) -> str:
        """The reported horizon in the step's own unit: ``104 weeks``."""
        return self.steps(self.horizon_steps)

    def rate(self) -> str:
        """The discount rate: ``8% a year``."""
        return f"{100 * self.discount_rate:g}% a year"

    def npv(self) -> str:
        """What an NPV is: ``NPV in EUR over 104 weeks, discounted at 8% a year``."""
        return f"NPV in {self.currency} over {self.horizon()}, discounted at {self.rate()}"

    def money(self, what: str = "") -> str:
        """An axis label of money: ``profit (EUR)``, or ``EUR`` alone."""
        return f"{what} ({self.currency})" if what else self.currency

    def caption(self) -> str:
        """One line for a table's or figure's foot: money, horizon, discounting, rates."""
        return (
            f"Money in {self.currency}; horizon {self.horizon()}; NPV discounted at {self.rate()}; "
            "retention and churn are annual rates."
        )


def money_ticks(value: float, _position: float | None = None) -> str:
    """A money tick: ``-40k``, ``1.25M``, ``750``: as many decimals as the
    value needs (ticks 2.5k apart read 2.5k, 5k, 7.5k)."""
    magnitude = abs(value)
    for scale, suffix in ((1e6, "M"), (1e3, "k")):
        if magnitude >= scale:
            return f"{value / scale:,.3f}".rstrip("0").rstrip(".") + suffix
    return f"{value:,.0f}"
