"""Sweeps over experiment parameters: the jobs' status, the DuckDB catalogue of
their results, and the sweep's report and figures.
"""
