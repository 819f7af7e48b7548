"""Running an experiment: its typed config, scenarios x replications in parallel,
KPIs, paired statistics and atomic outputs.
"""
