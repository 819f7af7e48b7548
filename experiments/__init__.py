"""Experiments on the engine, grouped by what a user does."""
