"""Validation: the claims the model is checked against, the report that measures them, and the invariance table."""
