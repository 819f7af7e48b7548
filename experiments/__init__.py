"""Experiments on the engine, grouped by what a user does: running, reports,
sweeps, analysis, validation, classroom, and the command line.
"""
