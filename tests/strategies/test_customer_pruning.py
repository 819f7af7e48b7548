"""Customer pruning: the cost to serve falls more than revenue (001, 003;
Reinartz & Kumar 2002)."""

from __future__ import annotations

from tests.strategies.contract import StrategyContract, mean_after, total

START = 5


class TestCustomerPruning(StrategyContract):
    name = "customer_pruning"
    params = {"start": START}
    bad_value = ("prune_below", -0.5)

    def test_pruning_cuts_the_cost_to_serve_more_than_revenue(self):
        # Fair comparison: the same programme with pruning disabled
        # (prune_below = 0) books the same per-visit cost to serve on every
        # visit, so both runs carry the same accounting and differ only by
        # the refusals. The baseline books no cost to serve at all.
        for seed in (0, 1):
            pruned, kept = self.run(seed=seed), self.run(seed=seed, prune_below=0.0)
            cost_ratio = total(pruned, self.name) / total(kept, self.name)
            revenue_ratio = total(pruned, "revenue") / total(kept, "revenue")
            assert cost_ratio < revenue_ratio < 1.0
            # the refused brought small baskets: revenue per visit rises
            assert total(pruned, "revenue") / total(pruned, "visits") > total(kept, "revenue") / total(kept, "visits")
            # they cost more than they brought: dropping them pays
            assert total(pruned, "profit") > total(kept, "profit")
            # and the firm ends with fewer customers
            assert mean_after(pruned, "customers", start=30) < mean_after(kept, "customers", start=30)
