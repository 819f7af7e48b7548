"""Sweeps: the jobs' status, the DuckDB catalogue, the sweep's report and figures."""
