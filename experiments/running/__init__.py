"""Running an experiment: config, scenarios, replications, KPIs, statistics, outputs."""
