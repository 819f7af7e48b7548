"""The registry: every claim, in report order, looked up by id.

Every claim names an experiment of :data:`~experiments.validation.claims.experiments.EXPERIMENTS`
and has a distinct id, and every known gap
(:data:`~experiments.validation.claims.known_gaps.KNOWN_GAPS`) is a claim of the
registry that is not a calibration target; all are checked when the registry is imported.
"""

from __future__ import annotations

from experiments.validation.claims.claim import Claim
from experiments.validation.claims.experiments import EXPERIMENTS
from experiments.validation.claims.known_gaps import KNOWN_GAPS
from experiments.validation.claims.market_claims import MARKET_CLAIMS, PROFIT_AND_BOOKS_CLAIMS
from experiments.validation.claims.strategy_claims import STRATEGY_CLAIMS

CLAIMS: tuple[Claim, ...] = (*MARKET_CLAIMS, *STRATEGY_CLAIMS, *PROFIT_AND_BOOKS_CLAIMS)


def claim_ids() -> list[str]:
    """The ids of the registry, in report order."""
    return [c.id for c in CLAIMS]


def get_claims(ids: list[str] | None = None) -> list[Claim]:
    """The claims with these ids (all if None), in registry order; raises
    KeyError naming an unknown id."""
    if not ids:
        return list(CLAIMS)
    known = {c.id: c for c in CLAIMS}
    for i in ids:
        if i not in known:
            raise KeyError(i)
    return [c for c in CLAIMS if c.id in set(ids)]


def _check_registry() -> None:
    ids = claim_ids()
    if len(set(ids)) != len(ids):
        raise RuntimeError("claim ids must be distinct")
    for c in CLAIMS:
        if c.experiment not in EXPERIMENTS:
            raise RuntimeError(f"claim {c.id}: unknown experiment {c.experiment!r}")
    known = {c.id: c for c in CLAIMS}
    for gap in KNOWN_GAPS:
        if gap not in known:
            raise RuntimeError(f"known gap {gap}: no such claim")
        if known[gap].calibrated:
            raise RuntimeError(f"known gap {gap}: a calibration target fits or not; it is not a known gap")


_check_registry()
