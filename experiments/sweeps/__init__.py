"""Sweeps: the jobs' plan, status and progress, the DuckDB catalogue, the report and figures."""
