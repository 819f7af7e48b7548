"""The registry of claims the validation report checks.

Every behavioural claim of the model (docs/model.md), every strategy's
signature and the published figures that the model can be measured against
are one :class:`Claim` each: the claim in words, its source (the seed
articles and the published work, by author and year), the
experiment it is measured in, how it is measured - a function from the
experiment's tidy tables (:class:`Evidence`) to one number per replication -
and the pass criterion on those numbers (:class:`Criterion`).

Each claim has a kind (:data:`~experiments.validation.claims.claim.KINDS`): a
*figure* tests a figure its source gives, with a tolerance the claim
justifies from the source; a *direction* tests a sign from a source that gives
none, and the report states its size against the baseline's level; an
*invariant* is an identity of the engine. Checks that restate an input (a
number that follows by arithmetic or by definition from a parameter) are not
claims but mechanism tests of the test suite.

Claims known not to hold in the current model are listed, with the reason,
in :data:`~experiments.validation.claims.known_gaps.KNOWN_GAPS`; the report
shows them as FAIL with their measured number and a section of their own,
and the test suite checks that each still fails, so that a claim that starts
to hold must leave the list.
Every verdict, PASS or FAIL, must be clear of its threshold by a margin
(:meth:`Criterion.margin`, ``experiments.validation.report.MARGIN``); each
experiment runs the replications its claims need for that
(``ExperimentSpec.min_replications``).

The modules:

- :mod:`~experiments.validation.claims.criteria`: pass criteria and how numbers print;
- :mod:`~experiments.validation.claims.evidence`: an experiment's tables and
  per-replication readers of them;
- :mod:`~experiments.validation.claims.schedules`: when a strategy runs or a rival
  enters, and windows of steps relative to it;
- :mod:`~experiments.validation.claims.measures`, :mod:`~experiments.validation.claims.price_war_measures`,
  :mod:`~experiments.validation.claims.probe_measures`, :mod:`~experiments.validation.claims.conservation`:
  the measures (evidence -> one number per replication);
- :mod:`~experiments.validation.claims.probes`: instrumented runs for claims about single
  purchases, and the probes of :mod:`~experiments.validation.claims.satisfaction_probes`,
  :mod:`~experiments.validation.claims.tenure_probes` and
  :mod:`~experiments.validation.claims.win_back_probe`; the staff-turnover sweep of
  :mod:`~experiments.validation.claims.staff_measures`;
- :mod:`~experiments.validation.claims.experiments`: the experiments the claims share;
- :mod:`~experiments.validation.claims.claim`: a claim and its kinds;
- :mod:`~experiments.validation.claims.known_gaps`: the claims known to fail, and why;
- :mod:`~experiments.validation.claims.market_claims`, :mod:`~experiments.validation.claims.strategy_claims`:
  the claims themselves;
- :mod:`~experiments.validation.claims.registry`: all claims in report order, by id.
"""

from __future__ import annotations

from experiments.validation.claims.claim import KINDS, Claim
from experiments.validation.claims.criteria import Criterion, above, below, every, format_value, within
from experiments.validation.claims.evidence import Evidence
from experiments.validation.claims.experiments import EXPERIMENTS, ExperimentSpec
from experiments.validation.claims.known_gaps import KNOWN_GAPS
from experiments.validation.claims.registry import CLAIMS, claim_ids, get_claims

__all__ = [
    "CLAIMS",
    "EXPERIMENTS",
    "KINDS",
    "KNOWN_GAPS",
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
