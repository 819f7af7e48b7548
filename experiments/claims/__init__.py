"""The registry of claims the validation report checks.

Every behavioural claim of the model (docs/model.md), every strategy's
signature and the published figures that the model can be measured against
are one :class:`Claim` each: the claim in words, its source (the seed
articles and the published work, by author and year), the
experiment it is measured in, how it is measured - a function from the
experiment's tidy tables (:class:`Evidence`) to one number per replication -
and the pass criterion on those numbers (:class:`Criterion`).

Claims known not to hold in the current model carry ``expected="fail"`` and
the reason; the report shows them as FAIL with their measured number, and
the test suite marks them as strict expected failures, so that a claim that
starts to hold makes the tests fail until this flag and the docs are updated.
Every verdict, PASS or FAIL, must be clear of its threshold by a margin
(:meth:`Criterion.margin`, ``experiments.validation.MARGIN``); each
experiment runs the replications its claims need for that
(``ExperimentSpec.min_replications``).

The modules:

- :mod:`~experiments.claims.criteria`: pass criteria and how numbers print;
- :mod:`~experiments.claims.evidence`: an experiment's tables and
  per-replication readers of them;
- :mod:`~experiments.claims.schedules`: when a strategy runs or a rival
  enters, and windows of steps relative to it;
- :mod:`~experiments.claims.measures`, :mod:`~experiments.claims.price_war_measures`,
  :mod:`~experiments.claims.probe_measures`, :mod:`~experiments.claims.conservation`:
  the measures (evidence -> one number per replication);
- :mod:`~experiments.claims.probes`: instrumented runs for claims about single
  purchases;
- :mod:`~experiments.claims.experiments`: the experiments the claims share;
- :mod:`~experiments.claims.claim`: a claim;
- :mod:`~experiments.claims.market_claims`, :mod:`~experiments.claims.strategy_claims`:
  the claims themselves;
- :mod:`~experiments.claims.registry`: all claims in report order, by id.
"""

from __future__ import annotations

from experiments.claims.claim import Claim
from experiments.claims.criteria import Criterion, above, below, every, format_value, within
from experiments.claims.evidence import Evidence
from experiments.claims.experiments import EXPERIMENTS, ExperimentSpec
from experiments.claims.registry import CLAIMS, claim_ids, get_claims

__all__ = [
    "CLAIMS",
    "EXPERIMENTS",
    "Claim",
    "Criterion",
    "Evidence",
    "ExperimentSpec",
    "above",
    "below",
    "claim_ids",
    "every",
    "format_value",
    "get_claims",
    "within",
]
